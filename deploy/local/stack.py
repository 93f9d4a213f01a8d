"""The local stack: Kafka (KRaft, Apache's jars on the JDK), SecantusDB (MongoDB wire), the four services.

Everything it starts is recorded in <state dir>/stack.json, so `stop` ends exactly those processes, and a
new start first ends what a previous run left behind. Data lives under the state dir and survives restarts.
"""

import asyncio
import base64
import json
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from deploy.local.install import DEPLOY, Installation, install
from deploy.local.processes import ManagedProcess, free_port, port_open, start_process, wait_until

PROJECT = DEPLOY.parent
SERVICES = {"intake": 8000, "tracker": 8001, "alerts": 8002, "reporting": 8003}


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap_servers: str
    mongodb_url: str
    # The services' SCRAM-SHA-512 user when Kafka runs with SASL (DUBAN_LOCAL_KAFKA_SASL).
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = None

    def environment(self, **settings: str) -> dict[str, str]:
        """DUBAN_* variables pointing a service at this infrastructure, plus any other settings."""
        sasl = {"kafka_sasl_username": self.kafka_sasl_username, "kafka_sasl_password": self.kafka_sasl_password}
        values = {"kafka_bootstrap_servers": self.kafka_bootstrap_servers, "mongodb_url": self.mongodb_url,
                  **(sasl if self.kafka_sasl_username else {}), **settings}
        return {f"DUBAN_{name.upper()}": value for name, value in values.items()}

    def kafka_options(self) -> dict[str, str]:
        """An aiokafka client's connection options for this Kafka."""
        if self.kafka_sasl_username is None:
            return {"bootstrap_servers": self.kafka_bootstrap_servers}
        return {"bootstrap_servers": self.kafka_bootstrap_servers, "security_protocol": "SASL_PLAINTEXT",
                "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": self.kafka_sasl_username,
                "sasl_plain_password": self.kafka_sasl_password}


def sasl_wanted() -> bool:
    """DUBAN_LOCAL_KAFKA_SASL=1 (or true, yes): the local Kafka that `duban stack up` (`make run`) starts requires
    SASL/SCRAM-SHA-512, and the services it starts authenticate. The test session's stack stays plain."""
    return os.environ.get("DUBAN_LOCAL_KAFKA_SASL", "").strip().lower() in ("1", "true", "yes")


def kafka_properties(port: int, controller_port: int, data_dir: Path, admin_password: str | None = None) -> str:
    """The single-node broker's configuration; with an admin password, one SASL_PLAINTEXT listener (SCRAM-SHA-512)."""
    template = (DEPLOY / "kafka" / "server.properties").read_text()
    config = template.format(port=port, controller_port=controller_port, data_dir=data_dir,
                             protocol="SASL_PLAINTEXT" if admin_password else "PLAINTEXT")
    if admin_password:
        config += (DEPLOY / "kafka" / "sasl.properties").read_text().format(admin_password=admin_password)
    return config


