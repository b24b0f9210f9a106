"""What a CV upload must be: a well-formed PDF with pages, and nothing that runs, launches or unpacks into a bomb.

A check of the first and last bytes let through an HTML page wrapped in "%PDF-1.4 … %%EOF", a PDF whose
/OpenAction runs JavaScript, and 200 MB packed into a 204 KB file. Here the file is parsed with pypdf and every
object reachable from its catalogue is walked (with a budget), so a coordinator opening a CV opens a document.
"""

import io
import logging
import zlib

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

#: Names whose presence means the document can act: scripts, launched programs, attached files, forms that script.
ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA",
                         "/AA", "/SubmitForm", "/ImportData", "/GoToE"})
#: Action types (the value of /S) that run or open something.
ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/RichMediaExecute"})
# pypdf logs every repair it makes to a broken file; the refusal says all a user needs.
logging.getLogger("pypdf").setLevel(logging.ERROR)

#: The most a CV may unpack to, all streams together, and the most objects it may hold.
MAX_UNPACKED = 50 * 1024 * 1024
MAX_OBJECTS = 100_000


class PdfProblem(Exception):
    """Why a file is not an acceptable CV: not_pdf, active_content or too_large_unpacked."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_pdf(data: bytes) -> int:
    """Parse `data` as a PDF and refuse what is not a plain document; returns its number of pages."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        root = reader.trailer["/Root"].get_object()
        pages = len(reader.pages)
    except (PdfReadError, PyPdfError, KeyError, ValueError, TypeError, AttributeError, RecursionError):
        raise PdfProblem("not_pdf") from None
    if pages < 1:
        raise PdfProblem("not_pdf")
    _walk(root, reader)
    return pages


def _walk(root, reader) -> None:
    seen: set[tuple[int, int]] = set()
    stack = [root, reader.trailer.get("/Info")]
    unpacked = visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            try:
                node = node.get_object()
            except (PdfReadError, PyPdfError, ValueError, KeyError):
                raise PdfProblem("not_pdf") from None
        visited += 1
        if visited > MAX_OBJECTS:
            raise PdfProblem("too_large_unpacked")
        if isinstance(node, DictionaryObject):
            if ACTIVE_KEYS & set(node.keys()) or node.get("/S") in ACTIVE_ACTIONS:
                raise PdfProblem("active_content")
            if isinstance(node, StreamObject):
                unpacked += _unpacked_size(node, MAX_UNPACKED - unpacked)
            stack.extend(node.values())
        elif isinstance(node, ArrayObject):
            stack.extend(node)


def _unpacked_size(stream: StreamObject, budget: int) -> int:
    """How many bytes a stream unpacks to, decompressing at most `budget` (a bomb is stopped, not inflated)."""
    raw = stream._data or b""
    filters = stream.get("/Filter")
    names = [filters] if isinstance(filters, NameObject) else list(filters or [])
    if names[:1] != ["/FlateDecode"]:
        size = len(raw)
    else:
        # In 1 MB pieces that are counted and dropped: memory stays small whatever the stream claims to hold.
        inflater, size, pending = zlib.decompressobj(), 0, raw
        try:
            while pending and size <= budget:
                size += len(inflater.decompress(pending, 1024 * 1024))
                pending = inflater.unconsumed_tail
        except zlib.error:
            raise PdfProblem("not_pdf") from None
    if size > budget:
        raise PdfProblem("too_large_unpacked")
    return size
