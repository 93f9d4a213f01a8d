"""What an evidence file may be, told by its content (services/intake/domain/evidence.py), the name kept, and
the scan hook's answer read as ClamAV's."""

import pytest

from services.intake.domain.documents.kinds import WrongKind
from services.intake.domain.documents.limits import LimitExceeded
from services.intake.domain.documents.packages import UnsafePackage
from services.intake.domain.evidence import (
    DOCX,
    MAX_NAME,
    XLSX,
    Verdict,
    file_name,
    media_type,
    scan_outcome,
)
from tests.data.documents import evidence, hostile


@pytest.mark.parametrize(("content", "expected"), [
    (evidence.jpeg(), "image/jpeg"),
    (evidence.png(), "image/png"),
    (hostile.PDF, "application/pdf"),
    (evidence.word(), DOCX),
    (evidence.workbook(), XLSX),
    ("会议纪要：已完成全部整改。\n".encode(), "text/plain"),
    ("会议纪要：已完成全部整改。\n".encode("gb18030"), "text/plain"),
])
def test_each_accepted_kind_is_told_by_its_content(content, expected):
    assert media_type(content) == expected


@pytest.mark.parametrize(("content", "named"), [
    (b"GIF89a\x01\x00\x01\x00", "a GIF image"),
    (b"MZ\x90\x00\x03" + bytes(60), "a Windows program"),
    (bytes.fromhex("d0cf11e0a1b11ae1") + bytes(100), "OLE2"),
    (b"\x1f\x8b\x08\x00" + bytes(20), "a gzip archive"),
    (hostile.zip_not_word(), "既不是 Word .docx 也不是 Excel .xlsx"),
    (bytes(range(256)) * 4, "也不是纯文本"),
])
def test_other_kinds_are_refused_naming_what_they_are(content, named):
    with pytest.raises(WrongKind, match=named):
        media_type(content)


def test_a_zip_bomb_is_refused_by_its_ratio_before_anything_reads_it():
    with pytest.raises(LimitExceeded) as refused:
        media_type(hostile.zip_bomb(8))
    assert refused.value.limit == "max_ratio"


def test_an_xml_bomb_in_a_package_is_refused():
    with pytest.raises(UnsafePackage, match="DTD"):
        media_type(hostile.xml_bomb())


@pytest.mark.parametrize(("sent", "kept"), [
    ("台账.xlsx", "台账.xlsx"),
    (r"C:\Users\张三\Desktop\出庭应诉照片.jpg", "出庭应诉照片.jpg"),
    ("../../etc/passwd", "passwd"),
    ("a\x00b\nc.pdf", "abc.pdf"),
    ("", "evidence"),
    (None, "evidence"),
])
def test_the_name_kept_is_the_files_own(sent, kept):
    assert file_name(sent) == kept


def test_a_long_name_keeps_its_suffix():
    kept = file_name("佐" * 300 + ".docx")
    assert len(kept) == MAX_NAME and kept.endswith(".docx")


@pytest.mark.parametrize(("returncode", "output", "verdict", "detail"), [
    (0, "stdin: OK\n", Verdict.CLEAN, "stdin: OK"),
    (1, "stdin: Eicar-Test-Signature FOUND\n", Verdict.INFECTED, "Eicar-Test-Signature FOUND"),
    (1, "", Verdict.INFECTED, "扫描程序报告文件带毒"),
    (2, "Can't connect to clamd\n", Verdict.FAILED, "扫描程序退出状态 2：Can't connect to clamd"),
    (None, "", Verdict.FAILED, "扫描超时"),
])
def test_the_scanners_exit_status_is_read_as_clamavs(returncode, output, verdict, detail):
    outcome = scan_outcome(returncode, output)
    assert outcome.verdict is verdict and detail in outcome.detail
