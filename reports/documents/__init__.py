"""The documents themselves: what a document shows as plain data (``data.build_document_data``), its
settings, its memo cover, its public addresses (``links``), which document answers which OIT item
(``portal_answers``), and the document pages (list, page, preview, PDF, settings)."""
