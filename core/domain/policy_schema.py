"""The shop's detection policy as one marshmallow schema: it validates what the admin's Rules page (and the API)
sends, and its field metadata (label, help, unit, step, choices; min/max come from the Range validators) is what
the page's form is generated from — a field added here appears in the form, with its limits.

The body it loads is the form's shape (sections: thresholds, overrides, calendar, lanes, case kinds, notify
kinds); `to_stored` turns it into `shop.policy` as Policy.from_dict reads it, `from_stored` back into the form's
values. Pure: no I/O, no web framework.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from core.domain.policy import CASE_KINDS, DEFAULTS, KINDS, NOTIFY_KINDS, PER_CARRIER, Policy

BUSINESS_DAYS = "business days"
#: Each threshold as a merchant reads it: (label, what it means).
THRESHOLDS: dict[str, tuple[str, str]] = {
    "not_picked_up.express": ("Not picked up — express",
                              "Label printed, no carrier scan yet, on an express or priority service."),
    "not_picked_up.ground": ("Not picked up — ground", "Label printed, no carrier scan yet, on a ground service."),
    "not_picked_up.postal": ("Not picked up — postal", "Label printed, no scan yet, with a postal carrier."),
    "stuck.domestic_express": ("Stuck — domestic express", "No new scan for this long, express, inside the country."),
    "stuck.domestic_ground": ("Stuck — domestic ground", "No new scan for this long, ground, inside the country."),
    "stuck.domestic_postal": ("Stuck — domestic postal", "No new scan for this long, postal, inside the country."),
    "stuck.cross_border": ("Stuck — cross-border", "No new scan for this long on a parcel to another country."),
    "stuck.in_customs": ("Stuck — in customs", "No new scan for this long while the parcel is in customs."),
    "presumed_lost.domestic": ("Presumed lost — domestic",
                               "No scan for this long inside the country (a carrier's own loss rule may say so "
                               "sooner)."),
    "presumed_lost.international": ("Presumed lost — international",
                                    "No scan for this long on a parcel to another country."),
    "pickup_waiting": ("Waiting at a pickup point", "The parcel waits at a pickup point or locker this long."),
    "unfulfilled": ("Not shipped yet", "A paid order with nothing shipped this long after it was placed."),
    "partial": ("Items never shipped", "Items still missing this long after the order's first parcel."),
}
KIND_LABELS = {
    "not_picked_up": "Not picked up", "stuck": "Stuck", "late": "Late", "running_late": "Carrier reports a delay",
    "needs_action": "Needs action (failed attempt, pickup, customs, address)", "damaged": "Damaged",
    "returning": "Returning to sender", "presumed_lost": "Presumed lost", "unfulfilled": "Not shipped yet",
    "partial": "Items never shipped",
}
#: Kinds a customer can be told of: those with a message (core/services/messaging.py).
NOTIFIABLE = tuple(k for k in KINDS if k in NOTIFY_KINDS)
_CARRIER = re.compile(r"[a-z0-9][a-z0-9_]{0,39}\Z")
_COUNTRY = re.compile(r"[A-Z]{2}\Z")
MAX_OVERRIDES = 100
MAX_CLOSED_DAYS = 366


def _days(key: str) -> fields.Float:
    label, help_text = THRESHOLDS.get(key, (key.replace("_", " ").replace(".", " — ").capitalize(), ""))
    return fields.Float(data_key=key, validate=validate.Range(0.5, 60, error="between {min} and {max} business days"),
                        metadata={"label": label, "help": help_text, "unit": BUSINESS_DAYS, "step": 0.5,
                                  "default": DEFAULTS[key]})


#: One number field per threshold of policy.DEFAULTS: a new threshold there is a new field here and in the form.
#: (Unknown keys are refused, marshmallow's default: a misspelt threshold is an error, not a silent no-op.)
ThresholdsSchema = Schema.from_dict({key.replace(".", "__"): _days(key) for key in DEFAULTS}, name="ThresholdsSchema")


class OverrideSchema(Schema):
    class Meta:
        unknown = RAISE

    threshold = fields.String(required=True, validate=validate.OneOf(PER_CARRIER, error="not a threshold a carrier "
                                                                                        "can have its own value for"),
                              metadata={"label": "Threshold", "choices": {k: THRESHOLDS[k][0] for k in PER_CARRIER}})
    carrier = fields.String(required=True, validate=validate.Regexp(_CARRIER, error="a carrier code like ups or "
                                                                                   "royalmail"),
                            metadata={"label": "Carrier", "widget": "carrier"})
    value = fields.Float(required=True, validate=validate.Range(0.5, 60, error="between {min} and {max} business days"),
                         metadata={"label": "Value", "unit": BUSINESS_DAYS, "step": 0.5})


class CalendarSchema(Schema):
    class Meta:
        unknown = RAISE

    origin_country = fields.String(
        allow_none=True, validate=validate.Regexp(_COUNTRY, error="two capital letters, like US or DE"),
        metadata={"label": "Ships from (country)", "widget": "country", "default": None,
                  "help": "Two letters, like US or DE. A parcel to another country counts as cross-border; "
                          "case deadlines follow this country's working hours."})
    closed_days = fields.List(
        fields.Date(error_messages={"invalid": "a date like 2026-12-24"}),
        validate=validate.Length(max=MAX_CLOSED_DAYS, error="at most {max} closed days"),
        metadata={"label": "Closed days", "widget": "dates", "default": [], "add": "Add a closed day",
                  "help": "Days your warehouse and carriers' pickups stop besides weekends and public holidays: "
                          "they do not count as business days."})


class LanesSchema(Schema):
    """How far Forewarn may learn from the shop's own delivered parcels on a lane (carrier × service × region)."""

    class Meta:
        unknown = RAISE

    min_samples = fields.Integer(strict=True, validate=validate.Range(5, 1000), metadata={
        "label": "Parcels before a lane learns", "unit": "parcels", "step": 1, "default": 30,
        "help": "Until a lane has this many delivered parcels, the thresholds above apply as they are."})
    factor = fields.Float(validate=validate.Range(1.0, 5.0), metadata={
        "label": "Margin over the lane's usual gap", "unit": "× p90", "step": 0.05, "default": 1.5,
        "help": "Stuck after this many times the longest usual silence between scans on the lane (its 90th "
                "percentile)."})
    lower_bound = fields.Float(validate=validate.Range(0.1, 1.0), metadata={
        "label": "Learn down to", "unit": "× the threshold", "step": 0.05, "default": 0.5,
        "help": "A learned threshold never goes below this share of yours (at most 1)."})
    upper_bound = fields.Float(validate=validate.Range(1.0, 5.0), metadata={
        "label": "Learn up to", "unit": "× the threshold", "step": 0.05, "default": 2.0,
        "help": "A learned threshold never goes above this multiple of yours (at least 1)."})
    late_factor = fields.Float(validate=validate.Range(1.0, 3.0), metadata={
        "label": "Late without a carrier date after", "unit": "× usual transit", "step": 0.05, "default": 1.25,
        "help": "With no estimated delivery day, a parcel is late after this many times the lane's usual transit "
                "time (90th percentile)."})


