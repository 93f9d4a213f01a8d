"""GB/T 2260 region codes: which codes lie under which (city 361000 holds 3610xx and their townships)."""


def descendant_prefix(region_code: str) -> str:
    """The code prefix shared by a region and everything below it."""
    if len(region_code) == 9:  # a township: nothing below it
        return region_code
    if region_code.endswith("0000"):  # a province
        return region_code[:2]
    if region_code.endswith("00"):  # a prefecture-level city
        return region_code[:4]
    return region_code  # a county or district: its townships extend the six digits


def within(region_code: str, ancestor_code: str) -> bool:
    return region_code.startswith(descendant_prefix(ancestor_code))
