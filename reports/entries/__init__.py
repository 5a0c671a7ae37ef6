"""Progress entries of a report and their evidence: the changes (``services``), the entry page and its
form, checking uploads (``evidence``), evidence in print (``evidence_print``), and the hooks measures
asks through (``measure_entries``, ``measure_import``)."""
