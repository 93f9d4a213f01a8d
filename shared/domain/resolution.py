"""Which registry units a unit name in a plan means, seen from the region that issued the plan.

A plan names units three ways, and only at its own level and below:
- by name or alias: 市司法局, 临川区政府, 抚州高新区管委会 (any region of the issuing one's subtree);
- relative to the issuing region: 区司法局 or 司法局 in a 临川区 plan mean 临川区司法局;
- collectively: 各县(区)政府 -> the government of every county/district below; 乡(镇、街道) -> of every
  township below; 市直有关部门, 市政府各部门, 区直各单位 -> every department of the issuing region.
Development zones (gbt: false) are not 县 or 区: plans name their 管委会 beside 各县(区)政府 (the fuzhou
plan does so 23 times), so the collective leaves them out. Party and judicial organs (kind organ) are
assigned by name only, never through 市直有关部门. Anything else (立法项目起草部门, 各执法单位) is
unresolved and kept by name, so it can be mapped later.
"""

import re
from collections import defaultdict
from collections.abc import Callable
from typing import NamedTuple

from shared.contracts import Measure, Region, Registry
from shared.contracts.measures import Role

_FOLD = str.maketrans("（）【】〔〕，", "()[][],")
_COUNTY_WORDS, _TOWNSHIP_WORDS = set("县区市()、"), set("乡镇街道()、")
_GOVERNMENT_SUFFIX = re.compile(r"(?:人民政府|政府|办事处)$")
# 市直有关部门, 市直各单位, 市政府各部门, 市政府相关部门, 市级有关部门, 区直有关单位 …
_DEPARTMENTS = re.compile(r"^([市县区])(?:直|政府|级)(?:有关|相关|各)?(?:部门|单位)$")
_LEVEL_WORDS = {"city": ("市",), "county": ("县", "区"), "township": ("乡", "镇", "街道")}


class Expansion(NamedTuple):
    units: list[tuple[str, Role]]  # (unit_id, role), a unit once, lead before responsible
    unresolved: list[str]  # names as written


def normalize(name: str) -> str:
    return re.sub(r"\s+", "", name.translate(_FOLD))


class Directory:
    """The registry indexed for resolution; build once per registry, reuse for every measure."""

    def __init__(self, registry: Registry):
        self.regions = {region.code: region for region in registry.regions}
        self.children: dict[str, list[Region]] = defaultdict(list)
        for region in registry.regions:
            if region.parent_code:
                self.children[region.parent_code].append(region)
        self.by_name: dict[str, list[tuple[str, str]]] = defaultdict(list)  # name -> [(region code, unit id)]
        self.unit_regions: dict[str, str] = {}  # unit id -> its region's code
        for region in registry.regions:
            for unit in region.units:
                self.unit_regions[unit.unit_id] = region.code
                for name in unit.names:
                    self.by_name[normalize(name)].append((region.code, unit.unit_id))

    def subtree(self, code: str) -> list[Region]:
        """The region and every region below it, by parent links (zones' own codes follow no prefix rule)."""
        found, pending = [], [self.regions[code]]
        while pending:
            region = pending.pop(0)
            found.append(region)
            pending += self.children[region.code]
        return found

    def reporting_unit(self, unit: str, region_code: str) -> str | None:
        """The id of the one unit a report from `region_code` names (by id, name or alias), of that region or
        below; None when it names none there (a typo, another region's unit) or several (各县(区)政府)."""
        if region_code not in self.regions:
            return None
        if unit in self.unit_regions:
            return unit if self.unit_regions[unit] in {r.code for r in self.subtree(region_code)} else None
        unit_ids = self.resolve(unit, region_code)
        return unit_ids[0] if len(unit_ids) == 1 else None

    def resolve(self, name: str, region_code: str) -> list[str]:
        """The unit ids `name` means in a plan issued by `region_code`; empty when unresolved."""
        if region_code not in self.regions:
            return []
        name = normalize(name)
        issuing = self.regions[region_code]
        subtree = self.subtree(region_code)
        in_scope = {region.code for region in subtree}
        named = [(code, unit_id) for code, unit_id in self.by_name.get(name, []) if code in in_scope]
        if len(named) > 1:  # the same name in several regions: only the issuing region's own is meant
            named = [(code, unit_id) for code, unit_id in named if code == region_code]
        if len(named) == 1:
            return [named[0][1]]
        return self._relative(name, issuing) or self._collective(name, issuing, subtree)

    def _relative(self, name: str, issuing: Region) -> list[str]:
        for unit in issuing.units:
            for full in map(normalize, unit.names):
                short = _without_region(full, issuing)
                if short and name in {short, *(word + short for word in _own_level_words(issuing))}:
                    return [unit.unit_id]
        return []

    def _collective(self, name: str, issuing: Region, subtree: list[Region]) -> list[str]:
        departments = _DEPARTMENTS.match(name)
        if departments:
            if departments.group(1) not in _LEVEL_WORDS[issuing.level]:
                return []  # 市直有关部门 in a county's plan: another level's units
            return [unit.unit_id for unit in issuing.units if unit.kind == "department"]
        core = _GOVERNMENT_SUFFIX.sub("", name.removeprefix("各"))
        if not core:
            return []
        if set(core) <= _COUNTY_WORDS and {"县", "区"} & set(core):
            return _governments(region for region in subtree if region.level == "county" and region.gbt)
        if set(core) <= _TOWNSHIP_WORDS:
            return _governments(region for region in subtree if region.level == "township")
        return []

    def expand(self, measure: Measure) -> Expansion:
        return expand(measure, self.resolve)


def expand(measure: Measure, resolve: Callable[[str, str], list[str]]) -> Expansion:
    """The measure's (unit id, role) pairs, each name resolved by `resolve(name, issuing region code)`, and the
    names it resolved to nothing. A unit named both lead and responsible is a lead unit (it answers for it)."""
    roles: dict[str, Role] = {}
    unresolved: list[str] = []
    for role, names in (("lead", measure.lead_units), ("responsible", measure.responsible_units)):
        for name in names:
            unit_ids = resolve(name, measure.region_code)
            if not unit_ids and name not in unresolved:
                unresolved.append(name)
            for unit_id in unit_ids:
                roles.setdefault(unit_id, role)
    return Expansion(list(roles.items()), unresolved)


def _without_region(name: str, region: Region) -> str:
    """临川区司法局 -> 司法局; 市司法局 -> 司法局 (city units are written with the bare level word)."""
    for prefix in (region.name, *_own_level_words(region)):
        if name.startswith(prefix):
            return name[len(prefix):]
    return ""


def _own_level_words(region: Region) -> tuple[str, ...]:
    """How a region's plan calls itself: 临川区 writes 区司法局, never 县司法局."""
    words = _LEVEL_WORDS[region.level]
    return tuple(word for word in words if region.name.endswith(word)) or words


def _governments(regions) -> list[str]:
    return [region.government.unit_id for region in regions if region.government]


def resolve_unit(name: str, region_code: str, registry: Registry | Directory) -> list[str]:
    return _directory(registry).resolve(name, region_code)


def expand_measure(measure: Measure, registry: Registry | Directory) -> Expansion:
    """The measure's (unit id, role) pairs and the names the registry cannot resolve, as written."""
    return _directory(registry).expand(measure)


def _directory(registry: Registry | Directory) -> Directory:
    return registry if isinstance(registry, Directory) else Directory(registry)
