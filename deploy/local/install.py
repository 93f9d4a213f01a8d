"""One idempotent install step for the local infrastructure.

Artefacts go to a cache outside the clone (DUBAN_CACHE, default ~/.cache/duban), each into a folder named
after its version that appears only when complete, so a second run (or a fresh clone) skips in well
under a second and an interrupted run never leaves half an install behind.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent.parent
KAFKA_VERSION = "4.1.1"
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
FERRETDB_VERSION = "v1.24.0"
DEBIAN_PACKAGES = {"java": "openjdk-17-jre-headless", "mvn": "maven", "go": "golang-go"}


def cache_dir() -> Path:
    return Path(os.environ.get("DUBAN_CACHE", Path.home() / ".cache" / "duban"))


@dataclass(frozen=True)
class Installation:
    kafka_libs: Path
    ferretdb: Path
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
        staging.rename(folder)
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


def install_ferretdb() -> Path:
    def build(staging: Path, scratch: Path) -> None:
        go = require_tool("go")
        say(f"building FerretDB {FERRETDB_VERSION} from the Go module proxy (about a minute)")
        downloaded = subprocess.run(
            [go, "mod", "download", "-json", f"{FERRETDB_MODULE}@{FERRETDB_VERSION}"],
            check=True, capture_output=True, text=True,
        )
        source = scratch / "src"
        shutil.copytree(json.loads(downloaded.stdout)["Dir"], source)
        for path in source.rglob("*"):
            path.chmod(path.stat().st_mode | 0o200)
        # The module zip leaves out the version file FerretDB's release build generates from git.
        (source / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")
        subprocess.run(
            [go, "build", "-trimpath", "-o", str(staging / "ferretdb"), "./cmd/ferretdb"],
            cwd=source, check=True, env={**os.environ, "CGO_ENABLED": "0"},
        )

    return complete(cache_dir() / f"ferretdb-{FERRETDB_VERSION}", build) / "ferretdb"


def install() -> Installation:
    java = require_tool("java")
    return Installation(kafka_libs=install_kafka(), ferretdb=install_ferretdb(), java=java)
