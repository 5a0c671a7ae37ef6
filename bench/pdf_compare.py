"""Do two versions of the code print the same benchmark reports? (Page counts, content streams, text.)

    # in a checkout of the old code (copy this file there), then in the new one:
    .venv/bin/python bench/pdf_compare.py --dump /tmp/pdf-before [--sizes 15 50 200]
    .venv/bin/python bench/pdf_compare.py --dump /tmp/pdf-after
    .venv/bin/python bench/pdf_compare.py --compare /tmp/pdf-before /tmp/pdf-after

--dump renders pdf_bench's synthetic progress reports (layout A) of each size to DIR/report-N.pdf.
--compare reports, for each size, the page counts, whether each page's decoded content stream is
byte-identical and whether ``pdftotext -raw`` gives the same text; the exit status is 1 when any
differs.
"""
from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def dump(directory: Path, sizes) -> None:
    from bench.pdf_bench import build_database, report_data, setup_django

    work = Path(tempfile.mkdtemp(prefix="ita-pdf-compare-"))
    try:
        setup_django(work / "bench.sqlite3")
        build_database(sorted(set(sizes)))
        from reports.printing.rendering import render_document_pdf

        directory.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            (directory / f"report-{size}.pdf").write_bytes(render_document_pdf(report_data(size)))
            print(f"{directory / f'report-{size}.pdf'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def streams(pdf: bytes) -> list[tuple]:
    import pypdf

    return [(tuple(page.mediabox), page.get_contents().get_data()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def raw_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def compare(before: Path, after: Path) -> bool:
    same = True
    for old_path in sorted(before.glob("report-*.pdf"), key=lambda p: int(p.stem.split("-")[1])):
        new_path = after / old_path.name
        old, new = old_path.read_bytes(), new_path.read_bytes()
        old_streams, new_streams = streams(old), streams(new)
        different = [i + 1 for i, (a, b) in enumerate(zip(old_streams, new_streams)) if a != b]
        text_same = raw_text(old) == raw_text(new)
        ok = len(old_streams) == len(new_streams) and not different and text_same
        same = same and ok
        print(f"{old_path.stem}: pages {len(old_streams)} -> {len(new_streams)}; "
              f"content streams {'identical' if not different else f'differ on pages {different}'}; "
              f"pdftotext -raw {'identical' if text_same else 'DIFFERS'}")
    return same


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[15, 50, 200])
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--compare", type=Path, nargs=2)
    args = parser.parse_args()
    if args.dump:
        dump(args.dump, args.sizes)
    if args.compare:
        raise SystemExit(0 if compare(*args.compare) else 1)


if __name__ == "__main__":
    main()
