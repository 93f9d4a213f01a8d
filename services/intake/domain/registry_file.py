"""The registry file a city office edits (YAML, see deploy/demo/registry.yaml), read into the contract model."""

from pathlib import Path

import yaml

from shared.contracts import Registry

DEMO_REGISTRY = Path(__file__).parents[3] / "deploy" / "demo" / "registry.yaml"


class RegistryFileError(ValueError):
    """The file is not YAML, or not a mapping with `regions`."""


def parse_registry(text: str) -> Registry:
    """YAML text -> Registry; raises RegistryFileError for bad YAML, pydantic's ValidationError for bad content."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RegistryFileError(f"not valid YAML: {error}") from error
    if not isinstance(document, dict):
        raise RegistryFileError("expected a mapping with a `regions` list at the top")
    # An unquoted code (code: 361000) reads as a number in YAML; the office meant the code.
    for region in document.get("regions") or []:
        for field in ("code", "parent_code"):
            if isinstance(region, dict) and isinstance(region.get(field), int):
                region[field] = str(region[field])
    return Registry.model_validate(document)


def load_registry(path: str | Path) -> Registry:
    return parse_registry(Path(path).read_text(encoding="utf-8"))
