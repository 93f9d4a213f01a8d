"""What alerts' routes depend on, declared once as Annotated aliases; main.py puts each on `app.state`."""

from typing import Annotated

from fastapi import Depends, Request

from services.alerts.domain.rules import RulesBook
from services.alerts.notifications.secrets import Sealer
from services.alerts.storage.inputs import Inputs
from services.alerts.storage.notifications import NotificationStore
from services.alerts.storage.repository import AlertStore
from services.alerts.storage.webhooks import WebhookStore
from services.alerts.usecases.evaluate import AlertsService
from services.alerts.usecases.urges import Urging
from shared.destinations import DestinationPolicy
from shared.secrets import SecretBox


def from_state(name: str):
    def dependency(request: Request):
        return getattr(request.app.state, name)
    return Depends(dependency)


InputsDep = Annotated[Inputs, from_state("inputs")]
AlertStoreDep = Annotated[AlertStore, from_state("alert_store")]
RulesDep = Annotated[RulesBook, from_state("alert_rules")]
ServiceDep = Annotated[AlertsService, from_state("alerts_service")]
WebhookStoreDep = Annotated[WebhookStore, from_state("webhook_store")]
NotificationStoreDep = Annotated[NotificationStore, from_state("notification_store")]
UrgingDep = Annotated[Urging, from_state("urging")]
SealerDep = Annotated[Sealer, from_state("sealer")]
SecretBoxDep = Annotated[SecretBox, from_state("secret_box")]
DestinationsDep = Annotated[DestinationPolicy, from_state("destinations")]
