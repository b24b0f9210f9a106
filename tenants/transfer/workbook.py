"""A workbook (XLSX) read as a stream within limits: the first worksheet's cell values, row by row.

A workbook is a zip of XML parts. None is unpacked whole: each part is decompressed in chunks and fed to expat,
and the shared strings, characters, cells and columns are counted as they arrive, so a small file that unpacks to
hundreds of megabytes is refused after what the limits allow has been read. The limits bound the elements and the
text; what lies between elements is bounded too: at most GAP_BYTES without a new element, and at most
`part_bytes(limits)` of XML in a part (counted as read, not as the zip declares).

The parser refuses a document type declaration, and with it any entity definition (no "billion laughs", no
external entities), as defusedxml does. Values are the last computed ones (formulas are not evaluated); a number
cell whose style is a date format is a date, as in openpyxl, whose date helpers are used.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from collections.abc import Callable, Iterator
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from mentorby.tenants.transfer.cells import column_letter
from mentorby.tenants.transfer.checks import FileProblem, Problem
from mentorby.tenants.transfer.reading import Limits, exceeded

#: Bytes decompressed and parsed at a time.
CHUNK = 64 * 1024
#: The most XML between two elements (a cell's text is at most 32,767 characters in Excel).
GAP_BYTES = 1024 * 1024
#: The most XML read from a small part (relationships, the workbook's list of sheets).
SMALL_PART_BYTES = 4 * 1024 * 1024
#: The most XML read from the styles: Excel's 64,000 cell formats and what comes with them (fonts, fills, borders).
STYLES_BYTES = 32 * 1024 * 1024
_RELATIONSHIPS = "_rels/.rels"


class _Unreadable(Exception):
    """The workbook breaks the format (a missing part, a bad reference, a document type declaration)."""


def part_bytes(limits: Limits) -> int:
    """The most XML a sheet or its shared strings may have: room for every character (escaped) and every cell."""
    return 4 * limits.characters + 64 * limits.cells


def read_rows(data: bytes, limits: Limits) -> Iterator[list]:
    """The first worksheet's rows as lists of values (None for blank), a blank row for each row left out."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileProblem(Problem(None, None, "unreadable_xlsx")) from None
    with book:
        try:
            reader = _Reader(book, limits)
            yield from reader.rows()
        except FileProblem:
            raise
        except (_Unreadable, expat.ExpatError, zipfile.BadZipFile, zlib.error, KeyError, ValueError, IndexError,
                OverflowError, EOFError, OSError, RuntimeError, NotImplementedError):
            raise FileProblem(Problem(None, None, "unreadable_xlsx")) from None


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _refuse(*args) -> None:
    raise _Unreadable("document type declarations are not taken")


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    # What defusedxml does: no DTD, so no entity can be declared, expanded or fetched.
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


