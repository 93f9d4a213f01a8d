"""No service reads or writes a collection another service owns, and shared/ touches none (issue 11, "Done when").

A grep-level test, on the syntax tree of every module under services/<name>/ and shared/: a collection access is
a subscript of a database-like expression (`database["measures"]`, `self.database[...]`, `tracker_database[...]`,
`client[settings.mongodb_database]["unit_mappings"]`) or a `get_collection(...)` call. Its name is a string literal,
a module constant (`database[COLLECTION]`), or a parameter of the enclosing function resolved through the calls to
that function in the same module and the parameter's default (`after_tracker("progress_reports", ...)`,
`_read(database, "assignment_progress")`).

Owners come from issue 11's design (/work/notes/design11.md) and each service's storage docstrings, with the
prefixes the design gives new collections (`alerts_…`, `reporting_…`); a name nobody declares belongs to the
service(s) that use it, so one used by two services is a violation for both.
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "tracker", "alerts", "reporting")

OWNED = {
    "intake": {"idempotency_keys"},
    "tracker": {"measures", "assignments", "registry", "unit_mappings", "progress_reports", "period_progress",
                "assignment_progress", "report_conflicts", "assignment_states"},
    "alerts": {"open_alerts", "alert_history", "notification_channels", "notifications", "alert_urges",
               "webhook_subscriptions", "webhook_deliveries"},
    "reporting": set(),
}
PREFIXES = {"alerts_": "alerts", "reporting_": "reporting", "tracker_": "tracker", "intake_": "intake"}
DATABASE_WORDS = ("database", "db")


def declared_owner(name: str) -> str | None:
    owners = [service for service, names in OWNED.items() if name in names]
    owners += [service for prefix, service in PREFIXES.items() if name.startswith(prefix)]
    return owners[0] if owners else None


def database_like(node: ast.expr) -> bool:
    """`database`, `self.database`, `tracker_database`, `db`, or a subscript of a client (`client[name]`)."""
    if isinstance(node, ast.Subscript):
        return "client" in ast.unparse(node.value).lower()
    last = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    words = last.lower().split("_")
    return any(word in DATABASE_WORDS for word in words)


class Accesses(ast.NodeVisitor):
    """(collection name, line) of every collection access in one module; None for a name it cannot resolve."""

    def __init__(self, tree: ast.Module):
        self.constants = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                          and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                          for target in node.targets if isinstance(target, ast.Name)}
        self.calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
        self.functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self.found: list[tuple[str | None, int]] = []
        self.visit(tree)

    def visit_FunctionDef(self, node) -> None:
        self.functions.append(node)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if database_like(node.value):
            self.found += [(name, node.lineno) for name in self.names(node.slice)]
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute) and node.func.attr == "get_collection" and node.args:
            self.found += [(name, node.lineno) for name in self.names(node.args[0])]
        self.generic_visit(node)

    def names(self, key: ast.expr) -> list[str | None]:
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return [key.value]
        if isinstance(key, ast.Name):
            if key.id in self.constants:
                return [self.constants[key.id]]
            for function in reversed(self.functions):
                if (resolved := self.arguments(function, key.id)) is not None:
                    return resolved
        return [None]

    def arguments(self, function, parameter: str) -> list[str | None] | None:
        """The values passed for `parameter` in this module's calls to `function` (and its default), or None when
        it is not a parameter of `function`."""
        positional = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
        keyword_only = [a.arg for a in function.args.kwonlyargs]
        if parameter not in positional + keyword_only:
            return None
        values: list[ast.expr | None] = []
        if parameter in positional:
            index = positional.index(parameter)
            defaults = function.args.defaults
            if index >= len(positional) - len(defaults):
                values.append(defaults[index - (len(positional) - len(defaults))])
        else:
            values.append(function.args.kw_defaults[keyword_only.index(parameter)])
        for call in self.calls:
            called = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
            if called != function.name:
                continue
            offset = 1 if positional[:1] in (["self"], ["cls"]) and isinstance(call.func, ast.Attribute) else 0
            if parameter in positional and len(call.args) > positional.index(parameter) - offset >= 0:
                values.append(call.args[positional.index(parameter) - offset])
            values += [k.value for k in call.keywords if k.arg == parameter]
        return [value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
                for value in values if value is not None] or [None]


def accesses_of(part: str) -> list[tuple[str | None, str]]:
    """(collection name or None, "path:line") of every access in services/<part>/ (or shared/ for "shared")."""
    directory = ROOT / ("shared" if part == "shared" else f"services/{part}")
    found = []
    for path in sorted(directory.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        found += [(name, f"{path.relative_to(ROOT)}:{line}") for name, line in Accesses(tree).found]
    return found


ACCESSES = {part: accesses_of(part) for part in (*SERVICES, "shared")}


def owners(name: str) -> set[str]:
    """The declared owner, or else every service that uses the name."""
    if owner := declared_owner(name):
        return {owner}
    return {service for service in SERVICES if any(found == name for found, _ in ACCESSES[service])}


def foreign_accesses(part: str) -> list[str]:
    return [f"{where} {name}" + ("" if name is None else f" (owned by {', '.join(sorted(owners(name)))})")
            for name, where in ACCESSES[part]
            if name is None or part == "shared" or owners(name) != {part}]


# Today's main (a08917e): reporting reads the tracker's and alerts' collections (services/reporting/storage.py);
# alerts polls the tracker's progress_reports and measures (entrypoints/subscribers.py); shared/state.py reads the
# tracker's measures, assignments, assignment_progress and registry. The branches i11-reporting, i11-alerts and
# i11-tracker remove them: flip each mark when its branch is merged (strict: an unexpected pass fails).
PENDING = {
    "alerts": "alerts reads the tracker's collections until i11-alerts is merged",
    "reporting": "reporting reads the tracker's and alerts' collections until i11-reporting is merged",
    "shared": "shared/state.py reads the tracker's collections until i11-tracker moves it into the tracker",
}


@pytest.mark.parametrize("part", [
    pytest.param(part, marks=pytest.mark.xfail(strict=True, reason=PENDING[part])) if part in PENDING else part
    for part in (*SERVICES, "shared")])
def test_no_service_touches_a_collection_it_does_not_own(part):
    assert foreign_accesses(part) == []


@pytest.mark.parametrize("service", SERVICES)
def test_the_scan_finds_each_service_using_its_own_collections(service):
    """Guards the test above against a scan that finds nothing (a renamed `database` variable, say)."""
    assert {name for name, _ in ACCESSES[service] if name and owners(name) == {service}}


def test_the_scan_resolves_literals_constants_parameters_and_client_subscripts():
    source = '''
NAME = "constant_one"
def read(database, which="default_one"):
    return database[which]
async def go(self, client, settings):
    read(self.database, "passed_one")
    read(self.database, which="keyword_one")
    client[settings.mongodb_database]["client_one"]
    self.tracker_database[NAME]
    self.db.get_collection("method_one")
    settings_values["mongodb_database"]
'''
    found = {name for name, _ in Accesses(ast.parse(source)).found}
    assert found == {"default_one", "passed_one", "keyword_one", "client_one", "constant_one", "method_one"}
    by_owner = defaultdict(list)
    for name in ("alerts_registry", "reporting_facts", "measures", "idempotency_keys"):
        by_owner[declared_owner(name)].append(name)
    assert dict(by_owner) == {"alerts": ["alerts_registry"], "reporting": ["reporting_facts"],
                              "tracker": ["measures"], "intake": ["idempotency_keys"]}
