"""An uploaded spreadsheet (CSV or XLSX) read into a table: named columns and the rows below the header.

Reading is bounded by what an import can hold, not by the size of the file: `Limits` caps the rows, the columns
with data, the cells, the shared strings and the characters, and reading stops with `LimitExceeded` as soon as one
is crossed. A small workbook can unpack to hundreds of megabytes; it is refused after reading what the limits allow.

CSV: the encoding is found from the bytes: a byte-order mark (UTF-8, or UTF-16 as Excel's "Unicode text"), else
UTF-8 if the bytes are valid UTF-8, else what charset-normalizer finds among the Windows code pages and the common
East Asian encodings (Danish Excel's plain "CSV" is Windows-1252). Text that does not decode cleanly is refused:
undecodable bytes, replacement characters (U+FFFD, from an earlier failed conversion) and UTF-8 read as
Windows-1252 somewhere before ("Ã¸" for "ø"). The delimiter is the header line's comma, semicolon or tab.
XLSX: the first worksheet, streamed (see `workbook`), cell values as last computed.

Row numbers are the ones the spreadsheet shows: the header is row 1, blank rows are skipped but counted.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from mentorby.tenants.transfer.cells import column_letter, filled, header_name
from mentorby.tenants.transfer.checks import FileProblem, LimitExceeded, Problem

CSV, XLSX = "csv", "xlsx"
FORMATS_ACCEPTED = (CSV, XLSX)
#: Encodings a CSV file may be in besides UTF-8 and UTF-16 with a byte-order mark. DOS, Mac and EBCDIC code pages
#: are left out: no spreadsheet writes them today, and on a short text they fit almost any bytes.
ENCODINGS = {
    "utf_8": "UTF-8", "utf_16": "UTF-16", "utf_32": "UTF-32", "cp1252": "Windows-1252", "cp1250": "Windows-1250",
    "cp1251": "Windows-1251", "cp1253": "Windows-1253", "cp1254": "Windows-1254", "cp1255": "Windows-1255",
    "cp1256": "Windows-1256", "cp1257": "Windows-1257", "cp1258": "Windows-1258", "cp874": "Windows-874",
    "koi8_r": "KOI8-R", "cp932": "Shift_JIS", "shift_jis": "Shift_JIS", "euc_jp": "EUC-JP", "iso2022_jp": "ISO-2022-JP",
    "gb18030": "GB18030", "big5": "Big5", "cp949": "Windows-949", "euc_kr": "EUC-KR",
}
#: The encoding preferred when several give the same text: Danish Excel's plain "CSV".
PREFERRED = "cp1252"
#: How close two of charset-normalizer's scores (from 0 to 1) must be to count as equally good.
TIE = 0.01
_XLSX_MAGIC = b"PK\x03\x04"
# UTF-8 read as Windows-1252 (or Latin-1) and saved again: "Ã¸" for "ø", "â€™" for "’", "Â " for a no-break space.
_MOJIBAKE = re.compile("[ÃÂ][\u00a0-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]|â€[\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]")
_WORD_END = re.compile(r"[^\s,;\t\"]*\Z")
_WORD_START = re.compile(r"[^\s,;\t\"]{1,40}")


@dataclass(frozen=True)
class Limits:
    """The most a file may hold; reading stops at the first limit crossed."""

    #: Bytes of the file as uploaded.
    bytes: int
    #: Rows below the header (blank rows are skipped; twice this many rows in all, blank ones included, at most).
    rows: int
    #: Columns with data (blank cells beyond them are ignored).
    columns: int
    #: Cells of the sheet, blank ones of a workbook included.
    cells: int
    #: Distinct strings of a workbook (its shared strings).
    strings: int
    #: Characters in all the cells together.
    characters: int


@dataclass(frozen=True)
class SourceRow:
    """A row of the file: its number as the spreadsheet shows it and its cells by column name."""

    number: int
    cells: dict


@dataclass
class Sheet:
    """The named columns of a file and its non-blank rows."""

    columns: tuple[str, ...]
    rows: list[SourceRow]
    #: The text encoding of a CSV file (None for a workbook).
    encoding: str | None = None
    #: A cell with letters beyond ASCII, to show that they were read as written.
    sample: str = ""


#: The message code of each limit.
LIMIT_CODES = {"rows": "too_many_rows", "columns": "too_many_columns", "cells": "too_many_cells",
               "strings": "too_many_strings", "characters": "too_many_characters"}


def exceeded(limits: Limits, name: str, row: int | None = None, **params) -> LimitExceeded:
    """The refusal of a file that crossed the limit `name` (a field of Limits), naming that limit."""
    return LimitExceeded(Problem(row, None, LIMIT_CODES[name], {"max": getattr(limits, name), **params}))


def check_columns(cells: Sequence, limits: Limits, row: int | None) -> Sequence:
    """A row's cells up to the columns allowed; LimitExceeded when one beyond them has data."""
    if len(cells) <= limits.columns:
        return cells
    for index in range(limits.columns, len(cells)):
        if filled(cells[index]):
            raise exceeded(limits, "columns", row, letter=column_letter(index))
    return cells[: limits.columns]


