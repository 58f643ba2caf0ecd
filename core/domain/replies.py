"""Canned replies a support agent starts from, per problem and language (merchants will edit them; the
full template system with Jinja2's sandbox comes with customer messages). Pure."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from string import Formatter

from babel.dates import format_date

#: Incident kind → the problem a reply answers.
PROBLEM_OF_KIND = {
    "late": "late", "running_late": "late", "stuck": "stuck", "presumed_lost": "lost", "damaged": "damaged",
    "partial": "missing_item", "needs_action": "failed_delivery", "not_picked_up": "stuck", "unfulfilled": "not_shipped",
    "returning": "failed_delivery",
}
REPLIES: dict[str, dict[str, str]] = {
    "late": {
        "en": "Hi {first_name}, your order {order} is running behind: {carrier} now expects to deliver it {when}. We are watching it closely and will write again as soon as it moves.",
        "es": "Hola {first_name}, tu pedido {order} va con retraso: {carrier} prevé entregarlo {when}. Lo seguimos de cerca y te escribiremos en cuanto avance.",
        "fr": "Bonjour {first_name}, votre commande {order} a pris du retard : {carrier} prévoit de la livrer {when}. Nous la suivons de près et vous écrirons dès qu'elle avance.",
        "de": "Hallo {first_name}, Ihre Bestellung {order} verspätet sich: {carrier} rechnet jetzt mit der Zustellung {when}. Wir behalten sie im Blick und melden uns, sobald sie sich bewegt.",
    },
    "stuck": {
        "en": "Hi {first_name}, your parcel for order {order} has not moved with {carrier} for a few days. We have asked the carrier to look into it and will update you within one business day.",
        "es": "Hola {first_name}, el paquete de tu pedido {order} lleva unos días sin moverse con {carrier}. Hemos pedido al transportista que lo revise y te diremos algo en un día hábil.",
        "fr": "Bonjour {first_name}, le colis de votre commande {order} n'a pas bougé chez {carrier} depuis quelques jours. Nous avons demandé au transporteur de vérifier et revenons vers vous sous un jour ouvré.",
        "de": "Hallo {first_name}, Ihr Paket zur Bestellung {order} hat sich bei {carrier} seit einigen Tagen nicht bewegt. Wir haben den Versanddienst gebeten nachzusehen und melden uns innerhalb eines Werktags.",
    },
    "lost": {
        "en": "Hi {first_name}, we are sorry: {carrier} appears to have lost your parcel for order {order}. We are sending a replacement (or a refund, if you prefer) right away — just reply to tell us which.",
        "es": "Hola {first_name}, lo sentimos: parece que {carrier} ha perdido el paquete de tu pedido {order}. Te enviamos un reemplazo (o el reembolso, si lo prefieres) enseguida: respóndenos qué prefieres.",
        "fr": "Bonjour {first_name}, nous sommes désolés : {carrier} semble avoir perdu le colis de votre commande {order}. Nous vous envoyons un remplacement (ou un remboursement, si vous préférez) tout de suite ; dites-nous ce que vous choisissez.",
        "de": "Hallo {first_name}, es tut uns leid: {carrier} hat Ihr Paket zur Bestellung {order} offenbar verloren. Wir schicken sofort Ersatz (oder erstatten den Betrag, wenn Ihnen das lieber ist) – antworten Sie uns einfach, was Sie möchten.",
    },
    "damaged": {
        "en": "Hi {first_name}, {carrier} reports that your parcel for order {order} was damaged on the way. We are sorry — we will send a replacement; a photo of anything that arrived helps us claim from the carrier.",
        "es": "Hola {first_name}, {carrier} informa de que el paquete de tu pedido {order} se dañó en el camino. Lo sentimos: te enviaremos un reemplazo; una foto de lo que llegó nos ayuda a reclamar al transportista.",
        "fr": "Bonjour {first_name}, {carrier} signale que le colis de votre commande {order} a été endommagé en route. Désolés : nous vous envoyons un remplacement ; une photo de ce qui est arrivé nous aide à réclamer auprès du transporteur.",
        "de": "Hallo {first_name}, {carrier} meldet, dass Ihr Paket zur Bestellung {order} unterwegs beschädigt wurde. Das tut uns leid – wir schicken Ersatz; ein Foto von dem, was angekommen ist, hilft uns bei der Reklamation.",
    },
    "failed_delivery": {
        "en": "Hi {first_name}, {carrier} could not deliver order {order}. You can rearrange delivery or collect it from {carrier}. Reply if you need a different address.",
        "es": "Hola {first_name}, {carrier} no pudo entregar el pedido {order}. Puedes reprogramar la entrega o recogerlo en {carrier}. Respóndenos si necesitas otra dirección.",
        "fr": "Bonjour {first_name}, {carrier} n'a pas pu livrer la commande {order}. Vous pouvez reprogrammer la livraison ou la retirer auprès de {carrier}. Répondez-nous s'il faut une autre adresse.",
        "de": "Hallo {first_name}, {carrier} konnte die Bestellung {order} nicht zustellen. Sie können die Zustellung neu vereinbaren oder das Paket bei {carrier} abholen. Antworten Sie, wenn Sie eine andere Adresse brauchen.",
    },
    "missing_item": {
        "en": "Hi {first_name}, part of order {order} has not shipped yet. We are sending the rest as soon as it is ready and will share its tracking.",
        "es": "Hola {first_name}, parte del pedido {order} aún no se ha enviado. Enviaremos el resto en cuanto esté listo y te pasaremos el seguimiento.",
        "fr": "Bonjour {first_name}, une partie de la commande {order} n'est pas encore partie. Nous envoyons le reste dès qu'il est prêt et vous transmettrons son suivi.",
        "de": "Hallo {first_name}, ein Teil der Bestellung {order} ist noch nicht verschickt. Wir senden den Rest, sobald er bereit ist, und schicken Ihnen die Sendungsnummer.",
    },
    "wrong_item": {
        "en": "Hi {first_name}, we are sorry the wrong item arrived with order {order}. We are sending the right one now; there is no need to return the other unless we ask.",
        "es": "Hola {first_name}, sentimos que llegara un artículo equivocado en el pedido {order}. Te enviamos ahora el correcto; no hace falta devolver el otro salvo que te lo pidamos.",
        "fr": "Bonjour {first_name}, désolés : un mauvais article est arrivé avec la commande {order}. Nous vous envoyons le bon dès maintenant ; inutile de renvoyer l'autre sauf si nous vous le demandons.",
        "de": "Hallo {first_name}, es tut uns leid, dass mit der Bestellung {order} der falsche Artikel kam. Wir schicken Ihnen jetzt den richtigen; den anderen müssen Sie nur zurücksenden, wenn wir darum bitten.",
    },
    "address_change": {
        "en": "Hi {first_name}, we have your new address for order {order}. If {carrier} already has the parcel we will ask them to redirect it, and we will confirm once it is done.",
        "es": "Hola {first_name}, tenemos tu nueva dirección para el pedido {order}. Si {carrier} ya tiene el paquete le pediremos que lo redirija y te confirmaremos cuando esté hecho.",
        "fr": "Bonjour {first_name}, nous avons bien votre nouvelle adresse pour la commande {order}. Si {carrier} a déjà le colis, nous lui demanderons de le réacheminer et vous confirmerons quand ce sera fait.",
        "de": "Hallo {first_name}, wir haben Ihre neue Adresse für die Bestellung {order}. Falls {carrier} das Paket schon hat, bitten wir um eine Umleitung und bestätigen Ihnen, sobald es erledigt ist.",
    },
    "cancellation": {
        "en": "Hi {first_name}, we have received your request to cancel order {order}. If it has not shipped we cancel it and refund you; if it has, we will tell you how to send it back.",
        "es": "Hola {first_name}, hemos recibido tu solicitud para cancelar el pedido {order}. Si aún no ha salido, lo cancelamos y te reembolsamos; si ya salió, te explicaremos cómo devolverlo.",
        "fr": "Bonjour {first_name}, nous avons reçu votre demande d'annulation de la commande {order}. Si elle n'est pas partie, nous l'annulons et vous remboursons ; sinon, nous vous expliquerons comment la renvoyer.",
        "de": "Hallo {first_name}, wir haben Ihre Stornierung der Bestellung {order} erhalten. Ist sie noch nicht verschickt, stornieren wir und erstatten den Betrag; sonst erklären wir Ihnen die Rücksendung.",
    },
    "not_received": {
        "en": "Hi {first_name}, thank you for telling us that order {order} has not reached you. We have asked {carrier} to trace the parcel and will come back to you within one business day with a solution — a redelivery, a replacement or a refund.",
        "es": "Hola {first_name}, gracias por avisarnos de que el pedido {order} no te ha llegado. Hemos pedido a {carrier} que rastree el paquete y te daremos una solución en un día hábil: una nueva entrega, un reemplazo o un reembolso.",
        "fr": "Bonjour {first_name}, merci de nous avoir signalé que la commande {order} ne vous est pas parvenue. Nous avons demandé à {carrier} de rechercher le colis et revenons vers vous sous un jour ouvré avec une solution : nouvelle livraison, remplacement ou remboursement.",
        "de": "Hallo {first_name}, danke für Ihren Hinweis, dass die Bestellung {order} nicht bei Ihnen angekommen ist. Wir haben {carrier} gebeten, das Paket zu suchen, und melden uns innerhalb eines Werktags mit einer Lösung – neue Zustellung, Ersatz oder Erstattung.",
    },
    "not_shipped": {
        "en": "Hi {first_name}, your order {order} is taking longer than planned to leave us. We are on it and will send you its tracking as soon as it ships.",
        "es": "Hola {first_name}, tu pedido {order} está tardando más de lo previsto en salir. Estamos en ello y te enviaremos el seguimiento en cuanto se envíe.",
        "fr": "Bonjour {first_name}, votre commande {order} met plus de temps que prévu à partir. Nous nous en occupons et vous enverrons son suivi dès son expédition.",
        "de": "Hallo {first_name}, Ihre Bestellung {order} braucht länger als geplant, bis sie bei uns losgeht. Wir kümmern uns darum und schicken Ihnen die Sendungsverfolgung, sobald sie verschickt ist.",
    },
    "pickup_waiting": {
        "en": "Hi {first_name}, your parcel for order {order} is waiting for you at a {carrier} pickup point. Please collect it soon: pickup points send parcels back after a few days.",
        "es": "Hola {first_name}, el paquete de tu pedido {order} te espera en un punto de recogida de {carrier}. Recógelo pronto: los puntos de recogida devuelven los paquetes tras unos días.",
        "fr": "Bonjour {first_name}, le colis de votre commande {order} vous attend dans un point relais {carrier}. Retirez-le vite : les points relais renvoient les colis au bout de quelques jours.",
        "de": "Hallo {first_name}, Ihr Paket zur Bestellung {order} wartet in einer {carrier}-Abholstelle auf Sie. Bitte holen Sie es bald ab: Abholstellen schicken Pakete nach einigen Tagen zurück.",
    },
}
FALLBACK_LANGUAGE = "en"
#: What a reply says when a field is unknown, so no reply reads "Hola there" or "collect it here: .".
DEFAULTS: dict[str, dict[str, str]] = {
    "en": {"carrier": "the carrier", "when": "soon"},
    "es": {"carrier": "el transportista", "when": "pronto"},
    "fr": {"carrier": "le transporteur", "when": "bientôt"},
    "de": {"carrier": "der Versanddienst", "when": "bald"},
}
#: "When" phrases around a localized date (Babel writes the date itself).
WHEN = {"en": "by {date}", "es": "el {date}", "fr": "d'ici le {date}", "de": "bis {date}"}
#: The problems whose reply ends with the parcel's tracking link (when it has one).
WITH_TRACKING = {"late", "stuck", "failed_delivery", "pickup_waiting", "not_received"}
TRACKING = {"en": " Tracking: {url}", "es": " Seguimiento: {url}", "fr": " Suivi : {url}", "de": " Sendungsverfolgung: {url}"}


#: The fields a reply may use; the merchant's texts are checked against them when saved.
FIELDS = ("first_name", "order", "carrier", "when")
MAX_LENGTH = 2000


def check_text(text: str) -> list[str]:
    """Why a merchant's reply text cannot be saved (empty list: it can)."""
    if not text.strip():
        return ["the reply is empty"]
    if len(text) > MAX_LENGTH:
        return [f"the reply is longer than {MAX_LENGTH} characters"]
    try:
        names = [name for _, name, spec, conv in Formatter().parse(text) if name is not None]
    except ValueError as exc:
        return [f"unbalanced braces ({exc}); write {{{{ and }}}} for a literal brace"]
    unknown = sorted({n for n in names if n not in FIELDS})
    problems = [f"unknown field {{{n}}}; available: " + ", ".join(f"{{{f}}}" for f in FIELDS) for n in unknown]
    if any(spec or conv for _, name, spec, conv in Formatter().parse(text) if name is not None):
        problems.append("a field is written with a format (like {order:>9} or {order!r}); write it plain, like {order}")
    return problems


