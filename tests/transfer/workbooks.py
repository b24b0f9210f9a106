"""Workbooks written by hand, part by part, for the reader's tests: hostile ones (small on disk, huge unpacked) and
the corners of the format that openpyxl does not write (inline strings, phonetic guides, prefixes, 1904 dates)."""

import io
import zipfile
from collections.abc import Iterable

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS = f'xmlns="{MAIN}"'.encode()
HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
TYPES = HEAD + (
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
PACKAGE_RELS = HEAD + (
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="xl/workbook.xml" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>')
RELATION = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook_xml(date1904: bool = False) -> bytes:
    """The workbook part: one sheet, rId1."""
    properties = b'<workbookPr date1904="1"/>' if date1904 else b""
    return HEAD + (b"<workbook " + NS + b' xmlns:r="' + RELATION.encode() + b'">' + properties +
                   b'<sheets><sheet name="Ark1" sheetId="1" r:id="rId1"/></sheets></workbook>')


def workbook_rels(sheet_target: str = "worksheets/sheet1.xml") -> bytes:
    """The workbook's relationships: the sheet, the shared strings and the styles."""
    return HEAD + (
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{RELATION}/worksheet" Target="{sheet_target}"/>'
        f'<Relationship Id="rId2" Type="{RELATION}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{RELATION}/styles" Target="styles.xml"/></Relationships>').encode()


#: Styles: 0 is General, 1 the built-in date format 14, 2 a custom day-month-year format.
STYLES = HEAD + (b"<styleSheet " + NS + b'><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
                 b'</numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs>'
                 b"</styleSheet>")


def book(sheet: Iterable[bytes], strings: Iterable[bytes] = (b"<sst " + NS + b"/>",), *, styles: bytes = STYLES,
         workbook: bytes | None = None, rels: bytes | None = None,
         sheet_path: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A workbook whose sheet and shared strings are written from chunks (streamed into the zip, never whole)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", workbook or workbook_xml())
        archive.writestr("xl/_rels/workbook.xml.rels", rels or workbook_rels())
        archive.writestr("xl/styles.xml", styles)
        for name, chunks in (("xl/sharedStrings.xml", strings), (sheet_path, sheet)):
            with archive.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk)
    return buffer.getvalue()


def sheet_of(rows: Iterable[bytes]) -> Iterable[bytes]:
    """A worksheet's chunks around `rows` (each the XML of one or more <row> elements)."""
    yield HEAD + b"<worksheet " + NS + b"><sheetData>"
    yield from rows
    yield b"</sheetData></worksheet>"


def inline(text: str) -> bytes:
    """A cell with an inline string (no shared string), without a cell reference."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    return f'<c t="inlineStr"><is><t>{escaped}</t></is></c>'.encode()


def header_row(columns: Iterable[str]) -> bytes:
    """Row 1: the column names as inline strings."""
    return b'<row r="1">' + b"".join(inline(name) for name in columns) + b"</row>"


def shared_strings_bomb(unpacked: int = 238_000_000) -> bytes:
    """Issue 9's first file: about 580 KB on disk, shared strings that unpack to 238 MB (14 million short strings)."""
    one = b"<si><t>xy</t></si>"
    block = one * 10_000
    strings = [HEAD + b"<sst " + NS + b">", *(block for _ in range(unpacked // len(block))), b"</sst>"]
    sheet = sheet_of([b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'])
    return book(sheet, strings)


def numbers_bomb(rows: int = 40_000, columns: int = 250, header: Iterable[str] = ()) -> bytes:
    """Issue 9's second file: `rows` x `columns` numeric cells (10 million at the defaults), a few hundred KB."""
    row = b"<row>" + b"<c><v>1</v></c>" * columns + b"</row>"
    block = row * 100
    first = [header_row(header)] if header else []
    return book(sheet_of([*first, *(block for _ in range(rows // 100))]))
