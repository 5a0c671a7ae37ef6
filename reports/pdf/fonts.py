"""Sarabun font files for PDF output, taken from the ``fontpkg-sarabun`` package.

The fonts are *never* looked up on the system: the TTF files shipped inside the
``fontpkg_sarabun`` package (``fontpkg_sarabun.ROOT / "files"``) are declared with
``@font-face`` as whole files (no ``unicode-range`` splitting, which makes WeasyPrint
pick the wrong file for Latin text) under the single family name ``"Sarabun"``.
If the package or one of the required files is missing, :class:`SarabunFontsMissing`
is raised instead of silently falling back to a system font.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FAMILY = "Sarabun"

# (css font-weight, css font-style) -> file name inside fontpkg_sarabun/files/
REQUIRED_FACES = {
    (400, "normal"): "Sarabun-Regular.ttf",
    (700, "normal"): "Sarabun-Bold.ttf",
}
OPTIONAL_FACES = {
    (400, "italic"): "Sarabun-Italic.ttf",
    (700, "italic"): "Sarabun-BoldItalic.ttf",
}


class SarabunFontsMissing(RuntimeError):
    """The Sarabun TTF files from ``fontpkg-sarabun`` cannot be found or are wrong."""


def font_dir() -> Path:
    """Directory holding the Sarabun TTF files (resolved, absolute)."""
    try:
        import fontpkg_sarabun
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SarabunFontsMissing(
            "The Python package 'fontpkg-sarabun' is not installed; "
            "PDF rendering needs its Sarabun TTF files (pip install fontpkg-sarabun==1.0)."
        ) from exc
    directory = (Path(fontpkg_sarabun.ROOT) / "files").resolve()
    if not directory.is_dir():
        raise SarabunFontsMissing(f"Sarabun font directory not found: {directory}")
    return directory


@lru_cache(maxsize=1)
def font_files() -> dict[tuple[int, str], Path]:
    """Map ``(weight, style)`` to the TTF path; Regular and Bold are required."""
    directory = font_dir()
    files: dict[tuple[int, str], Path] = {}
    for key, name in {**REQUIRED_FACES, **OPTIONAL_FACES}.items():
        path = directory / name
        if path.is_file():
            _check_family(path)
            files[key] = path
        elif key in REQUIRED_FACES:
            raise SarabunFontsMissing(f"Required Sarabun font file is missing: {path}")
    return files


def _check_family(path: Path) -> None:
    """Refuse a file that is not a TrueType font of the Sarabun family."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, lazy=True) as font:
            family = font["name"].getBestFamilyName()
    except (TTLibError, OSError, KeyError) as exc:
        raise SarabunFontsMissing(f"Unreadable font file {path}: {exc}") from exc
    if family != FAMILY:
        raise SarabunFontsMissing(f"{path} is family {family!r}, expected {FAMILY!r}")


def font_face_css() -> str:
    """``@font-face`` rules declaring the packaged Sarabun files (file:// URLs)."""
    rules = []
    for (weight, style), path in sorted(font_files().items()):
        rules.append(
            "@font-face {\n"
            f'  font-family: "{FAMILY}";\n'
            f'  src: url("{path.as_uri()}") format("truetype");\n'
            f"  font-weight: {weight};\n"
            f"  font-style: {style};\n"
            "}\n"
        )
    return "".join(rules)
