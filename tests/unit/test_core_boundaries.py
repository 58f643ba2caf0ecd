"""core/ must stay free of the web framework, the queue, HTTP clients, platform SDKs and the clock."""
from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "core"
FORBIDDEN = {
    "flask", "werkzeug", "rq", "redis", "fakeredis", "requests", "urllib3", "httpx", "shopify", "woocommerce",
    "karrio", "gunicorn", "connectors", "web", "webhooks", "jobs",
}
CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time"), ("time", "monotonic")}


def modules() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def test_core_imports_no_framework_queue_http_or_platform_sdk() -> None:
    offenders = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.relative_to(CORE.parent)}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_core_never_reads_the_clock() -> None:
    offenders = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
                if (owner_name, node.func.attr) in CLOCK_CALLS:
                    offenders.append(f"{path.relative_to(CORE.parent)}:{node.lineno}")
    assert offenders == []


def test_the_boundary_check_would_catch_an_offender(tmp_path: Path) -> None:
    bad = ast.parse("import flask\nfrom rq import Queue\n")
    found = [n for n in ast.walk(bad) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert len(found) == 2
