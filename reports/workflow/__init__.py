"""The workflow of a document (draft → submitted → approved → published → withdrawn): who may do what
(``rules``), the transitions (``transitions``), their pages and forms, the e-mail notices and reminders,
and the background tasks (``tasks``: the published PDF, the notices)."""
