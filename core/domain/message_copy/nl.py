"""Customer notification copy in Dutch: je, as Dutch and Flemish webshops write to customers."""
from __future__ import annotations

from core.domain.message_copy.compose import Frame, items, link, next_step, when

C = '{{ carrier or "de vervoerder" }}'
CC = '{{ carrier or "De vervoerder" }}'

FRAME = Frame(
    greeting="Hallo{% if customer.first_name %} {{ customer.first_name }}{% endif %},",
    track="Volg je pakket: {{ tracking_url }}",
    report="Klopt er iets niet? Laat het ons hier weten: {{ report_url }}",
    signoff="Hartelijke groet,\nTeam {{ shop.name }}",
    footer="Je ontvangt deze bezorgupdates omdat je hebt besteld bij {{ shop.name }}. "
    "Wil je ze niet meer ontvangen? Meld je hier af: {{ unsubscribe_url }}",
)
email = FRAME.email

COPY: dict[str, dict[str, str]] = {
    "late": {
        "subject": "Je bestelling {{ order.name }} is later dan verwacht",
        "body": email(
            f"Je bestelling {{{{ order.name }}}} had er inmiddels moeten zijn, maar {C} heeft hem nog niet bezorgd."
            "{% if new_date %} De bezorging staat nu gepland op {{ new_date }}.{% endif %}",
            next_step("We houden het nauwlettend in de gaten en laten het je weten zodra er beweging in zit. "
                      "Je hoeft niets te doen."),
        ),
        "sms": "{{ shop.name }}: je bestelling {{ order.name }} is later dan verwacht."
        "{% if new_date %} Nieuwe bezorgdag: {{ new_date }}.{% endif %}"
        " We houden het in de gaten." + link("Volg:", "tracking_url"),
    },
    "running_late": {
        "subject": "Vertraging bij je bestelling {{ order.name }}",
        "body": email(
            f"{CC} heeft ons laten weten dat het pakket van je bestelling {{{{ order.name }}}} vertraging heeft."
            "{% if new_date %} De nieuwe verwachte bezorgdag is {{ new_date }}."
            "{% else %} Er is nog geen nieuwe bezorgdag bekend; die geven we door zodra we hem hebben.{% endif %}",
            next_step("Je pakket is nog steeds onderweg en je hoeft niets te doen. We volgen het en laten het je "
                      "weten als er nog iets verandert."),
        ),
        "sms": f"{{{{ shop.name }}}}: {C} meldt vertraging bij je bestelling {{{{ order.name }}}}."
        "{% if new_date %} Nieuwe dag: {{ new_date }}.{% endif %}"
        " Je hoeft niets te doen." + link("Volg:", "tracking_url"),
    },
    "stuck": {
        "subject": "We zoeken het uit: je bestelling {{ order.name }}",
        "body": email(
            f"Je pakket voor bestelling {{{{ order.name }}}} is al een paar dagen niet meer gescand door {C}. "
            "Soms blijft een pakket even in een depot liggen, maar we wilden je niet in het ongewisse laten.",
            next_step(f"We hebben een melding aangemaakt en zitten er bij {C} bovenop. We laten van ons horen zodra "
                      "het pakket weer beweegt, en als dat niet gebeurt, zoeken we samen met jou een oplossing."),
        ),
        "sms": "{{ shop.name }}: je pakket voor bestelling {{ order.name }} staat al een paar dagen stil. We "
        "zoeken het uit en houden je op de hoogte." + link("Volg:", "tracking_url"),
    },
    "needs_action.failed_attempt": {
        "subject": "Je bestelling {{ order.name }} kon niet worden bezorgd",
        "body": email(
            f"{CC} heeft geprobeerd je bestelling {{{{ order.name }}}} te bezorgen, maar dat is niet gelukt."
            "{% if new_date %} De volgende poging staat gepland op {{ new_date }}.{% endif %}",
            next_step("Wil je een andere dag, een veilige plek of een afhaalpunt kiezen? Dat kan via de "
                      "trackingpagina. Is er niemand thuis, dan kan het pakket naar een afhaalpunt in de buurt "
                      "gaan: let op het bericht van de vervoerder."),
            when("tracking_number", "Trackingnummer: {{ tracking_number }}"),
        ),
        "sms": f"{{{{ shop.name }}}}: {C} kon je bestelling {{{{ order.name }}}} niet bezorgen."
        "{% if new_date %} Nieuwe poging: {{ new_date }}.{% endif %}"
        + link("Bezorging wijzigen:", "tracking_url"),
    },
    "needs_action.pickup_waiting": {
        "subject": "Je bestelling {{ order.name }} ligt klaar om op te halen",
        "body": email(
            "Je pakket voor bestelling {{ order.name }} ligt voor je klaar bij een afhaalpunt"
            "{% if carrier %} van {{ carrier }}{% endif %}."
            "{% if new_date %} Je kunt het ophalen tot en met {{ new_date }}; daarna wordt het naar ons "
            "teruggestuurd.{% else %} Haal het snel op: afhaalpunten bewaren pakketten maar een paar dagen.{% endif %}",
            next_step("Het adres en de openingstijden staan op de trackingpagina. Neem een geldig identiteitsbewijs "
                      "mee{% if tracking_number %} en het trackingnummer, {{ tracking_number }}{% endif %}."),
        ),
        "sms": "{{ shop.name }}: je bestelling {{ order.name }} ligt klaar bij een afhaalpunt."
        "{% if new_date %} Ophalen t/m {{ new_date }}.{% endif %}"
        + link("Adres en openingstijden:", "tracking_url"),
    },
    "needs_action.customs": {
        "subject": "Je bestelling {{ order.name }} ligt bij de douane",
        "body": email(
            "Je pakket voor bestelling {{ order.name }} wordt tegengehouden door de douane. Meestal betekent dit "
            "dat de douane een document of betaling van invoerrechten of btw nodig heeft voordat het pakket wordt "
            "vrijgegeven.",
            next_step(f"{CC} neemt contact met je op als er iets nodig is, meestal per e-mail of sms. Reageer snel, "
                      "zodat het pakket niet wordt teruggestuurd. Twijfel je of een bericht echt is? Kijk dan op de "
                      "trackingpagina of beantwoord deze e-mail: we helpen je graag."),
        ),
        "sms": "{{ shop.name }}: je bestelling {{ order.name }} ligt bij de douane. Je kunt om een document of "
        "invoerkosten worden gevraagd." + link("Details:", "tracking_url"),
    },
    "needs_action.address": {
        "subject": "Controleer je bezorgadres voor bestelling {{ order.name }}",
        "body": email(
            f"{CC} kon je bestelling {{{{ order.name }}}} niet bezorgen door een probleem met het adres: misschien "
            "is het onvolledig of moeilijk te vinden.",
            next_step("Stuur ons het volledige adres, inclusief huisnummer en toevoeging, door op deze e-mail te "
                      f"reageren of via de link hieronder. We geven het meteen door aan {C}, voordat het pakket "
                      "wordt teruggestuurd."),
            report="Stuur ons hier het volledige adres: {{ report_url }}",
        ),
        "sms": "{{ shop.name }}: je bestelling {{ order.name }} kan niet worden bezorgd, het adres moet worden "
        "gecontroleerd. Stuur ons het juiste adres." + link("", "report_url", ""),
    },
    "damaged": {
        "subject": "Je bestelling {{ order.name }} is beschadigd tijdens het transport",
        "body": email(
            f"Het spijt ons: {C} heeft ons laten weten dat het pakket van je bestelling {{{{ order.name }}}} "
            "onderweg is beschadigd.",
            next_step("Je draait er niet voor op. Binnen één werkdag nemen we contact met je op om een vervanging "
                      "te sturen of je geld terug te geven, wat jij het liefst wilt."),
            when("report_url", "Komt het pakket toch bij je aan? Bewaar het en stuur ons via de link hieronder een "
                               "foto: daarmee kunnen we een claim indienen bij de vervoerder."),
            track=False,
        ),
        "sms": "{{ shop.name }}: sorry, je bestelling {{ order.name }} is onderweg beschadigd. We nemen binnen 1 "
        "werkdag contact op over vervanging of terugbetaling.",
    },
    "returning": {
        "subject": "Je bestelling {{ order.name }} is onderweg terug naar ons",
        "body": email(
            f"{CC} kon de bezorging van je bestelling {{{{ order.name }}}} niet afronden en stuurt het pakket terug "
            "naar ons.",
            next_step("Zodra het bij ons is, nemen we contact met je op om het opnieuw te versturen of je geld terug "
                      "te geven, wat jij wilt. Is je adres veranderd? Geef het door via de link hieronder, dan gaat "
                      "het de volgende keer goed."),
        ),
        "sms": "{{ shop.name }}: bestelling {{ order.name }} is onbestelbaar en komt terug naar ons. "
        "We nemen contact op over opnieuw versturen of terugbetalen." + link("", "report_url", ""),
    },
    "presumed_lost": {
        "subject": "Het spijt ons: je bestelling {{ order.name }} lijkt zoekgeraakt",
        "body": email(
            f"Het spijt ons: je pakket voor bestelling {{{{ order.name }}}} is al lange tijd niet meer gescand door "
            f"{C} en we gaan ervan uit dat het zoek is geraakt.",
            next_step("We laten je niet langer wachten. Laat ons via de link hieronder of door op deze e-mail te "
                      "reageren weten of je liever een vervanging of je geld terug wilt, dan regelen we het meteen."),
            track=False, report="Vervanging of geld terug? Laat het ons hier weten: {{ report_url }}",
        ),
        "sms": "{{ shop.name }}: sorry, je bestelling {{ order.name }} lijkt zoekgeraakt. Kies vervanging of "
        "terugbetaling, wij regelen het." + link("", "report_url", ""),
    },
    "unfulfilled": {
        "subject": "Nieuws over je bestelling {{ order.name }}",
        "body": email(
            "Het duurt langer dan gepland voordat je bestelling {{ order.name }} bij ons de deur uit gaat."
            "{% if new_date %} We verwachten hem uiterlijk {{ new_date }} te versturen.{% endif %}",
            next_step("Zodra je bestelling onderweg is, sturen we je de trackinglink. Wil je liever niet wachten? "
                      "Laat het ons weten via de link hieronder, dan annuleren we en krijg je het volledige bedrag "
                      "terug."),
            track=False,
        ),
        "sms": "{{ shop.name }}: sorry, je bestelling {{ order.name }} wordt later verzonden."
        "{% if new_date %} Uiterlijk {{ new_date }}.{% endif %}"
        " Je krijgt de trackinglink van ons.",
    },
    "partial": {
        "subject": "Een deel van je bestelling {{ order.name }} is onderweg",
        "body": email(
            items("Een deel van je bestelling {{ order.name }} is verzonden, maar deze artikelen zijn nog bij ons:",
                  "Een deel van je bestelling {{ order.name }} is verzonden; de rest is nog bij ons."),
            when("new_date", "We verwachten ze uiterlijk {{ new_date }} te versturen."),
            next_step("We versturen ze zodra ze klaar zijn en sturen je de tracking. Je hoeft niets te doen."),
        ),
        "sms": "{{ shop.name }}: een deel van bestelling {{ order.name }} is onderweg; de rest volgt"
        "{% if new_date %} uiterlijk {{ new_date }}{% else %} snel{% endif %}." + link("Volg:", "tracking_url"),
    },
    "shipped": {
        "subject": "Je bestelling {{ order.name }} is onderweg",
        "body": email(
            "Goed nieuws: je bestelling {{ order.name }} is verzonden{% if carrier %} met {{ carrier }}{% endif %}."
            "{% if new_date %} Hij wordt naar verwachting op {{ new_date }} bezorgd.{% endif %}",
            items("In het pakket:"),
            next_step("We houden elk pakket in de gaten: gaat er onderweg iets mis, dan hoor je het als eerste van ons."),
        ),
        "sms": "{{ shop.name }}: je bestelling {{ order.name }} is onderweg"
        "{% if new_date %}, verwacht op {{ new_date }}{% endif %}." + link("Volg je pakket:", "tracking_url"),
    },
    "out_for_delivery": {
        "subject": "Je bestelling {{ order.name }} wordt vandaag bezorgd",
        "body": email(
            "Je pakket voor bestelling {{ order.name }} is onderweg naar je{% if carrier %} met {{ carrier }}{% endif %}"
            " en wordt vandaag bezorgd.",
            next_step("Ben je niet thuis? Kies via de trackingpagina een veilige plek of de buren."),
        ),
        "sms": "{{ shop.name }}: je bestelling {{ order.name }} wordt vandaag bezorgd."
        + link("Volg je pakket:", "tracking_url"),
    },
    "delivered_after_problem": {
        "subject": "Je bestelling {{ order.name }} is bezorgd",
        "body": email(
            "Goed nieuws: je bestelling {{ order.name }} is bezorgd. Bedankt voor je geduld tijdens de vertraging; "
            "het spijt ons dat het langer duurde dan zou moeten.",
            next_step("Ontbreekt er iets of is er iets beschadigd? Laat het ons weten via de link hieronder, dan "
                      "lossen we het op."),
            track=False,
        ),
        "sms": "{{ shop.name }}: je bestelling {{ order.name }} is bezorgd. Bedankt voor je geduld!"
        + link("Klopt er iets niet?", "report_url"),
    },
    "follow_up": {
        "subject": "We zijn er nog mee bezig: bestelling {{ order.name }}",
        "body": email(
            "Hier is een update over je bestelling {{ order.name }}.",
            next_step(f"We zijn er samen met {C} nog mee bezig en zijn je niet vergeten. Zodra we nieuws hebben, "
                      "laten we het je weten."),
            when("new_date", "De meest recente verwachte bezorgdag is {{ new_date }}."),
        ),
        "sms": "{{ shop.name }}: update over bestelling {{ order.name }}. "
        + next_step("We zijn er nog mee bezig en laten snel van ons horen.")
        + link("Volg:", "tracking_url"),
    },
    "survey": {
        "subject": "Hoe hebben we het gedaan met bestelling {{ order.name }}?",
        "body": email(
            "We hopen dat je bestelling {{ order.name }} goed is aangekomen. Hebben we je goed op de hoogte "
            "gehouden van de bezorging? Het is één vraag en kost je tien seconden:",
            when("survey_url", "{{ survey_url }}"),
            "Je antwoord gaat rechtstreeks naar het team van {{ shop.name }} en helpt ons het beter te doen.",
            track=False, report=False,
        ),
        "sms": "{{ shop.name }}: hoe ging de bezorging van bestelling {{ order.name }}?"
        + link("Eén korte vraag:", "survey_url"),
    },
}

SAMPLE = {"first_name": "Sanne", "items": [("Linnen schort", 1), ("Aardewerken mok", 2)]}
