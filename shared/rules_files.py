"""Rules files per plan (YAML): `defaults`, `plans: {plan_id: overrides}` and a service's own top-level keys.

The one loader of the services' rules files (alerts' rules.yaml, reporting's scoring.yaml): each plan's rules are
the defaults with the plan's overrides, validated by the service's pydantic model (unknown keys forbidden); a
missing file named explicitly, bad YAML, an unknown key or a bad value raise RulesError naming the file and the
place, so the service refuses to start rather than judge by rules nobody wrote.
"""

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class RulesFile:
    """A rules file's text and what it says; `version`: the SHA-256 of the text (hex), to record its changes."""

    path: Path
    content: str
    data: Mapping

    @property
    def version(self) -> str:
        return hashlib.sha256(self.content.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PerPlan(Generic[M]):
    """A service's rules for every plan: the defaults, and each plan's (the defaults with its overrides)."""

    defaults: M
    plans: Mapping[str, M] = field(default_factory=dict)

    def for_plan(self, plan_id: str | None) -> M:
        return self.plans.get(plan_id or "", self.defaults)


def read_rules_file(path: Path | None, default: Path) -> RulesFile | None:
    """The file at `path`, or `default` when none is named (None when the default was not installed either)."""
    if path is None:
        if not default.exists():
            return None
        path = default
    try:
        content = path.read_text(encoding="utf-8")
        data = yaml.safe_load(content)
    except (OSError, yaml.YAMLError) as error:
        raise RulesError(f"{path}: {error}") from error
    if data is not None and not isinstance(data, Mapping):
        raise RulesError(f"{path}: a mapping of keys, not {type(data).__name__}")
    return RulesFile(path, content, data or {})


def parse_rules_file(file: RulesFile, parse: Callable[[Mapping], T]) -> T:
    """What `parse` makes of the file's content; its RulesError names the file."""
    try:
        return parse(file.data)
    except RulesError as error:
        raise RulesError(f"{file.path}: {error}") from error


def per_plan(model: type[M], data: Mapping | None,
                           top_level: tuple[str, ...] = ()) -> tuple[M, dict[str, M], dict]:
    """The defaults, each plan's rules (the defaults with its overrides) and the other top-level keys given (of
    `top_level`, which the caller checks). Unknown keys and bad values raise RulesError, naming where they are."""
    data = dict(data or {})
    unknown = set(data) - {"defaults", "plans", *top_level}
    if unknown:
        raise RulesError(f"unknown keys: {', '.join(sorted(unknown))}")
    defaults_given = data.get("defaults") or {}
    try:
        defaults = model.model_validate(defaults_given)
    except ValidationError as error:
        raise RulesError(f"defaults: {error}") from error
    given = data.get("plans") or {}
    if not isinstance(given, Mapping):
        raise RulesError(f"plans: a mapping of plan ids to overrides, not {type(given).__name__}")
    plans = {}
    for plan_id, overrides in given.items():
        try:
            plans[str(plan_id)] = model.model_validate({**defaults_given, **(overrides or {})})
        except ValidationError as error:
            raise RulesError(f"plans.{plan_id}: {error}") from error
    return defaults, plans, {key: data[key] for key in top_level if key in data}
