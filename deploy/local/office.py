"""LibreOffice for the tests that render the .docx documents to PDF: Debian's libreoffice-writer-nogui (Writer
without a desktop, enough for `soffice --headless --convert-to pdf`) and a CJK font (fonts-noto-cjk) so the
Chinese is drawn. Only those tests call it; a deployment does not need it (the service writes .docx itself).
Idempotent: returns at once when soffice and the font are there."""

import os
import shutil
import subprocess

FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
PACKAGES = ("libreoffice-writer-nogui", "fonts-noto-cjk")
LOCK_WAIT = ["-o", "DPkg::Lock::Timeout=600"]  # other installs may hold the dpkg lock for a while


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def install_office(quiet: bool = True) -> str | None:
    """Install LibreOffice Writer and the font when missing and running as root with apt-get; soffice's path,
    or None when it cannot be installed here (not root, not Debian, no network)."""
    if (path := soffice_path()) and os.path.exists(FONT):
        return path
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return path
    output = subprocess.DEVNULL if quiet else None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", *LOCK_WAIT, "install", "-y", "--no-install-recommends", *PACKAGES]
    if subprocess.run(install, stdout=output, stderr=output, env=env).returncode != 0:
        subprocess.run(["apt-get", *LOCK_WAIT, "update"], stdout=output, stderr=output, env=env)
        subprocess.run(install, stdout=output, stderr=output, env=env)
    return soffice_path()


if __name__ == "__main__":
    print(install_office(quiet=False) or "LibreOffice could not be installed (needs root and apt-get)")
