"""Hostile and broken documents are refused before they cost much, with the reason or the limit named."""

import asyncio
import io
import time
import zipfile

import openpyxl
import pytest

from services.intake.domain.documents import LimitExceeded, Limits, UnreadableDocument, document_text, parse_document
from services.intake.domain.ledgers.files import UnreadableLedger, read_ledger
from services.intake.entrypoints.http.uploads import in_worker
from shared.web.problems import Problem
from tests.data.documents import hostile


@pytest.mark.parametrize(("filename", "content", "reason"), [
    ("plan.docx", hostile.xml_bomb(), "declares a DTD or entities"),
    ("plan.docx", hostile.malformed_docx(), "not well-formed XML"),
    ("plan.docx", hostile.zip_not_word(), "not a Word .docx document"),
    ("plan.docx", hostile.PNG, "plan.docx is a PNG image, not a Word .docx document"),
    ("plan.docx", hostile.PDF, "plan.docx is a PDF document, not a Word .docx document"),
    ("plan.pdf", hostile.PNG, "plan.pdf is a PNG image, not a PDF document"),
    ("plan.txt", hostile.zip_bomb(1), "plan.txt is a zip package, not a text file"),
    ("plan.pdf", b"%PDF-1.7\n1 0 obj <<>> endobj\n", "not a readable PDF"),
    ("plan.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "save a .doc or .wps file as .docx"),
])
def test_a_hostile_or_broken_file_is_refused_with_what_is_wrong(filename, content, reason):
    with pytest.raises(UnreadableDocument, match=reason):
        document_text(filename, content)


def test_a_zip_bomb_is_refused_by_its_compression_ratio_before_python_docx_opens_it():
    bomb = hostile.zip_bomb(40)
    assert len(bomb) < 200_000
    began = time.perf_counter()
    with pytest.raises(LimitExceeded, match="inflates more than 200 times") as refused:
        document_text("plan.docx", bomb)
    assert refused.value.limit == "max_ratio" and time.perf_counter() - began < 2


def test_a_package_declaring_more_than_the_inflated_limit_is_refused_unread():
    with pytest.raises(LimitExceeded, match="declares 80 MB") as refused:
        document_text("plan.docx", hostile.zip_bomb(80))
    assert refused.value.limit == "inflated_bytes" and refused.value.status == 413


def test_inflated_size_counts_over_all_members():
    bomb = hostile.zip_bomb(1)
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        largest = archive.getinfo("word/document.xml").file_size
    limits = Limits(inflated_bytes=largest + 1, max_ratio=10_000)  # every member fits, all of them do not
    with pytest.raises(LimitExceeded, match="the file inflates to more than") as refused:
        document_text("plan.docx", bomb, limits)
    assert refused.value.limit == "inflated_bytes"


def test_an_oversized_document_is_refused_naming_the_upload_limit():
    with pytest.raises(LimitExceeded, match="larger than 1 MB") as refused:
        document_text("plan.txt", b"x" * (2**20 + 1), Limits(upload_bytes=2**20))
    assert refused.value.limit == "upload_bytes"


def test_a_ledger_bomb_is_refused_before_openpyxl_reads_it():
    with pytest.raises(LimitExceeded):
        read_ledger(hostile.zip_bomb(80))


async def test_a_worker_past_its_time_is_killed_and_answered_413_naming_the_limit():
    began = time.perf_counter()
    with pytest.raises(Problem) as refused:
        await in_worker(time.sleep, 30, refusals=(), limits=Limits(seconds=1))
    assert time.perf_counter() - began < 10
    assert (refused.value.status, refused.value.extensions["limit"]) == (413, "seconds")


async def test_a_worker_past_its_memory_is_answered_413_naming_the_limit():
    with pytest.raises(Problem) as refused:
        await in_worker(bytearray, 2 * 2**30, refusals=(), limits=Limits(memory_bytes=512 * 2**20))
    assert (refused.value.status, refused.value.extensions["limit"]) == (413, "memory_bytes")


@pytest.mark.parametrize(("filename", "content", "reason"), [
    ("ledger.xlsx", hostile.PNG, "ledger.xlsx is a PNG image, not an Excel .xlsx workbook or an Excel 97-2003"),
    ("ledger.xls", hostile.PDF, "ledger.xls is a PDF document, not an Excel"),
    ("ledger.xlsx", hostile.xlsx_xml_bomb(), "declares a DTD or entities"),
])
def test_a_ledger_of_the_wrong_kind_or_an_xml_bomb_is_refused_before_openpyxl_reads_it(filename, content, reason):
    with pytest.raises(UnreadableLedger, match=reason):
        read_ledger(content, filename)


def test_openpyxl_parses_with_defusedxml():
    # openpyxl switches to defusedxml by itself when it is installed (and OPENPYXL_DEFUSEDXML is not False): a
    # second line of defence behind the package checks, as openpyxl's documentation asks.
    assert openpyxl.DEFUSEDXML is True


async def test_refusals_are_422_with_the_reason_and_other_parser_errors_422_too():
    with pytest.raises(Problem) as refused:
        await in_worker(parse_document, "plan.docx", hostile.xml_bomb(), refusals=(UnreadableDocument,))
    assert refused.value.status == 422 and "DTD" in refused.value.detail
    with pytest.raises(Problem) as failed:
        await in_worker(int, "not a number", refusals=())
    assert failed.value.status == 422 and "ValueError" in failed.value.detail


async def test_the_event_loop_keeps_running_while_a_worker_parses():
    gaps, parsing = [], asyncio.create_task(in_worker(time.sleep, 1.5, refusals=()))
    while not parsing.done():
        began = time.perf_counter()
        await asyncio.sleep(0.05)
        gaps.append(time.perf_counter() - began)
    await parsing
    assert len(gaps) >= 10 and max(gaps) < 0.5
