"""Customer notification copy in German: Sie, "Hallo Jonas," as German shops write it. After the
greeting's comma the first word is capitalised only when it would be anyway (Ihre, Ihr), so every
first paragraph opens with one of those. The carrier's fallback name is declined per case."""
from __future__ import annotations

from core.domain.message_copy.compose import Frame, items, link, next_step, when

C = '{{ carrier or "der Versanddienst" }}'
CC = '{{ carrier or "Der Versanddienst" }}'
C_DAT = '{{ carrier or "dem Versanddienst" }}'
C_ACC = '{{ carrier or "den Versanddienst" }}'
#: "von/bei dem" contract to "vom/beim" for the fallback.
FROM_C = "{% if carrier %}von {{ carrier }}{% else %}vom Versanddienst{% endif %}"
AT_C = "{% if carrier %}bei {{ carrier }}{% else %}beim Versanddienst{% endif %}"

FRAME = Frame(
    greeting="Hallo{% if customer.first_name %} {{ customer.first_name }}{% endif %},",
    track="Hier können Sie Ihr Paket verfolgen: {{ tracking_url }}",
    report="Stimmt etwas nicht? Sagen Sie es uns hier: {{ report_url }}",
    signoff="Viele Grüße\nIhr Team von {{ shop.name }}",
    footer="Sie erhalten diese Lieferinformationen, weil Sie bei {{ shop.name }} bestellt haben. "
    "Abmelden können Sie sich hier: {{ unsubscribe_url }}",
)
email = FRAME.email

