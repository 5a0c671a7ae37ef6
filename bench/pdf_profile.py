"""Where a progress report's PDF render spends its time: phases and cProfile of one warm render.

    .venv/bin/python bench/pdf_profile.py [--size 50] [--top 15] [--pstats out.prof]
    .venv/bin/python bench/pdf_profile.py --size 200 --dump out.pdf   # the PDF, for comparisons

The data is pdf_bench's synthetic report (a throwaway SQLite database). One render warms fonts,
templates and imports; then one render is timed by phase (HTML building, HTML parse, style and
layout, drawing with font subsetting and writing), then one render runs under cProfile (which
slows Python code about 2x: read the shares, not the seconds).
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pdf_bench import build_database, report_data, setup_django  # noqa: E402


def phases(data) -> dict:
    """Seconds of each phase of render_document_pdf, done by hand in the same order."""
    import weasyprint
    from django.conf import settings

    from reports.pdf import render as pdf_render
    from reports.printing.rendering import RenderOptions, _pdf_parts

    out = {}
    started = time.perf_counter()
    parts, dirs, _ = _pdf_parts(data, RenderOptions(), for_pdf=True)
    out["HTML building (Django templates, word marks)"] = time.perf_counter() - started
    fetcher = pdf_render.LocalURLFetcher([*dirs, settings.MEDIA_ROOT])
    font_config, sheets = pdf_render._base_sheets()
    gc.disable()
    try:
        started = time.perf_counter()
        html = weasyprint.HTML(string=parts[-1], base_url=str(settings.BASE_DIR), url_fetcher=fetcher)
        out["HTML parse (html5lib)"] = time.perf_counter() - started
        started = time.perf_counter()
        document = html.render(font_config=font_config, stylesheets=sheets)
        out["style, box building and layout (render)"] = time.perf_counter() - started
        started = time.perf_counter()
        document.write_pdf()
        out["draw, fonts and PDF writing (write_pdf)"] = time.perf_counter() - started
        pages = len(document.pages)
        document = None
    finally:
        gc.enable()
    started = time.perf_counter()
    gc.collect()
    out["gc.collect afterwards"] = time.perf_counter() - started
    out["pages"] = pages
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=50)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--pstats", help="write the cProfile statistics to this file")
    parser.add_argument("--dump", help="write the PDF to this file and stop (no profile)")
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ita-pdf-profile-"))
    try:
        setup_django(work / "bench.sqlite3")
        build_database(sorted({10, args.size}))
        from reports.printing.rendering import render_document_pdf

        render_document_pdf(report_data(10))  # warm
        data = report_data(args.size)
        if args.dump:
            Path(args.dump).write_bytes(render_document_pdf(data))
            return
        result = phases(data)
        pages = result.pop("pages")
        total = sum(result.values())
        print(f"{args.size} measures, {pages} pages (report part): {total:.2f} s, {1000 * total / pages:.0f} ms/page")
        for name, seconds in result.items():
            print(f"  {seconds:7.3f} s {100 * seconds / total:5.1f} %  {name}")
        if args.no_profile:
            return
        gc.collect()
        profile = cProfile.Profile()
        profile.enable()
        render_document_pdf(data)
        profile.disable()
        if args.pstats:
            profile.dump_stats(args.pstats)
        for key in ("tottime", "cumulative"):
            buffer = io.StringIO()
            pstats.Stats(profile, stream=buffer).strip_dirs().sort_stats(key).print_stats(args.top)
            print(buffer.getvalue())
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
