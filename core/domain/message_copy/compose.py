"""The pieces every language's default copy is built from, so each language file reads as its own
words and the scaffolding (which paragraphs appear when a value is missing) is written once.

Every default is still a complete, standalone Jinja template: the admin page shows it whole, the
merchant edits it whole. What a template writes is what the customer gets (no trim_blocks): tags sit
inside the line they govern, and the renderer folds the blank lines a skipped paragraph leaves."""
from __future__ import annotations

from dataclasses import dataclass


def when(condition: str, text: str) -> str:
    """A paragraph that appears only when `condition` (a documented variable) has a value."""
    return "{% if " + condition + " %}" + text + "{% endif %}"


def next_step(default: str) -> str:
    """The message's next-step sentence; the shop's own `what_next`, when given, replaces it."""
    return "{% if what_next %}{{ what_next }}{% else %}" + default + "{% endif %}"


def link(label: str, variable: str, separator: str = " ") -> str:
    """An SMS's closing link with its label, left out (label too) when there is no link."""
    return "{% if " + variable + " %} " + label + separator + "{{ " + variable + " }}{% endif %}"


def items(heading: str, otherwise: str = "") -> str:
    """The items the message is about under a heading, one per line, quantities written the customer's
    way; without items, `otherwise` (or nothing) in their place."""
    listing = "{% for item in order.items %}\n- {{ item.quantity|number }} × {{ item.title }}{% endfor %}"
    return "{% if order.items %}" + heading + listing + ("{% else %}" + otherwise if otherwise else "") + "{% endif %}"


@dataclass(frozen=True)
class Frame:
    """What every email in one language shares: the greeting, the two links, the sign-off and the
    unsubscribe line."""

    greeting: str
    track: str
    report: str
    signoff: str
    footer: str

    def email(self, *paragraphs: str, track: bool = True, report: bool | str = True) -> str:
        """The email body: greeting, the message's paragraphs, the tracking link, the report link (its
        own wording when `report` is a text), the sign-off and the unsubscribe line."""
        parts = [self.greeting, *paragraphs]
        if track:
            parts.append(when("tracking_url", self.track))
        if report:
            parts.append(when("report_url", report if isinstance(report, str) else self.report))
        parts += [self.signoff, when("unsubscribe_url", self.footer)]
        return "\n\n".join(p for p in parts if p)
