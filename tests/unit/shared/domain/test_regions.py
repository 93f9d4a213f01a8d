import pytest

from shared.domain.regions import within


@pytest.mark.parametrize(
    ("region", "ancestor", "expected"),
    [
        ("361002", "361000", True),  # 临川区 under 抚州市
        ("361002001", "361000", True),  # a township of 临川区 under 抚州市
        ("361002001", "361002", True),
        ("361003001", "361002", False),  # 东乡区's township is not 临川区's
        ("360100", "361000", False),  # 南昌市 is not under 抚州市
        ("361000", "361000", True),  # a region counts itself
        ("361002", "360000", True),  # under 江西省
    ],
)
def test_within(region, ancestor, expected):
    assert within(region, ancestor) is expected
