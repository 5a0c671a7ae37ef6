"""PDF engine (reports/pdf): Thai text extraction, fonts, pages, URL fetching.

Plain pytest tests: no database and no Django settings are used.
Needs Debian poppler-utils (pdftotext, pdffonts) for the poppler checks.

pdftotext runs with -raw (content-stream order), which tests the PDF's text map.
Its default layout mode re-sorts glyphs by x position, and GPOS puts some marks a
little to the right of the next base letter (Sarabun Bold, larger sizes), so that
mode can print e.g. "ผูร้บั" for bold "ผู้รับ" and interleave table columns; that is
poppler's layout analysis, not the ToUnicode map.
"""

import io
import re
import socket
import subprocess
import unicodedata

import pypdf
import pytest
import weasyprint.pdf

from reports.pdf import (
    FAMILY,
    BASE_CSS_PATH,
    URLNotAllowed,
    UnexpectedFontError,
    WeasyPrintVersionError,
    font_face_css,
    font_files,
    make_url_fetcher,
    render_pdf,
)
from reports.pdf import fonts as pdf_fonts
from reports.pdf import tounicode
from reports.pdf.fonts import SarabunFontsMissing

SAMPLE = (
    "น้ำ ทำ กำหนด ดำเนินการ ผู้รับผิดชอบ ปู่ ศักดิ์สิทธิ์ ปั๊ม ฟื้นฟู สำนักปลัด "
    "ผลสัมฤทธิ์ ๑๒๓ ประจำปีงบประมาณ พ.ศ. ๒๕๖๘"
)
# More clusters around the same glyphs: ำ after tone marks (ligatures), plain า
# after ำ has been seen, ู with tone marks, descender-less ญ/ฐ, Latin and fi.
EXTRA = "ต่ำ ค้ำ ซ้ำ จ๊ำ ลำ การ กา ตู้ หญิง ฐาน ปฏิบัติ ฤๅษี ITA Portal official 2568"
NO_FOOTER = "@page { @bottom-center { content: none } }"
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")

# pdftotext and pdffonts come from Debian's poppler-utils, which `make test` installs; without them
# the tests that call them fail (FileNotFoundError) rather than skip.


