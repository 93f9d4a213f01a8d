"""The registry plan previews and admission fall back on: the one this process last published, else the file
DUBAN_REGISTRY_FILE names (read at its first use, so a bad file is answered where it is needed)."""

from services.intake.domain.registry_file import load_registry
from shared.contracts import Registry


class KnownRegistry:
    def __init__(self, path: str | None):
        self.path = path
        self.published: Registry | None = None
        self.configured: Registry | None = None

    def remember(self, registry: Registry) -> None:
        """What plan previews resolve against from now on."""
        self.published = registry

    def current(self) -> tuple[Registry | None, str | None]:
        """The registry and which it is ("last published", "file <path>"); (None, None) without either."""
        if self.published is not None:
            return self.published, "last published"
        if not self.path:
            return None, None
        if self.configured is None:
            self.configured = load_registry(self.path)
        return self.configured, f"file {self.path}"
