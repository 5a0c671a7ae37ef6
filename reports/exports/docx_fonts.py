"""The Sarabun fonts embedded in a DOCX, so the file looks the same on a computer without Sarabun.

Word embedded fonts (ECMA-376 Part 1 §17.8.1 and §17.8.3): each face is a part ``word/fonts/fontN.odttf``
of content type ``application/vnd.openxmlformats-officedocument.obfuscatedFont``, related from the font
table (``word/fontTable.xml``), whose ``<w:font w:name="Sarabun">`` names it by relationship id and
obfuscation key (``<w:embedRegular r:id="…" w:fontKey="{GUID}"/>``, also embedBold, embedItalic,
embedBoldItalic); ``<w:embedTrueTypeFonts/>`` in ``word/settings.xml`` says the document carries its
fonts (Word keeps them when the file is saved again). Obfuscation: the first 32 bytes of the TrueType
file are XORed with the 16 bytes of the GUID read from its last hex pair to its first, twice over.
Word and LibreOffice read these; the fonts' OFL allows embedding (OS/2 fsType 0, installable).

The faces are the TTF files of the PDF engine (reports/pdf/fonts.py, package fontpkg-sarabun); the keys
are derived from the file names, so the same document gives the same bytes.
"""
from __future__ import annotations

import uuid
from functools import lru_cache

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn

FAMILY = "Sarabun"
OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
# The w:font child that names each face, with the (weight, style) of reports.pdf.fonts.
FACES = (
    ("embedRegular", (400, "normal")),
    ("embedBold", (700, "normal")),
    ("embedItalic", (400, "italic")),
    ("embedBoldItalic", (700, "italic")),
)
KEY_NAMESPACE = uuid.UUID("6f1d3c52-8e0a-4f0c-9a57-3b7b2f5d1e90")
# Children of w:settings that come before w:embedTrueTypeFonts (CT_Settings is a sequence).
SETTINGS_BEFORE = tuple(qn(f"w:{tag}") for tag in (
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData"))
# Children of w:font that come before the embed elements (CT_Font is a sequence).
FONT_ORDER = tuple(qn(f"w:{tag}") for tag in (
    "altName", "panose1", "charset", "family", "notTrueType", "pitch", "sig",
    "embedRegular", "embedBold", "embedItalic", "embedBoldItalic"))


def font_key(name: str) -> str:
    """The w:fontKey of a face: a GUID in braces, upper case ("{XXXXXXXX-XXXX-…}")."""
    return "{" + str(uuid.uuid5(KEY_NAMESPACE, name)).upper() + "}"


def key_bytes(key: str) -> bytes:
    """The 16 XOR bytes of a font key: the GUID's hex pairs from the last to the first."""
    return bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]


def obfuscate(data: bytes, key: str) -> bytes:
    """The first 32 bytes XORed with the key (twice over); the same function deobfuscates."""
    xor = key_bytes(key)
    head = bytes(byte ^ xor[i % 16] for i, byte in enumerate(data[:32]))
    return head + data[32:]


@lru_cache(maxsize=1)
def embedded_faces() -> tuple[tuple[str, str, bytes], ...]:
    """((embed element, font key, obfuscated bytes), …) of every Sarabun face the engine ships."""
    from ..pdf.fonts import font_files

    files = font_files()
    faces = []
    for element, face in FACES:
        path = files.get(face)
        if path is None:  # an optional face that is not installed
            continue
        key = font_key(path.name)
        faces.append((element, key, obfuscate(path.read_bytes(), key)))
    return tuple(faces)


def _font_table_part(document):
    for rel in document.part.rels.values():
        if rel.reltype == RT.FONT_TABLE and not rel.is_external:
            return rel.target_part
    raise LookupError("the DOCX has no font table")


def _font_element(fonts, name: str):
    for font in fonts.findall(qn("w:font")):
        if font.get(qn("w:name")) == name:
            return font
    font = OxmlElement("w:font")
    font.set(qn("w:name"), name)
    for tag, value in (("w:family", "auto"), ("w:pitch", "variable")):
        child = OxmlElement(tag)
        child.set(qn("w:val"), value)
        font.append(child)
    fonts.append(font)
    return font


def embed_sarabun(document) -> None:
    """Embed every Sarabun face in a python-docx Document (before it is saved)."""
    table = _font_table_part(document)
    fonts = parse_xml(table.blob)
    font = _font_element(fonts, FAMILY)
    for child in list(font):
        if child.tag in FONT_ORDER[7:]:
            font.remove(child)
    package = document.part.package
    for number, (element, key, blob) in enumerate(embedded_faces(), start=1):
        part = Part(PackURI(f"/word/fonts/font{number}.odttf"), OBFUSCATED_FONT, blob, package)
        embed = OxmlElement(f"w:{element}")
        embed.set(qn("r:id"), table.relate_to(part, RT.FONT))
        embed.set(qn("w:fontKey"), key)
        font.append(embed)
    from lxml import etree

    table._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)

    settings = document.settings.element
    if settings.find(qn("w:embedTrueTypeFonts")) is None:
        flag = OxmlElement("w:embedTrueTypeFonts")
        before = [child for child in settings if child.tag in SETTINGS_BEFORE]
        if before:
            before[-1].addnext(flag)
        else:
            settings.insert(0, flag)
