"""registry-published: the regions (city, county, township) and the units that belong to each.

Regions are keyed by GB/T 2260 codes. Development zones (高新区, 新区) have none: they get a code of
the deployment's own, marked ``gbt: false`` (the demo uses the county-level 7x range of the city's
prefix, e.g. 361071, as the national statistical codes do for such zones). Each unit name or alias
means one unit within its region, so a plan's wording resolves to one body.
"""

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from shared.contracts.cloudevents import CloudEvent, ContractModel, NonEmpty, field_is
from shared.contracts.measures import Identifier, RegionCode

RegionLevel = Literal["city", "county", "township"]
# organ: a party, disciplinary or judicial body (市委组织部, 市法院) that plans assign by name;
# collectives such as 市直有关部门 mean government departments, not these.
UnitKind = Literal["government", "department", "organ"]

# Bounds far above a real registry (a province: about 2,000 counties and townships; a city: a few hundred units
# per region, a unit a handful of names), so a registry stays within Kafka's record limit and a hostile one is
# refused whole.
MAX_REGIONS, MAX_UNITS_PER_REGION, MAX_ALIASES = 10_000, 2_000, 20

# The level a region's parent must have.
_PARENT_LEVEL = {"county": "city", "township": "county"}


# A registry holds personal data (unit contacts): its validation errors (dead-letter reasons, 422 details) name the
# field and the rule but never echo the input. Pydantic takes this from the model validated first (the root).
HIDE_INPUT = ConfigDict(hide_input_in_errors=True)


class UnitContact(ContractModel):
    """Whom reminders about a unit reach (alerts' notification channels @-mention them, SMS goes to the mobile).
    Personal data: kept out of reprs, logs and validation errors."""

    model_config = ContractModel.model_config | HIDE_INPUT

    person: NonEmpty | None = Field(default=None, description="the contact's name, e.g. 张三")
    mobile: str | None = Field(default=None, pattern=r"^1[0-9]{10}$", description="mainland mobile number, 11 digits")
    wecom_userid: NonEmpty | None = Field(default=None, description="企业微信 userid (group robot @-mention)")
    dingtalk_userid: NonEmpty | None = Field(default=None, description="钉钉 userId (custom robot atUserIds)")


class Unit(ContractModel):
    unit_id: Identifier = Field(description="stable identifier, kept when the unit is renamed")
    name: NonEmpty = Field(description="the name plans use, e.g. 市司法局, 临川区政府")
    kind: UnitKind
    aliases: list[NonEmpty] = Field(default_factory=list, max_length=MAX_ALIASES,
                                    description="other names plans use, e.g. 临川区人民政府")
    # Optional, so registries published before contacts existed stay valid; repr=False keeps it out of log lines.
    contact: UnitContact | None = Field(default=None, repr=False,
                                        description="whom reminders reach; never logged, not shown by GET /v1/regions")

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


class Region(ContractModel):
    code: RegionCode
    name: NonEmpty
    level: RegionLevel
    parent_code: RegionCode | None = None
    gbt: bool = Field(default=True, description="false for a code of our own (development zones)")
    synthetic: bool = Field(default=False, description="demo data: the region does not exist")
    units: list[Unit] = Field(default_factory=list, max_length=MAX_UNITS_PER_REGION)

    @property
    def government(self) -> Unit | None:
        return next((unit for unit in self.units if unit.kind == "government"), None)


class Registry(ContractModel):
    model_config = ContractModel.model_config | HIDE_INPUT
    regions: Annotated[list[Region], Field(min_length=1, max_length=MAX_REGIONS)]

    @model_validator(mode="after")
    def _consistent(self) -> "Registry":
        problems: list[str] = []
        by_code: dict[str, Region] = {}
        for region in self.regions:
            if region.code in by_code:
                problems.append(f"region code {region.code} appears twice")
            by_code[region.code] = region
        unit_ids: set[str] = set()
        for region in self.regions:
            if (len(region.code) == 9) != (region.level == "township"):
                problems.append(f"region {region.code}: townships have 9-digit codes, cities and counties 6")
            problems += _parent_problems(region, by_code)
            names: set[str] = set()
            for unit in region.units:
                if unit.unit_id in unit_ids:
                    problems.append(f"unit id {unit.unit_id} appears twice")
                unit_ids.add(unit.unit_id)
                for name in unit.names:
                    if name in names:
                        problems.append(f"unit name {name} appears twice in region {region.code}")
                    names.add(name)
            if sum(unit.kind == "government" for unit in region.units) > 1:
                problems.append(f"region {region.code} has more than one government")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def region(self, code: str) -> Region | None:
        return next((region for region in self.regions if region.code == code), None)


def _parent_problems(region: Region, by_code: dict[str, Region]) -> list[str]:
    expected = _PARENT_LEVEL.get(region.level)
    if expected is None:
        return [] if region.parent_code is None else [f"city {region.code} cannot have a parent"]
    parent = by_code.get(region.parent_code or "")
    if parent is None:
        return [f"region {region.code}: parent {region.parent_code} is not in the registry"]
    if parent.level != expected:
        return [f"region {region.code}: a {region.level}'s parent must be a {expected}, "
                f"{parent.code} is a {parent.level}"]
    if region.level == "township" and not region.code.startswith(parent.code):
        return [f"township {region.code} does not extend its county's code {parent.code}"]
    return []


class RegistryPublished(CloudEvent[Registry]):
    model_config = CloudEvent.model_config | HIDE_INPUT
    type: str = field_is("registry-published")
