"""What a customer can report about their order on the public problem-report page, and how each report
becomes a case: its problem (which picks the canned reply), its priority, and the page's words in the
customer's language. Pure: the web layer reads the form, this module says what it means."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: What the customer picks → (the case's problem, its priority). A problem the customer reports is
#: someone waiting on the other end: never below "high"; a damaged parcel, a cancellation or an address
#: change race the carrier and are urgent.
KINDS: dict[str, tuple[str, str]] = {
    "not_received": ("not_received", "high"),
    "damaged": ("damaged", "urgent"),
    "wrong_item": ("wrong_item", "high"),
    "missing_item": ("missing_item", "high"),
    "address_change": ("address_change", "urgent"),
    "cancellation": ("cancellation", "urgent"),
}
#: The kinds where the customer's own words are needed to act (a new address, what is missing…).
DETAILS_REQUIRED = frozenset({"address_change", "wrong_item", "missing_item"})
PHOTO_KINDS = frozenset({"damaged", "wrong_item"})
MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_DETAILS = 2000
#: A signed report link works this long after the message that carried it (a parcel can take weeks).
LINK_DAYS = 60
#: A link handed out after an order number + email lookup is for now, not for later.
LOOKUP_LINK_MINUTES = 60

#: The image types a phone camera or a screenshot produces, recognised by their first bytes — the
#: browser's Content-Type and the file name are the sender's claims, not facts.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"ftypheic", 4, "image/heic"),
    (b"ftypheix", 4, "image/heic"),
    (b"ftypmif1", 4, "image/heif"),
)


def image_type(data: bytes) -> str | None:
    """The image type the bytes really are, or None."""
    for signature, offset, content_type in _SIGNATURES:
        if data[offset:offset + len(signature)] == signature and (offset != 8 or data[:4] == b"RIFF"):
            return content_type
    return None


@dataclass(frozen=True)
class Photo:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Report:
    kind: str
    details: str
    photos: tuple[Photo, ...]


def validate(kind: str | None, details: str | None, photos: Sequence[Photo], language: str) -> tuple[Report | None, list[str]]:
    """A report from the form's fields, or the reasons (in the customer's language) it cannot be taken."""
    words = texts(language)
    errors: list[str] = []
    if kind not in KINDS:
        errors.append(words["error_kind"])
    text = (details or "").strip()
    if any(not (ch.isprintable() or ch in "\n\r\t") for ch in text):
        errors.append(words["error_details_characters"])
    elif len(text) > MAX_DETAILS:
        errors.append(words["error_details_long"].format(max=MAX_DETAILS))
    if kind in DETAILS_REQUIRED and not text:
        errors.append(words["error_details_" + kind])
    real = [Photo(_filename(p.filename), p.data) for p in photos if p.data or p.filename]
    if real and kind not in PHOTO_KINDS:
        errors.append(words["error_photo_kind"])
    if len(real) > MAX_PHOTOS:
        errors.append(words["error_photo_count"].format(max=MAX_PHOTOS))
    for photo in real:
        if len(photo.data) > MAX_PHOTO_BYTES:
            errors.append(words["error_photo_size"].format(name=photo.filename, max=MAX_PHOTO_BYTES // (1024 * 1024)))
        elif image_type(photo.data) is None:
            errors.append(words["error_photo_type"].format(name=photo.filename))
    if errors:
        return None, errors
    return Report(kind=str(kind), details=text, photos=tuple(real)), []


def _filename(name: str) -> str:
    """A photo's name as the sender gave it, made safe to store and show (no path, no control characters)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:120] or "photo"


def note_text(report: Report, locale: str | None) -> str:
    """The case note a report becomes (the support team's language: English, with the customer's words as given)."""
    label = TEXTS["en"]["kind_" + report.kind]
    lines = [f"Customer reported: {label}" + (f" (page shown in {locale})" if locale and not locale.startswith("en") else "")]
    if report.details:
        lines.append(f"In their words: “{report.details}”")
    if report.photos:
        lines.append(f"{len(report.photos)} photo(s) attached — open the case in Forewarn to see them")
    return "\n".join(lines)


