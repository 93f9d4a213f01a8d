"""The region hierarchy as reporting walks it: which child of a region a GB/T 2260 code falls in.

GB/T 2260 codes nest by prefix (a city 361000 holds 3610xx, a county 361002 holds 361002xxx), and the
registry requires a township to extend its county's code, so the child a code lies in is read off the
code itself. That makes the split of a region's assignments into "each child" and "its own units" a
partition: every code is either the region's own or under exactly one child, registry or not.
"""

from shared.domain.regions import within


def child_of(parent_code: str, code: str) -> str | None:
    """The child region of `parent_code` holding `code`; None for the parent's own code or one outside it."""
    if code == parent_code or len(parent_code) == 9 or not within(code, parent_code):
        return None
    if parent_code.endswith("0000"):  # a province: its cities and the counties it administers directly
        child = code[:4] + "00"
    elif parent_code.endswith("00"):  # a prefecture-level city: its counties, districts and zones
        child = code[:6]
    else:  # a county or district: its townships
        child = code
    return None if child == parent_code else child
