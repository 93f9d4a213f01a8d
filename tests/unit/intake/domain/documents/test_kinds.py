"""A file's type is told by its first bytes: what its name says must match, and a wrong file is named for what
it is."""

import pytest

from services.intake.domain.documents.kinds import OLE2, PDF, TEXT, ZIP, WrongKind, expect_kind, kind_of
from tests.data.documents import hostile


@pytest.mark.parametrize(("content", "kind"), [
    (hostile.PDF, PDF), (hostile.zip_not_word(), ZIP), (bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 8, OLE2),
    (hostile.PNG, "a PNG image"), (b"MZ\x90\x00", "a Windows program"), ("一、总体要求".encode("gb18030"), TEXT),
    (b"", TEXT),
])
def test_the_first_bytes_tell_the_kind(content, kind):
    assert kind_of(content) == kind


def test_the_name_says_what_the_content_must_be_and_accepted_suffixes_override_it():
    assert expect_kind("plan.PDF", hostile.PDF) == PDF
    assert expect_kind("notes.odt", hostile.PNG) == "a PNG image"  # a suffix not known here is left to the reader
    assert expect_kind("ledger.xls", hostile.zip_not_word(), accepted=(".xlsx", ".xls")) == ZIP  # renamed
    with pytest.raises(WrongKind, match=r"^ledger\.et is a PDF document, not an Excel \.xlsx workbook or an Excel"):
        expect_kind("ledger.et", hostile.PDF, accepted=(".xlsx", ".xls"))
    with pytest.raises(WrongKind, match=r"^registry\.yaml is a zip package, not a YAML text file$"):
        expect_kind("registry.yaml", hostile.zip_not_word())
