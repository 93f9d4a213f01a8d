"""One idempotent install step for the local infrastructure.

Artefacts go to a cache outside the clone (DUBAN_CACHE, default ~/.cache/duban), each into a folder named
after its version that appears only when complete, so a second run (or a fresh clone) skips in well
under a second and an interrupted run never leaves half an install behind.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent.parent
KAFKA_VERSION = "4.1.1"
# The MongoDB-wire server, chosen by measurement over FerretDB 1.24 (deploy/README.md).
SECANTUSDB_VERSION = "0.7.0b3"
DEBIAN_PACKAGES = {"java": "openjdk-17-jre-headless", "mvn": "maven"}


def cache_dir() -> Path:
    return Path(os.environ.get("DUBAN_CACHE", Path.home() / ".cache" / "duban"))


@dataclass(frozen=True)
class Installation:
    kafka_libs: Path
    database_python: Path
    java: str


def say(message: str) -> None:
    print(f"[duban install] {message}", flush=True)


def require_tool(tool: str) -> str:
    """A tool from the machine, or from Debian's packages when we may install them."""
    found = shutil.which(tool)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"installing {DEBIAN_PACKAGES[tool]} from Debian's packages")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", DEBIAN_PACKAGES[tool]], check=True)
        found = shutil.which(tool)
    if not found:
        raise SystemExit(f"duban needs `{tool}` (Debian package {DEBIAN_PACKAGES[tool]}); install it and retry")
    return found


def complete(folder: Path, build) -> Path:
    """Builds into a temporary sibling and renames it into place: the folder exists only when whole."""
    if folder.exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=f".{folder.name}-") as scratch:
        staging = Path(scratch) / "out"
        staging.mkdir()
        build(staging, Path(scratch))
        try:
            staging.rename(folder)
        except OSError:
            if not folder.exists():
                raise
            return folder  # another process (a test run beside `duban install`) finished the same build first
    say(f"{folder.name} ready in {time.monotonic() - started:.0f} s")
    return folder


def install_kafka() -> Path:
    def build(staging: Path, _scratch: Path) -> None:
        say(f"resolving Apache Kafka {KAFKA_VERSION} jars from Maven Central")
        subprocess.run(
            [require_tool("mvn"), "-q", "-B", "-f", str(DEPLOY / "kafka" / "pom.xml"),
             f"-Dkafka.version={KAFKA_VERSION}", "dependency:copy-dependencies",
             f"-DoutputDirectory={staging / 'libs'}", "-DincludeScope=runtime"],
            check=True,
        )

    return complete(cache_dir() / f"kafka-{KAFKA_VERSION}", build) / "libs"


def install_secantusdb() -> Path:
    """SecantusDB in a virtualenv of its own: a server we run, not a library the project imports (GPL-2.0)."""

    def build(staging: Path, _scratch: Path) -> None:
        say(f"installing SecantusDB {SECANTUSDB_VERSION} from PyPI")
        subprocess.run([sys.executable, "-m", "venv", str(staging / "venv")], check=True)
        subprocess.run([str(staging / "venv" / "bin" / "python"), "-m", "pip", "install", "-q",
                        "--disable-pip-version-check", f"secantusdb=={SECANTUSDB_VERSION}"], check=True)

    # The venv moves into place after it is built, so its scripts' shebangs are stale: run its python.
    return complete(cache_dir() / f"secantusdb-{SECANTUSDB_VERSION}", build) / "venv" / "bin" / "python"


def install() -> Installation:
    java = require_tool("java")
    return Installation(kafka_libs=install_kafka(), database_python=install_secantusdb(), java=java)
