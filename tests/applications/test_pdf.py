"""CVs are parsed as PDFs: what is not one, what can act, and what unpacks into a bomb are refused."""

import io
import zlib

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, StreamObject, TextStringObject

from mentorby.tenants.applications.pdf import MAX_UNPACKED, PdfProblem, check_pdf


@pytest.fixture
def db():
    """Pure tests: no database."""
    return None


def _pdf(change=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if change:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _open_action(kind: str, **entries):
    def change(writer):
        action = DictionaryObject({NameObject("/S"): NameObject(kind)})
        for key, value in entries.items():
            action[NameObject(f"/{key}")] = TextStringObject(value)
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return change


def _document_script(writer):
    script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("x")})
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("run"), writer._add_object(script)])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})


def _bomb(writer):
    stream = StreamObject()
    stream._data = zlib.compress(b"\0" * (MAX_UNPACKED + 1024 * 1024), 9)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream[NameObject("/Length")] = NumberObject(len(stream._data))
    writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)


def test_a_plain_pdf_passes():
    assert check_pdf(_pdf()) == 1


@pytest.mark.parametrize(("data", "reason"), [
    (b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n%%EOF\n", "not_pdf"),
    (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "not_pdf"),
    (b"", "not_pdf"),
    (_pdf()[:200], "not_pdf"),
    (_pdf(_open_action("/JavaScript", JS="app.alert('hi')")), "active_content"),
    (_pdf(_document_script), "active_content"),
    (_pdf(_open_action("/Launch", F="calc.exe")), "active_content"),
    (_pdf(lambda writer: writer.add_attachment("notes.txt", b"attached")), "active_content"),
    (_pdf(_bomb), "too_large_unpacked"),
], ids=["html", "no-pages", "empty", "cut-off", "open-action-js", "document-js", "launch", "attachment", "bomb"])
def test_what_is_not_a_plain_document_is_refused(data, reason):
    with pytest.raises(PdfProblem) as problem:
        check_pdf(data)
    assert problem.value.reason == reason


def test_a_bomb_is_stopped_without_inflating_it():
    import time
    import tracemalloc

    bomb = _pdf(_bomb)
    assert len(bomb) < 200 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(PdfProblem):
        check_pdf(bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 10 * 1024 * 1024 and time.perf_counter() - started < 5
