"""The default customer-message copy, one module per language: COPY[language][kind][part] with
parts subject/body (email) and sms, and each language's sample order for previews
({"first_name": …, "items": [(title, quantity), …]}). A new language is a new module listed here;
a test checks it has every kind and part."""
from __future__ import annotations

from types import ModuleType

from core.domain.message_copy import ar, bn, de, en, es, fr, hi, it, nl, pt

_MODULES: dict[str, ModuleType] = {
    "en": en, "es": es, "fr": fr, "de": de, "pt": pt, "it": it, "nl": nl, "hi": hi, "bn": bn, "ar": ar,
}

COPY: dict[str, dict[str, dict[str, str]]] = {code: module.COPY for code, module in _MODULES.items()}
SAMPLES: dict[str, dict] = {code: module.SAMPLE for code, module in _MODULES.items()}
