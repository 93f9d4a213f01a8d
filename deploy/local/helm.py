"""Helm, for the chart's test (deploy/helm/duban, tests/unit/deploy/test_helm_chart.py).

No registry here serves a helm binary, so it is built from source with the machine's Go toolchain through the Go
module proxy (`go install helm.sh/helm/v4/cmd/helm@<version>`) into DUBAN_CACHE (~/.cache/duban/helm-<version>),
which appears only when complete (deploy/local/install.py). Measured on the 2-core machine: see deploy/README.md.
"""

import os
import shutil
import subprocess
from pathlib import Path

from deploy.local.install import cache_dir, complete, say

HELM_VERSION = "4.3.1"
HELM_MODULE = "helm.sh/helm/v4"
GO_FALLBACK = "/usr/local/go/bin/go"  # where the machine's toolchain lives when PATH lacks it (e.g. under make)


def go_tool() -> str | None:
    found = shutil.which("go")
    if found:
        return found
    return GO_FALLBACK if os.access(GO_FALLBACK, os.X_OK) else None


def helm_path() -> Path:
    return cache_dir() / f"helm-{HELM_VERSION}" / "bin" / "helm"


def install_helm(quiet: bool = True) -> Path | None:
    """The helm executable, built once; None when this machine has no Go toolchain to build it with.

    Raises RuntimeError, with go's own words, when the build itself fails (the module proxy unreachable, a
    compile error): that is a fault to see, not a reason to skip."""
    if helm_path().exists():
        return helm_path()
    go = go_tool()
    if go is None:
        return None

    def build(staging: Path, scratch: Path) -> None:
        say(f"building helm {HELM_VERSION} from the Go module proxy (a few minutes, once)")
        environment = {
            **os.environ,
            "GOBIN": str(staging / "bin"),
            "CGO_ENABLED": "0",  # a static binary, independent of the machine's C libraries
            "GOFLAGS": "-modcacherw",  # lets a later cleanup delete the module cache
        }
        # `helm version` names the version it was built as (helm's Makefile sets it the same way).
        version_flag = f"-X {HELM_MODULE}/internal/version.version=v{HELM_VERSION}"
        built = subprocess.run([go, "install", "-trimpath", "-ldflags", f"-s -w {version_flag}",
                                f"{HELM_MODULE}/cmd/helm@v{HELM_VERSION}"],
                               cwd=scratch, env=environment, capture_output=quiet, text=True)
        if built.returncode != 0:
            raise RuntimeError(f"building helm {HELM_VERSION} failed (go install exit {built.returncode}):\n"
                               f"{(built.stderr or '')[-4000:]}")

    return complete(helm_path().parent.parent, build) / "bin" / "helm"


if __name__ == "__main__":
    print(install_helm(quiet=False) or "helm cannot be built here: no Go toolchain")
