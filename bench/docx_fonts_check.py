"""Check that the DOCX export shows Sarabun on a computer that has no Sarabun (`make bench`).

    .venv/bin/python bench/docx_fonts_check.py [--measures 15] [--keep DIR]

The DOCX of a 15-measure progress report (the PDF benchmark's synthetic data, in a throwaway SQLite
database) is converted to PDF by LibreOffice (``soffice --headless --convert-to pdf``, a fresh profile)
under a fontconfig file that lists only the DejaVu fonts (FONTCONFIG_FILE; the check first asks
fontconfig, through ``fc-list``, that no Sarabun is visible). The fonts of the PDF (``pdffonts``) must all
be Sarabun faces: LibreOffice drew the Thai text with the fonts embedded in the DOCX
(reports/exports/docx_fonts.py). As a control, the same DOCX with its embedded fonts taken out is converted
too and must come out in another font (what the export gave before: boxes or a substitute). Exits 1
when the check fails, 0 otherwise; prints the fonts and times measured.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
THAI_SAMPLE = "รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"  # the title


def fontconfig_without_sarabun(work: Path) -> dict:
    """The environment of a machine whose only fonts are DejaVu (no system fonts.conf included)."""
    conf = work / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{DEJAVU}</dir><cachedir>{work / 'fc-cache'}</cachedir></fontconfig>")
    return {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(work)}


def visible_families(env: dict) -> set[str]:
    out = subprocess.run(["fc-list", ":", "family"], env=env, capture_output=True, text=True, check=True).stdout
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


def convert(docx: Path, work: Path, env: dict) -> tuple[float, Path]:
    out = work / "out"
    out.mkdir(exist_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [shutil.which("soffice") or "soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}",
         "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(out), str(docx)],
        check=True, capture_output=True, env=env, timeout=600)
    return time.perf_counter() - started, out / (docx.stem + ".pdf")


def pdf_fonts(pdf: Path) -> list[str]:
    """The base names of the PDF's fonts (subset prefix "ABCDEF+" removed), from poppler's pdffonts."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in out.splitlines()[2:] if line.strip()]
    return [re.sub(r"^[A-Z]{6}\+", "", name) for name in names]


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def norm(text: str) -> str:
    """NFKC (poppler gives ำ as ํ + า) without white space (the text wraps in cells)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def without_embedded_fonts(docx: Path, target: Path) -> None:
    """The same DOCX with no embedded font: no word/fonts/ parts, no embed elements, no font relations."""
    with zipfile.ZipFile(docx) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename.startswith("word/fonts/") or item.filename == "word/_rels/fontTable.xml.rels":
                continue
            data = source.read(item.filename)
            if item.filename == "word/fontTable.xml":
                data = re.sub(rb"<w:embed(Regular|Bold|Italic|BoldItalic)\b[^>]*/>", b"", data)
            if item.filename == "[Content_Types].xml":
                data = re.sub(rb'<Override PartName="/word/fonts/[^"]+"[^>]*/>', b"", data)
            out.writestr(item, data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=15)
    parser.add_argument("--keep", metavar="DIR", help="keep the DOCX and PDFs in this directory")
    args = parser.parse_args()
    if not shutil.which("soffice"):
        print("LibreOffice (soffice) not found: `make bench` installs libreoffice-writer-nogui.")
        return 1
    if not DEJAVU.is_dir():
        print(f"{DEJAVU} not found (Debian fonts-dejavu-core).")
        return 1

    from bench.pdf_bench import build_database, report_data, setup_django

    with tempfile.TemporaryDirectory(prefix="ita-docx-fonts-") as tmp:
        work = Path(tmp)
        setup_django(work / "bench.sqlite3")
        build_database([args.measures])
        from reports.exports.docx import render_document_docx

        docx = work / "report.docx"
        docx.write_bytes(render_document_docx(report_data(args.measures)))
        control = work / "control.docx"
        without_embedded_fonts(docx, control)

        env = fontconfig_without_sarabun(work)
        families = visible_families(env)
        print(f"fontconfig sees: {', '.join(sorted(families))}")
        if any("sarabun" in family.lower() for family in families):
            print("FAIL: Sarabun is visible to fontconfig; the check needs a machine without it.")
            return 1

        ok = True
        results = {}
        for label, path in (("embedded", docx), ("control (fonts taken out)", control)):
            elapsed, pdf = convert(path, work, env)
            fonts = pdf_fonts(pdf)
            results[label] = (fonts, pdf)
            print(f"{label}: {path.stat().st_size / 1024:.0f} KB DOCX, converted in {elapsed:.1f} s; "
                  f"PDF fonts: {', '.join(sorted(set(fonts))) or '(none)'}")
        fonts, pdf = results["embedded"]
        if not fonts or not all(name.startswith("Sarabun") for name in fonts):
            print("FAIL: the PDF of the DOCX with embedded fonts uses another font than Sarabun.")
            ok = False
        if "Sarabun-Bold" not in fonts and not any("Bold" in name for name in fonts):
            print("FAIL: no bold Sarabun face (the table headings are bold).")
            ok = False
        if norm(THAI_SAMPLE) not in norm(pdf_text(pdf)):
            print("FAIL: the Thai text is not in the PDF.")
            ok = False
        control_fonts, _pdf = results["control (fonts taken out)"]
        if any(name.startswith("Sarabun") for name in control_fonts):
            print("FAIL: the control drew Sarabun without embedded fonts: the check proves nothing here.")
            ok = False
        if args.keep:
            keep = Path(args.keep)
            keep.mkdir(parents=True, exist_ok=True)
            for path in (docx, control, *(p for _f, p in results.values())):
                shutil.copy(path, keep / path.name)
        print("docx fonts check: " + ("OK, LibreOffice without Sarabun draws the DOCX in the embedded Sarabun"
                                      if ok else "FAILED"))
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