class LocalStack:
    def __init__(self, state_dir: Path, *, default_ports: bool = True, tie_to_parent: bool = False,
                 kafka_sasl: bool | None = None):
        self.state_dir = state_dir
        self.kafka_sasl = sasl_wanted() if kafka_sasl is None else kafka_sasl
        self.default_ports = default_ports
        self.tie_to_parent = tie_to_parent
        self.record_path = state_dir / "stack.json"
        self.timings: dict[str, float] = {}

    # --- the record of what runs -------------------------------------------------------------------
    def record(self) -> dict:
        return json.loads(self.record_path.read_text()) if self.record_path.exists() else {}

    def remember(self, name: str, process: ManagedProcess, **details) -> None:
        record = self.record()
        record[name] = {"pid": process.pid, "started": process.started, "log": str(process.log), **details}
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.record_path.write_text(json.dumps(record, indent=2))

    def processes(self) -> dict[str, ManagedProcess]:
        return {
            name: ManagedProcess(name, entry["pid"], entry["started"], Path(entry["log"]))
            for name, entry in self.record().items()
        }

    def stop(self) -> list[str]:
        """Stops services first, then the infrastructure they depend on."""
        stopped = []
        for name, process in reversed(list(self.processes().items())):
            if process.alive():
                process.stop()
                stopped.append(name)
        self.record_path.unlink(missing_ok=True)
        return stopped

    def port(self, default: int) -> int:
        return free_port(default if self.default_ports else 0)

    # --- infrastructure ----------------------------------------------------------------------------
    def start_infrastructure(self, installation: Installation | None = None) -> Endpoints:
        self.stop()
        installation = installation or install()
        kafka = self.start_kafka(installation)
        database = self.start_database(installation)
        return Endpoints(kafka.kafka_bootstrap_servers, database, kafka.kafka_sasl_username, kafka.kafka_sasl_password)

    def kafka_users(self, data_dir: Path) -> dict[str, str]:
        """The SCRAM users' passwords (`admin` for the broker itself, `duban` for the services), made when the
        storage is first formatted and kept beside it (owner-only), since formatting is what creates them."""
        path = self.state_dir / "kafka" / "sasl.json"
        if path.exists():
            return json.loads(path.read_text())
        if (data_dir / "meta.properties").exists():
            raise RuntimeError(f"Kafka's storage in {data_dir} was formatted without SASL users: remove it (its data "
                               "goes too) or run without DUBAN_LOCAL_KAFKA_SASL")
        users = {name: secrets.token_urlsafe(24) for name in ("admin", "duban")}
        path.write_text(json.dumps(users))
        path.chmod(0o600)
        return users

    def start_kafka(self, installation: Installation, port: int | None = None,
                    controller_port: int | None = None) -> Endpoints:
        """Kafka, ready; its bootstrap servers (and the services' SCRAM user with SASL), the database left empty.
        Given ports restart it where it was (its data is kept in the state dir)."""
        port, controller_port = port or self.port(9092), controller_port or self.port(9093)
        data_dir = self.state_dir / "kafka" / "data"
        config = self.state_dir / "kafka" / "server.properties"
        config.parent.mkdir(parents=True, exist_ok=True)
        users = self.kafka_users(data_dir) if self.kafka_sasl else {}
        config.write_text(kafka_properties(port, controller_port, data_dir, users.get("admin")))
        java = [
            installation.java, "-Xms256m", "-Xmx768m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={DEPLOY / 'kafka' / 'log4j2.properties'}",
            "-cp", f"{installation.kafka_libs}/*",
        ]
        if not (data_dir / "meta.properties").exists():
            format_kafka_storage(java, config, base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="),
                                 users)
        process = start_process("kafka", [*java, "kafka.Kafka", str(config)],
                                log=self.state_dir / "logs" / "kafka.log", tie_to_parent=self.tie_to_parent)
        self.remember("kafka", process, port=port, controller_port=controller_port, sasl=self.kafka_sasl)
        kafka = Endpoints(f"127.0.0.1:{port}", "", *(("duban", users["duban"]) if users else ()))
        self.timings["kafka"] = wait_until(process, lambda: port_open(port) and kafka_answers(kafka.kafka_options()),
                                           timeout=120, what="answering metadata requests")
        return kafka

    def start_database(self, installation: Installation, port: int | None = None) -> str:
        port = port or self.port(27017)
        data_dir = self.state_dir / "database"
        process = start_process(
            "database",
            [str(installation.database_python), "-c", "import sys; from secantus.cli import main; sys.exit(main())",
             "--host", "127.0.0.1", f"--port={port}", f"--storage-path={data_dir}", "--log-level=WARNING",
             "--cache-size=256M"],
            log=self.state_dir / "logs" / "database.log", tie_to_parent=self.tie_to_parent,
        )
        self.remember("database", process, port=port)
        # Retryable writes are recorded server-side and slow SecantusDB after ~10,000 of them; a single
        # local server gains nothing from them (deploy/README.md).
        url = f"mongodb://127.0.0.1:{port}/?retryWrites=false"
        self.timings["database"] = wait_until(process, lambda: port_open(port) and database_answers(url),
                                              timeout=60, what="answering ping")
        return url

    # --- services ----------------------------------------------------------------------------------
    def start_services(self, endpoints: Endpoints, own: dict[str, dict[str, str]] | None = None,
                       **settings: str) -> dict[str, str]:
        """The four services with these settings, each also with its `own` ones (e.g. its own database name)."""
        own = own or {}
        started: dict[str, tuple[ManagedProcess, str]] = {}
        for name in ("tracker", "intake", "alerts"):
            # intake asks the tracker (loop steps, ledger templates) on whichever port it got.
            asks = {"tracker_url": started["tracker"][1]} if name == "intake" else {}
            started[name] = self.start_service(name, endpoints, **{**asks, **settings, **own.get(name, {})})
        # reporting's operations page (运行监控) reads the others' /metrics, on whichever ports they got.
        targets = json.dumps({name: url for name, (_, url) in started.items()})
        started["reporting"] = self.start_service("reporting", endpoints, **{**settings, **own.get("reporting", {})},
                                                  metrics_targets=targets, evidence_url=started["intake"][1])
        for name, (process, url) in started.items():
            self.timings[name] = self.wait_healthy(process, url)
        return {name: url for name, (_, url) in started.items()}

    def start_service(self, name: str, endpoints: Endpoints, **settings: str) -> tuple[ManagedProcess, str]:
        port = self.port(SERVICES[name])
        process = start_process(
            name,
            [sys.executable, "-m", "uvicorn", "--factory", f"services.{name}.main:create_app",
             "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
            log=self.state_dir / "logs" / f"{name}.log", env=endpoints.environment(**settings),
            cwd=PROJECT, tie_to_parent=self.tie_to_parent,
        )
        self.remember(name, process, port=port)
        return process, f"http://127.0.0.1:{port}"

    @staticmethod
    def wait_healthy(process: ManagedProcess, url: str) -> float:
        return wait_until(process, lambda: service_healthy(url), timeout=120, what="healthy")


def answers(probe: Callable[[], Awaitable[object]]) -> bool:
    """Whether a server answers a probe now; any failure just means "not yet"."""

    async def attempt() -> bool:
        try:
            await probe()
            return True
        except Exception:
            return False

    return asyncio.run(attempt())


def kafka_answers(options: dict[str, str]) -> bool:
    async def list_topics() -> None:
        admin = AIOKafkaAdminClient(**options, request_timeout_ms=3000)
        try:
            await admin.start()
            await admin.list_topics()
        finally:
            await admin.close()

    return answers(list_topics)


def database_answers(url: str) -> bool:
    async def ping() -> None:
        client = AsyncMongoClient(url, serverSelectionTimeoutMS=1000)
        try:
            await client.admin.command("ping")
        finally:
            await client.close()

    return answers(ping)


def service_healthy(url: str) -> bool:
    """Whether the service is ready (shared/web/health.py: 200 from /readyz once Kafka, the database and its consumers
    are)."""
    try:
        return httpx.get(f"{url}/readyz", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


def describe(stack: LocalStack) -> dict:
    """What runs: each process's record, whether it is alive, and for a service whether its /readyz says ready."""
    processes = stack.processes()
    return {name: {**entry, "alive": processes[name].alive(),
                   **({"ready": service_healthy(f"http://127.0.0.1:{entry['port']}")} if name in SERVICES else {})}
            for name, entry in stack.record().items()}



def format_kafka_storage(java: list[str], config: Path, cluster_id: str,
                         scram_users: dict[str, str] | None = None) -> None:
    """Formats a KRaft node's log directory for a new cluster, with SCRAM-SHA-512 users (name → password) in its
    first metadata (`--add-scram`: the only way to have them before a SASL-only broker can be reached). The id is
    passed as `--cluster-id=ID`: a random id starts with "-" once in 64 times, and `-t ID` would then be read as an
    option."""
    scram = [argument for name, password in (scram_users or {}).items()
             for argument in ("--add-scram", f"SCRAM-SHA-512=[name={name},password={password}]")]
    formatted = subprocess.run([*java, "kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id}",
                                "-c", str(config), *scram], capture_output=True, text=True)
    if formatted.returncode:
        raise RuntimeError(f"formatting Kafka's storage failed: {(formatted.stderr or formatted.stdout).strip()}")