def file_format(filename: str, data: bytes) -> str:
    """The file's format, csv or xlsx: by the content where it is clear (a workbook is a zip), else by the name."""
    extension = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if extension not in FORMATS_ACCEPTED:
        raise FileProblem(Problem(None, None, "file_type"))
    if data.startswith(_XLSX_MAGIC):
        return XLSX
    if extension == XLSX:
        raise FileProblem(Problem(None, None, "unreadable_xlsx"))
    return CSV


def read_file(filename: str, data: bytes, *, columns: Sequence[str], required: Sequence[str],
              limits: Limits) -> Sheet:
    """The rows of an uploaded CSV or XLSX file, keyed by column; raises FileProblem when it cannot be read."""
    if not data:
        raise FileProblem(Problem(None, None, "file_empty"))
    if len(data) > limits.bytes:
        raise LimitExceeded(Problem(None, None, "file_too_large", {"megabytes": limits.bytes // (1024 * 1024)}))
    if file_format(filename, data) == XLSX:
        # Imported here: the workbook reader builds on this module's limits.
        from mentorby.tenants.transfer.workbook import read_rows

        return sheet(read_rows(data, limits), columns, required, limits)
    text, encoding = decode(data)
    result = sheet(_csv_grid(text, limits), columns, required, limits)
    result.encoding = ENCODINGS.get(encoding, encoding)
    if encoding not in ("utf_8", "utf_16"):
        # A guessed encoding: the page shows a cell with letters beyond ASCII, to be checked by eye.
        result.sample = _sample(result)
    return result


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read in; FileProblem when it does not decode cleanly."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, body = "utf_16", data  # Excel's "Unicode text"; the codec reads the mark for the byte order
    elif data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf_8", data[len(codecs.BOM_UTF8):]
    else:
        try:
            return _clean(data.decode("utf-8")), "utf_8"
        except UnicodeDecodeError:
            encoding, body = _detect(data), data
    try:
        return _clean(body.decode(encoding)), encoding
    except UnicodeDecodeError:
        raise FileProblem(Problem(None, None, "unknown_encoding")) from None


def _detect(data: bytes) -> str:
    """The encoding charset-normalizer finds for bytes that are not UTF-8; Windows-1252 when it fits as well."""
    from charset_normalizer import from_bytes

    matches = from_bytes(data, cp_isolation=list(ENCODINGS))
    best = matches.best()
    if best is None:
        raise FileProblem(Problem(None, None, "unknown_encoding"))
    # A short Danish text fits Windows-1250 and -1257 as well as -1252 (same "chaos", same "coherence"), but reads
    # "Bjřrn" for "Bjørn" in them: among encodings that fit equally well, the one Danish Excel writes wins.
    tied = [match for match in matches
            if match.chaos <= best.chaos + TIE and match.coherence >= best.coherence - TIE]
    if any(PREFERRED in match.could_be_from_charset for match in tied):
        return PREFERRED
    return best.encoding


def _clean(text: str) -> str:
    if "\x00" in text:
        # Not text (or UTF-16 without its byte-order mark); PostgreSQL could not store it either.
        raise FileProblem(Problem(None, None, "unreadable_csv"))
    replaced = text.find("\ufffd")
    garbled = _MOJIBAKE.search(text)
    for code, position in (("replacement_characters", replaced), ("garbled_text", garbled.start() if garbled else -1)):
        if position >= 0:
            line = text.count("\n", 0, position) + 1
            raise FileProblem(Problem(line, None, code, {"sample": _word_at(text, position)}))
    return text


def _word_at(text: str, position: int) -> str:
    """The word of `text` around `position`, to quote it."""
    before = _WORD_END.search(text, max(0, position - 20), position)
    after = _WORD_START.match(text, position)
    return (before.group(0) if before else "") + (after.group(0) if after else "")


def _sample(result: Sheet) -> str:
    for row in result.rows:
        for value in row.cells.values():
            if isinstance(value, str) and not value.isascii():
                return value.strip()[:40]
    return ""


def _csv_grid(text: str, limits: Limits) -> Iterator[Sequence]:
    first_line = text.split("\n", 1)[0]
    # The header names have no separators in them, so its line tells the delimiter; a tie means a comma.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    # Strict: an unclosed quote is an error, not a field that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    cells_read = 0
    try:
        for cells in reader:
            cells_read += len(cells)
            if cells_read > limits.cells:
                raise exceeded(limits, "cells")
            yield check_columns(cells, limits, reader.line_num)
    except csv.Error:
        raise FileProblem(Problem(reader.line_num or None, None, "unreadable_csv")) from None


def sheet(grid: Iterator[Sequence], columns: Sequence[str], required: Sequence[str], limits: Limits) -> Sheet:
    """The header of `grid` checked against the `columns` known and `required`, and its non-blank rows."""
    try:
        header = next(grid, None)
        names = [header_name(cell) for cell in header or ()]
        if not any(names):
            raise FileProblem(Problem(1, None, "no_header"))
        problems = []
        unknown = [name for name in names if name and name not in columns]
        if unknown:
            problems.append(Problem(1, None, "unknown_columns", {"columns": ", ".join(unknown)}))
        twice = sorted({name for name in names if name and names.count(name) > 1}, key=names.index)
        if twice:
            problems.append(Problem(1, None, "duplicate_columns", {"columns": ", ".join(twice)}))
        missing = [name for name in required if name not in names]
        if missing:
            problems.append(Problem(1, None, "missing_columns", {"columns": ", ".join(missing)}))
        if problems:
            raise FileProblem(*problems)
        named = [(index, name) for index, name in enumerate(names) if name]
        unnamed = {index for index, name in enumerate(names) if not name}
        rows = []
        # A workbook formatted far below its data yields empty rows; past twice the limit it is too big anyway.
        for number, cells in enumerate(grid, start=2):
            if number > 2 * limits.rows + 1:
                raise exceeded(limits, "rows")
            if not any(filled(cell) for cell in cells):
                continue
            for index, cell in enumerate(cells):
                if (index in unnamed or index >= len(names)) and filled(cell):
                    raise FileProblem(Problem(number, None, "unnamed_column", {"letter": column_letter(index)}))
            if len(rows) >= limits.rows:
                raise exceeded(limits, "rows")
            rows.append(SourceRow(number, {name: cells[index] if index < len(cells) else None
                                           for index, name in named}))
    finally:
        close = getattr(grid, "close", None)
        if close:
            close()
    if not rows:
        raise FileProblem(Problem(None, None, "no_rows"))
    return Sheet(tuple(name for _, name in named), rows)


def as_sheet(rows: Sheet | Sequence[Mapping], columns: Sequence[str], required: Sequence[str],
             limits: Limits) -> Sheet:
    """A Sheet as is; plain mappings (column -> value) as the rows of a file whose header is their keys."""
    if isinstance(rows, Sheet):
        return rows
    if not rows:
        raise FileProblem(Problem(None, None, "no_rows"))
    header: dict[str, None] = {}
    for row in rows:
        header.update(dict.fromkeys(row))
    names = list(header)
    return sheet(iter([names, *([row.get(name) for name in names] for row in rows)]), columns, required, limits)
