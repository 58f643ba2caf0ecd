"""The WSGI app the ingest benchmark serves: Forewarn's own app plus a no-op endpoint for comparison."""
from __future__ import annotations

from web import create_app

app = create_app()


@app.post("/bench/noop")
def noop() -> tuple[str, int]:
    return "", 200
