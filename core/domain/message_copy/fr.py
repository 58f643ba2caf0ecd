"""Customer notification copy in French: vous, with the space French puts before : ? ! (a plain
space, so SMS stays in the GSM alphabet)."""
from __future__ import annotations

from core.domain.message_copy.compose import Frame, items, link, next_step, when

C = '{{ carrier or "le transporteur" }}'
CC = '{{ carrier or "Le transporteur" }}'

FRAME = Frame(
    greeting="Bonjour{% if customer.first_name %} {{ customer.first_name }}{% endif %},",
    track="Suivre votre colis : {{ tracking_url }}",
    report="Un souci ? Dites-le-nous ici : {{ report_url }}",
    signoff="Bien cordialement,\nL'équipe {{ shop.name }}",
    footer="Vous recevez ces informations de livraison parce que vous avez commandé chez {{ shop.name }}. "
    "Pour ne plus les recevoir, désabonnez-vous ici : {{ unsubscribe_url }}",
)
email = FRAME.email

COPY: dict[str, dict[str, str]] = {
    "late": {
        "subject": "Votre commande {{ order.name }} a du retard",
        "body": email(
            f"Votre commande {{{{ order.name }}}} aurait déjà dû vous parvenir, mais {C} ne l'a pas encore livrée."
            "{% if new_date %} La livraison est désormais prévue le {{ new_date }}.{% endif %}",
            next_step("Nous la suivons de près et vous écrirons dès qu'elle bougera. Vous n'avez rien à faire."),
        ),
        "sms": "{{ shop.name }} : votre commande {{ order.name }} a du retard."
        "{% if new_date %} Livraison désormais prévue le {{ new_date }}.{% endif %}"
        " Nous la suivons de près." + link("Suivi :", "tracking_url"),
    },
    "running_late": {
        "subject": "Retard de livraison pour votre commande {{ order.name }}",
        "body": email(
            f"{CC} nous a prévenus que le colis de votre commande {{{{ order.name }}}} a pris du retard."
            "{% if new_date %} La nouvelle date de livraison prévue est le {{ new_date }}."
            "{% else %} Aucune nouvelle date n'a encore été donnée ; nous vous la transmettrons dès que possible."
            "{% endif %}",
            next_step("Votre colis est toujours en route et vous n'avez rien à faire. Nous le suivons et vous "
                      "préviendrons en cas de nouveau changement."),
        ),
        "sms": f"{{{{ shop.name }}}} : {C} signale un retard pour votre commande {{{{ order.name }}}}."
        "{% if new_date %} Nouvelle date : {{ new_date }}.{% endif %}"
        " Rien à faire de votre côté." + link("Suivi :", "tracking_url"),
    },
    "stuck": {
        "subject": "Nous vérifions votre commande {{ order.name }}",
        "body": email(
            f"Le colis de votre commande {{{{ order.name }}}} n'a pas été scanné par {C} depuis quelques jours. "
            "Il arrive qu'un colis reste un moment en entrepôt, mais nous ne voulions pas vous laisser dans le doute.",
            next_step(f"Nous avons ouvert un dossier et relançons {C}. Nous vous écrirons dès que le colis bougera "
                      "et, s'il ne bouge pas, nous trouverons une solution avec vous."),
        ),
        "sms": "{{ shop.name }} : le colis de votre commande {{ order.name }} ne bouge plus depuis quelques "
        "jours. Nous relançons le transporteur." + link("Suivi :", "tracking_url"),
    },
    "needs_action.failed_attempt": {
        "subject": "Votre commande {{ order.name }} n'a pas pu être livrée",
        "body": email(
            f"{CC} a tenté de livrer votre commande {{{{ order.name }}}}, sans pouvoir vous la remettre."
            "{% if new_date %} Une nouvelle tentative est prévue le {{ new_date }}.{% endif %}",
            next_step("Pour choisir un autre jour, un lieu sûr ou un point relais, passez par la page de suivi. "
                      "Si personne ne peut le réceptionner, le colis pourra être déposé dans un point relais "
                      "proche : surveillez l'avis de passage."),
            when("tracking_number", "Numéro de suivi : {{ tracking_number }}"),
        ),
        "sms": f"{{{{ shop.name }}}} : {C} n'a pas pu livrer votre commande {{{{ order.name }}}}."
        "{% if new_date %} Nouvel essai le {{ new_date }}.{% endif %}"
        + link("Modifier la livraison :", "tracking_url"),
    },
    "needs_action.pickup_waiting": {
        "subject": "Votre commande {{ order.name }} vous attend en point relais",
        "body": email(
            "Le colis de votre commande {{ order.name }} vous attend dans un point relais"
            "{% if carrier %} {{ carrier }}{% endif %}."
            "{% if new_date %} Vous avez jusqu'au {{ new_date }} pour le retirer ; ensuite, il nous sera renvoyé."
            "{% else %} Pensez à le retirer vite : les points relais ne gardent les colis que quelques jours."
            "{% endif %}",
            next_step("L'adresse et les horaires figurent sur la page de suivi. Munissez-vous d'une pièce "
                      "d'identité{% if tracking_number %} et du numéro de suivi, {{ tracking_number }}{% endif %}."),
        ),
        "sms": "{{ shop.name }} : votre commande {{ order.name }} vous attend en point relais."
        "{% if new_date %} À retirer jusqu'au {{ new_date }}.{% endif %}"
        + link("Adresse et horaires :", "tracking_url"),
    },
    "needs_action.customs": {
        "subject": "Votre commande {{ order.name }} est retenue en douane",
        "body": email(
            "Le colis de votre commande {{ order.name }} est retenu en douane. En général, la douane a besoin "
            "d'un document ou du paiement de droits ou de taxes d'importation pour le libérer.",
            next_step(f"{CC} vous contactera s'il a besoin de quelque chose, généralement par e-mail ou SMS. "
                      "Répondez-lui rapidement pour éviter le renvoi du colis. En cas de doute sur l'authenticité "
                      "d'un message, consultez la page de suivi ou répondez à cet e-mail : nous vous aiderons "
                      "volontiers."),
        ),
        "sms": "{{ shop.name }} : votre commande {{ order.name }} est retenue en douane. Un document ou des "
        "taxes peuvent vous être demandés." + link("Détails :", "tracking_url"),
    },
    "needs_action.address": {
        "subject": "Vérifiez l'adresse de livraison de votre commande {{ order.name }}",
        "body": email(
            f"{CC} n'a pas pu livrer votre commande {{{{ order.name }}}} à cause d'un problème d'adresse : elle "
            "est peut-être incomplète ou difficile à trouver.",
            next_step("Envoyez-nous l'adresse complète, avec le bâtiment, l'étage ou le code d'accès, en répondant "
                      "à cet e-mail ou via le lien ci-dessous. Nous la transmettrons aussitôt au transporteur, "
                      "avant que le colis ne soit renvoyé."),
            report="Envoyez-nous l'adresse complète ici : {{ report_url }}",
        ),
        "sms": "{{ shop.name }} : votre commande {{ order.name }} ne peut pas être livrée, l'adresse est à "
        "vérifier. Envoyez-nous la bonne." + link("", "report_url", ""),
    },
    "damaged": {
        "subject": "Votre commande {{ order.name }} a été endommagée pendant le transport",
        "body": email(
            f"Nous sommes désolés : {C} nous informe que le colis de votre commande {{{{ order.name }}}} a été "
            "endommagé en route.",
            next_step("Vous ne serez pas perdant. Nous vous contacterons sous un jour ouvré pour vous envoyer un "
                      "remplacement ou vous rembourser, comme vous préférez."),
            when("report_url", "Si le colis vous parvient malgré tout, gardez-le et envoyez-nous une photo via le "
                               "lien ci-dessous : cela nous aide à faire une réclamation auprès du transporteur."),
            track=False,
        ),
        "sms": "{{ shop.name }} : désolés, votre commande {{ order.name }} a été endommagée en transit. Nous vous "
        "contactons sous 1 jour ouvré pour un remplacement ou un remboursement.",
    },
    "returning": {
        "subject": "Votre commande {{ order.name }} nous est renvoyée",
        "body": email(
            f"{CC} n'a pas pu terminer la livraison de votre commande {{{{ order.name }}}} et nous renvoie le colis.",
            next_step("Dès son retour, nous vous contacterons pour vous le réexpédier ou vous rembourser, à votre "
                      "choix. Si votre adresse a changé, indiquez-la-nous via le lien ci-dessous pour que la "
                      "prochaine livraison soit la bonne."),
        ),
        "sms": "{{ shop.name }} : votre commande {{ order.name }} n'a pas pu être livrée et nous revient. Nous "
        "vous contacterons pour la renvoyer ou la rembourser." + link("", "report_url", ""),
    },
    "presumed_lost": {
        "subject": "Nous sommes désolés : votre commande {{ order.name }} semble perdue",
        "body": email(
            f"Nous sommes désolés : le colis de votre commande {{{{ order.name }}}} n'a plus été scanné par {C} "
            "depuis longtemps, et nous pensons qu'il a été perdu.",
            next_step("Nous ne voulons pas vous faire attendre davantage. Dites-nous si vous préférez un "
                      "remplacement ou un remboursement, via le lien ci-dessous ou en répondant à cet e-mail, et "
                      "nous nous en occupons tout de suite."),
            track=False, report="Remplacement ou remboursement ? Dites-le-nous ici : {{ report_url }}",
        ),
        "sms": "{{ shop.name }} : désolés, votre commande {{ order.name }} semble perdue. Choisissez un "
        "remplacement ou un remboursement, on s'occupe du reste." + link("", "report_url", ""),
    },
    "unfulfilled": {
        "subject": "Des nouvelles de votre commande {{ order.name }}",
        "body": email(
            "Votre commande {{ order.name }} met plus de temps que prévu à partir."
            "{% if new_date %} Nous prévoyons désormais de l'expédier au plus tard le {{ new_date }}.{% endif %}",
            next_step("Nous vous enverrons le lien de suivi dès son départ. Si vous préférez ne pas attendre, "
                      "dites-le-nous via le lien ci-dessous : nous annulerons et vous rembourserons intégralement."),
            track=False,
        ),
        "sms": "{{ shop.name }} : désolés, votre commande {{ order.name }} tarde à partir."
        "{% if new_date %} Expédition au plus tard le {{ new_date }}.{% endif %}"
        " Nous vous enverrons le lien de suivi.",
    },
    "partial": {
        "subject": "Une partie de votre commande {{ order.name }} est en route",
        "body": email(
            items("Une partie de votre commande {{ order.name }} a été expédiée, mais ces articles sont encore chez nous :",
                  "Une partie de votre commande {{ order.name }} a été expédiée ; le reste est encore chez nous."),
            when("new_date", "Nous prévoyons de les expédier au plus tard le {{ new_date }}."),
            next_step("Nous les enverrons dès qu'ils seront prêts et vous transmettrons leur suivi. "
                      "Vous n'avez rien à faire."),
        ),
        "sms": "{{ shop.name }} : une partie de votre commande {{ order.name }} est en route ; le reste suivra"
        "{% if new_date %} d'ici le {{ new_date }}{% else %} bientôt{% endif %}." + link("Suivi :", "tracking_url"),
    },
    "shipped": {
        "subject": "Votre commande {{ order.name }} est en route",
        "body": email(
            "Bonne nouvelle : votre commande {{ order.name }} est partie{% if carrier %} avec {{ carrier }}{% endif %}."
            "{% if new_date %} Elle devrait arriver le {{ new_date }}.{% endif %}",
            items("Dans le colis :"),
            next_step("Nous surveillons chaque colis : si quelque chose se passe mal en route, vous l'apprendrez "
                      "d'abord par nous."),
        ),
        "sms": "{{ shop.name }} : votre commande {{ order.name }} est en route"
        "{% if new_date %}, livraison prévue le {{ new_date }}{% endif %}." + link("Suivi :", "tracking_url"),
    },
    "out_for_delivery": {
        "subject": "Votre commande {{ order.name }} arrive aujourd'hui",
        "body": email(
            "Le colis de votre commande {{ order.name }} est en cours de livraison"
            "{% if carrier %} avec {{ carrier }}{% endif %} et devrait vous parvenir aujourd'hui.",
            next_step("Si vous n'êtes pas là, vous pouvez choisir un lieu sûr ou un voisin depuis la page de suivi."),
        ),
        "sms": "{{ shop.name }} : votre commande {{ order.name }} est en cours de livraison et arrive "
        "aujourd'hui." + link("Suivi :", "tracking_url"),
    },
    "delivered_after_problem": {
        "subject": "Votre commande {{ order.name }} est arrivée",
        "body": email(
            "Bonne nouvelle : votre commande {{ order.name }} a été livrée. Merci pour votre patience pendant ce "
            "retard ; nous sommes désolés qu'elle ait mis plus de temps que prévu.",
            next_step("S'il manque quelque chose ou si un article est abîmé, dites-le-nous via le lien ci-dessous "
                      "et nous arrangerons les choses."),
            track=False,
        ),
        "sms": "{{ shop.name }} : votre commande {{ order.name }} a été livrée. Merci pour votre patience !"
        + link("Un souci ? Dites-le-nous :", "report_url"),
    },
    "follow_up": {
        "subject": "Nous suivons toujours votre commande {{ order.name }}",
        "body": email(
            "Voici des nouvelles de votre commande {{ order.name }}.",
            next_step(f"Nous continuons à nous en occuper avec {C} et ne vous oublions pas. Nous vous écrirons dès "
                      "que nous aurons du nouveau."),
            when("new_date", "La date de livraison prévue la plus récente est le {{ new_date }}."),
        ),
        "sms": "{{ shop.name }} : des nouvelles de votre commande {{ order.name }}. "
        + next_step("Nous suivons toujours le dossier et revenons vers vous très vite.")
        + link("Suivi :", "tracking_url"),
    },
    "survey": {
        "subject": "Votre avis sur la livraison de votre commande {{ order.name }}",
        "body": email(
            "Nous espérons que votre commande {{ order.name }} est bien arrivée. Avons-nous su vous tenir au "
            "courant de sa livraison ? Une seule question, dix secondes :",
            when("survey_url", "{{ survey_url }}"),
            "Votre réponse arrive directement à l'équipe {{ shop.name }} et nous aide à faire mieux.",
            track=False, report=False,
        ),
        "sms": "{{ shop.name }} : comment s'est passée la livraison de votre commande {{ order.name }} ?"
        + link("Une seule question :", "survey_url"),
    },
}

SAMPLE = {"first_name": "Camille", "items": [("Tablier en lin", 1), ("Tasse en grès", 2)]}
