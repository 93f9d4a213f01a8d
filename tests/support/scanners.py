"""Tiny stand-ins for a virus scanner (DUBAN_EVIDENCE_SCAN_COMMAND): shell scripts that read the file on stdin and
answer by exit status as clamdscan does (0 clean, 1 infected, 2 could not scan)."""

from pathlib import Path

# The marker the test scanner calls a virus (the EICAR test file's own name, not its bytes).
MARKER = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"

SCRIPTS = {
    "marker": f"""if grep -q '{MARKER.decode()}'; then echo 'stdin: Eicar-Test-Signature FOUND'; exit 1; fi
echo 'stdin: OK'""",
    "broken": "cat >/dev/null; echo \"ERROR: Can't connect to clamd\" >&2; exit 2",
    "slow": "sleep 30",
}


def scan_command(directory: Path, kind: str = "marker") -> str:
    """The command line of a scanner script of `kind` (SCRIPTS), written into `directory`."""
    script = directory / f"scan-{kind}.sh"
    script.write_text(SCRIPTS[kind] + "\n", encoding="utf-8")
    return f"sh {script}"
