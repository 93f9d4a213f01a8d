"""Evidence files (services/intake/usecases/evidence.py): stored only once the scan hook passes them, once per
content, and only for an assignment the tracker has in the caller's region; ids resolved to references, an unknown
one (or another region's) refused by its position."""

import hashlib

import pytest

from services.intake.domain.evidence import ScanOutcome, Verdict
from services.intake.usecases.evidence import EvidenceFiles, Infected, ScanFailed
from shared.web.problems import Problem
from tests.unit.intake.usecases.fakes import FakeAssignments, FakeEvidenceStore, FakeScanner

LINCHUAN, DONGXIANG = "361002", "361003"


def acts_for(region: str):
    """A client of `region` (its own code and the 9-digit townships below it)."""
    return lambda code: code.startswith(region)


async def test_without_a_scanner_a_file_is_stored_with_its_hash():
    files = EvidenceFiles(FakeEvidenceStore(), None, FakeAssignments())
    stored = await files.upload("照片.jpg", b"\xff\xd8\xffphoto", "image/jpeg", LINCHUAN, "m-1|临川区政府")
    assert stored.sha256 == hashlib.sha256(b"\xff\xd8\xffphoto").hexdigest()
    assert (stored.name, stored.size, stored.region_codes, stored.assignments) == (
        "照片.jpg", 8, (LINCHUAN,), ("m-1|临川区政府",))


@pytest.mark.parametrize(("verdict", "raised"), [(Verdict.INFECTED, Infected), (Verdict.FAILED, ScanFailed)])
async def test_a_file_the_scanner_does_not_pass_is_not_stored(verdict, raised):
    store, scanner = FakeEvidenceStore(), FakeScanner(ScanOutcome(verdict, "stdin: Eicar FOUND"))
    with pytest.raises(raised, match="Eicar"):
        await EvidenceFiles(store, scanner, FakeAssignments()).upload("a.pdf", b"%PDF-1.7", "application/pdf", LINCHUAN)
    assert scanner.scanned == 1 and store.files == {}


async def test_a_clean_file_is_scanned_then_stored():
    store, scanner = FakeEvidenceStore(), FakeScanner(ScanOutcome(Verdict.CLEAN, "stdin: OK"))
    await EvidenceFiles(store, scanner, FakeAssignments()).upload("a.pdf", b"%PDF-1.7", "application/pdf", LINCHUAN)
    assert scanner.scanned == 1 and len(store.files) == 1


async def test_the_same_content_again_is_the_stored_file_shared_with_the_second_region():
    files = EvidenceFiles(FakeEvidenceStore(), None, FakeAssignments())
    first = await files.upload("纪要.txt", "纪要".encode(), "text/plain", LINCHUAN)
    second = await files.upload("copy.txt", "纪要".encode(), "text/plain", DONGXIANG)
    assert (second.id, second.name) == (first.id, "纪要.txt")
    assert second.region_codes == (LINCHUAN, DONGXIANG)


async def test_references_in_order_each_once():
    files = EvidenceFiles(FakeEvidenceStore(), None, FakeAssignments())
    a = await files.upload("a.txt", b"a", "text/plain", LINCHUAN)
    b = await files.upload("b.txt", b"b", "text/plain", LINCHUAN)
    references = await files.references([b.id, a.id, b.id], acts_for(LINCHUAN))
    assert [(r.id, r.name, r.sha256, r.size) for r in references] == [
        (b.id, "b.txt", b.sha256, 1), (a.id, "a.txt", a.sha256, 1)]


async def test_an_unknown_id_and_another_regions_file_are_refused_by_position():
    files = EvidenceFiles(FakeEvidenceStore(), None, FakeAssignments())
    own = await files.upload("a.txt", b"a", "text/plain", LINCHUAN)
    theirs = await files.upload("b.txt", b"b", "text/plain", DONGXIANG)
    with pytest.raises(Problem) as refused:
        await files.references([own.id, "no-such-file", theirs.id], acts_for(LINCHUAN), field="evidence_ids")
    problem = refused.value
    assert (problem.status, problem.slug) == (422, "unknown-evidence")
    assert "no-such-file" in problem.detail and theirs.id in problem.detail and own.id not in problem.detail
    assert [e["field"] for e in problem.extensions["errors"]] == ["evidence_ids.1", "evidence_ids.2"]


async def test_the_city_may_cite_and_list_a_countys_file_but_not_the_other_way():
    files = EvidenceFiles(FakeEvidenceStore(), None, FakeAssignments())
    county = await files.upload("a.txt", b"a", "text/plain", LINCHUAN, "m-1|临川区政府")
    assert [r.id for r in await files.references([county.id], acts_for("3610"))] == [county.id]
    assert [e.id for e in await files.of_assignment("m-1", "临川区政府", acts_for("3610"))] == [county.id]
    assert await files.of_assignment("m-1", "临川区政府", acts_for(DONGXIANG)) == []


async def test_citing_lists_the_file_under_the_assignment_and_opens_it_to_the_region():
    files = EvidenceFiles(FakeEvidenceStore(), None, FakeAssignments())
    stored = await files.upload("a.txt", b"a", "text/plain", LINCHUAN)
    await files.cite(await files.references([stored.id], None), DONGXIANG, "m-2|东乡区政府")
    assert [e.id for e in await files.of_assignment("m-2", "东乡区政府", acts_for(DONGXIANG))] == [stored.id]


@pytest.mark.parametrize(("assignment", "caller", "status", "slug", "said"), [
    ("m-9|临川区政府", LINCHUAN, 404, "unknown-assignment", "没有措施 'm-9' 交办给 '临川区政府' 的任务"),
    ("m-1|临川区政付", LINCHUAN, 404, "unknown-assignment", "交办给 '临川区政付' 的任务"),
    ("m-2|东乡区政府", LINCHUAN, 403, "outside-region", "属于区划 361003，不在你可办理的区划内"),
])
async def test_a_file_for_an_assignment_the_tracker_lacks_or_outside_the_callers_region_is_not_stored(
        assignment, caller, status, slug, said):
    store, scanner = FakeEvidenceStore(), FakeScanner(ScanOutcome(Verdict.CLEAN, "stdin: OK"))
    files = EvidenceFiles(store, scanner, FakeAssignments())
    with pytest.raises(Problem) as refused:
        await files.upload("a.txt", b"a", "text/plain", caller, assignment, acts_for(caller))
    assert (refused.value.status, refused.value.slug) == (status, slug) and said in refused.value.detail
    assert "佐证材料未保存" in refused.value.detail
    assert store.files == {} and scanner.scanned == 0  # refused before the scan and the store


async def test_the_city_may_upload_for_a_countys_assignment_and_a_regions_file_needs_no_tracker():
    assignments = FakeAssignments()
    files = EvidenceFiles(FakeEvidenceStore(), None, assignments)
    stored = await files.upload("a.txt", b"a", "text/plain", "361000", "m-1|临川区政府", acts_for("3610"))
    assert stored.assignments == ("m-1|临川区政府",) and assignments.asked == 1
    await files.upload("b.txt", b"b", "text/plain", LINCHUAN, None, acts_for(LINCHUAN))
    assert assignments.asked == 1
    # A name the registry does not resolve has no region of its own: the caller's named region stands.
    unresolved = await files.upload("c.txt", b"c", "text/plain", LINCHUAN, "m-3|立法项目起草部门", acts_for(LINCHUAN))
    assert unresolved.assignments == ("m-3|立法项目起草部门",)
