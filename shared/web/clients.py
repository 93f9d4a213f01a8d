"""Who may call the services, in which roles, and for which regions: the credentials file.

A credential (a "client" in the file) is a system or a person: a district's government-service system, a county
office's planner, the city office's administrator. Each has a bearer token, a region and one or more roles. It acts
for that region and everything below it (shared/domain/regions.py): 临川区's credentials reach 临川区 and its
townships, not 东乡区 nor the city; the city's reach all. The roles (which routes each opens: README, "Roles"):

- `reporter`: progress reports, ledgers and supervision-loop steps for units in scope;
- `planner`: plans, measures, the registry and unit mappings at its level; acknowledging, urging and sweeping alerts;
- `viewer`: reports, alerts, the dashboard and exports in scope;
- `admin`: credentials, webhook subscriptions, channels, the audit trail and the operations page in scope; an admin
  holds every other role within its scope too.

The file (DUBAN_CLIENTS_FILE, YAML) holds the SHA-256 of each token, never the token: a token is 32 random bytes
(256 bits), so a fast hash is as safe as a slow one (bcrypt and argon2 guard guessable passwords, not random keys)
and checking one costs microseconds on every request. `duban keys create | list | revoke` (cli/keys.py) write it;
`duban intake client` prints an entry to paste. An entry without `roles` (as written before roles existed) keeps
what it could do then: every role in its region (`admin`). An entry may carry `expires_at` and `revoked_at`; a
token past either is refused like an unknown one.

A credential is also who an event came from (`Clients.publisher`): intake names the client it published for in the
event's CloudEvents `source` (`<intake's source>/clients/<id>`, client_source), and a system that publishes straight
to Kafka is listed with the sources it publishes under (`kafka_sources`). The services reading such events hold them
to the credential's region and roles (shared/web/producers.py).

Every service loads the same file and reads it again when it changes (checked at most every RELOAD_SECONDS), so
a revocation reaches every process within that delay of the file being written. Without a clients file everything
is open to anyone who can reach it (local runs, tests); intake's health check says which. How the routes check a
caller: shared/web/authentication.py.
"""

import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import structlog
import yaml
from pydantic import AwareDatetime, BaseModel, Field, ValidationError

from shared.contracts.measures import RegionCode
from shared.domain.regions import within

RELOAD_SECONDS = 1.0
CLIENT_SOURCES = "/clients/"  # intake's source for what it publishes for a client: <its source>/clients/<id>
# The ids of the credentials an identity provider's tokens make (shared/web/oidc.py): never a file's (no colon there).
OIDC_IDS = "oidc:"
log = structlog.get_logger()


class Role(StrEnum):
    reporter = "reporter"
    planner = "planner"
    viewer = "viewer"
    admin = "admin"


@dataclass(frozen=True)
class Client:
    client_id: str
    name: str
    region_code: str
    roles: frozenset[Role] = frozenset({Role.admin})
    # The identity provider's `sub` of a person or system signed in by OIDC (shared/web/oidc.py); None for a key.
    subject: str | None = None

    def may_act_for(self, region_code: str) -> bool:
        return within(region_code, self.region_code)

    def holds(self, role: Role) -> bool:
        """Whether the credential has the role (an admin has every role)."""
        return role in self.roles or Role.admin in self.roles


# A CloudEvents `source` (a URI-reference) a system publishes under straight to Kafka.
KafkaSource = Annotated[str, Field(min_length=1, max_length=512, pattern=r"^\S+$")]


class ClientEntry(BaseModel):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", description="used in events' source")]
    name: Annotated[str, Field(min_length=1, max_length=256)]
    region_code: RegionCode
    token_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    roles: Annotated[list[Role], Field(min_length=1, description="default: admin (entries from before roles)")] = [
        Role.admin]
    created_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None
    revoked_at: AwareDatetime | None = None
    kafka_sources: Annotated[list[KafkaSource] | None, Field(
        description="the CloudEvents sources its system publishes under straight to Kafka")] = None

    def valid_at(self, moment: datetime) -> bool:
        return all(limit is None or moment < limit for limit in (self.expires_at, self.revoked_at))

    def client(self) -> Client:
        return Client(self.id, self.name, self.region_code, frozenset(self.roles))


class ClientsFile(BaseModel):
    clients: list[ClientEntry]


