"""The registry plan previews and admission fall back on (storage/registries.py): the one published here, else
the configured file, read once."""

from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
from services.intake.storage.registries import KnownRegistry


def test_the_last_published_registry_wins_over_the_file_which_is_read_once():
    known = KnownRegistry(str(DEMO_REGISTRY))
    registry, source = known.current()
    assert source == f"file {DEMO_REGISTRY}" and known.current()[0] is registry
    published = load_registry(DEMO_REGISTRY)
    known.remember(published)
    assert known.current()[0] is published and known.current()[1] == "last published"
    assert KnownRegistry(None).current() == (None, None)
