"""Starting and stopping the local stack's processes: free ports, readiness, no orphans."""

import ctypes
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PR_SET_PDEATHSIG = 1


def free_port(preferred: int = 0) -> int:
    """The preferred port when nobody listens on it, else one the kernel picks."""
    for candidate in (preferred, 0) if preferred else (0,):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free port")


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _die_with_parent() -> None:
    # Test runs tie their servers to pytest: if pytest is killed, the kernel stops them too.
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _start_time(pid: int) -> str | None:
    """The kernel's start time of a live process: with the pid, it names one process even after pid reuse."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] == "Z":  # exited; reap it if it is our child, so it does not linger as a zombie
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        return None
    return fields[19]


@dataclass(frozen=True)
class ManagedProcess:
    name: str
    pid: int
    started: str
    log: Path

    def alive(self) -> bool:
        return _start_time(self.pid) == self.started

    def stop(self, grace_seconds: float = 15.0) -> None:
        """SIGTERM to the whole process group, SIGKILL after the grace period."""
        for sig, wait in ((signal.SIGTERM, grace_seconds), (signal.SIGKILL, 5.0)):
            if not self.alive():
                return
            try:
                os.killpg(self.pid, sig)
            except ProcessLookupError:
                return
            deadline = time.monotonic() + wait
            while self.alive() and time.monotonic() < deadline:
                time.sleep(0.1)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_process(
    name: str, argv: list[str], *, log: Path, env: dict[str, str] | None = None,
    cwd: Path | None = None, tie_to_parent: bool = False,
) -> ManagedProcess:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        process = subprocess.Popen(
            argv, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})}, cwd=cwd, start_new_session=True,
            preexec_fn=_die_with_parent if tie_to_parent else None,
        )
    return ManagedProcess(name, process.pid, _start_time(process.pid) or "", log)


def wait_until(process: ManagedProcess, ready: Callable[[], bool], timeout: float, what: str) -> float:
    """Seconds it took until `ready()`; fails with the log's tail if the process dies or time runs out."""
    started = time.monotonic()
    while not ready():
        if not process.alive():
            raise RuntimeError(f"{process.name} exited while starting; its log says:\n{process.log_tail()}")
        if time.monotonic() - started > timeout:
            process.stop()
            raise RuntimeError(f"{process.name} not {what} after {timeout:.0f} s:\n{process.log_tail()}")
        time.sleep(0.2)
    return time.monotonic() - started
