"""Installing Debian packages a test needs (a browser, LibreOffice), when running as root on Debian."""

import os
import shutil
import subprocess

LOCK_WAIT = ["-o", "DPkg::Lock::Timeout=600"]  # another install may hold the dpkg lock for a while


def may_install() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def apt_install(packages: tuple[str, ...], quiet: bool = True) -> None:
    """apt-get install without recommends; on failure, update the package lists once and try again."""
    output = subprocess.DEVNULL if quiet else None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", *LOCK_WAIT, "install", "-y", "--no-install-recommends", *packages]
    if subprocess.run(install, stdout=output, stderr=output, env=env).returncode != 0:
        subprocess.run(["apt-get", *LOCK_WAIT, "update"], stdout=output, stderr=output, env=env)
        subprocess.run(install, stdout=output, stderr=output, env=env)