class _Reader:
    """One workbook being read: its parts, and what has been counted against the limits so far."""

    def __init__(self, book: zipfile.ZipFile, limits: Limits):
        self.book = book
        self.limits = limits
        self.characters = 0
        #: Elements of the part being read, counted by its handlers (a list, cheap to update from a closure).
        self.elements = [0]

    # --- driving expat over a part ---

    def _feed(self, name: str, parser, max_bytes: int, max_elements: int) -> Iterator[None]:
        """Feed a part to `parser` a chunk at a time, yielding after each chunk; refuse a part beyond the bounds."""
        read = 0
        elements = self.elements
        with self.book.open(name) as stream:
            elements[0] = seen = gap = 0
            while chunk := stream.read(CHUNK):
                read += len(chunk)
                if read > max_bytes:
                    raise exceeded(self.limits, "characters")
                parser.Parse(chunk, False)
                if elements[0] > max_elements:
                    raise exceeded(self.limits, "cells")
                gap = gap + len(chunk) if elements[0] == seen else 0
                if gap > GAP_BYTES:
                    raise exceeded(self.limits, "characters")
                seen = elements[0]
                yield
            parser.Parse(b"", True)
            yield

    def _small_handlers(self, parser, start: Callable) -> None:
        elements = self.elements

        def counted(tag, attrs):
            elements[0] += 1
            start(_local(tag), attrs)

        parser.StartElementHandler = counted

    def _small(self, name: str, start: Callable) -> None:
        parser = _parser()
        self._small_handlers(parser, start)
        for _ in self._feed(name, parser, SMALL_PART_BYTES, 100_000):
            pass

    def _relationships(self, name: str) -> dict[str, tuple[str, str]]:
        """A relationships part: id -> (type, target)."""
        found = {}

        def start(tag, attrs):
            if tag == "Relationship":
                found[attrs.get("Id", "")] = (attrs.get("Type", ""), attrs.get("Target", ""))

        if name in self.book.namelist():
            self._small(name, start)
        return found

    # --- the parts ---

    def rows(self) -> Iterator[list]:
        """Find the first sheet and its shared strings and styles, then stream its rows."""
        office = [target for kind, target in self._relationships(_RELATIONSHIPS).values()
                  if kind.endswith("/officeDocument")]
        workbook = _resolve("", office[0] if office else "xl/workbook.xml")
        first_sheet: list[str] = []
        date1904 = []

        def sheets(tag, attrs):
            if tag == "sheet" and not first_sheet:
                first_sheet.extend(value for key, value in attrs.items() if _local(key) == "id" and ":" in key)
            elif tag == "workbookPr":
                date1904.append(attrs.get("date1904", "").lower() in ("1", "true"))

        self._small(workbook, sheets)
        if not first_sheet:
            raise FileProblem(Problem(None, None, "no_rows"))
        folder = posixpath.dirname(workbook)
        related = self._relationships(posixpath.join(folder, "_rels", posixpath.basename(workbook) + ".rels"))
        by_kind = {kind.rpartition("/")[2]: _resolve(folder, target) for kind, target in related.values()}
        sheet = _resolve(folder, related[first_sheet[0]][1])
        strings = self._shared_strings(by_kind["sharedStrings"]) if "sharedStrings" in by_kind else []
        dates = self._date_styles(by_kind["styles"]) if "styles" in by_kind else {}
        epoch = MAC_EPOCH if date1904 and date1904[0] else WINDOWS_EPOCH
        yield from self._sheet(sheet, strings, dates, epoch)

    def _date_styles(self, name: str) -> dict[int, bool]:
        """The cell styles that format numbers as dates: style index -> whether as a duration."""
        custom: dict[int, str] = {}
        formats: list[int] = []
        inside = []

        def start(tag, attrs):
            if tag == "numFmt":
                custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
            elif tag == "cellXfs":
                inside.append(True)
            elif tag == "xf" and inside:
                formats.append(int(attrs.get("numFmtId", "0")))

        def end(tag):
            if _local(tag) == "cellXfs":
                inside.clear()

        parser = _parser()
        self._small_handlers(parser, start)
        parser.EndElementHandler = end
        for _ in self._feed(name, parser, STYLES_BYTES, 1_000_000):
            pass
        dates = {}
        for index, number in enumerate(formats):
            code = custom.get(number) or BUILTIN_FORMATS.get(number) or ""
            if is_date_format(code):
                dates[index] = is_timedelta_format(code)
        return dates

    def _shared_strings(self, name: str) -> list[str]:
        """The workbook's shared strings, each the text of its runs (phonetic guides left out), within the limits."""
        limits = self.limits
        elements = self.elements
        strings: list[str] = []
        parts: list[str] = []
        # [inside a <t> that belongs to the string?, inside a phonetic guide (<rPh>)?, characters so far]
        state = [False, False, self.characters]

        def start(tag, attrs):
            elements[0] += 1
            if ":" in tag:
                tag = _local(tag)
            if tag == "t":
                state[0] = not state[1]
            elif tag == "si":
                parts.clear()
                if len(strings) >= limits.strings:
                    raise exceeded(limits, "strings")
            elif tag == "rPh":
                state[1] = True

        def end(tag):
            if ":" in tag:
                tag = _local(tag)
            if tag == "si":
                strings.append("".join(parts))
            elif tag == "t":
                state[0] = False
            elif tag == "rPh":
                state[1] = False

        def text(data):
            if state[0]:
                state[2] += len(data)
                if state[2] > limits.characters:
                    raise exceeded(limits, "characters")
                parts.append(data)

        parser = _parser()
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
        for _ in self._feed(name, parser, part_bytes(limits), 4 * limits.strings + 1000):
            pass
        self.characters = state[2]
        return strings

    def _sheet(self, name: str, strings: list[str], dates: dict[int, bool], epoch) -> Iterator[list]:
        """The sheet's rows as they are parsed; blank rows for the row numbers it leaves out."""
        limits = self.limits
        elements = self.elements
        last_row = 2 * limits.rows + 1  # as far as a sheet may go, blank rows included
        done: list[list] = []
        row: list = []
        parts: list[str] = []
        # The cell being read: [row number, column index, type, style, collecting text?, in a phonetic guide?],
        # then the cells and the characters read so far.
        cell = [0, -1, "n", 0, False, False, 0, self.characters]

        def start(tag, attrs):
            elements[0] += 1
            if ":" in tag:
                tag = _local(tag)
            if tag == "c":
                cell[6] += 1
                reference = attrs.get("r")
                cell[1] = _column(reference) if reference else cell[1] + 1
                cell[2] = attrs.get("t", "n")
                cell[3] = int(attrs.get("s") or 0)
                parts.clear()
            elif tag == "v" or (tag == "t" and cell[2] == "inlineStr" and not cell[5]):
                cell[4] = True
            elif tag == "row":
                number = attrs.get("r")
                number = int(number) if number else cell[0] + 1
                if number <= cell[0]:
                    raise _Unreadable("rows out of order")
                if number > last_row:
                    raise exceeded(limits, "rows")
                # The rows a sheet leaves out are blank, so that row numbers stay the spreadsheet's.
                done.extend([] for _ in range(cell[0] + 1, number))
                cell[0], cell[1] = number, -1
                row.clear()
            elif tag == "rPh":
                cell[5] = True

        def end(tag):
            if ":" in tag:
                tag = _local(tag)
            if tag == "c":
                if parts:
                    value = _value(cell[2], "".join(parts), cell[3], strings, dates, epoch)
                    if value is not None and value != "":
                        index = cell[1]
                        if index >= limits.columns:
                            raise exceeded(limits, "columns", cell[0], letter=column_letter(index))
                        if index >= len(row):
                            row.extend([None] * (index - len(row) + 1))
                        row[index] = value
                cell[4] = False
            elif tag in ("v", "t"):
                cell[4] = False
            elif tag == "row":
                done.append(list(row))
            elif tag == "rPh":
                cell[5] = False

        def text(data):
            if cell[4]:
                cell[7] += len(data)
                if cell[7] > limits.characters:
                    raise exceeded(limits, "characters")
                parts.append(data)

        parser = _parser()
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
        for _ in self._feed(name, parser, part_bytes(limits), 4 * limits.cells + 4 * last_row):
            # Checked after each chunk (a few thousand cells), not in the handler that runs for every cell.
            if cell[6] > limits.cells:
                raise exceeded(limits, "cells")
            yield from done
            done.clear()