_FIELD = re.compile(r"\{\{|\}\}|\{(" + "|".join(FIELDS) + r")\}")


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill the known fields and nothing else (never str.format on a merchant's text): anything that is
    not one of FIELDS stays as written."""
    return _FIELD.sub(lambda m: {"{{": "{", "}}": "}"}.get(m.group(0)) or values.get(m.group(1), ""), text)


def library(overrides: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, dict[str, dict[str, object]]]:
    """Every problem's reply per language, the merchant's wording where they changed it."""
    own = overrides or {}
    return {problem: {language: {"text": own.get(problem, {}).get(language, text), "edited": language in own.get(problem, {})}
                      for language, text in texts.items()}
            for problem, texts in REPLIES.items()}


def suggested_reply(
    kind: str, locale: str | None, fields: Mapping[str, str | None], *, expected: date | None = None,
    tracking_url: str | None = None, overrides: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[str, str]:
    """(language used, reply text) for an incident kind, in the customer's language when we have it.

    Unknown fields fall back to words of that language; a greeting without a name drops the gap
    ("Hi, your order…"); the expected date is written by Babel in the customer's locale; the tracking
    link is its own sentence, for the problems it helps with and only when there is a link. `overrides` are the merchant's own
    texts ({problem: {language: text}}, checked by `check_text` when saved)."""
    problem = kind if kind in REPLIES else PROBLEM_OF_KIND.get(kind, "late")
    language = (locale or FALLBACK_LANGUAGE).replace("_", "-").split("-")[0].lower()
    texts = {**REPLIES[problem], **((overrides or {}).get(problem) or {})}
    if language not in texts:
        language = FALLBACK_LANGUAGE
    values = dict(DEFAULTS[language])
    values.update({k: v for k, v in fields.items() if v})
    if expected is not None:
        values["when"] = WHEN[language].format(date=format_date(expected, "EEEE d MMMM", locale=language))
    text = render(texts[language], values).replace(" ,", ",")
    if tracking_url and problem in WITH_TRACKING:
        text += TRACKING[language].format(url=tracking_url)
    return language, text
