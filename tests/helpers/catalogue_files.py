"""Helpers for tests of the ITA catalogue files: the shipped CSV files as rows, edited, written back."""
import csv
import io
import zipfile

from ita.catalogue_changes import CATALOGUE_DIR, COLUMNS


def shipped() -> dict[str, list[dict]]:
    """{file name: rows} of ita/catalogue/ (every row a dict of its columns)."""
    files = {}
    for name in COLUMNS:
        with (CATALOGUE_DIR / name).open(encoding="utf-8", newline="") as fh:
            files[name] = list(csv.DictReader(fh))
    return files


def only_years(files: dict[str, list[dict]], *years: int) -> dict[str, list[dict]]:
    """The rows of these years only (tools.csv whole)."""
    wanted = {str(y) for y in years}
    return {name: rows if name == "tools.csv" else [r for r in rows if r["year"] in wanted]
            for name, rows in files.items()}


def csv_bytes(rows: list[dict], header: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header or list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def as_bytes(files: dict[str, list[dict]]) -> dict[str, bytes]:
    return {name: csv_bytes(rows) for name, rows in files.items()}


def as_zip(files: dict[str, list[dict]] | dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(f"catalogue/{name}", content if isinstance(content, bytes) else csv_bytes(content))
    return buffer.getvalue()


def write_dir(path, files: dict[str, list[dict]]):
    path.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        (path / name).write_bytes(csv_bytes(rows))
    return path
