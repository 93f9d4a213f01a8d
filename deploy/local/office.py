"""LibreOffice for the tests that render the .docx documents to PDF: Debian's libreoffice-writer-nogui (Writer
without a desktop, enough for `soffice --headless --convert-to pdf`) and a CJK font (fonts-noto-cjk) so the
Chinese is drawn. Only those tests call it; a deployment does not need it (the service writes .docx itself).
Idempotent: returns at once when soffice and the font are there."""

import os
import shutil

from deploy.local.debian import apt_install, may_install

FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
PACKAGES = ("libreoffice-writer-nogui", "fonts-noto-cjk")


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def install_office(quiet: bool = True) -> str | None:
    """Install LibreOffice Writer and the font when missing and running as root with apt-get; soffice's path,
    or None when it cannot be installed here (not root, not Debian, no network)."""
    if (path := soffice_path()) and os.path.exists(FONT):
        return path
    if not may_install():
        return path
    apt_install(PACKAGES, quiet)
    return soffice_path()


if __name__ == "__main__":
    print(install_office(quiet=False) or "LibreOffice could not be installed (needs root and apt-get)")
