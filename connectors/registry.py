"""What the admin's connect forms are drawn from: a credential field of a helpdesk or a message channel."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    secret: bool = False  # write-only in the admin: never shown again once stored
    placeholder: str = ""
    optional: bool = False
