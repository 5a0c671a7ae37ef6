"""Staff exports: a document as an editable DOCX (``docx``, with the Sarabun fonts embedded by
``docx_fonts``) and the measures and entries of a fiscal year as XLSX (``xlsx``)."""
