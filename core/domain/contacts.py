"""A customer's email and phone written one way, so that an unsubscribe, a cap and a provider's report find
the same customer however a platform stored the address: emails trimmed and lower-cased, phone numbers in
E.164 (+15025550101) read with the shipping country for numbers written the national way. Pure."""
from __future__ import annotations

import phonenumbers


def email(value: str | None) -> str | None:
    text = (value or "").strip().lower()
    return text or None


def phone(value: str | None, country: str | None = None) -> str | None:
    """E.164, or None for something that is not a possible phone number (a WhatsApp `whatsapp:` prefix
    is dropped: the number is the customer)."""
    text = (value or "").strip()
    if text.lower().startswith("whatsapp:"):
        text = text[len("whatsapp:"):]
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, (country or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def addresses(order_email: str | None, order_phone: str | None, country: str | None) -> list[str]:
    """Every way an opt-out or a sent message may name this customer."""
    found = [email(order_email), phone(order_phone, country)]
    raw = (order_phone or "").strip().lower()
    return [a for a in dict.fromkeys([*found, raw or None]) if a]
