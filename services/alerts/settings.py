from pathlib import Path

import yaml

from services.alerts.domain.rules import RulesBook, RulesError
from shared.settings import ServiceSettings

DEFAULT_RULES_FILE = Path(__file__).with_name("rules.yaml")


class AlertsSettings(ServiceSettings):
    # DUBAN_ALERT_RULES_FILE: the rules' thresholds per plan (see rules.yaml). None: rules.yaml beside this file,
    # or the built-in defaults when it was not installed with the package.
    alert_rules_file: Path | None = None


def load_rules(path: Path | None) -> RulesBook:
    """The rules book from a YAML file; a file named explicitly must exist and be valid."""
    if path is None:
        if not DEFAULT_RULES_FILE.exists():
            return RulesBook()
        path = DEFAULT_RULES_FILE
    try:
        return RulesBook.from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")))
    except RulesError as error:
        raise RulesError(f"{path}: {error}") from error
