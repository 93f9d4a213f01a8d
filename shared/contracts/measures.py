"""measure-created: a measure of a plan, with its units, deadlines and quantitative targets."""

import datetime as dt
import math
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from shared.contracts.cloudevents import CloudEvent, ContractModel, NonEmpty, field_is
from shared.domain.calendar import DAY_SPAN

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
# GB/T 2260 codes: 6 digits for city and county, 9-digit statistical codes for townships.
RegionCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}([0-9]{3})?$")]
Recurrence = Literal["yearly", "half-yearly", "quarterly", "monthly"]
# What a unit is to a measure: 牵头单位 (answers for it) or 责任单位 (carries part of it).
Role = Literal["lead", "responsible"]
# How a target is judged (the plan parser tells them apart: services/intake/domain/plans/targets.py): a rate, share
# or coverage and a time limit must hold whenever reported; a count and an amount accumulate towards the deadline.
TargetKind = Literal["rate", "time_limit", "count", "amount"]


def _printable(text: str) -> str:
    # A control or format character (NUL, a line break, a zero-width space, a right-to-left mark) makes a name
    # that looks like another one: "市司法局\x00" would become a phantom unit beside 市司法局.
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in text):
        raise ValueError("must not contain control or invisible format characters")
    return text


def _finite(value: float) -> float:
    # JSON has no NaN or infinity: pydantic would publish them as null, which no consumer accepts.
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


# The characters _printable refuses (Unicode categories Cc and Cf, as Python's unicodedata has them), as ranges, so
# the JSON Schema of a name says what the validator does (tests/unit/shared/contracts/test_contracts.py checks
# them against unicodedata); computing them at import would cost a third of a second.
INVISIBLE = ((0x0, 0x1F), (0x7F, 0x9F), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD), (0x70F, 0x70F),
             (0x890, 0x891), (0x8E2, 0x8E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064),
             (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
             (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F))
_INVISIBLE_CLASS = "".join(chr(first) if first == last else f"{chr(first)}-{chr(last)}" for first, last in INVISIBLE)
# At least one character that is neither white space (NonEmpty strips it) nor invisible, and none invisible.
PRINTABLE_PATTERN = f"^[^{_INVISIBLE_CLASS}]*[^\\s{_INVISIBLE_CLASS}][^{_INVISIBLE_CLASS}]*$"

# A name (a unit, an indicator): one line of printable text, at most 256 characters. The pattern is for the JSON
# Schema (OpenAPI, AsyncAPI) only: _printable checks it with a message a person can read.
Name = Annotated[NonEmpty, AfterValidator(_printable), Field(json_schema_extra={"pattern": PRINTABLE_PATTERN})]
# A figure as a unit reports it: a JSON number (not a string), finite.
Figure = Annotated[float, Field(strict=True), AfterValidator(_finite)]
# A percent: bounds before the validator, so the JSON Schema (AsyncAPI, /schemas) carries them as minimum/maximum.
Percent = Annotated[float, Field(strict=True, ge=0, le=100), AfterValidator(_finite)]
# Free text (a measure's text, a narrative): bounded so an event stays far below Kafka's 1 MB record limit
# (20,000 characters are at most 80 KB in UTF-8).
LongText = Annotated[str, StringConstraints(max_length=20_000)]
# A day of a plan (a start, a deadline): within the days duban reasons about (shared/domain/calendar.py), so no
# deadline plus a grace window leaves the calendar (year 9999) and no mistyped year 0202 stands for 2022.
PlanDay = Annotated[dt.date, Field(**DAY_SPAN)]
MAX_UNITS = 500  # units one measure names (a county-wide measure names every township: a few hundred)


class Deadline(ContractModel):
    text: NonEmpty
    date: PlanDay | None = None
    recurrence: Recurrence | None = None
    ongoing: bool = Field(default=False, description="长期坚持/持续推进: on purpose without date or recurrence; "
                          "never falls due")


class Target(ContractModel):
    text: NonEmpty
    indicator: Name
    comparator: Literal[">=", "<=", "=", ">", "<"]
    value: Figure
    unit: Annotated[str, StringConstraints(max_length=64)] = ""
    kind: TargetKind | None = Field(
        default=None, description="rate and time_limit: must hold whenever reported; count and amount: accumulate "
        "towards the deadline (a trajectory). Absent (null) in events published before it existed: such a target "
        "is judged against a trajectory, as it was then, until its plan is imported again")


class Measure(ContractModel):
    measure_id: Identifier
    plan_id: Identifier
    region_code: RegionCode = Field(description="the issuing region (GB/T 2260)")
    number: Annotated[int, Field(strict=True, ge=0)] | NonEmpty
    title: NonEmpty
    text: LongText = ""
    chapter: Annotated[str, StringConstraints(max_length=256)] | None = None
    section: Annotated[str, StringConstraints(max_length=512)] | None = Field(
        default=None, description="the headings between chapter and measure, e.g. (一)依法全面履行政府职能; "
        "absent in events published before it existed")
    lead_units: list[Name] = Field(default_factory=list, max_length=MAX_UNITS, description="牵头单位")
    responsible_units: list[Name] = Field(default_factory=list, max_length=MAX_UNITS, description="责任单位")
    start_date: PlanDay | None = Field(default=None, description="when work starts; expected progress counts from here")
    deadlines: list[Deadline] = Field(default_factory=list, max_length=100)
    targets: list[Target] = Field(default_factory=list, max_length=100)


class MeasureCreated(CloudEvent[Measure]):
    type: str = field_is("measure-created")
