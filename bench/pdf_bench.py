"""PDF benchmark: progress reports (layout A) of 10, 15, 50 and 200 synthetic Thai measures.

    make bench                      # installs LibreOffice (Debian libreoffice-writer-nogui) when missing
    .venv/bin/python bench/pdf_bench.py [--sizes 10 15 50 200] [--repeat 3] [--no-libreoffice] [--plain-weasyprint]

For each size, in a child process that has already rendered one small report (warm, as a running
server is): the peak memory a render adds (RSS sampled every 5 ms minus the RSS before it), then
the render time of ``reports.printing.rendering.render_document_pdf`` (median of --repeat runs, the data
built beforehand), the pages, and tracemalloc's peak of Python allocations (a separate run: tracing
slows rendering). Then the time LibreOffice takes to convert an
equivalent DOCX (same texts, same table, A4 landscape, Sarabun through a private fontconfig file,
header row repeated) to PDF with ``soffice --headless --convert-to pdf`` (a fresh soffice process per
conversion, its profile created beforehand; median of --repeat), and the ratio.

Targets (issue #20 "PDF speed", ratios of the medians in the same run): WeasyPrint at most 0.4× of
LibreOffice's time at 15 measures, 1.0× at 50, 1.5× at 200; under 200 MB added peak memory at 200
measures. Each is printed with PASS or FAIL. Beside them, the floor: the ratio a render would have
if fitting text to lines (WeasyPrint's ``get_next_linebox``, where the profile in bench/PROFILE.md
puts most of a page's time) cost nothing: the median time less the line boxes' share, which one more
render after the timed ones measures. A target under its floor needs more than faster lines.

WeasyPrint and LibreOffice are measured one size after the other (the machine's load changes
over minutes); the table shows medians, and the ratio of CPU times beside the ratio of wall times.

The data lives in a throwaway SQLite database in a temporary directory; nothing else is touched.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SENTENCES = [
    "จัดประชุมชี้แจงบุคลากรภายในหน่วยงานให้มีส่วนร่วมในการจัดทำแผนการดำเนินงานและแผนการใช้จ่ายงบประมาณ",
    "ประชาสัมพันธ์ให้บุคลากรภายในทราบถึงขั้นตอนและระยะเวลาในการดำเนินการผ่านช่องทางออนไลน์และบอร์ดประชาสัมพันธ์",
    "จัดทำสื่อประชาสัมพันธ์ในรูปแบบการสรุปข้อมูลหรืออินโฟกราฟิกและเผยแพร่ให้บุคลากรได้รับทราบอย่างทั่วถึง",
    "ผู้บริหารมอบหมายให้กองงานที่รับผิดชอบจัดทำรายงานการประเมินความเสี่ยงการทุจริตแล้วรายงานให้ผู้บริหารทราบ",
    "เผยแพร่กระบวนการจัดซื้อจัดจ้างให้ครบตามองค์ประกอบโดยเปิดเผยข้อมูลการจัดหาพัสดุรายเดือนบนเว็บไซต์ของหน่วยงาน",
    "ทบทวนขั้นตอนและระยะเวลาที่ใช้ในการให้บริการแต่ละขั้นตอนไว้ในคู่มือหรือมาตรฐานการปฏิบัติงานให้เป็นปัจจุบัน",
    "พัฒนาช่องทางการให้บริการในรูปแบบออนไลน์เพื่อลดการใช้ดุลยพินิจและช่วยให้เกิดความสะดวกรวดเร็วมากยิ่งขึ้น",
    "ประชาชนในพื้นที่มีการรับรู้ข้อมูลต่าง ๆ ในการมาติดต่อขอรับบริการ รวมทั้งมีความพึงพอใจในการให้บริการของหน่วยงาน",
]
THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
RATIO_TARGETS = {15: 0.4, 50: 1.0, 200: 1.5}  # WeasyPrint / LibreOffice, medians of the same run
DIVISIONS = ["สำนักปลัด", "กองคลัง", "กองช่าง", "กองการศึกษา ศาสนาและวัฒนธรรม"]


def text(i: int, count: int) -> str:
    return " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(count))


# --- Django and data ---------------------------------------------------------------------------------

def setup_django(db_path: Path):
    os.environ["DJANGO_SETTINGS_MODULE"] = "ita_portal.settings_test"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
    import django

    django.setup()


def build_database(sizes) -> None:
    """One organisation per size, each with a progress report of that many measures."""
    from datetime import date

    from django.core.management import call_command

    from measures.models import Measure, MeasureStep
    from orgs.models import Division, Organisation
    from reports.models import Document, ProgressEntry

    call_command("migrate", verbosity=0)
    for size in sizes:
        org = Organisation.objects.create(kind="sub_municipality", name=f"เทศบาลตำบลทดสอบ{size}", district="เมือง",
                                          province="ขอนแก่น", slug=f"bench-{size}")
        divisions = [Division.objects.create(organisation=org, name=n, order=i) for i, n in enumerate(DIVISIONS)]
        document = Document.objects.create(
            organisation=org, fiscal_year=2568, kind="progress", round=12, layout="A", status="approved",
            preamble=text(0, 3), signer_name="นางสาวสมหญิง ใจดี", signer_position="นักวิเคราะห์นโยบายและแผน")
        for i in range(1, size + 1):
            n = str(i).translate(THAI)
            measure = Measure.objects.create(
                organisation=org, fiscal_year=2568, order=i, group_heading=f"มาตรการกลุ่มที่ {(i - 1) // 5 + 1}",
                title=f"{n}. มาตรการส่งเสริมความโปร่งใสในการใช้งบประมาณและการจัดซื้อจัดจ้าง",
                guideline=f"๑. {text(i, 1)}\n๒. {text(i + 1, 1)}",
                start_month=date(2024, 10, 1), end_month=date(2025, 3, 1))
            measure.divisions.add(*divisions[: 1 + i % 3])
            for s in range(1, 4):
                step = MeasureStep.objects.create(measure=measure, order=s, text=text(i + s, 2))
                if s == 1:
                    for k in range(1, 3):
                        MeasureStep.objects.create(measure=measure, parent=step, order=k, text=text(i + k, 1))
            ProgressEntry.objects.create(
                document=document, measure=measure, status="done",
                output=f"{text(i + 2, 2)} เมื่อวันที่ ๑๑ กุมภาพันธ์ ๒๕๖๘\n{text(i + 3, 1)}",
                outcome=text(i + 4, 2))


def report_data(size: int) -> dict:
    from reports.documents.data import build_document_data
    from reports.models import Document

    document = Document.objects.select_related("organisation").get(organisation__slug=f"bench-{size}")
    return build_document_data(document)


# --- measuring ---------------------------------------------------------------------------------------

def rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRSS:
    def __init__(self, interval=0.005):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()

    def __enter__(self):
        self.start = rss()
        self.peak = self.start
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, rss())
            time.sleep(self.interval)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss())

    @property
    def added(self):
        return self.peak - self.start


def child(db_path: Path, size: int, repeat: int, plain: bool = False) -> dict:
    """Runs in its own process: warm up, then time, memory and pages of one size."""
    import gc

    import pypdf
    import io

    setup_django(db_path)
    from reports.printing.rendering import render_document_pdf

    if plain:
        from reports.pdf import speedups

        speedups.uninstall()

    render_document_pdf(report_data(min(10, size)))  # warm: fonts, templates, imports
    data = report_data(size)
    gc.collect()
    with PeakRSS() as memory:
        pdf = render_document_pdf(data)
    times, cpu_times = [], []
    for _ in range(repeat):
        gc.collect()
        started, cpu_started = time.perf_counter(), time.process_time()
        render_document_pdf(data)
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
    gc.collect()
    tracemalloc.start()
    render_document_pdf(data)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    gc.collect()
    render_time, line_box_time = line_box_times(render_document_pdf, data)
    return {"size": size, "times": times, "cpu_times": cpu_times, "pages": pages, "rss_added": memory.added,
            "traced_peak": traced_peak, "line_box_share": line_box_time / render_time}


def line_box_times(render, data) -> tuple[float, float]:
    """(render time, time inside WeasyPrint's ``get_next_linebox``) of one render, the outermost
    calls only (a line may hold an inline block with lines of its own).  A line box is where text
    is fitted to a line: breaking, Pango shaping, the inline boxes.  What is left without it (tables,
    blocks, pages, margin boxes, drawing and writing the PDF) is a floor that no faster line fitting
    can go below."""
    from weasyprint.layout import inline

    original = inline.get_next_linebox
    state = {"depth": 0, "seconds": 0.0}

    def timed(*args, **kwargs):
        state["depth"] += 1
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            state["depth"] -= 1
            if not state["depth"]:
                state["seconds"] += time.perf_counter() - started

    inline.get_next_linebox = timed
    try:
        started = time.perf_counter()
        render(data)
        return time.perf_counter() - started, state["seconds"]
    finally:
        inline.get_next_linebox = original


def floor(result: dict) -> float:
    """The median render time without its line boxes' share."""
    return statistics.median(result["times"]) * (1 - result["line_box_share"])


# --- LibreOffice -----------------------------------------------------------------------------------------

def _run_xml(text_: str, bold=False) -> str:
    props = '<w:rPr><w:rFonts w:ascii="Sarabun" w:hAnsi="Sarabun" w:cs="Sarabun"/>' + (
        "<w:b/><w:bCs/>" if bold else "") + '<w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr>'
    return f'<w:r>{props}<w:t xml:space="preserve">{escape(text_)}</w:t></w:r>'


def _para(text_: str, bold=False, center=False) -> str:
    ppr = '<w:pPr><w:jc w:val="center"/></w:pPr>' if center else ""
    return f"<w:p>{ppr}{_run_xml(text_, bold)}</w:p>"


def docx_bytes(data: dict) -> bytes:
    """A minimal DOCX (stdlib zipfile) with the same title, preamble and layout-A table as the PDF."""
    from reports.printing.rendering import layout_columns

    columns = layout_columns(data, "A")
    total_twips = 15309  # A4 landscape 16838 twips minus 20 + 15 mm margins
    weights = [c["weight"] for c in columns]
    widths = [int(total_twips * w / sum(weights)) for w in weights]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:color="000000"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))

    def cell(lines, width, bold=False):
        paras = "".join(_para(line, bold) for line in lines) or "<w:p/>"
        return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{paras}</w:tc>'

    header = '<w:tr><w:trPr><w:tblHeader/></w:trPr>' + "".join(
        cell([c["heading"]], w, bold=True) for c, w in zip(columns, widths)) + "</w:tr>"
    rows, group = [], None
    for m in data["measures"]:
        if m["group"] != group:
            group = m["group"]
            rows.append(f'<w:tr><w:tc><w:tcPr><w:tcW w:w="{total_twips}" w:type="dxa"/>'
                        f'<w:gridSpan w:val="{len(columns)}"/></w:tcPr>{_para(group, True)}</w:tc></w:tr>')
        values = {"measure": m["measure"], "steps": m["steps"], "responsible": m["responsible"],
                  "timeline": [m["timeline"]], "output": m["output"], "outcome": m["outcome"]}
        rows.append("<w:tr>" + "".join(cell(values[c["key"]], w) for c, w in zip(columns, widths)) + "</w:tr>")
    table = (f'<w:tbl><w:tblPr><w:tblW w:w="{total_twips}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
             f"<w:tblBorders>{borders}</w:tblBorders></w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
             f"{header}{''.join(rows)}</w:tbl>")
    body = "".join(_para(line, True, True) for line in data["title_lines"])
    body += _para(data["organisation"]["name"], True, True) + _para(data["organisation"]["place"], True, True)
    body += "".join(_para(p) for p in data["preamble"]) + table
    body += _para(f"ลงชื่อ ........................ {data['signer']['role']}") + _para(f"({data['signer']['name']})")
    section = ('<w:sectPr><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>'
               '<w:pgMar w:top="850" w:right="850" w:bottom="850" w:left="1134" w:header="0" w:footer="567" w:gutter="0"/>'
               "</w:sectPr>")
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f"<w:body>{body}{section}</w:body></w:document>")
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>')
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/document.xml", document)
    return buffer.getvalue()


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_env(work: Path) -> dict:
    """soffice sees Sarabun through its own fontconfig file; the system's fonts are not changed."""
    from reports.pdf.fonts import font_dir

    conf = work / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{font_dir()}</dir><cachedir>{work / 'fc-cache'}</cachedir></fontconfig>")
    return {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(work)}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def convert(binary: str, docx: Path, work: Path, env: dict) -> tuple[float, float, Path]:
    """(wall time, CPU time of soffice and its children, the PDF) of one conversion."""
    out = work / "out"
    out.mkdir(exist_ok=True)
    started, cpu_started = time.perf_counter(), children_cpu()
    subprocess.run(
        [binary, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(out), str(docx)],
        check=True, capture_output=True, env=env, timeout=600)
    elapsed = time.perf_counter() - started
    return elapsed, children_cpu() - cpu_started, out / (docx.stem + ".pdf")