def norm(text):
    """NFKC, then drop all whitespace (Thai lines wrap without spaces)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pypdf_pages(pdf):
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def pdftotext(pdf, *args):
    return subprocess.run(
        ["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def poppler_pages(pdf):
    return pdftotext(pdf, "-raw").split("\f")


# ---------------------------------------------------------------- text extraction

TEXT_BLOCKS = [
    *(f"{SAMPLE} {EXTRA}" for _ in range(3)),
    *(SAMPLE for _ in range(2)),
]


@pytest.fixture(scope="module")
def thai_pdf():
    paragraphs = "".join(f"<p>{block}</p>" for block in TEXT_BLOCKS)
    bold = f"<p><b>{SAMPLE}</b></p>"
    rows = "".join(
        f"<tr><td>{i}</td><td>{SAMPLE}</td><td>{EXTRA}</td></tr>" for i in range(1, 9)
    )
    table = f'<table><colgroup><col style="width:8%"><col><col></colgroup>{rows}</table>'
    html = f"<h1>{EXTRA}</h1>{paragraphs}{bold}{table}"
    source = EXTRA + "".join(TEXT_BLOCKS) + SAMPLE + "".join(
        f"{i}{SAMPLE}{EXTRA}" for i in range(1, 9))
    # Rows must not split across pages here: a split row interleaves its cells.
    return render_pdf(html, stylesheets=[NO_FOOTER, "tr { break-inside: avoid }"]), source


@pytest.mark.parametrize("extract", [
    pytest.param(lambda pdf: "".join(pypdf_pages(pdf)), id="pypdf"),
    pytest.param(lambda pdf: pdftotext(pdf, "-raw"), id="pdftotext"),
])
def test_extracted_thai_text_equals_source_after_nfkc(thai_pdf, extract):
    pdf, source = thai_pdf
    text = extract(pdf)
    assert norm(text) == norm(source)
    # Every ำ survives: NFKC turns it into ํ + า.
    assert norm(text).count("\u0e4d\u0e32") == source.count("\u0e33") > 50
    for mark in "\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e39":  # ่ ้ ๊ ๋ ์ ู
        assert norm(text).count(mark) == norm(source).count(mark), mark


def test_glyph_texts_come_from_the_font():
    data = font_files()[(400, "normal")].read_bytes()
    texts = tounicode.glyph_texts(data)
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data))
    gid = font.getGlyphID
    assert texts[gid("uni0E4D")] == "\u0e4d"            # NIKHAHIT from ำ's decomposition
    assert texts[gid("uni0E32")] == "\u0e32"            # SARA AA
    assert texts[gid("uni0E4D0E49")] == "\u0e49\u0e4d"  # ligature, logical order
    assert texts[gid("uni0E48.narrow")] == "\u0e48"     # positional variant
    assert texts[gid("yoYingthai.less")] == "ญ"


# ---------------------------------------------------------------- fonts

def test_pdffonts_lists_only_sarabun(thai_pdf):
    pdf, _ = thai_pdf
    output = subprocess.run(
        ["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    names = [line.split()[0] for line in output.splitlines()[2:] if line.strip()]
    assert names and all(re.fullmatch(r"[A-Z]{6}\+Sarabun(-[A-Za-z-]+)?", n) for n in names), output
    assert all(line.split()[4:7] == ["yes", "yes", "yes"]  # embedded, subset, ToUnicode
               for line in output.splitlines()[2:] if line.strip())


def test_pypdf_font_names_are_sarabun(thai_pdf):
    pdf, _ = thai_pdf
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(font["/BaseFont"])
            for descendant in font.get("/DescendantFonts", []):
                names.add(descendant.get_object()["/FontDescriptor"]["/FontName"])
    stripped = {name.split("+", 1)[-1] for name in names}
    assert stripped == {"Sarabun", "Sarabun-Bold"}


def test_css_names_only_sarabun():
    css = BASE_CSS_PATH.read_text(encoding="utf-8") + font_face_css()
    families = re.findall(r"font-family\s*:\s*([^;]+);", css)
    assert families and set(families) == {'"Sarabun"'}
    assert "unicode-range" not in css
    urls = re.findall(r'url\("([^"]+)"\)', font_face_css())
    font_dir_uri = pdf_fonts.font_dir().as_uri()
    assert len(urls) == len(font_files()) >= 2
    assert all(u.startswith(font_dir_uri + "/Sarabun-") and u.endswith(".ttf") for u in urls)


def test_missing_font_package_files_raise(tmp_path, monkeypatch):
    import fontpkg_sarabun

    (tmp_path / "files").mkdir()
    monkeypatch.setattr(fontpkg_sarabun, "ROOT", tmp_path)
    pdf_fonts.font_files.cache_clear()
    try:
        with pytest.raises(SarabunFontsMissing, match="Sarabun-Regular.ttf"):
            font_face_css()
    finally:
        monkeypatch.undo()
        pdf_fonts.font_files.cache_clear()


def test_system_font_fallback_is_refused():
    # `make test` installs fonts-dejavu-core so that a system font able to draw ☃ exists here.
    assert subprocess.run(["fc-list", ":charset=2603"], capture_output=True).stdout, "no fallback font"
    with pytest.raises(UnexpectedFontError):
        render_pdf("<p>ทดสอบ \u2603</p>")  # ☃ is not in Sarabun


# ---------------------------------------------------------------- pages

def test_a4_portrait_and_landscape_pages():
    html = "<p>แนวตั้ง</p><section class='landscape'><p>แนวนอน</p></section>"
    pages = pypdf.PdfReader(io.BytesIO(render_pdf(html))).pages
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in pages]
    assert len(sizes) == 2
    assert sizes[0] == pytest.approx((595, 842), abs=1)
    assert sizes[1] == pytest.approx((842, 595), abs=1)


@pytest.fixture(scope="module")
def long_table_pdf():
    rows = "".join(
        f"<tr><td>{i}</td><td>{SAMPLE}</td><td>{EXTRA}</td></tr>" for i in range(1, 61))
    html = (
        "<table><thead><tr><th>ลำดับที่</th><th>หัวข้อการประเมินคุณธรรม</th>"
        "<th>ผู้รับผิดชอบหลัก</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>")
    return render_pdf(html)


@pytest.mark.parametrize("pages", [
    pytest.param(pypdf_pages, id="pypdf"),
    pytest.param(poppler_pages, id="pdftotext"),
])
def test_long_table_repeats_header_and_counts_pages_in_thai(long_table_pdf, pages):
    texts = [norm(t) for t in pages(long_table_pdf) if t.strip()]
    total = len(texts)
    assert total >= 3
    for number, text in enumerate(texts, start=1):
        assert norm("ผู้รับผิดชอบหลัก") in text  # header repeated on every page
        footer = f"หน้า{number}จาก{total}".translate(THAI_DIGITS)
        assert footer in text
    assert "หน้า๒จาก" in texts[1]


# ---------------------------------------------------------------- URL fetching

BLOCKED = "http://127.0.0.1:9/x.png"


def test_url_fetcher_allows_only_local_files_in_allowed_dirs(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "a.css").write_text("p { color: red }")
    (tmp_path / "secret.txt").write_text("no")
    (static / "link.txt").symlink_to(tmp_path / "secret.txt")
    fetcher = make_url_fetcher([static])

    assert fetcher.fetch((static / "a.css").as_uri()).read() == b"p { color: red }"
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
    assert fetcher.fetch(font_files()[(400, "normal")].as_uri()).read(4) == b"\0\1\0\0"
    for url in [
        BLOCKED,
        "https://example.com/x.css",
        "ftp://127.0.0.1:9/x",
        (tmp_path / "secret.txt").as_uri(),
        (static / "link.txt").as_uri(),                # symlink leading outside
        (static / ".." / "secret.txt").as_uri(),
        "file://otherhost/etc/passwd",
        "file:///etc/passwd",
    ]:
        with pytest.raises(URLNotAllowed):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 8


def test_render_never_fetches_remote_resources(tmp_path, monkeypatch, caplog):
    from PIL import Image

    Image.new("RGB", (4, 4), "red").save(tmp_path / "ok.png")
    attempts = []

    def no_connect(self, address):
        attempts.append(address)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", no_connect)
    html = (
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
        "<style>@import url(http://127.0.0.1:9/y.css);</style>"
        f'<p>รูปภาพ <img src="{BLOCKED}"> <img src="ok.png"></p>')
    pdf = render_pdf(html, base_url=str(tmp_path), allowed_dirs=[tmp_path])

    assert attempts == []
    messages = caplog.text
    assert BLOCKED in messages and "URLNotAllowed" in messages
    assert "127.0.0.1:9/x.css" in messages
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    images = page["/Resources"].get("/XObject", {})
    assert len(images) == 1  # only the allowed local ok.png


# ---------------------------------------------------------------- adapter

def test_version_pin_fails_loudly():
    tounicode.check_weasyprint()  # installed version is the pinned one
    with pytest.raises(WeasyPrintVersionError, match="70.0"):
        tounicode.check_weasyprint("71.0")


def test_install_is_idempotent():
    tounicode.install()
    tounicode.install()
    hook = weasyprint.pdf.build_fonts_dictionary
    assert tounicode.is_installed()
    assert hook.__wrapped__ is weasyprint.pdf.fonts.build_fonts_dictionary
    assert FAMILY == "Sarabun"


# --- reports.pdf.speedups: the layouts it keeps or rebuilds draw what WeasyPrint draws ------------------

SPEEDUP_CASES = {
    "plain": "<p>{t}</p>",
    "justified": '<p style="text-align: justify">{t} {t}</p>',
    "letter-spacing": '<p style="letter-spacing: 1pt">{t}</p>',
    "word-spacing": '<p style="word-spacing: 4pt">{t}</p>',
    "pre-line": '<p style="white-space: pre-line">{t}\n{t}\n\nend</p>',
    "pre": '<pre style="font-family: Sarabun">line one\nline two\tafter a tab</pre>',
    "underline": '<p style="text-decoration: underline line-through">{t}</p>',
    "soft-hyphens": '<p lang="en" style="hyphens: manual; width: 30mm">extra\u00adordinarily trans\u00adpa\u00adrency</p>',
    "auto-hyphens": '<p lang="en" style="hyphens: auto; width: 25mm">internationalization responsibilities</p>',
    "ellipsis": '<p style="white-space: nowrap; overflow: hidden; text-overflow: ellipsis; width: 40mm">{t}</p>',
    "narrow-break-word": '<p style="overflow-wrap: break-word; width: 12mm">{t} https://example.go.th/abcdefghijklmnop</p>',
    "centred-table": '<table><tr><th>{t}</th><td style="text-align: center">{t}</td>'
                     '<td style="text-align: right; font-size: 9pt">{t}</td></tr></table>',
}
SPEEDUP_TEXT = "การประเมินคุณธรรมและความโปร่งใส น้ำ ผู้ใหญ่ ๑๒๓ Latin text, ligatures fi fl"


@pytest.mark.parametrize("case", sorted(SPEEDUP_CASES))
def test_speedups_draw_what_weasyprint_draws(case):
    from reports.pdf import speedups

    html = ('<html lang="th"><body style="font-family: Sarabun">'
            + SPEEDUP_CASES[case].replace("{t}", SPEEDUP_TEXT) + "</body></html>")
    assert speedups.is_installed()
    fast = render_pdf(html)
    speedups.uninstall()
    try:
        plain = render_pdf(html)
    finally:
        speedups.install()

    def pages(pdf):
        return [(tuple(p.mediabox), p.get_contents().get_data()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]

    assert pages(fast) == pages(plain)
    assert pypdf_pages(fast) == pypdf_pages(plain)


# --- reports.pdf.repaginate: pages re-made inside one layout -----------------------------------------------

def test_repaginate_remakes_the_pages_a_second_layout_with_an_nth_page_rule_makes():
    from reports.pdf import repaginate

    assert repaginate.is_installed()
    body = "".join(f"<p>{i} {SPEEDUP_TEXT}</p>" for i in range(60))
    html = f'<html lang="th"><body style="font-family: Sarabun">{body}</body></html>'
    seen = []

    def shorten_second(index, page_boxes):
        seen.append((index, len(page_boxes)))
        return {1: "padding-bottom: 100mm"}

    def content(pdf):
        return [p.get_contents().get_data() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]

    remade = render_pdf(html, repaginate=shorten_second)
    second_layout = render_pdf(html.replace("<body", "<style>@page :nth(2) { padding-bottom: 100mm }</style><body"))
    plain = render_pdf(html)
    assert seen == [(0, len(content(plain)))]  # called once, after pagination
    assert content(remade) == content(second_layout)
    assert content(remade)[1] != content(plain)[1] and len(content(remade)) == len(content(plain)) + 1
    assert render_pdf(html, repaginate=lambda index, pages: None) == plain  # nothing asked: nothing re-made
