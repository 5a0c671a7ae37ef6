"""The DOCX export carries the Sarabun fonts (reports/exports/docx_fonts.py): Word embedded fonts per ECMA-376
Part 1 §17.8 — obfuscated parts word/fonts/*.odttf of the obfuscatedFont content type, related from
the font table, whose Sarabun entry names each face by relationship id and key; the first 32 bytes XOR
the GUID key give back the exact TTF files of the PDF engine; settings.xml says embedTrueTypeFonts.
(That LibreOffice without Sarabun installed draws the file in Sarabun is checked by `make bench`:
bench/docx_fonts_check.py.)"""
import io
import zipfile

import pytest
from django.urls import reverse
from lxml import etree

from reports.pdf.fonts import font_files

from .factories import DocumentFactory, MeasureFactory, MeasureStepFactory

pytestmark = pytest.mark.django_db

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
FONT_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
OBFUSCATED = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
FACES = {"embedRegular": (400, "normal"), "embedBold": (700, "normal"), "embedItalic": (400, "italic"),
         "embedBoldItalic": (700, "italic")}


def w(tag):
    return f"{{{W}}}{tag}"


def deobfuscate(data: bytes, key: str) -> bytes:
    """ECMA-376 Part 1 §17.8.1, written out here independently of the code under test: the GUID's
    hex digits without braces and dashes, read as 16 bytes from the last pair to the first, XOR the
    first 32 bytes of the part (the key twice)."""
    hex_digits = key.strip("{}").replace("-", "")
    xor = [int(hex_digits[i:i + 2], 16) for i in range(30, -2, -2)]
    assert len(xor) == 16
    return bytes(b ^ xor[i % 16] for i, b in enumerate(data[:32])) + data[32:]


@pytest.fixture
def docx_bytes(client, org_a, staff_a):
    measure = MeasureFactory(organisation=org_a, fiscal_year=2570, order=1, title="มาตรการเผยแพร่ข้อมูลสาธารณะ")
    MeasureStepFactory(measure=measure, order=1, text="ประกาศทางเว็บไซต์")
    document = DocumentFactory(organisation=org_a, fiscal_year=2570, kind="measures", round=0)
    client.force_login(staff_a)
    response = client.get(reverse("reports:docx", args=[org_a.slug, document.pk]))
    assert response.status_code == 200
    return response.content


@pytest.fixture
def docx_zip(docx_bytes):
    return zipfile.ZipFile(io.BytesIO(docx_bytes))


def test_docx_embeds_every_sarabun_face_as_an_obfuscated_font(docx_zip):
    names = docx_zip.namelist()
    fonts = etree.fromstring(docx_zip.read("word/fontTable.xml"))
    sarabun = [f for f in fonts.findall(w("font")) if f.get(w("name")) == "Sarabun"]
    assert len(sarabun) == 1
    rels = etree.fromstring(docx_zip.read("word/_rels/fontTable.xml.rels"))
    targets = {rel.get("Id"): rel for rel in rels.findall(f"{{{PKG_REL}}}Relationship")}
    types = etree.fromstring(docx_zip.read("[Content_Types].xml"))
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.findall(f"{{{CT_NS}}}Override")}
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.findall(f"{{{CT_NS}}}Default")}

    files = font_files()
    embedded = {}
    for element, face in FACES.items():
        embed = sarabun[0].find(w(element))
        if face not in files:
            assert embed is None
            continue
        assert embed is not None, element
        rel = targets[embed.get(f"{{{R}}}id")]
        assert rel.get("Type") == FONT_REL and rel.get("TargetMode") != "External"
        part = "word/" + rel.get("Target").removeprefix("/word/")
        assert part.startswith("word/fonts/") and part.endswith(".odttf") and part in names
        assert (overrides.get("/" + part) or defaults.get("odttf")) == OBFUSCATED
        key = embed.get(w("fontKey"))
        assert key.startswith("{") and key.endswith("}") and len(key) == 38
        blob = docx_zip.read(part)
        ttf = files[face].read_bytes()
        assert blob != ttf and blob[32:] == ttf[32:]  # obfuscated, only the head
        assert deobfuscate(blob, key) == ttf, element  # the exact TTF file
        embedded[element] = part
    assert {"embedRegular", "embedBold"} <= set(embedded)  # the faces the documents use
    assert len(set(embedded.values())) == len(embedded)


def test_docx_settings_say_embed_true_type_fonts(docx_zip):
    settings = etree.fromstring(docx_zip.read("word/settings.xml"))
    children = [child.tag for child in settings]
    assert w("embedTrueTypeFonts") in children
    # the schema's order: after zoom (which comes before it), before defaultTabStop (which comes after)
    position = children.index(w("embedTrueTypeFonts"))
    if w("zoom") in children:
        assert children.index(w("zoom")) < position
    assert position < children.index(w("defaultTabStop"))


def test_docx_text_still_names_sarabun_and_the_file_opens_again(docx_zip, docx_bytes):
    import docx

    word = docx.Document(io.BytesIO(docx_bytes))  # python-docx reads the file with its new parts
    assert "มาตรการเผยแพร่ข้อมูลสาธารณะ" in "".join(cell.text for t in word.tables for r in t.rows for cell in r.cells)
    body = etree.fromstring(docx_zip.read("word/document.xml"))
    fonts = {f.get(w("cs")) for f in body.iter(w("rFonts"))}
    assert fonts == {"Sarabun"}
    assert "มาตรการเผยแพร่ข้อมูลสาธารณะ" in "".join(t.text or "" for t in body.iter(w("t")))
    assert docx_zip.testzip() is None
