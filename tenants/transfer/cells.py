"""The values of a spreadsheet's cells: text, dates, whole numbers and lists of codes, whatever the file format.

A cell comes as text (CSV, or a text cell of a workbook) or typed (a workbook's number, date or boolean cell). Each
parser takes either and raises ValueError for a value it cannot read; an empty cell is None (or "" as text).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

#: Cells that start with one of these are formulas to a spreadsheet; an export prefixes them with '.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would run `text` as a formula, full-width "＝" and leading spaces included."""
    first = unicodedata.normalize("NFKC", text.lstrip(" \u3000")[:1])
    return text.startswith(FORMULA_START) or bool(first and first in FORMULA_START)


#: How much of a bad cell a report repeats.
SHOWN_CHARS = 80
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y")

_WHOLE = re.compile(r"[+-]?\d{1,6}(?:[.,]0+)?")
_SEPARATORS = re.compile(r"[,;\s]+")


def text(value) -> str:
    """A cell as trimmed text, without the quote an export puts before a formula character."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if (value.hour, value.minute, value.second) == (0, 0, 0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    written = str(value)
    if written[:1] == "'" and looks_like_formula(written[1:]):
        written = written[1:]
    return written.strip()


def filled(value) -> bool:
    """Whether a cell has anything in it (spaces alone do not count)."""
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def shown(value) -> str:
    """A cell as a report repeats it: as text, shortened to SHOWN_CHARS."""
    written = text(value)
    return written if len(written) <= SHOWN_CHARS else written[: SHOWN_CHARS - 1] + "…"


def parse_date(value) -> date | None:
    """A date cell or text in yyyy-mm-dd, dd-mm-yyyy, dd.mm.yyyy or dd/mm/yyyy; None when empty."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    written = text(value)
    if not written:
        return None
    if len(written) > 10 and written[10] in " T":
        written = written[:10]  # a date written with a midnight time by another program
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(written, pattern).date()
        except ValueError:
            continue
    raise ValueError(written)


def parse_whole(value) -> int | None:
    """A whole number from a number cell or text ("5", "5.0", "5,0"); None when empty."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(value)
    written = text(value)
    if not written:
        return None
    if not _WHOLE.fullmatch(written):
        raise ValueError(written)
    return int(re.split(r"[.,]", written)[0])


def parse_codes(value) -> list[str]:
    """Codes separated by commas, semicolons or spaces, lower-cased."""
    return [code for code in _SEPARATORS.split(text(value).lower()) if code]


def header_name(value) -> str:
    """A header cell as a column name: lower case, with spaces and hyphens as underscores."""
    return re.sub(r"[\s\-]+", "_", text(value).lower())


def column_letter(index: int) -> str:
    """The spreadsheet's letters for a column counted from 0 (0 is A, 26 is AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
