"""Small real files for uploads and imports: PDF, images, ZIP, DOCX and XLSX packages, a Word file with a
measures table, and the headings of a layout-A table as typed or pasted."""
import io
import zipfile

from PIL import Image

HEADINGS_A = "มาตรการ/แนวทาง\tขั้นตอน/วิธีการปฏิบัติ\tหน่วยงานผู้รับผิดชอบ\tระยะเวลาการดำเนินการ\tสรุปผลการดำเนินการ\tผลลัพธ์/ความสำเร็จ"

CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)


def pdf_bytes() -> bytes:
    return (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (6, 4), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def zip_bytes(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():  # a fixed date: the same members give the same bytes
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 10, 1, 0, 0, 0)), text,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes({
        "[Content_Types].xml": CONTENT_TYPES_XML,
        "_rels/.rels": "<Relationships/>",
        "word/document.xml": "<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'/>",
    })


def xlsx_bytes() -> bytes:
    return zip_bytes({
        "[Content_Types].xml": CONTENT_TYPES_XML,
        "_rels/.rels": "<Relationships/>",
        "xl/workbook.xml": "<workbook xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'/>",
        "xl/worksheets/sheet1.xml": "<worksheet/>",
    })


def measures_docx_bytes() -> bytes:
    """A Word file with a measures table of layout A: a section, a merged group row, a continuation row."""
    import docx

    document = docx.Document()
    document.add_paragraph("รายงานผลการดำเนินการ")
    document.add_paragraph("๒.ด้าน EIT")
    table = document.add_table(rows=5, cols=4)
    for cell, heading in zip(table.rows[0].cells, ["มาตรการ/แนวทาง", "ขั้นตอน/วิธีการปฏิบัติ", "ผู้รับผิดชอบ",
                                                   "สรุปผลการดำเนินการ"]):
        cell.text = heading
    merged = table.cell(1, 0).merge(table.cell(1, 3))
    merged.text = "มาตรการเพิ่มประสิทธิภาพการสื่อสาร"
    row = table.rows[2].cells
    row[0].text = "เผยแพร่ข้อมูล"
    row[1].text = "๑. จัดทำสื่อ"
    row[1].add_paragraph("(๑) แผ่นพับ")
    row[1].add_paragraph("๒. ประกาศ")
    row[2].text = "สำนักปลัด"
    row[3].text = "เผยแพร่แล้ว"
    continuation = table.rows[3].cells
    continuation[1].text = "๓. รายงานผล"
    row = table.rows[4].cells
    row[0].text = "ตอบข้อซักถาม"
    row[1].text = "๑. เปิดช่องทาง"
    row[2].text = "กองคลัง"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
