"""Documents printed: HTML preview and PDF from the document data (``rendering``, on the engine of
reports/pdf/), Thai word breaks (``thai_words``), and the stored PDF of a published document
(``stored_pdf``)."""
