"""measure-created: a measure of a plan, with its units, deadlines and quantitative targets."""

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from shared.contracts.cloudevents import CloudEvent, ContractModel, NonEmpty, field_is

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
# GB/T 2260 codes: 6 digits for city and county, 9-digit statistical codes for townships.
RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{6}(\d{3})?$")]
Recurrence = Literal["yearly", "half-yearly", "quarterly", "monthly"]
# What a unit is to a measure: 牵头单位 (answers for it) or 责任单位 (carries part of it).
Role = Literal["lead", "responsible"]


class Deadline(ContractModel):
    text: NonEmpty
    date: dt.date | None = None
    recurrence: Recurrence | None = None
    ongoing: bool = Field(default=False, description="长期坚持/持续推进: on purpose without date or recurrence; "
                          "never falls due")


class Target(ContractModel):
    text: NonEmpty
    indicator: NonEmpty
    comparator: Literal[">=", "<=", "=", ">", "<"]
    value: Annotated[float, Field(strict=True)]
    unit: str = ""


class Measure(ContractModel):
    measure_id: Identifier
    plan_id: Identifier
    region_code: RegionCode = Field(description="the issuing region (GB/T 2260)")
    number: Annotated[int, Field(strict=True, ge=0)] | NonEmpty
    title: NonEmpty
    text: str = ""
    chapter: str | None = None
    section: str | None = Field(default=None, description="the headings between chapter and measure, e.g. "
                                "(一)依法全面履行政府职能; absent in events published before it existed")
    lead_units: list[NonEmpty] = Field(default_factory=list, description="牵头单位")
    responsible_units: list[NonEmpty] = Field(default_factory=list, description="责任单位")
    start_date: dt.date | None = Field(default=None, description="when work starts; expected progress counts from here")
    deadlines: list[Deadline] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)


class MeasureCreated(CloudEvent[Measure]):
    type: str = field_is("measure-created")
