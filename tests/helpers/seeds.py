"""The three seed documents (tests/data/seeds/, text extracted from real PDF reports) and their tables,
parsed independently of the demo data. Texts are compared after removing all whitespace and <p> tags
(``norm``; PDF extraction scatters spaces inside Thai words)."""
import re
from dataclasses import dataclass, field
from pathlib import Path

from reports.models import Document

SEED_DIR = Path(__file__).resolve().parent.parent / "data" / "seeds"


@dataclass(frozen=True)
class Seed:
    file: str
    slug: str
    fiscal_year: int
    round: int
    layout: str
    timeline_style: str = "full"


SEEDS = {
    "000": Seed("000_98082565481af1ff.txt", "phaktob", 2568, 12, "A", "full"),
    "002": Seed("002_e37803899def33ac.txt", "danchang", 2566, 6, "B"),
    "004": Seed("004_663bf1be503fb8b8.txt", "nongsamet", 2567, 12, "A", "abbr"),
}


def norm(text) -> str:
    """Text without whitespace and <p> tags; a list of paragraphs is joined first."""
    if isinstance(text, (list, tuple)):
        text = "".join(text)
    return re.sub(r"\s+|</?p>", "", text or "")


def blocks(text: str) -> list[str]:
    """Blank-line separated blocks, stripped, empty ones dropped."""
    return [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]


def paragraphs(text: str) -> list[str]:
    return blocks(text)


# --- seed table parsing ---------------------------------------------------------------------------

@dataclass
class SeedRow:
    cells: list[str]
    group: str = ""
    tool: str = ""  # layout B: the section (๑.ด้าน IIT …) the row is in


@dataclass
class SeedTable:
    headings: list[str] = field(default_factory=list)
    rows: list[SeedRow] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)


def parse_tab_table(text: str) -> SeedTable:
    """Layout A (000, 004): tab-separated rows. The first row is the heading row and repeats on every page;
    a row with text in its first cell only is a group heading; a row with an empty first cell continues
    the previous row (its cells are appended to that row's cells)."""
    table = SeedTable()
    group = ""
    for line in text.split("\n"):
        if "\t" not in line:
            continue
        cells_ = line.split("\t")
        if not table.headings:
            table.headings = [c.strip() for c in cells_]
            continue
        if _same_headings(cells_, table.headings):
            continue
        first, others = cells_[0].strip(), [c for c in cells_[1:] if norm(c)]
        if first and not others:
            group = first
            table.groups.append(group)
            continue
        if not first:
            assert table.rows, "a continuation row before any data row"
            previous = table.rows[-1].cells
            table.rows[-1].cells = [p + " " + c for p, c in zip(previous, cells_)]
            continue
        assert len(cells_) == len(table.headings), line[:80]
        table.rows.append(SeedRow(cells_, group))
    return table


def _same_headings(cells_, headings):
    """Repeated heading rows may differ in PDF-extraction spaces only ("หน่วยงาน ผู้รับผิดชอบ")."""
    return len(cells_) == len(headings) and all(norm(c) == norm(h) for c, h in zip(cells_, headings))


SEPARATOR = re.compile(r"^\|[-|\s]+\|$")
SECTION = re.compile(r"^[๑-๙]\.ด้าน\s*(IIT|EIT|OIT)\s*$")


def parse_markdown_tables(text: str) -> SeedTable:
    """Layout B (002): sections "๑.ด้าน IIT" … each with markdown tables; the row before a |--| separator
    is the (repeated) heading row."""
    table = SeedTable()
    lines = text.split("\n")
    tool = ""
    for i, line in enumerate(lines):
        stripped = line.strip()
        if match := SECTION.match(stripped):
            tool = match.group(1)
            table.sections.append(tool)
            continue
        if not stripped.startswith("|") or SEPARATOR.match(stripped):
            continue
        cells_ = [c.strip() for c in stripped.strip("|").split("|")]
        if i + 1 < len(lines) and SEPARATOR.match(lines[i + 1].strip()):
            if not table.headings:
                table.headings = cells_
            else:
                assert _same_headings(cells_, table.headings), stripped[:80]
            continue
        assert tool, "a table row before the first section"
        assert len(cells_) == len(table.headings), stripped[:80]
        table.rows.append(SeedRow(cells_, tool=tool))
    return table


def seed_text(seed: Seed) -> str:
    return (SEED_DIR / seed.file).read_text(encoding="utf-8")


def seed_table(seed: Seed) -> SeedTable:
    text = seed_text(seed)
    return parse_markdown_tables(text) if seed.layout == "B" else parse_tab_table(text)


def progress_document(seed: Seed) -> Document:
    return Document.objects.get(
        organisation__slug=seed.slug, fiscal_year=seed.fiscal_year, kind="progress", round=seed.round, revision=1
    )
