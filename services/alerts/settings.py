from shared.settings import ServiceSettings


class AlertsSettings(ServiceSettings):
    pass
