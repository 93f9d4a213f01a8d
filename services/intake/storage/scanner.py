"""The virus-scan hook: a configured command (DUBAN_EVIDENCE_SCAN_COMMAND, e.g. `clamdscan --no-summary -`) run on
an evidence file's bytes, given on its stdin, before the file is stored; its exit status read by
domain/evidence.scan_outcome."""

import asyncio
import os
import shlex
import signal
from contextlib import suppress

from services.intake.domain.evidence import ScanOutcome, scan_outcome


class CommandScanner:
    def __init__(self, command: str, timeout_seconds: float):
        self.argv, self.timeout_seconds = shlex.split(command), timeout_seconds

    async def scan(self, content: bytes) -> ScanOutcome:
        """The command's verdict on `content`; a command that cannot start, or runs past its time (it is killed, with
        its process group), failed."""
        try:
            process = await asyncio.create_subprocess_exec(
                *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT, start_new_session=True)
        except OSError as error:
            return scan_outcome(127, f"{self.argv[0]} cannot be started: {error}")
        try:
            output, _ = await asyncio.wait_for(process.communicate(content), self.timeout_seconds)
        except TimeoutError:  # the whole group: a wrapper script's own children hold the pipes open too
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
            return scan_outcome(None, "")
        return scan_outcome(process.returncode, output.decode("utf-8", "replace"))