def _kinds(choices: tuple[str, ...], default: frozenset[str], label: str, help_text: str) -> fields.List:
    return fields.List(fields.String(validate=validate.OneOf(choices, error="not an incident kind: {input}")),
                       metadata={"label": label, "help": help_text, "widget": "checkboxes",
                                 "choices": {k: KIND_LABELS[k] for k in choices},
                                 "default": [k for k in choices if k in default]})


class PolicySchema(Schema):
    """`shop.policy` as the Rules form edits it. Every section, and every key of one, may be left out of a body:
    it keeps its value."""

    class Meta:
        unknown = RAISE
        ordered = True

    thresholds = fields.Nested(ThresholdsSchema, metadata={
        "label": "Detection thresholds",
        "help": "When Forewarn calls a parcel a problem, in business days of the destination country."})
    overrides = fields.List(fields.Nested(OverrideSchema), validate=validate.Length(max=MAX_OVERRIDES), metadata={
        "label": "Per-carrier thresholds", "widget": "rows", "add": "Add an override", "default": [],
        "help": "A carrier that is usually slower or faster than the rest gets its own value for a threshold.",
        "empty": "No override: every carrier uses the thresholds above."})
    calendar = fields.Nested(CalendarSchema, metadata={"label": "Business calendar"})
    lanes = fields.Nested(LanesSchema, metadata={
        "label": "Lane learning",
        "help": "Once a lane has enough delivered parcels, its stuck and late thresholds adapt to how it really "
                "behaves — within your limits."})
    case_kinds = _kinds(KINDS, CASE_KINDS, "Problems that open a case",
                        "Other problems still join an order's open case; they just do not open one.")
    notify_kinds = _kinds(NOTIFIABLE, NOTIFY_KINDS, "Problems the customer is told of",
                          "Forewarn messages the customer first when one of these happens.")

    @validates_schema
    def one_override_each(self, data: dict[str, Any], **kwargs: Any) -> None:
        seen: set[tuple[str, str]] = set()
        errors: dict[int, dict[str, list[str]]] = {}
        for i, row in enumerate(data.get("overrides") or []):
            key = (row["threshold"], row["carrier"])
            if key in seen:
                errors[i] = {"carrier": ["this carrier already has a value for this threshold"]}
            seen.add(key)
        if errors:
            raise ValidationError(errors, "overrides")


