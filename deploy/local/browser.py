"""A headless browser for the dashboard's browser test: Debian's chromium (and chromium-driver), never a
browser a test tool downloads, and a CJK font (fonts-noto-cjk) so the screenshots show the Chinese.
Idempotent: returns at once when /usr/bin/chromium and the font are there."""

import os
import shutil

from deploy.local.debian import apt_install, may_install

CHROMIUM = "/usr/bin/chromium"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
PACKAGES = ("chromium", "chromium-driver", "fonts-noto-cjk")


def browser_path() -> str | None:
    """The chromium executable, when installed."""
    return CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")


def install_browser(quiet: bool = True) -> str | None:
    """Install Debian's chromium and chromium-driver when missing and running as root with apt-get; the
    executable's path, or None when it cannot be installed here (not root, not Debian, no network)."""
    if (path := browser_path()) and os.path.exists(FONT):
        return path
    if not may_install():
        return path
    apt_install(PACKAGES, quiet)
    return browser_path()  # without the font the test still runs; the screenshots show boxes for Chinese


if __name__ == "__main__":
    print(install_browser(quiet=False) or "chromium could not be installed (needs root and apt-get)")