#: The page's words. The same languages as the suggested replies; the customer's order locale picks one,
#: else their browser's, else English.
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Tell us about a problem with your order",
        "intro": "Hi {first_name}, what happened with order {order}? The {shop} team will see it straight away.",
        "intro_anonymous": "What happened with order {order}? The {shop} team will see it straight away.",
        "kind_not_received": "I have not received it",
        "kind_damaged": "It arrived damaged",
        "kind_wrong_item": "I received the wrong item",
        "kind_missing_item": "Something is missing",
        "kind_address_change": "I need to change the delivery address",
        "kind_cancellation": "I want to cancel the order",
        "details": "Tell us more (what is missing, the new address, …)",
        "photos": "Photos (up to {max}, JPEG, PNG, WebP or HEIC, {size} MB each)",
        "submit": "Send to {shop}",
        "thanks_title": "Thank you — we have your report",
        "thanks": "The {shop} team has your report about order {order} and will answer you by email by {due}.",
        "lookup_title": "Report a problem with an order",
        "lookup_intro": "Enter your order number and the email address you used when ordering.",
        "order_number": "Order number",
        "email": "Email address",
        "continue": "Continue",
        "lookup_failed": "We could not find an order with that number and email address. Check both and try again.",
        "expired_title": "This link has expired",
        "expired": "For your security, problem-report links work for a limited time. Enter your order number and email below to get a new one.",
        "invalid_title": "This link is not valid",
        "invalid": "The link may have been cut short when it was copied. Enter your order number and email below instead.",
        "too_many_title": "Too many attempts",
        "too_many": "Please wait a few minutes and try again.",
        "error_kind": "Choose what happened.",
        "error_details_characters": "The description contains characters we cannot read; please type it again.",
        "error_details_long": "Please keep the description under {max} characters.",
        "error_details_address_change": "Write the new delivery address.",
        "error_details_wrong_item": "Tell us which item you received instead.",
        "error_details_missing_item": "Tell us which item is missing.",
        "error_photo_kind": "Photos can be added only for a damaged parcel or a wrong item.",
        "error_photo_count": "Add at most {max} photos.",
        "error_photo_size": "{name} is larger than {max} MB.",
        "error_photo_type": "{name} is not a photo (JPEG, PNG, WebP or HEIC).",
    },
    "es": {
        "title": "Cuéntanos un problema con tu pedido",
        "intro": "Hola {first_name}, ¿qué ha pasado con el pedido {order}? El equipo de {shop} lo verá enseguida.",
        "intro_anonymous": "¿Qué ha pasado con el pedido {order}? El equipo de {shop} lo verá enseguida.",
        "kind_not_received": "No lo he recibido",
        "kind_damaged": "Llegó dañado",
        "kind_wrong_item": "He recibido un artículo equivocado",
        "kind_missing_item": "Falta algo",
        "kind_address_change": "Necesito cambiar la dirección de entrega",
        "kind_cancellation": "Quiero cancelar el pedido",
        "details": "Cuéntanos más (qué falta, la nueva dirección, …)",
        "photos": "Fotos (hasta {max}, JPEG, PNG, WebP o HEIC, {size} MB cada una)",
        "submit": "Enviar a {shop}",
        "thanks_title": "Gracias, hemos recibido tu aviso",
        "thanks": "El equipo de {shop} tiene tu aviso sobre el pedido {order} y te responderá por correo antes del {due}.",
        "lookup_title": "Avisar de un problema con un pedido",
        "lookup_intro": "Escribe el número de pedido y el correo electrónico que usaste al comprar.",
        "order_number": "Número de pedido",
        "email": "Correo electrónico",
        "continue": "Continuar",
        "lookup_failed": "No encontramos ningún pedido con ese número y ese correo. Revisa ambos e inténtalo de nuevo.",
        "expired_title": "Este enlace ha caducado",
        "expired": "Por tu seguridad, los enlaces para avisar de un problema caducan. Escribe abajo tu número de pedido y tu correo para obtener uno nuevo.",
        "invalid_title": "Este enlace no es válido",
        "invalid": "Puede que el enlace se cortara al copiarlo. Escribe abajo tu número de pedido y tu correo.",
        "too_many_title": "Demasiados intentos",
        "too_many": "Espera unos minutos y vuelve a intentarlo.",
        "error_kind": "Elige qué ha pasado.",
        "error_details_characters": "La descripción contiene caracteres que no podemos leer; escríbela de nuevo.",
        "error_details_long": "La descripción no puede superar {max} caracteres.",
        "error_details_address_change": "Escribe la nueva dirección de entrega.",
        "error_details_wrong_item": "Dinos qué artículo recibiste en su lugar.",
        "error_details_missing_item": "Dinos qué artículo falta.",
        "error_photo_kind": "Solo se pueden añadir fotos si el paquete llegó dañado o con un artículo equivocado.",
        "error_photo_count": "Añade como máximo {max} fotos.",
        "error_photo_size": "{name} ocupa más de {max} MB.",
        "error_photo_type": "{name} no es una foto (JPEG, PNG, WebP o HEIC).",
    },
    "fr": {
        "title": "Signalez-nous un problème avec votre commande",
        "intro": "Bonjour {first_name}, que s'est-il passé avec la commande {order} ? L'équipe {shop} le verra tout de suite.",
        "intro_anonymous": "Que s'est-il passé avec la commande {order} ? L'équipe {shop} le verra tout de suite.",
        "kind_not_received": "Je ne l'ai pas reçue",
        "kind_damaged": "Le colis est arrivé endommagé",
        "kind_wrong_item": "J'ai reçu un mauvais article",
        "kind_missing_item": "Il manque quelque chose",
        "kind_address_change": "Je dois changer l'adresse de livraison",
        "kind_cancellation": "Je veux annuler la commande",
        "details": "Précisez (ce qui manque, la nouvelle adresse, …)",
        "photos": "Photos (jusqu'à {max}, JPEG, PNG, WebP ou HEIC, {size} Mo chacune)",
        "submit": "Envoyer à {shop}",
        "thanks_title": "Merci, nous avons bien reçu votre signalement",
        "thanks": "L'équipe {shop} a reçu votre signalement sur la commande {order} et vous répondra par e-mail d'ici le {due}.",
        "lookup_title": "Signaler un problème avec une commande",
        "lookup_intro": "Saisissez votre numéro de commande et l'adresse e-mail utilisée lors de l'achat.",
        "order_number": "Numéro de commande",
        "email": "Adresse e-mail",
        "continue": "Continuer",
        "lookup_failed": "Aucune commande ne correspond à ce numéro et à cette adresse e-mail. Vérifiez-les et réessayez.",
        "expired_title": "Ce lien a expiré",
        "expired": "Pour votre sécurité, les liens de signalement ont une durée limitée. Saisissez ci-dessous votre numéro de commande et votre e-mail pour en obtenir un nouveau.",
        "invalid_title": "Ce lien n'est pas valide",
        "invalid": "Le lien a peut-être été tronqué lors de la copie. Saisissez plutôt votre numéro de commande et votre e-mail ci-dessous.",
        "too_many_title": "Trop de tentatives",
        "too_many": "Patientez quelques minutes puis réessayez.",
        "error_kind": "Choisissez ce qui s'est passé.",
        "error_details_characters": "La description contient des caractères illisibles ; saisissez-la à nouveau.",
        "error_details_long": "La description ne peut pas dépasser {max} caractères.",
        "error_details_address_change": "Indiquez la nouvelle adresse de livraison.",
        "error_details_wrong_item": "Dites-nous quel article vous avez reçu à la place.",
        "error_details_missing_item": "Dites-nous quel article manque.",
        "error_photo_kind": "Les photos ne peuvent être ajoutées que pour un colis endommagé ou un mauvais article.",
        "error_photo_count": "Ajoutez au plus {max} photos.",
        "error_photo_size": "{name} dépasse {max} Mo.",
        "error_photo_type": "{name} n'est pas une photo (JPEG, PNG, WebP ou HEIC).",
    },
    "de": {
        "title": "Melden Sie uns ein Problem mit Ihrer Bestellung",
        "intro": "Hallo {first_name}, was ist mit der Bestellung {order} passiert? Das Team von {shop} sieht es sofort.",
        "intro_anonymous": "Was ist mit der Bestellung {order} passiert? Das Team von {shop} sieht es sofort.",
        "kind_not_received": "Ich habe sie nicht erhalten",
        "kind_damaged": "Sie kam beschädigt an",
        "kind_wrong_item": "Ich habe einen falschen Artikel erhalten",
        "kind_missing_item": "Es fehlt etwas",
        "kind_address_change": "Ich muss die Lieferadresse ändern",
        "kind_cancellation": "Ich möchte die Bestellung stornieren",
        "details": "Erzählen Sie uns mehr (was fehlt, die neue Adresse, …)",
        "photos": "Fotos (bis zu {max}, JPEG, PNG, WebP oder HEIC, je {size} MB)",
        "submit": "An {shop} senden",
        "thanks_title": "Danke – wir haben Ihre Meldung",
        "thanks": "Das Team von {shop} hat Ihre Meldung zur Bestellung {order} und antwortet Ihnen bis {due} per E-Mail.",
        "lookup_title": "Ein Problem mit einer Bestellung melden",
        "lookup_intro": "Geben Sie Ihre Bestellnummer und die E-Mail-Adresse ein, mit der Sie bestellt haben.",
        "order_number": "Bestellnummer",
        "email": "E-Mail-Adresse",
        "continue": "Weiter",
        "lookup_failed": "Wir haben keine Bestellung mit dieser Nummer und E-Mail-Adresse gefunden. Prüfen Sie beides und versuchen Sie es erneut.",
        "expired_title": "Dieser Link ist abgelaufen",
        "expired": "Zu Ihrer Sicherheit gelten Links zum Melden eines Problems nur begrenzt. Geben Sie unten Bestellnummer und E-Mail ein, um einen neuen zu erhalten.",
        "invalid_title": "Dieser Link ist ungültig",
        "invalid": "Der Link wurde beim Kopieren vielleicht abgeschnitten. Geben Sie stattdessen unten Bestellnummer und E-Mail ein.",
        "too_many_title": "Zu viele Versuche",
        "too_many": "Bitte warten Sie ein paar Minuten und versuchen Sie es erneut.",
        "error_kind": "Wählen Sie, was passiert ist.",
        "error_details_characters": "Die Beschreibung enthält Zeichen, die wir nicht lesen können; bitte tippen Sie sie neu.",
        "error_details_long": "Die Beschreibung darf höchstens {max} Zeichen lang sein.",
        "error_details_address_change": "Geben Sie die neue Lieferadresse an.",
        "error_details_wrong_item": "Sagen Sie uns, welchen Artikel Sie stattdessen erhalten haben.",
        "error_details_missing_item": "Sagen Sie uns, welcher Artikel fehlt.",
        "error_photo_kind": "Fotos können nur bei einem beschädigten Paket oder einem falschen Artikel angehängt werden.",
        "error_photo_count": "Fügen Sie höchstens {max} Fotos hinzu.",
        "error_photo_size": "{name} ist größer als {max} MB.",
        "error_photo_type": "{name} ist kein Foto (JPEG, PNG, WebP oder HEIC).",
    },
}
FALLBACK_LANGUAGE = "en"


def language(*candidates: str | None) -> str:
    """The first candidate locale (order locale, then the browser's preferences) the page speaks."""
    for candidate in candidates:
        code = (candidate or "").replace("_", "-").split("-")[0].strip().lower()
        if code in TEXTS:
            return code
    return FALLBACK_LANGUAGE


def texts(lang: str) -> dict[str, str]:
    return TEXTS.get(lang, TEXTS[FALLBACK_LANGUAGE])