# ---------------------------------------------------------------- the stored form and back

def defaults() -> dict[str, Any]:
    """The form's values for a shop that never changed anything: Forewarn's defaults."""
    return from_stored(None)


def from_stored(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """`shop.policy` as the form's values (every field present)."""
    policy = Policy.from_dict(stored)
    thresholds = {key: policy.threshold(key) for key in DEFAULTS}
    overrides = [{"threshold": name, "carrier": carrier, "value": float(value)}
                 for key, value in policy.overrides.items() if "@" in key
                 for name, carrier in [key.split("@", 1)] if name in DEFAULTS]
    return {
        "thresholds": thresholds,
        "overrides": sorted(overrides, key=lambda o: (list(DEFAULTS).index(o["threshold"]), o["carrier"])),
        "calendar": {"origin_country": policy.origin_country,
                     "closed_days": sorted(d.isoformat() for d in policy.closed_days)},
        "lanes": {"min_samples": policy.lane_min_samples, "factor": policy.lane_factor,
                  "lower_bound": float(policy.lane_bounds[0]), "upper_bound": float(policy.lane_bounds[1]),
                  "late_factor": policy.lane_late_factor},
        "case_kinds": [k for k in KINDS if k in policy.case_kinds],
        "notify_kinds": [k for k in NOTIFIABLE if k in policy.notify_kinds],
    }


def to_stored(loaded: Mapping[str, Any], current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A loaded body over the shop's current `policy`: what it sets replaces the current value, what it leaves
    out (a section, a key of a section) is kept — the page sends only what the merchant changed. Thresholds equal
    to Forewarn's default are not stored, so a shop keeps following the defaults it never changed."""
    values = from_stored(current)
    for section in ("overrides", "case_kinds", "notify_kinds"):
        if section in loaded:
            values[section] = list(loaded[section])
    for section in ("thresholds", "calendar", "lanes"):
        if section in loaded:
            values[section] = {**values[section], **{_key(k): v for k, v in loaded[section].items()}}
    thresholds = {k: float(v) for k, v in values["thresholds"].items() if float(v) != float(DEFAULTS[k])}
    for row in values["overrides"]:
        thresholds[f"{row['threshold']}@{row['carrier']}"] = float(row["value"])
    lanes = values["lanes"]
    closed = sorted({d if isinstance(d, str) else d.isoformat() for d in values["calendar"]["closed_days"]})
    stored: dict[str, Any] = {
        "thresholds": thresholds,
        "closed_days": closed,
        "origin_country": values["calendar"]["origin_country"] or None,
        "lanes": {"min_samples": int(lanes["min_samples"]), "factor": float(lanes["factor"]),
                  "bounds": [float(lanes["lower_bound"]), float(lanes["upper_bound"])],
                  "late_factor": float(lanes["late_factor"])},
    }
    # the kinds are stored only where the shop differs from Forewarn: a kind Forewarn adds later reaches it
    kinds = {"case_kinds": CASE_KINDS, "notify_kinds": NOTIFY_KINDS}
    for name, default in kinds.items():
        chosen = set(values[name])
        if chosen != set(default):
            stored[name] = sorted(chosen)
    # anything else a shop's policy carries (set outside this form) is kept as it was
    return {**{k: v for k, v in (current or {}).items() if k not in stored and k not in kinds}, **stored}


def _key(name: str) -> str:
    """ThresholdsSchema loads `stuck.domestic_ground` as the attribute `stuck__domestic_ground`."""
    return name.replace("__", ".")
