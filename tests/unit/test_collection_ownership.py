"""No service reads or writes a collection another service owns, and shared/ touches none (issue 11, "Done when").

A grep-level test, on the syntax tree of every module under services/<name>/ and shared/: a collection access is
a subscript of a database-like expression (`database["measures"]`, `self.database[...]`, `tracker_database[...]`,
`client[settings.mongodb_database]["unit_mappings"]`) or a `get_collection(...)` call. Its name is a string literal,
a module constant (`database[COLLECTION]`, a tuple of names looped over), `PREFIX + name` or an f-string of
those, a loop target over literal tuples, or a
parameter of the enclosing function resolved through the calls to that function anywhere in the same service and
the parameter's default (`after_tracker("progress_reports", ...)`, `_read(database, "assignment_progress")`). A name
it cannot resolve counts as a violation: make it resolvable rather than hide an access.

Owners come from issue 11's design (/work/notes/design11.md) and each service's storage docstrings, with the
prefixes the design gives new collections (`alerts_…`, `reporting_…`); a name nobody declares belongs to the
service(s) that use it, so one used by two services is a violation for both.
"""

import ast
from collections import defaultdict
from itertools import product
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


def strings(node: ast.expr | None) -> list[str] | None:
    """The string, or the strings of a tuple, list or set of them; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        found = [strings(element) for element in node.elts]
        return None if None in found else [value for values in found for value in values]
    return None


class Names:
    """What a name may hold, over one service's (or shared/'s) modules: module constants (a string, or a tuple of
    them, under the name they are imported by too), loop and comprehension targets over those or over literal
    tuples (`for collection, key in (("period_progress", ...), ...)`), and a function parameter's values in the
    calls to the function anywhere in the part."""

    def __init__(self, trees: list[ast.Module]):
        self.values: dict[str, set[str]] = defaultdict(set)
        self.functions: dict[str, list] = defaultdict(list)
        self.calls: dict[str, list[ast.Call]] = defaultdict(list)
        loops = []
        for tree in trees:
            for node in tree.body:
                if isinstance(node, ast.Assign) and (found := strings(node.value)) is not None:
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            self.values[target.id] |= set(found)
            for node in ast.walk(tree):
                if isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                    loops.append((node.target, node.iter))
                elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    self.functions[node.name].append(node)
                elif isinstance(node, ast.Call):
                    called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
                    self.calls[called].append(node)
        for target, iterable in loops:
            for name, found in self.loop_values(target, iterable):
                self.values[name] |= found

    def loop_values(self, target: ast.expr, iterable: ast.expr):
        if isinstance(target, ast.Name):
            if isinstance(iterable, ast.Name) and iterable.id in self.values:
                yield target.id, self.values[iterable.id]
            elif (found := strings(iterable)) is not None:
                yield target.id, set(found)
        elif isinstance(target, ast.Tuple) and isinstance(iterable, ast.Tuple | ast.List):
            for index, element in enumerate(target.elts):
                if isinstance(element, ast.Name):
                    found = [strings(item.elts[index]) if isinstance(item, ast.Tuple) and len(item.elts) > index
                             else None for item in iterable.elts]
                    if None not in found:
                        yield element.id, {value for values in found for value in values}

    def of(self, key: ast.expr, scopes: list, seen: frozenset = frozenset()) -> list[str | None]:
        if (found := strings(key)) is not None:
            return found
        if isinstance(key, ast.BinOp) and isinstance(key.op, ast.Add):  # PREFIX + name
            return [None if None in (left, right) else left + right
                    for left in self.of(key.left, scopes, seen) for right in self.of(key.right, scopes, seen)]
        if isinstance(key, ast.JoinedStr):  # f"{PREFIX}{name}"
            parts = [[part.value] if isinstance(part, ast.Constant) else self.of(part.value, scopes, seen)
                     for part in key.values]
            return [None if None in combination else "".join(combination) for combination in product(*parts)]
        if isinstance(key, ast.Name):
            for function in reversed(scopes):
                if (passed := self.arguments(function, key.id, seen)) is not None:
                    return passed
            if key.id in self.values:
                return sorted(self.values[key.id])
        return [None]

    def arguments(self, function, parameter: str, seen: frozenset) -> list[str | None] | None:
        """The values passed for `parameter` in the part's calls to `function` (and its default), or None when
        it is not a parameter of `function`."""
        positional = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
        keyword_only = [a.arg for a in function.args.kwonlyargs]
        if parameter not in positional + keyword_only or (function.name, parameter) in seen:
            return None if parameter not in positional + keyword_only else []
        values: list[ast.expr] = []
        if parameter in positional:
            index = positional.index(parameter)
            defaults = function.args.defaults
            if index >= len(positional) - len(defaults):
                values.append(defaults[index - (len(positional) - len(defaults))])
        elif (default := function.args.kw_defaults[keyword_only.index(parameter)]) is not None:
            values.append(default)
        for call in self.calls[function.name]:
            offset = 1 if positional[:1] in (["self"], ["cls"]) and isinstance(call.func, ast.Attribute) else 0
            if parameter in positional and len(call.args) > positional.index(parameter) - offset >= 0:
                values.append(call.args[positional.index(parameter) - offset])
            values += [k.value for k in call.keywords if k.arg == parameter]
        seen = seen | {(function.name, parameter)}
        return [name for value in values for name in self.of(value, [], seen)] or [None]


class Accesses(ast.NodeVisitor):
    """(collection name, line) of every collection access in one module; None for a name it cannot resolve."""

    def __init__(self, tree: ast.Module, names: Names):
        self.names = names
        self.scopes: list = []
        self.found: list[tuple[str | None, int]] = []
        self.visit(tree)

    def visit_FunctionDef(self, node) -> None:
        self.scopes.append(node)
        self.generic_visit(node)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if database_like(node.value):
            self.found += [(name, node.lineno) for name in self.names.of(node.slice, self.scopes)]
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute) and node.func.attr == "get_collection" and node.args:
            self.found += [(name, node.lineno) for name in self.names.of(node.args[0], self.scopes)]
        self.generic_visit(node)


def accesses_in(sources: dict[str, str]) -> list[tuple[str | None, str]]:
    """(collection name or None, "path:line") of every access in these modules (path -> source)."""
    trees = {path: ast.parse(source, filename=path) for path, source in sources.items()}
    names = Names(list(trees.values()))
    return [(name, f"{path}:{line}") for path, tree in trees.items() for name, line in Accesses(tree, names).found]


def accesses_of(part: str) -> list[tuple[str | None, str]]:
    """Every access in services/<part>/ (or shared/ for "shared")."""
    directory = ROOT / ("shared" if part == "shared" else f"services/{part}")
    return accesses_in({str(path.relative_to(ROOT)): path.read_text() for path in sorted(directory.rglob("*.py"))})


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


# Main before issue 11 (a08917e) failed alerts (it polled the tracker's progress_reports), reporting (five of the
# tracker's collections and the alerts' open_alerts and alert_history) and shared (shared/state.py).
@pytest.mark.parametrize("part", [*SERVICES, "shared"])
def test_no_service_touches_a_collection_it_does_not_own(part):
    assert foreign_accesses(part) == []


@pytest.mark.parametrize("service", SERVICES)
def test_the_scan_finds_each_service_using_its_own_collections(service):
    """Guards the test above against a scan that finds nothing (a renamed `database` variable, say)."""
    assert {name for name, _ in ACCESSES[service] if name and owners(name) == {service}}


def test_the_scan_resolves_literals_constants_loops_parameters_and_client_subscripts():
    sources = {"storage.py": '''
NAME = "constant_one"
PAIR = ("tuple_one", "tuple_two")
def read(database, which="default_one"):
    return database[which]
async def go(self, client, settings):
    read(self.database, "passed_one")
    read(self.database, which="keyword_one")
    client[settings.mongodb_database]["client_one"]
    self.tracker_database[NAME]
    self.db.get_collection("method_one")
    settings_values["mongodb_database"]
    for collection, key in (("unpacked_one", 1), ("unpacked_two", 2)):
        self.database[collection]
    {name: self.database[name] for name in PAIR}
    self.database[NAME + "_joined"], self.database[f"{NAME}_formatted"]
''', "usecases.py": '''
from storage import read
def elsewhere(database):
    for looped in ("looped_one",):
        read(database, looped)
'''}
    found = {name for name, _ in accesses_in(sources)}
    assert found == {"default_one", "passed_one", "keyword_one", "client_one", "constant_one", "method_one",
                     "unpacked_one", "unpacked_two", "tuple_one", "tuple_two", "looped_one", "constant_one_joined",
                     "constant_one_formatted"}
    by_owner = defaultdict(list)
    for name in ("alerts_registry", "reporting_facts", "measures", "idempotency_keys"):
        by_owner[declared_owner(name)].append(name)
    assert dict(by_owner) == {"alerts": ["alerts_registry"], "reporting": ["reporting_facts"],
                              "tracker": ["measures"], "intake": ["idempotency_keys"]}