COPY: dict[str, dict[str, str]] = {
    "late": {
        "subject": "Ihre Bestellung {{ order.name }} verspätet sich",
        "body": email(
            f"Ihre Bestellung {{{{ order.name }}}} hätte inzwischen bei Ihnen sein sollen, aber {C} hat sie noch "
            "nicht zugestellt.{% if new_date %} Die Zustellung ist jetzt für {{ new_date }} geplant.{% endif %}",
            next_step("Wir behalten sie genau im Blick und melden uns, sobald sie sich bewegt. Sie müssen nichts tun."),
        ),
        "sms": "{{ shop.name }}: Ihre Bestellung {{ order.name }} verspätet sich."
        "{% if new_date %} Neuer Zustelltermin: {{ new_date }}.{% endif %}"
        " Wir bleiben dran." + link("Sendungsverfolgung:", "tracking_url"),
    },
    "running_late": {
        "subject": "Verzögerung bei Ihrer Bestellung {{ order.name }}",
        "body": email(
            f"Ihr Paket zur Bestellung {{{{ order.name }}}} ist verspätet, das hat uns {C} gerade mitgeteilt."
            "{% if new_date %} Als neuer Liefertermin ist {{ new_date }} angegeben."
            "{% else %} Einen neuen Liefertermin gibt es noch nicht; wir geben ihn weiter, sobald wir ihn kennen."
            "{% endif %}",
            next_step("Ihr Paket ist weiterhin unterwegs, und Sie müssen nichts tun. Wir verfolgen es und sagen "
                      "Ihnen Bescheid, falls sich noch etwas ändert."),
        ),
        "sms": "{{ shop.name }}: Ihre Bestellung {{ order.name }} verspätet sich "
        "{% if carrier %}laut {{ carrier }}{% else %}laut Versanddienst{% endif %}."
        "{% if new_date %} Neuer Termin: {{ new_date }}.{% endif %}"
        " Sie müssen nichts tun." + link("Verfolgung:", "tracking_url"),
    },
    "stuck": {
        "subject": "Wir kümmern uns um Ihre Bestellung {{ order.name }}",
        "body": email(
            f"Ihr Paket zur Bestellung {{{{ order.name }}}} wurde seit einigen Tagen nicht mehr {FROM_C} gescannt. "
            "Manchmal bleibt ein Paket eine Weile im Depot liegen, trotzdem wollten wir Sie nicht im Ungewissen lassen.",
            next_step(f"Wir haben einen Fall eröffnet und haken {AT_C} nach. Wir melden uns, sobald sich das Paket "
                      "bewegt, und falls nicht, finden wir gemeinsam mit Ihnen eine Lösung."),
        ),
        "sms": "{{ shop.name }}: Ihr Paket zur Bestellung {{ order.name }} bewegt sich seit einigen Tagen nicht. "
        "Wir haken nach und melden uns." + link("Verfolgung:", "tracking_url"),
    },
    "needs_action.failed_attempt": {
        "subject": "Ihre Bestellung {{ order.name }} konnte nicht zugestellt werden",
        "body": email(
            f"Ihre Bestellung {{{{ order.name }}}} konnte leider nicht zugestellt werden: Der Zustellversuch {FROM_C} "
            "war erfolglos.{% if new_date %} Der nächste Versuch ist für {{ new_date }} geplant.{% endif %}",
            next_step("In der Sendungsverfolgung können Sie einen neuen Tag, einen Ablageort oder eine Abholstelle "
                      "wählen. Kann niemand das Paket annehmen, wird es eventuell in eine Abholstelle in der Nähe "
                      "gebracht; achten Sie auf die Benachrichtigungskarte."),
            when("tracking_number", "Sendungsnummer: {{ tracking_number }}"),
        ),
        "sms": "{{ shop.name }}: Die Zustellung Ihrer Bestellung {{ order.name }} war leider erfolglos."
        "{% if new_date %} Neuer Versuch: {{ new_date }}.{% endif %}"
        + link("Zustellung ändern:", "tracking_url"),
    },
    "needs_action.pickup_waiting": {
        "subject": "Ihre Bestellung {{ order.name }} liegt zur Abholung bereit",
        "body": email(
            "Ihr Paket zur Bestellung {{ order.name }} wartet in einer Abholstelle"
            "{% if carrier %} von {{ carrier }}{% endif %} auf Sie."
            "{% if new_date %} Bitte holen Sie es bis {{ new_date }} ab; danach wird es an uns zurückgeschickt."
            "{% else %} Bitte holen Sie es bald ab: Abholstellen bewahren Pakete nur wenige Tage auf.{% endif %}",
            next_step("Adresse und Öffnungszeiten finden Sie in der Sendungsverfolgung. Bringen Sie einen "
                      "Lichtbildausweis{% if tracking_number %} und die Sendungsnummer {{ tracking_number }}"
                      "{% endif %} mit."),
        ),
        "sms": "{{ shop.name }}: Ihre Bestellung {{ order.name }} liegt in einer Abholstelle bereit."
        "{% if new_date %} Abholen bis {{ new_date }}.{% endif %}"
        + link("Adresse & Öffnungszeiten:", "tracking_url"),
    },
    "needs_action.customs": {
        "subject": "Ihre Bestellung {{ order.name }} liegt beim Zoll",
        "body": email(
            "Ihr Paket zur Bestellung {{ order.name }} wird vom Zoll zurückgehalten. Meist braucht der Zoll ein "
            "Dokument oder die Zahlung von Einfuhrabgaben (Zoll oder Steuer), bevor er es freigibt.",
            next_step(f"{CC} meldet sich bei Ihnen, falls etwas benötigt wird, meist per E-Mail oder SMS. Bitte "
                      "antworten Sie zügig, damit das Paket nicht zurückgeschickt wird. Wenn Sie unsicher sind, ob "
                      "eine Nachricht echt ist, prüfen Sie die Sendungsverfolgung oder antworten Sie auf diese "
                      "E-Mail: Wir helfen gern."),
        ),
        "sms": "{{ shop.name }}: Ihre Bestellung {{ order.name }} liegt beim Zoll. Eventuell werden ein Dokument "
        "oder Einfuhrabgaben verlangt." + link("Details:", "tracking_url"),
    },
    "needs_action.address": {
        "subject": "Bitte prüfen Sie die Lieferadresse für Bestellung {{ order.name }}",
        "body": email(
            "Ihre Bestellung {{ order.name }} konnte wegen eines Adressproblems nicht zugestellt werden: Die "
            "Adresse ist vielleicht unvollständig oder schwer zu finden.",
            next_step("Bitte schicken Sie uns die vollständige Adresse, gern mit Hausnummernzusatz, Stockwerk oder "
                      "Firmenname, als Antwort auf diese E-Mail oder über den Link unten. Wir geben sie sofort an "
                      f"{C_ACC} weiter, bevor das Paket zurückgeht."),
            report="Hier können Sie uns die vollständige Adresse schicken: {{ report_url }}",
        ),
        "sms": "{{ shop.name }}: Bestellung {{ order.name }} kann nicht zugestellt werden, die Adresse muss "
        "geprüft werden. Bitte senden Sie uns die richtige." + link("", "report_url", ""),
    },
    "damaged": {
        "subject": "Ihre Bestellung {{ order.name }} wurde beim Transport beschädigt",
        "body": email(
            f"Ihr Paket zur Bestellung {{{{ order.name }}}} wurde leider auf dem Weg zu Ihnen beschädigt, wie uns "
            f"{C} mitgeteilt hat. Das tut uns sehr leid.",
            next_step("Für Sie entstehen keine Nachteile: Wir melden uns innerhalb eines Werktags und schicken "
                      "Ihnen Ersatz oder erstatten den Betrag, ganz wie Sie möchten."),
            when("report_url", "Falls das Paket doch bei Ihnen ankommt, bewahren Sie es bitte auf und schicken Sie "
                               "uns über den Link unten ein Foto: Das hilft uns bei der Reklamation."),
            track=False,
        ),
        "sms": "{{ shop.name }}: Ihre Bestellung {{ order.name }} wurde leider beim Transport beschädigt. Wir "
        "melden uns binnen 1 Werktag wegen Ersatz oder Erstattung.",
    },
    "returning": {
        "subject": "Ihre Bestellung {{ order.name }} ist auf dem Rückweg zu uns",
        "body": email(
            f"Ihre Bestellung {{{{ order.name }}}} konnte nicht zugestellt werden und wird {FROM_C} an uns "
            "zurückgeschickt.",
            next_step("Sobald sie bei uns ist, melden wir uns und schicken sie erneut oder erstatten den Betrag, "
                      "ganz wie Sie möchten. Falls sich Ihre Adresse geändert hat, teilen Sie sie uns über den "
                      "Link unten mit, damit es beim nächsten Mal klappt."),
        ),
        "sms": "{{ shop.name }}: Bestellung {{ order.name }} war nicht zustellbar und kommt zu uns "
        "zurück. Wir melden uns wegen Neuversand oder Erstattung." + link("", "report_url", ""),
    },
    "presumed_lost": {
        "subject": "Es tut uns leid: Ihre Bestellung {{ order.name }} ist wohl verloren gegangen",
        "body": email(
            f"Ihr Paket zur Bestellung {{{{ order.name }}}} wurde schon lange nicht mehr {FROM_C} gescannt, und wir "
            "gehen davon aus, dass es verloren gegangen ist. Das tut uns sehr leid.",
            next_step("Wir möchten Sie nicht länger warten lassen. Sagen Sie uns über den Link unten oder per "
                      "Antwort auf diese E-Mail, ob Sie Ersatz oder eine Erstattung möchten, und wir kümmern uns "
                      "sofort darum."),
            track=False, report="Ersatz oder Erstattung? Sagen Sie es uns hier: {{ report_url }}",
        ),
        "sms": "{{ shop.name }}: Ihre Bestellung {{ order.name }} ist leider wohl verloren gegangen. Wählen Sie "
        "Ersatz oder Erstattung, wir kümmern uns." + link("", "report_url", ""),
    },
    "unfulfilled": {
        "subject": "Neuigkeiten zu Ihrer Bestellung {{ order.name }}",
        "body": email(
            "Ihre Bestellung {{ order.name }} braucht länger als geplant, bis sie bei uns losgeht."
            "{% if new_date %} Wir rechnen jetzt damit, sie spätestens am {{ new_date }} zu verschicken.{% endif %}",
            next_step("Sobald sie unterwegs ist, schicken wir Ihnen den Link zur Sendungsverfolgung. Wenn Sie nicht "
                      "warten möchten, sagen Sie es uns über den Link unten: Wir stornieren dann und erstatten den "
                      "vollen Betrag."),
            track=False,
        ),
        "sms": "{{ shop.name }}: Ihre Bestellung {{ order.name }} verzögert sich bei uns leider."
        "{% if new_date %} Versand spätestens am {{ new_date }}.{% endif %}"
        " Die Sendungsverfolgung folgt per SMS.",
    },
    "partial": {
        "subject": "Ein Teil Ihrer Bestellung {{ order.name }} ist unterwegs",
        "body": email(
            items("Ihre Bestellung {{ order.name }} ist zum Teil schon unterwegs, diese Artikel sind aber noch bei uns:",
                  "Ihre Bestellung {{ order.name }} ist zum Teil schon unterwegs, der Rest ist noch bei uns."),
            when("new_date", "Wir rechnen damit, sie spätestens am {{ new_date }} zu verschicken."),
            next_step("Wir schicken sie, sobald sie bereit sind, und senden Ihnen die Sendungsverfolgung. "
                      "Sie müssen nichts tun."),
        ),
        "sms": "{{ shop.name }}: Ihre Bestellung {{ order.name }} ist zum Teil unterwegs, der Rest folgt"
        "{% if new_date %} bis {{ new_date }}{% else %} bald{% endif %}." + link("Verfolgung:", "tracking_url"),
    },
    "shipped": {
        "subject": "Ihre Bestellung {{ order.name }} ist unterwegs",
        "body": email(
            "Ihre Bestellung {{ order.name }} ist auf dem Weg zu Ihnen"
            "{% if carrier %} und wird von {{ carrier }} zugestellt{% endif %}."
            "{% if new_date %} Sie sollte am {{ new_date }} ankommen.{% endif %}",
            items("Im Paket:"),
            next_step("Wir behalten jedes Paket im Blick: Falls unterwegs etwas schiefgeht, erfahren Sie es zuerst "
                      "von uns."),
        ),
        "sms": "{{ shop.name }}: Ihre Bestellung {{ order.name }} ist unterwegs"
        "{% if new_date %}, Zustellung voraussichtlich am {{ new_date }}{% endif %}."
        + link("Verfolgung:", "tracking_url"),
    },
    "out_for_delivery": {
        "subject": "Ihre Bestellung {{ order.name }} kommt heute",
        "body": email(
            "Ihr Paket zur Bestellung {{ order.name }} ist in der Zustellung{% if carrier %} bei {{ carrier }}{% endif %}"
            " und sollte heute bei Ihnen ankommen.",
            next_step("Wenn Sie nicht zu Hause sind, können Sie in der Sendungsverfolgung einen Ablageort oder "
                      "einen Nachbarn angeben."),
        ),
        "sms": "{{ shop.name }}: Ihre Bestellung {{ order.name }} ist in der Zustellung und kommt heute."
        + link("Verfolgung:", "tracking_url"),
    },
    "delivered_after_problem": {
        "subject": "Ihre Bestellung {{ order.name }} ist angekommen",
        "body": email(
            "Ihre Bestellung {{ order.name }} wurde zugestellt. Danke für Ihre Geduld während der Verzögerung; "
            "es tut uns leid, dass es länger gedauert hat als vorgesehen.",
            next_step("Falls etwas fehlt oder beschädigt ist, sagen Sie es uns über den Link unten: Wir bringen "
                      "es in Ordnung."),
            track=False,
        ),
        "sms": "{{ shop.name }}: Ihre Bestellung {{ order.name }} wurde zugestellt. Danke für Ihre Geduld!"
        + link("Stimmt etwas nicht?", "report_url"),
    },
    "follow_up": {
        "subject": "Wir bleiben dran: Ihre Bestellung {{ order.name }}",
        "body": email(
            "Ihre Bestellung {{ order.name }} haben wir nicht vergessen, hier ein kurzer Zwischenstand.",
            next_step(f"Wir kümmern uns weiter gemeinsam mit {C_DAT} darum. Sobald es Neuigkeiten gibt, melden "
                      "wir uns."),
            when("new_date", "Der aktuell erwartete Liefertermin ist {{ new_date }}."),
        ),
        "sms": "{{ shop.name }}: Neues zu Ihrer Bestellung {{ order.name }}. "
        + next_step("Wir bleiben dran und melden uns, sobald wir mehr wissen.")
        + link("Verfolgung:", "tracking_url"),
    },
    "survey": {
        "subject": "Wie waren wir bei Ihrer Bestellung {{ order.name }}?",
        "body": email(
            "Ihre Bestellung {{ order.name }} ist hoffentlich gut bei Ihnen angekommen. Haben wir Sie gut über die "
            "Lieferung auf dem Laufenden gehalten? Es ist nur eine Frage und dauert zehn Sekunden:",
            when("survey_url", "{{ survey_url }}"),
            "Ihre Antwort geht direkt an das Team von {{ shop.name }} und hilft uns, besser zu werden.",
            track=False, report=False,
        ),
        "sms": "{{ shop.name }}: Wie lief die Lieferung Ihrer Bestellung {{ order.name }}?"
        + link("Nur eine Frage:", "survey_url"),
    },
}

SAMPLE = {"first_name": "Jonas", "items": [("Leinenschürze", 1), ("Steinzeugbecher", 2)]}
