"""A helpdesk for `forewarn demo` and the tests: it answers the part of Zendesk's REST API that the Zendesk
adapter uses, in Zendesk's wire format, so the real adapter and the real ticket job run end to end and the
demo shows a ticket opened, noted and solved. Tickets live in memory; `GET /` lists them for a person.

Never selected by production configuration: the `simulated` helpdesk kind exists only where the demo or a
test sets `Settings.helpdesk_simulator_url` (see connectors/helpdesks/__init__.py).
"""
from __future__ import annotations

import re
import threading
from datetime import datetime, timezone
from typing import Any

from flask import Flask, jsonify, render_template_string, request
from flask.typing import ResponseReturnValue

OPEN = ("new", "open", "pending", "hold")


class HelpdeskSimulator:
    def __init__(self) -> None:
        self.tickets: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.users: dict[str, int] = {}
        self._lock = threading.Lock()

    def _user(self, email: str) -> int:
        return self.users.setdefault(email.lower(), 9000 + len(self.users))

    def _email(self, user_id: int | None) -> str | None:
        return next((e for e, i in self.users.items() if i == user_id), None)

    def create(self, ticket: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            ticket_id = 100 + len(self.tickets)
            now = _now()
            requester = ticket.get("requester") or {}
            body = (ticket.get("comment") or {}).get("body", "")
            row = {
                "id": ticket_id, "url": f"/api/v2/tickets/{ticket_id}.json", "subject": ticket.get("subject", ""),
                "description": body, "status": "new", "priority": ticket.get("priority"), "tags": ticket.get("tags", []),
                "external_id": ticket.get("external_id"),
                "requester_id": self._user(requester["email"]) if requester.get("email") else None,
                "created_at": now, "updated_at": now,
            }
            self.tickets[ticket_id] = row
            self.comments[ticket_id] = [{"body": body, "public": False, "created_at": now}]
            return row

    def update(self, ticket_id: int, change: dict[str, Any]) -> dict[str, Any] | None:
        with self._lock:
            row = self.tickets.get(ticket_id)
            if row is None:
                return None
            if change.get("comment"):
                self.comments[ticket_id].append({**change["comment"], "created_at": _now()})
                if row["status"] == "new":
                    row["status"] = "open"
            for key in ("status", "subject", "priority"):
                if change.get(key):
                    row[key] = change[key]
            row["updated_at"] = _now()
            return row

    def by_external_id(self, external_id: str) -> list[dict[str, Any]]:
        return [t for t in self.tickets.values() if t["external_id"] == external_id]

    def search(self, query: str) -> list[dict[str, Any]]:
        """The adapter's query only: `type:ticket status<solved requester:<email> "<text>"`."""
        requester = re.search(r"requester:(\S+)", query)
        phrase = re.search(r'"([^"]+)"', query)
        found = []
        for t in self.tickets.values():
            if requester and self._email(t["requester_id"]) != requester.group(1).lower():
                continue
            if "status<solved" in query and t["status"] not in OPEN:
                continue
            if phrase and phrase.group(1) not in t["subject"] + " " + t["description"]:
                continue
            found.append({**t, "result_type": "ticket"})
        return found


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


PAGE = """<!doctype html><meta charset="utf-8"><title>Simulated helpdesk</title>
<style>body{font:14px system-ui;margin:2em}article{border:1px solid #ccc;margin:1em 0;padding:.5em 1em}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}</style>
<h1>Simulated helpdesk (Zendesk's API) — {{ tickets|length }} tickets</h1>
{% for t in tickets %}<article data-ticket="{{ t.id }}"><h2>#{{ t.id }} {{ t.subject }}</h2>
<p>status <strong data-status>{{ t.status }}</strong> · priority {{ t.priority }} · requester {{ email(t.requester_id) or "—" }}
· external id {{ t.external_id }} · tags {{ t.tags|join(", ") }}</p>
{% for c in comments[t.id] %}<pre>{{ c.created_at }}  {{ c.body }}</pre>{% endfor %}</article>{% endfor %}"""


def create_app(simulator: HelpdeskSimulator) -> Flask:
    app = Flask("forewarn-helpdesk-simulator")

    @app.before_request
    def authenticate() -> ResponseReturnValue | None:
        if request.path.startswith("/api/") and not (request.authorization and request.authorization.password):
            return jsonify(error="Couldn't authenticate you"), 401
        return None

    @app.get("/api/v2/users/me.json")
    def me() -> ResponseReturnValue:
        return jsonify(user={"id": 1, "name": "Demo agent", "email": request.authorization.username.split("/")[0],
                             "role": "admin"})

    @app.get("/api/v2/tickets.json")
    def list_tickets() -> ResponseReturnValue:
        found = simulator.by_external_id(request.args.get("external_id", ""))
        return jsonify(tickets=found, count=len(found), next_page=None, previous_page=None)

    @app.get("/api/v2/search.json")
    def search() -> ResponseReturnValue:
        found = simulator.search(request.args.get("query", ""))
        return jsonify(results=found, count=len(found), next_page=None, previous_page=None)

    @app.post("/api/v2/tickets.json")
    def create() -> ResponseReturnValue:
        ticket = (request.get_json(silent=True) or {}).get("ticket")
        if not isinstance(ticket, dict) or not ticket.get("comment"):
            return jsonify(error="RecordInvalid", description="Record validation errors"), 422
        return jsonify(ticket=simulator.create(ticket)), 201

    @app.put("/api/v2/tickets/<int:ticket_id>.json")
    def update(ticket_id: int) -> ResponseReturnValue:
        row = simulator.update(ticket_id, (request.get_json(silent=True) or {}).get("ticket") or {})
        if row is None:
            return jsonify(error="RecordNotFound", description="Not found"), 404
        return jsonify(ticket=row)

    @app.get("/")
    def page() -> ResponseReturnValue:
        tickets = sorted(simulator.tickets.values(), key=lambda t: -t["id"])
        return render_template_string(PAGE, tickets=tickets, comments=simulator.comments, email=simulator._email)

    return app
