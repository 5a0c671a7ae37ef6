"""Load the ITA catalogue from the CSV files in ita/catalogue/ (see its README.md).

Idempotent: rows are matched on their natural keys and updated in place, so running the loader
again changes nothing, and correcting a CSV row corrects the database. A new assessment year is
added by adding rows to the files, never by changing code. The work is done by
ita/catalogue_changes.py, shared with the upload page of the workspace.
"""
from pathlib import Path

from core.loading import LoadStats

from .catalogue_changes import CATALOGUE_DIR, CatalogueError, load_directory

__all__ = ["CATALOGUE_DIR", "CatalogueError", "load_catalogue"]


def load_catalogue(directory: Path = CATALOGUE_DIR) -> LoadStats:
    return load_directory(directory)