class ClientsFileError(ValueError):
    pass


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def read_entries(path: str | Path) -> list[ClientEntry]:
    """The file's entries; ClientsFileError naming what is wrong (never a value: a token pasted where its hash
    belongs must not reach the log), for duplicated ids or tokens too. A missing file at `path` is an error."""
    try:
        listed = ClientsFile.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {})
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, item['loc']))}: {item['msg']}"
                             for item in error.errors(include_input=False, include_url=False))
        raise ClientsFileError(f"clients file {path}: {problems}") from None
    except (OSError, yaml.YAMLError) as error:
        raise ClientsFileError(f"clients file {path}: {error}") from error
    if conflict := conflicts(listed.clients):
        raise ClientsFileError(f"clients file {path}: {conflict}")
    return listed.clients


def conflicts(entries: list[ClientEntry]) -> str | None:
    """What makes entries ambiguous together: an id, a token or a Kafka source given twice; None when none is."""
    ids = [entry.id for entry in entries]
    if len(set(ids)) != len(ids) or len({e.token_sha256 for e in entries}) != len(ids):
        return "client ids and tokens must be unique"
    sources = [source for entry in entries for source in entry.kafka_sources or ()]
    if len(set(sources)) != len(sources):  # one source, two credentials: which scope would hold?
        return "a Kafka source may name one credential only"
    return None


def client_source(intake_source: str, client_id: str) -> str:
    """The `source` of the events intake publishes for a client: its own, naming the client."""
    return f"{intake_source}{CLIENT_SOURCES}{client_id}"


def write_entries(path: str | Path, entries: list[ClientEntry]) -> None:
    """Replaces the file at once (a temporary file renamed over it), so a service never reads half of it."""
    path = Path(path)
    document = {"clients": [entry.model_dump(mode="json", exclude_none=True) for entry in entries]}
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    os.chmod(temporary, 0o600)
    temporary.replace(path)


class Clients:
    """The credentials of a clients file, found by token; `Clients.load(path)` follows the file's changes."""

    def __init__(self, entries: list[ClientEntry], path: str | Path | None = None):
        self.path = path
        self.know(entries)
        self.signature = self.file_signature()
        self.checked = time.monotonic()

    def know(self, entries: list[ClientEntry]) -> None:
        self.by_token_hash = {e.token_sha256: e for e in entries}
        self.by_id = {e.id: e for e in entries}
        self.by_source = {source: e for e in entries for source in e.kafka_sources or ()}

    @classmethod
    def load(cls, path: str | Path) -> "Clients":
        """The file's credentials; ClientsFileError when it cannot be read (which stops a service's start)."""
        return cls(read_entries(path), path)

    def file_signature(self) -> tuple | None:
        if self.path is None:
            return None
        with_stat = os.stat(self.path) if os.path.exists(self.path) else None
        return with_stat and (with_stat.st_mtime_ns, with_stat.st_size, with_stat.st_ino)

    def follow(self) -> None:
        """Reads the file again if it changed since; a file that became unreadable keeps the last credentials
        (a half-edited file must not open or close the service) and is read again at the next check."""
        if self.path is None or time.monotonic() - self.checked < RELOAD_SECONDS:
            return
        self.checked = time.monotonic()
        if (signature := self.file_signature()) != self.signature:
            try:
                self.know(read_entries(self.path))
                self.signature = signature
            except ClientsFileError as error:
                log.warning("clients file unreadable; the last credentials read stay in force", reason=str(error))

    def identify(self, token: str) -> Client | None:
        """The credential of a token, None for an unknown, expired or revoked one."""
        self.follow()
        entry = self.by_token_hash.get(token_hash(token))
        return entry.client() if entry is not None and entry.valid_at(datetime.now(UTC)) else None

    def publisher(self, source: str, intake_source: str) -> ClientEntry | None:
        """The credential an event's CloudEvents `source` names: the client of `<intake_source>/clients/<id>`
        (intake authorised it), else the one listing the source in its `kafka_sources`; None for any other source.
        Whether it was valid at the event's time is the caller's to judge (ClientEntry.valid_at)."""
        self.follow()
        client_prefix = f"{intake_source}{CLIENT_SOURCES}"
        if source.startswith(client_prefix):
            return self.by_id.get(source.removeprefix(client_prefix))
        return self.by_source.get(source)
