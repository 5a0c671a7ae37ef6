"""Thai word boundaries for printed documents (pythainlp's ``newmm`` segmentation, cached).

Thai has no spaces between words. For the PDF, table cell texts are marked with a ZERO WIDTH SPACE
(U+200B) between every two words, and the cells are styled ``word-break: keep-all``:
reports.pdf.thai_breaks then lets WeasyPrint break their lines at the marks and at spaces only.
The marks draw nothing and extract as nothing.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache

ZWSP = "\u200b"
_THAI_CHAR = re.compile("[\u0e01-\u0e5b]")
_NO_BREAK_BEFORE = "\u0e46\u0e2f"  # ๆ and ฯ never start a line


def _is_thai(char: str) -> bool:
    return "\u0e01" <= char <= "\u0e5b"


@lru_cache(maxsize=1)
def _tokenizer():
    os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")  # importing pythainlp writes nothing
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


@lru_cache(maxsize=65536)
def segment(text: str) -> tuple[str, ...]:
    """pythainlp's words of ``text`` (``newmm``, spaces kept as tokens): ``"".join(...) == text``."""
    if not text:
        return ()
    return tuple(_tokenizer()(text, engine="newmm", keep_whitespace=True))


@lru_cache(maxsize=65536)
def mark_words(text: str) -> str:
    """``text`` with U+200B between every two Thai words. Text without Thai is returned as it is.
    (A space inside one of pythainlp's words is the one before ๆ, "ต่าง ๆ": reports.pdf.thai_breaks
    never breaks there.)"""
    if not text or not _THAI_CHAR.search(text) or ZWSP in text:
        return text
    out = []
    previous = ""
    for token in segment(text):
        if previous and _is_thai(previous[-1]) and _is_thai(token[0]) and token[0] not in _NO_BREAK_BEFORE:
            out.append(ZWSP)
        out.append(token)
        previous = token
    return "".join(out)


def keep_whole(text: str, whole=lambda piece: len(piece) <= 40) -> str:
    """``text`` marked so that each space-separated piece for which ``whole(piece)`` holds (a
    division name, a short heading) stays whole; other pieces break between words."""
    if not text or not _THAI_CHAR.search(text):
        return text
    return " ".join(piece if whole(piece) else mark_words(piece) for piece in text.split(" "))
