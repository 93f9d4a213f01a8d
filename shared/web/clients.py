"""Who may publish and act, and for which regions.

A client is a system or an office using the platform: a district's government-service system, the city office's
tools. Each has a bearer token and a region. It acts for that region and everything below it (shared/domain/regions.py):
临川区's system may report for 临川区's units and its townships' units, not for 东乡区's; the city's may act for all.

The clients file (DUBAN_CLIENTS_FILE, YAML) lists them with the SHA-256 of their tokens, never the tokens
themselves, so a copy of the file gives no token away. `duban intake client` makes a token and its entry.
Without a clients file everything is open to anyone who can reach it (local runs, tests); intake's health check
says which. How the routes check a caller: shared/web/authentication.py.
"""

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, Field, ValidationError

from shared.contracts.measures import RegionCode
from shared.domain.regions import within


@dataclass(frozen=True)
class Client:
    client_id: str
    name: str
    region_code: str

    def may_act_for(self, region_code: str) -> bool:
        return within(region_code, self.region_code)


class ClientEntry(BaseModel):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", description="used in events' source")]
    name: Annotated[str, Field(min_length=1)]
    region_code: RegionCode
    token_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class ClientsFile(BaseModel):
    clients: list[ClientEntry]


class ClientsFileError(ValueError):
    pass


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Clients:
    def __init__(self, entries: list[ClientEntry]):
        self.by_token_hash = {e.token_sha256: Client(e.id, e.name, e.region_code) for e in entries}

    @classmethod
    def load(cls, path: str | Path) -> "Clients":
        try:
            listed = ClientsFile.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {})
        except ValidationError as error:
            # Without the values: a token pasted where its hash belongs must not reach the log.
            problems = "; ".join(f"{'.'.join(map(str, item['loc']))}: {item['msg']}"
                                 for item in error.errors(include_input=False, include_url=False))
            raise ClientsFileError(f"clients file {path}: {problems}") from None
        except (OSError, yaml.YAMLError) as error:
            raise ClientsFileError(f"clients file {path}: {error}") from error
        ids = [entry.id for entry in listed.clients]
        if len(set(ids)) != len(ids) or len({e.token_sha256 for e in listed.clients}) != len(ids):
            raise ClientsFileError(f"clients file {path}: client ids and tokens must be unique")
        return cls(listed.clients)

    def identify(self, token: str) -> Client | None:
        return self.by_token_hash.get(token_hash(token))
