"""Checking an uploaded evidence file before it is stored.

``check_upload(upload)`` accepts PDF, JPEG, PNG, Word (.docx) and Excel (.xlsx) files and returns a
``CheckedUpload`` (cleaned name, content type, size, extension); anything else raises
``django.core.exceptions.ValidationError`` with a translatable message and a ``code``.

The type is decided by the **content**, never by the name:

* PDF: the file starts with ``%PDF-``;
* JPEG: ``FF D8 FF``; PNG: the 8-byte PNG signature; both are then opened with Pillow and verified, so
  a truncated or damaged image is refused;
* DOCX / XLSX: a ZIP file (``PK\\x03\\x04`` at the start and ``zipfile.is_zipfile``) that contains
  ``[Content_Types].xml`` and ``word/document.xml`` (DOCX) or ``xl/workbook.xml`` (XLSX). Nothing is
  extracted: only the ZIP directory is read.

A name whose extension contradicts the content (a PNG called "photo.pdf") is still accepted: the
content type and ``extension`` come from the content, so the file is stored as ".png" (the service
stores it under a generated name with ``extension``); ``name`` stays the name the user chose, and
``download_name`` gives the name to download it under (the right extension added when needed).

Refused as well: an empty file, a file larger than ``settings.EVIDENCE_MAX_BYTES`` (10 MB when not
set), and a name with path parts or control characters (``/``, ``\\``, ``..``, NUL, ...). Django
already strips the path of browser uploads; the name check guards callers of the service that pass
their own file objects.

Only the first bytes needed are read (the whole file only for an image, which Pillow verifies); the
file is rewound (``upload.seek(0)``) before returning or raising.
"""
from __future__ import annotations

import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.thai import file_size

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
NAME_MAX_LENGTH = 255  # Evidence.original_name

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# content type -> (the stored extension, the extensions a name may have for that content)
EXTENSIONS = {
    PDF: (".pdf", {".pdf"}),
    JPEG: (".jpg", {".jpg", ".jpeg", ".jpe", ".jfif"}),
    PNG: (".png", {".png"}),
    DOCX: (".docx", {".docx"}),
    XLSX: (".xlsx", {".xlsx"}),
}
ALLOWED_CONTENT_TYPES = frozenset(EXTENSIONS)
# Shown in the browser rather than downloaded.
INLINE_CONTENT_TYPES = frozenset({PDF, JPEG, PNG})

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PDF_SIGNATURE = b"%PDF-"
ZIP_SIGNATURE = b"PK\x03\x04"
HEAD_BYTES = 8

# Right-to-left/left-to-right overrides and isolates: they make "gpj.exe" look like "exe.jpg".
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # the cleaned original name (what the user called the file)
    content_type: str  # from the content
    size: int  # bytes
    extension: str  # from the content, e.g. ".pdf"


def max_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def allowed_types_text() -> str:
    return _("PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx)")


def clean_name(name: str) -> str:
    """The name as the user typed it, NFC-normalised and stripped, at most 255 characters (the
    extension kept). Raises ValidationError for a name with path parts or control characters."""
    name = unicodedata.normalize("NFC", name or "").strip()
    bad = (
        "/" in name or "\\" in name or ".." in name
        or any(unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS for ch in name)
    )
    if bad:
        raise ValidationError(
            _("The file name must not contain folder names or special characters (/ \\ ..). "
              "Rename the file and upload it again."),
            code="bad_name",
        )
    if len(name) > NAME_MAX_LENGTH:
        suffix = PurePosixPath(name).suffix
        suffix = suffix if len(suffix) <= 16 else ""
        name = name[: NAME_MAX_LENGTH - len(suffix)] + suffix
    return name


def download_name(original_name: str, content_type: str) -> str:
    """The name to download a stored file under: the original name, with the content's extension
    added when the name's own extension does not fit the content ("photo.pdf" of a PNG → "photo.pdf.png")."""
    extension, accepted = EXTENSIONS.get(content_type, ("", set()))
    name = original_name or f"evidence{extension}"
    if extension and PurePosixPath(name).suffix.lower() not in accepted:
        name = f"{name}{extension}"
    return name


def _size(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    return int(size)


def _unknown() -> ValidationError:
    return ValidationError(
        _("This kind of file cannot be uploaded. Upload a %(types)s file.") % {"types": allowed_types_text()},
        code="unknown_type",
    )


def _check_image(upload, expected_format: str) -> None:
    from PIL import Image

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except Exception as exc:  # Pillow raises many kinds (OSError, SyntaxError, struct.error, bombs, ...)
        raise ValidationError(
            _("The image file is damaged and cannot be opened. Save it again and upload it."),
            code="broken_image",
        ) from exc
    if image_format != expected_format:
        raise _unknown()


def _office_type(upload) -> str:
    """DOCX or XLSX by the members of the ZIP file; ValidationError otherwise."""
    upload.seek(0)
    if not zipfile.is_zipfile(upload):
        raise _unknown()
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _unknown() from exc
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    raise ValidationError(
        _("This ZIP file is neither a Word (.docx) nor an Excel (.xlsx) document. Upload a %(types)s file.")
        % {"types": allowed_types_text()},
        code="unknown_type",
    )


def check_upload(upload) -> CheckedUpload:
    """Check an uploaded file (a Django UploadedFile or any binary file object with a ``name``)."""
    name = clean_name(getattr(upload, "name", "") or "")
    try:
        size = _size(upload)
        if size <= 0:
            raise ValidationError(_("The file is empty."), code="empty")
        limit = max_bytes()
        if size > limit:
            raise ValidationError(
                _("The file is too large (%(size)s). The largest file that can be uploaded is %(max)s.")
                % {"size": file_size(size), "max": file_size(limit)},
                code="too_large",
            )
        upload.seek(0)
        head = upload.read(HEAD_BYTES) or b""
        if head.startswith(PDF_SIGNATURE):
            content_type = PDF
        elif head.startswith(PNG_SIGNATURE):
            _check_image(upload, "PNG")
            content_type = PNG
        elif head.startswith(JPEG_SIGNATURE):
            _check_image(upload, "JPEG")
            content_type = JPEG
        elif head.startswith(ZIP_SIGNATURE):
            content_type = _office_type(upload)
        else:
            raise _unknown()
    finally:
        try:
            upload.seek(0)
        except (OSError, ValueError):  # a closed file: nothing to rewind
            pass
    extension = EXTENSIONS[content_type][0]
    return CheckedUpload(name=name or f"evidence{extension}", content_type=content_type, size=size,
                         extension=extension)


def evidence_response(evidence):
    """The download of a stored evidence file: only the accepted types are served as such (anything else
    as bytes), images and PDFs inline, the rest as attachments, under the original name with the
    content's extension (download_name). Http404 when the file is gone from storage."""
    from django.http import FileResponse, Http404

    if not evidence.file:
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    content_type = evidence.content_type if evidence.content_type in ALLOWED_CONTENT_TYPES else (
        "application/octet-stream")
    response = FileResponse(
        handle,
        as_attachment=content_type not in INLINE_CONTENT_TYPES,
        filename=download_name(evidence.original_name, content_type),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
