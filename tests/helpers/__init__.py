"""Helpers shared by the test modules (a test module never imports another test module:
tests/test_test_layout.py checks it). Fixtures are in tests/conftest.py, factories in tests/factories.py.

a11y            axe-core violations of a page in Chromium
browser         steps of the browser tests (sign in)
builders        measures, reports and ITA results with realistic Thai texts
catalogue_files the shipped catalogue CSV files, as files and ZIP uploads
crawl           the same-site crawler of every page (test_crawl)
files           small real files for uploads and imports (PDF, images, DOCX, XLSX, ZIP)
html            elements of a page's HTML and the Thai text of a msgid
http            local HTTP(S) servers for the link checks
mail            mail backends that fail
measure_pages   what the measures pages' tests share (factories, form data, page addresses)
pdf             what a PDF shows (text, pages, columns, fonts, lines) and the typography documents
seeds           the three seed documents (tests/data/seeds/) and their tables
urls_failing    ROOT_URLCONF for the error pages test
urls_walk       every URL pattern and the demo arguments to reach it
workflow        documents taken through the real workflow services
"""
