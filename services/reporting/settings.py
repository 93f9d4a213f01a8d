from shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    # The region the dashboard opens on (抚州市 in the demo city).
    home_region_code: str = "361000"