def pdf_pages(path: Path) -> int:
    import pypdf

    return len(pypdf.PdfReader(str(path)).pages)


# --- main ----------------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 15, 50, 200])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-libreoffice", action="store_true")
    parser.add_argument("--plain-weasyprint", action="store_true",
                        help="render without reports.pdf.speedups (WeasyPrint's own text layout paths)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(child(Path(args.db), args.child, args.repeat, args.plain_weasyprint)))
        return

    work = Path(tempfile.mkdtemp(prefix="ita-pdf-bench-"))
    try:
        db = work / "bench.sqlite3"
        setup_django(db)
        started = time.perf_counter()
        build_database(sorted(set(args.sizes) | {10}))
        print(f"Synthetic data: {', '.join(map(str, args.sizes))} measures "
              f"(SQLite in {work}, built in {time.perf_counter() - started:.1f} s)")

        binary = None if args.no_libreoffice else soffice()
        if binary:
            env = libreoffice_env(work)
            warm = work / "warmup.docx"
            warm.write_bytes(docx_bytes(report_data(10)))
            convert(binary, warm, work, env)  # creates the profile and the font cache
        elif not args.no_libreoffice:
            print("LibreOffice (soffice) not found: `make bench` installs libreoffice-writer-nogui.")

        # Per size, WeasyPrint and then LibreOffice, so that both see about the same machine load.
        results, lo = {}, {}
        for size in args.sizes:
            command = [sys.executable, __file__, "--child", str(size), "--db", str(db), "--repeat", str(args.repeat)]
            if args.plain_weasyprint:
                command.append("--plain-weasyprint")
            proc = subprocess.run(command, capture_output=True, text=True, env=os.environ)
            if proc.returncode:
                sys.stderr.write(proc.stderr)
                raise SystemExit(f"benchmark child for {size} measures failed")
            results[size] = json.loads(proc.stdout.strip().splitlines()[-1])
            if binary:
                docx = work / f"report-{size}.docx"
                docx.write_bytes(docx_bytes(report_data(size)))
                runs = [convert(binary, docx, work, env) for _ in range(args.repeat)]
                lo[size] = {"time": statistics.median(t for t, _, _ in runs),
                            "cpu": statistics.median(c for _, c, _ in runs), "pages": pdf_pages(runs[-1][2])}

        mib = 1024 * 1024
        print()
        print(f"Medians of {args.repeat} runs; CPU = process CPU time (WeasyPrint) and soffice's CPU time.")
        print(f"{'measures':>8} {'pages':>5} {'WeasyPrint warm':>15} {'per page':>8} {'RSS added':>10} "
              f"{'py heap peak':>12} {'line boxes':>10} {'LO pages':>8} {'LibreOffice':>11} {'ratio WP/LO':>11} "
              f"{'CPU ratio':>9} {'floor':>6}")
        for size in args.sizes:
            r = results[size]
            t = statistics.median(r["times"])
            line = (f"{size:>8} {r['pages']:>5} {t:>13.2f} s {1000 * t / r['pages']:>5.0f} ms "
                    f"{r['rss_added'] / mib:>6.0f} MiB {r['traced_peak'] / mib:>8.0f} MiB"
                    f" {100 * r['line_box_share']:>9.0f}%")
            if size in lo:
                cpu = statistics.median(r["cpu_times"])
                line += (f" {lo[size]['pages']:>8} {lo[size]['time']:>9.2f} s {t / lo[size]['time']:>10.2f}×"
                         f" {cpu / lo[size]['cpu']:>8.2f}× {floor(r) / lo[size]['time']:>5.2f}×")
            print(line)
        print("line boxes: the share of a render spent fitting text to lines (WeasyPrint's get_next_linebox);"
              " floor: the ratio if that cost nothing.")
        print()
        checks = []
        for size, target in RATIO_TARGETS.items():
            if size in results and size in lo:
                ratio = statistics.median(results[size]["times"]) / lo[size]["time"]
                checks.append((f"{size} measures: WeasyPrint/LibreOffice {ratio:.2f}× <= {target}×", ratio <= target))
        if 200 in results:
            added = results[200]["rss_added"] / mib
            checks.append((f"200 measures: added peak memory {added:.0f} MiB < 200 MB", added * mib < 200e6))
        for label, ok in checks:
            print(f"[{'PASS' if ok else 'FAIL'}] {label}")
        for size, target in RATIO_TARGETS.items():
            if size in results and size in lo:
                best = floor(results[size]) / lo[size]["time"]
                reach = "within reach of faster line fitting" if best <= target else "out of reach of line fitting alone"
                print(f"[floor] {size} measures: {best:.2f}× with line boxes at no cost, target {target}×: {reach}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
