"""Customer notification copy in Italian: tu, as Italian online shops write. The carrier is "il
corriere DHL", so the prepositions contract the same way with or without its name."""
from __future__ import annotations

from core.domain.message_copy.compose import Frame, items, link, next_step, when

K = "il corriere{% if carrier %} {{ carrier }}{% endif %}"
KC = "Il corriere{% if carrier %} {{ carrier }}{% endif %}"
BY_K = "dal corriere{% if carrier %} {{ carrier }}{% endif %}"
WITH_K = "con il corriere{% if carrier %} {{ carrier }}{% endif %}"

FRAME = Frame(
    greeting="Ciao{% if customer.first_name %} {{ customer.first_name }}{% endif %},",
    track="Segui il tuo pacco: {{ tracking_url }}",
    report="Qualcosa non va? Scrivici qui: {{ report_url }}",
    signoff="Un caro saluto,\nIl team di {{ shop.name }}",
    footer="Ricevi questi aggiornamenti sulla consegna perché hai fatto un ordine su {{ shop.name }}. "
    "Per non riceverli più, annulla l'iscrizione qui: {{ unsubscribe_url }}",
)
email = FRAME.email

COPY: dict[str, dict[str, str]] = {
    "late": {
        "subject": "Il tuo ordine {{ order.name }} è in ritardo",
        "body": email(
            f"Il tuo ordine {{{{ order.name }}}} avrebbe già dovuto arrivare, ma {K} non l'ha ancora consegnato."
            "{% if new_date %} Ora la consegna è prevista per {{ new_date }}.{% endif %}",
            next_step("Lo stiamo seguendo da vicino e ti scriveremo appena si muove. Non devi fare nulla."),
        ),
        "sms": "{{ shop.name }}: il tuo ordine {{ order.name }} è in ritardo."
        "{% if new_date %} Nuova consegna prevista: {{ new_date }}.{% endif %}"
        " Lo seguiamo noi." + link("Tracking:", "tracking_url"),
    },
    "running_late": {
        "subject": "Ritardo nella consegna dell'ordine {{ order.name }}",
        "body": email(
            f"{KC} ci ha avvisato che il pacco del tuo ordine {{{{ order.name }}}} è in ritardo."
            "{% if new_date %} La nuova data di consegna prevista è {{ new_date }}."
            "{% else %} Non ha ancora indicato una nuova data: te la comunicheremo appena la riceviamo.{% endif %}",
            next_step("Il pacco è ancora in viaggio e non devi fare nulla. Lo teniamo d'occhio e ti avviseremo se "
                      "cambia qualcos'altro."),
        ),
        "sms": "{{ shop.name }}: il corriere segnala un ritardo per l'ordine {{ order.name }}."
        "{% if new_date %} Nuova data: {{ new_date }}.{% endif %}"
        " Non devi fare nulla." + link("Tracking:", "tracking_url"),
    },
    "stuck": {
        "subject": "Stiamo controllando il tuo ordine {{ order.name }}",
        "body": email(
            f"Il pacco del tuo ordine {{{{ order.name }}}} non viene scansionato {BY_K} da qualche giorno. A volte "
            "un pacco resta fermo in deposito per un po', ma non volevamo lasciarti nel dubbio.",
            next_step("Abbiamo aperto una pratica e stiamo sollecitando il corriere. Ti scriveremo appena il pacco "
                      "si muove e, se non dovesse muoversi, troveremo insieme una soluzione."),
        ),
        "sms": "{{ shop.name }}: il pacco dell'ordine {{ order.name }} è fermo da qualche giorno. Stiamo "
        "sollecitando il corriere e ti aggiorneremo." + link("Tracking:", "tracking_url"),
    },
    "needs_action.failed_attempt": {
        "subject": "Non è stato possibile consegnare il tuo ordine {{ order.name }}",
        "body": email(
            f"{KC} ha provato a consegnare il tuo ordine {{{{ order.name }}}}, ma non è riuscito a lasciarlo."
            "{% if new_date %} Il prossimo tentativo è previsto per {{ new_date }}.{% endif %}",
            next_step("Per scegliere un altro giorno, un luogo sicuro o un punto di ritiro, usa la pagina di "
                      "tracking. Se nessuno può ritirarlo, il pacco potrebbe essere portato in un punto di ritiro "
                      "vicino: controlla l'avviso del corriere."),
            when("tracking_number", "Numero di spedizione: {{ tracking_number }}"),
        ),
        "sms": "{{ shop.name }}: il corriere non è riuscito a consegnare l'ordine {{ order.name }}."
        "{% if new_date %} Nuovo tentativo: {{ new_date }}.{% endif %}"
        + link("Cambia la consegna:", "tracking_url"),
    },
    "needs_action.pickup_waiting": {
        "subject": "Il tuo ordine {{ order.name }} è pronto per il ritiro",
        "body": email(
            "Il pacco del tuo ordine {{ order.name }} ti aspetta in un punto di ritiro"
            "{% if carrier %} {{ carrier }}{% endif %}."
            "{% if new_date %} Hai tempo fino a {{ new_date }} per ritirarlo; dopo verrà rispedito a noi."
            "{% else %} Ritiralo presto: i punti di ritiro tengono i pacchi solo per pochi giorni.{% endif %}",
            next_step("Indirizzo e orari sono nella pagina di tracking. Porta con te un documento d'identità"
                      "{% if tracking_number %} e il numero di spedizione, {{ tracking_number }}{% endif %}."),
        ),
        "sms": "{{ shop.name }}: il tuo ordine {{ order.name }} ti aspetta in un punto di ritiro."
        "{% if new_date %} Ritiralo entro {{ new_date }}.{% endif %}"
        + link("Indirizzo e orari:", "tracking_url"),
    },
    "needs_action.customs": {
        "subject": "Il tuo ordine {{ order.name }} è fermo in dogana",
        "body": email(
            "Il pacco del tuo ordine {{ order.name }} è trattenuto in dogana. Di solito significa che la dogana "
            "ha bisogno di un documento o del pagamento di dazi o imposte di importazione per sbloccarlo.",
            next_step(f"{KC} ti contatterà se serve qualcosa, di solito via e-mail o SMS. Rispondi presto, così il "
                      "pacco non verrà rimandato indietro. Se hai dubbi sull'autenticità di un messaggio, controlla "
                      "la pagina di tracking o rispondi a questa e-mail: ti aiutiamo volentieri."),
        ),
        "sms": "{{ shop.name }}: il tuo ordine {{ order.name }} è fermo in dogana. Potrebbero chiederti un "
        "documento o delle imposte." + link("Dettagli:", "tracking_url"),
    },
    "needs_action.address": {
        "subject": "Controlla l'indirizzo di consegna dell'ordine {{ order.name }}",
        "body": email(
            f"{KC} non è riuscito a consegnare il tuo ordine {{{{ order.name }}}} per un problema con l'indirizzo: "
            "forse è incompleto o difficile da trovare.",
            next_step("Inviaci l'indirizzo completo, con numero civico, scala, interno o citofono, rispondendo a "
                      "questa e-mail o dal link qui sotto. Lo passeremo subito al corriere, prima che il pacco "
                      "torni indietro."),
            report="Inviaci l'indirizzo completo qui: {{ report_url }}",
        ),
        "sms": "{{ shop.name }}: il corriere non riesce a consegnare l'ordine {{ order.name }}, l'indirizzo va "
        "verificato. Inviaci quello giusto." + link("", "report_url", ""),
    },
    "damaged": {
        "subject": "Il tuo ordine {{ order.name }} si è danneggiato durante il trasporto",
        "body": email(
            f"Ci dispiace molto: {K} ci ha comunicato che il pacco del tuo ordine {{{{ order.name }}}} si è "
            "danneggiato durante il viaggio.",
            next_step("Non ci rimetterai nulla. Entro un giorno lavorativo ti contatteremo per inviarti un prodotto "
                      "sostitutivo o rimborsarti, come preferisci."),
            when("report_url", "Se il pacco ti arriva comunque, conservalo e mandaci una foto dal link qui sotto: "
                               "ci aiuta a presentare reclamo al corriere."),
            track=False,
        ),
        "sms": "{{ shop.name }}: ci dispiace, il tuo ordine {{ order.name }} si è danneggiato in transito. Ti "
        "contatteremo entro 1 giorno lavorativo per sostituzione o rimborso.",
    },
    "returning": {
        "subject": "Il tuo ordine {{ order.name }} sta tornando da noi",
        "body": email(
            f"{KC} non è riuscito a completare la consegna del tuo ordine {{{{ order.name }}}} e ci sta "
            "rimandando il pacco.",
            next_step("Appena arriva, ti contatteremo per rispedirtelo o rimborsarti, come preferisci. Se il tuo "
                      "indirizzo è cambiato, comunicacelo dal link qui sotto, così la prossima volta andrà a buon fine."),
        ),
        "sms": "{{ shop.name }}: l'ordine {{ order.name }} non è stato consegnato e sta tornando da noi. Ti "
        "contatteremo per rispedirlo o rimborsarlo." + link("", "report_url", ""),
    },
    "presumed_lost": {
        "subject": "Ci dispiace: il tuo ordine {{ order.name }} sembra smarrito",
        "body": email(
            f"Ci dispiace molto: il pacco del tuo ordine {{{{ order.name }}}} non viene scansionato {BY_K} da "
            "molto tempo e riteniamo che sia andato perso.",
            next_step("Non vogliamo farti aspettare oltre. Dicci se preferisci una nuova spedizione o un rimborso, "
                      "dal link qui sotto o rispondendo a questa e-mail, e ce ne occupiamo subito."),
            track=False, report="Nuova spedizione o rimborso? Faccelo sapere qui: {{ report_url }}",
        ),
        "sms": "{{ shop.name }}: ci dispiace, l'ordine {{ order.name }} sembra smarrito. Scegli nuova spedizione "
        "o rimborso e pensiamo a tutto noi." + link("", "report_url", ""),
    },
    "unfulfilled": {
        "subject": "Aggiornamento sul tuo ordine {{ order.name }}",
        "body": email(
            "Il tuo ordine {{ order.name }} sta richiedendo più tempo del previsto per partire."
            "{% if new_date %} Ora contiamo di spedirlo entro {{ new_date }}.{% endif %}",
            next_step("Ti invieremo il link di tracking appena sarà in viaggio. Se preferisci non aspettare, "
                      "dillo dal link qui sotto: annulliamo l'ordine e ti rimborsiamo per intero."),
            track=False,
        ),
        "sms": "{{ shop.name }}: ci scusiamo, l'ordine {{ order.name }} tarda a partire."
        "{% if new_date %} Spedizione entro {{ new_date }}.{% endif %}"
        " Ti invieremo il tracking.",
    },
    "partial": {
        "subject": "Parte del tuo ordine {{ order.name }} è in viaggio",
        "body": email(
            items("Una parte del tuo ordine {{ order.name }} è già partita, ma questi articoli sono ancora da noi:",
                  "Una parte del tuo ordine {{ order.name }} è già partita; il resto è ancora da noi."),
            when("new_date", "Contiamo di spedirli entro {{ new_date }}."),
            next_step("Li spediremo appena saranno pronti e ti manderemo il tracking. Non devi fare nulla."),
        ),
        "sms": "{{ shop.name }}: parte dell'ordine {{ order.name }} è in viaggio; il resto partirà"
        "{% if new_date %} entro {{ new_date }}{% else %} presto{% endif %}." + link("Tracking:", "tracking_url"),
    },
    "shipped": {
        "subject": "Il tuo ordine {{ order.name }} è in viaggio",
        "body": email(
            "Buone notizie: il tuo ordine {{ order.name }} è partito{% if carrier %} con {{ carrier }}{% endif %}."
            "{% if new_date %} Dovrebbe arrivare {{ new_date }}.{% endif %}",
            items("Nel pacco:"),
            next_step("Teniamo d'occhio ogni pacco: se qualcosa va storto durante il viaggio, lo saprai prima da noi."),
        ),
        "sms": "{{ shop.name }}: il tuo ordine {{ order.name }} è in viaggio"
        "{% if new_date %}, arrivo previsto {{ new_date }}{% endif %}." + link("Tracking:", "tracking_url"),
    },
    "out_for_delivery": {
        "subject": "Il tuo ordine {{ order.name }} arriva oggi",
        "body": email(
            "Il pacco del tuo ordine {{ order.name }} è in consegna"
            "{% if carrier %} con {{ carrier }}{% endif %} e dovrebbe arrivare oggi.",
            next_step("Se non sarai a casa, puoi scegliere un luogo sicuro o un vicino dalla pagina di tracking."),
        ),
        "sms": "{{ shop.name }}: il tuo ordine {{ order.name }} è in consegna e arriva oggi."
        + link("Tracking:", "tracking_url"),
    },
    "delivered_after_problem": {
        "subject": "Il tuo ordine {{ order.name }} è arrivato",
        "body": email(
            "Buone notizie: il tuo ordine {{ order.name }} è stato consegnato. Grazie per la pazienza durante il "
            "ritardo; ci dispiace che abbia impiegato più del dovuto.",
            next_step("Se manca qualcosa o è arrivato danneggiato, dillo dal link qui sotto e sistemiamo tutto."),
            track=False,
        ),
        "sms": "{{ shop.name }}: il tuo ordine {{ order.name }} è stato consegnato. Grazie per la pazienza!"
        + link("Qualche problema? Scrivici:", "report_url"),
    },
    "follow_up": {
        "subject": "Ci stiamo ancora lavorando: ordine {{ order.name }}",
        "body": email(
            "Ecco un aggiornamento sul tuo ordine {{ order.name }}.",
            next_step(f"Ci stiamo ancora lavorando {WITH_K} e non ci siamo dimenticati di te. Ti scriveremo appena "
                      "avremo novità."),
            when("new_date", "La data di consegna prevista più recente è {{ new_date }}."),
        ),
        "sms": "{{ shop.name }}: aggiornamento sull'ordine {{ order.name }}. "
        + next_step("Ci stiamo ancora lavorando e ti scriveremo appena sappiamo di più.")
        + link("Tracking:", "tracking_url"),
    },
    "survey": {
        "subject": "Com'è andata con il tuo ordine {{ order.name }}?",
        "body": email(
            "Speriamo che il tuo ordine {{ order.name }} sia arrivato senza problemi. Ti abbiamo dato le "
            "informazioni giuste sulla consegna? È una sola domanda e richiede dieci secondi:",
            when("survey_url", "{{ survey_url }}"),
            "La tua risposta arriva direttamente al team di {{ shop.name }} e ci aiuta a migliorare.",
            track=False, report=False,
        ),
        "sms": "{{ shop.name }}: com'è andata la consegna dell'ordine {{ order.name }}?"
        + link("Una sola domanda:", "survey_url"),
    },
}

SAMPLE = {"first_name": "Giulia", "items": [("Grembiule di lino", 1), ("Tazza in gres", 2)]}