def _resolve(folder: str, target: str) -> str:
    """A relationship's target as a path in the zip (targets are relative to the part's folder, or absolute)."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(folder, target))


def _column(reference: str) -> int:
    """The column index (from 0) of a cell reference such as "AB12"."""
    index = 0
    for letter in reference:
        if "A" <= letter <= "Z":
            index = index * 26 + ord(letter) - 64
        elif "a" <= letter <= "z":
            index = index * 26 + ord(letter) - 96
        else:
            break
    if not index:
        raise _Unreadable(reference)
    return index - 1


def _value(kind: str, text: str, style: int, strings: list[str], dates: dict[int, bool], epoch):
    """A cell's value from its type attribute and text, as openpyxl reads it with data_only."""
    if kind == "n":
        number = float(text) if ("." in text or "e" in text or "E" in text) else int(text)
        if style in dates:
            try:
                return from_excel(number, epoch, timedelta=dates[style])
            except (OverflowError, ValueError):
                return "#VALUE!"  # as openpyxl has it: a date beyond the calendar, which the checks then report
        return number
    if kind == "s":
        return strings[int(text)]
    if kind == "b":
        return bool(int(text))
    if kind == "d":
        return from_ISO8601(text)
    return text  # inline strings, formula results as text ("str") and errors ("e", such as #N/A)
