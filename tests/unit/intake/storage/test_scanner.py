"""The scan hook runs its command on the file's bytes and reads its answer (services/intake/storage/scanner.py)."""

from services.intake.domain.evidence import Verdict
from services.intake.storage.scanner import CommandScanner
from tests.support.scanners import MARKER, scan_command


async def test_a_clean_file_passes_and_a_marked_one_is_infected(tmp_path):
    scanner = CommandScanner(scan_command(tmp_path), timeout_seconds=10)
    clean = await scanner.scan("会议纪要".encode())
    infected = await scanner.scan(b"prefix " + MARKER + b" suffix")
    assert clean.verdict is Verdict.CLEAN
    assert infected.verdict is Verdict.INFECTED and "Eicar-Test-Signature FOUND" in infected.detail


async def test_a_scanner_that_cannot_scan_fails_with_what_it_said(tmp_path):
    outcome = await CommandScanner(scan_command(tmp_path, "broken"), timeout_seconds=10).scan(b"x" * 2**20)
    assert outcome.verdict is Verdict.FAILED and "Can't connect to clamd" in outcome.detail


async def test_a_scanner_past_its_time_is_killed_and_fails(tmp_path):
    outcome = await CommandScanner(scan_command(tmp_path, "slow"), timeout_seconds=0.3).scan(b"x")
    assert outcome.verdict is Verdict.FAILED and "扫描超时" in outcome.detail


async def test_a_command_that_does_not_exist_fails():
    outcome = await CommandScanner("/nonexistent/clamdscan --no-summary -", timeout_seconds=5).scan(b"x")
    assert outcome.verdict is Verdict.FAILED and "cannot be started" in outcome.detail
