"""The Rules page's one schema, and the form generated from it.

`RulesSchema` is the shop's policy (core/domain/policy_schema.py: thresholds, overrides, calendar, lanes, which
problems open a case or tell the customer) plus the message settings the Rules page edits — channels, quiet
hours, caps, follow-up — validated by web/api_messaging.py's own `MessagingSettingsSchema` (the same rules as
PATCH /api/v1/messaging; here they only get their labels). The API validates a PUT and a backtest draft with
it, and `form_sections` walks its fields to build the page's form: a field added to a schema is a new input,
its min/max read from its Range validator, its choices from its OneOf.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, validate

from core.domain import policy_schema
from core.domain.policy_schema import PolicySchema
from core.services.messaging import DEFAULTS as MESSAGING_DEFAULTS
from web.api_messaging import MessagingSettingsSchema

#: What of `shop.messaging` the Rules page edits (the rest — provider, sender, templates — is the Messages page's).
MESSAGING_KEYS = ("channels", "quiet_hours", "per_order_per_day", "per_customer_per_day", "followup_days")
CHANNEL_LABELS = {"email": "Email", "sms": "SMS", "whatsapp": "WhatsApp"}
MESSAGING_META: dict[str, dict[str, Any]] = {
    "channels": {"label": "Channels", "widget": "checkboxes", "choice_labels": CHANNEL_LABELS,
                 "help": "Each notice goes out on every channel ticked here that the customer can be reached on."},
    "quiet_hours": {"label": "Quiet hours", "widget": "time_range",
                    "help": "In the customer's local time, messages wait until the quiet hours end."},
    "per_order_per_day": {"label": "At most per order per day", "unit": "messages", "step": 1},
    "per_customer_per_day": {"label": "At most per customer per day", "unit": "messages", "step": 1,
                             "help": "Across all of a customer's orders."},
    "followup_days": {"label": "Ask how it went", "unit": "days after delivery", "step": 1,
                      "help": "A follow-up with a 1–5 survey after a problem ended; 0 sends it right away."},
}


class RulesMessagingSchema(MessagingSettingsSchema):
    """MessagingSettingsSchema's own validation, with the labels the form shows."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        super().on_bind_field(field_name, field_obj)
        field_obj.metadata = {**field_obj.metadata, **MESSAGING_META.get(field_name, {}),
                              "default": MESSAGING_DEFAULTS.get(field_name)}


class RulesSchema(PolicySchema):
    messaging = fields.Nested(lambda: RulesMessagingSchema(only=MESSAGING_KEYS), metadata={
        "label": "Customer messages",
        "help": "How and how often customers hear from Forewarn (texts and providers are on the Messages page)."})


# ---------------------------------------------------------------- values

def values_of(policy: Mapping[str, Any] | None, messaging: Mapping[str, Any] | None) -> dict[str, Any]:
    """The form's values: the shop's policy and its message settings, each key present."""
    merged = {**MESSAGING_DEFAULTS, **(messaging or {})}
    return {**policy_schema.from_stored(policy), "messaging": {k: merged[k] for k in MESSAGING_KEYS}}


def default_values() -> dict[str, Any]:
    return values_of(None, None)


def messaging_changes(loaded: Mapping[str, Any]) -> dict[str, Any]:
    """The message settings a loaded body sets (the same clean-up as PATCH /api/v1/messaging)."""
    changes = dict(loaded.get("messaging") or {})
    if "channels" in changes:
        changes["channels"] = list(dict.fromkeys(changes["channels"]))
    return changes


# ---------------------------------------------------------------- the form

def form_sections(schema: Schema, values: Mapping[str, Any], defaults: Mapping[str, Any],
                  carriers: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The form, one section (a card) per top-level field of the schema, with each input described: its
    widget, label, help, unit, min/max/step, choices, current value and Forewarn's default."""
    sections = []
    for name, field in schema.fields.items():
        meta = field.metadata
        section: dict[str, Any] = {"name": name, "label": meta.get("label", name), "help": meta.get("help"),
                                   "empty": meta.get("empty"), "add": meta.get("add")}
        if isinstance(field, fields.Nested):
            nested = field.schema
            section["kind"] = "group"
            section["fields"] = [_input(f"{name}", key, sub, (values.get(name) or {}).get(key),
                                        (defaults.get(name) or {}).get(key), carriers)
                                 for key, sub in _by_key(nested).items()]
        elif isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
            section["kind"] = "rows"
            section["columns"] = [_input(name, key, sub, None, None, carriers)
                                  for key, sub in _by_key(field.inner.schema).items()]
            section["rows"] = values.get(name) or []
            section["default"] = defaults.get(name) or []
        else:
            section["kind"] = "single"
            section["fields"] = [_input(name, name, field, values.get(name), defaults.get(name), carriers)]
        sections.append(section)
    return sections


def _by_key(schema: Schema) -> dict[str, fields.Field]:
    """A schema's fields by the key the body uses (its data_key when it has one)."""
    return {(f.data_key or n): f for n, f in schema.fields.items()}


def _range(field: fields.Field) -> tuple[Any, Any]:
    for v in field.validators:
        if isinstance(v, validate.Range):
            return v.min, v.max
    return None, None


def _choices(field: fields.Field, carriers: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    meta = field.metadata
    if meta.get("widget") == "carrier":
        return carriers
    if isinstance(meta.get("choices"), dict):
        return list(meta["choices"].items())
    inner = field.inner if isinstance(field, fields.List) else field
    for v in inner.validators:
        if isinstance(v, validate.OneOf):
            labels = meta.get("choice_labels") or {}
            return [(str(c), labels.get(c, str(c))) for c in v.choices]
    return None


def _input(section: str, key: str, field: fields.Field, value: Any, default: Any,
           carriers: list[tuple[str, str]]) -> dict[str, Any]:
    meta = field.metadata
    low, high = _range(field)
    widget = meta.get("widget")
    if widget is None:
        if isinstance(field, (fields.Float, fields.Integer)):
            widget = "number"
        elif isinstance(field, fields.Boolean):
            widget = "checkbox"
        elif _choices(field, carriers):
            widget = "select"
        else:
            widget = "text"
    return {
        "section": section, "key": key, "id": f"f-{section}-{key}".replace(".", "-").replace("_", "-"),
        "widget": widget, "label": meta.get("label", key), "help": meta.get("help"), "unit": meta.get("unit"),
        "min": low, "max": high, "step": meta.get("step", 1 if isinstance(field, fields.Integer) else "any"),
        "integer": isinstance(field, fields.Integer), "choices": _choices(field, carriers),
        "nullable": bool(field.allow_none), "add": meta.get("add"),
        "value": value, "default": meta.get("default", default) if default is None else default,
    }
