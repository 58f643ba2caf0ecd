"""Customer notification copy in English: plain, warm, specific; says what happened, the new date
when there is one, what happens next. SMS texts stay within one GSM-7 segment (160 characters) with
a short tracking link."""
from __future__ import annotations

from core.domain.message_copy.compose import Frame, items, link, next_step, when

C = '{{ carrier or "the carrier" }}'
CC = '{{ carrier or "The carrier" }}'

FRAME = Frame(
    greeting="Hi{% if customer.first_name %} {{ customer.first_name }}{% endif %},",
    track="Follow your parcel: {{ tracking_url }}",
    report="Something not right? Tell us here: {{ report_url }}",
    signoff="Best wishes,\nThe {{ shop.name }} team",
    footer="You're receiving delivery updates because you ordered from {{ shop.name }}. "
    "To stop them, unsubscribe here: {{ unsubscribe_url }}",
)
email = FRAME.email

COPY: dict[str, dict[str, str]] = {
    "late": {
        "subject": "Your order {{ order.name }} is running late",
        "body": email(
            f"Your order {{{{ order.name }}}} should have reached you by now, but {C} hasn't delivered it yet."
            "{% if new_date %} They now expect to bring it on {{ new_date }}.{% endif %}",
            next_step("We're keeping a close eye on it and will write again as soon as it moves. "
                      "You don't need to do anything."),
        ),
        "sms": "{{ shop.name }}: your order {{ order.name }} is running late."
        f"{{% if new_date %}} {CC} now expects it on {{{{ new_date }}}}.{{% endif %}}"
        " We're on it." + link("Track:", "tracking_url"),
    },
    "running_late": {
        "subject": "A delay with your order {{ order.name }}",
        "body": email(
            f"{CC} has let us know that your parcel for order {{{{ order.name }}}} is delayed."
            "{% if new_date %} The new expected delivery date is {{ new_date }}."
            "{% else %} They haven't given a new date yet; we'll pass it on as soon as they do.{% endif %}",
            next_step("Your parcel is still on its way and you don't need to do anything. "
                      "We're watching it and will tell you if anything else changes."),
        ),
        "sms": f"{{{{ shop.name }}}}: {C} says order {{{{ order.name }}}} is delayed."
        "{% if new_date %} New date: {{ new_date }}.{% endif %}"
        " No action needed." + link("Track:", "tracking_url"),
    },
    "stuck": {
        "subject": "We're checking on your order {{ order.name }}",
        "body": email(
            f"Your parcel for order {{{{ order.name }}}} hasn't been scanned by {C} for a few days. "
            "Parcels do sometimes sit in a depot for a while, but we didn't want to leave you wondering.",
            next_step(f"We've opened a case and are following it up with {C}. We'll write again as soon as "
                      "it moves, and if it doesn't, we'll sort out a solution with you."),
        ),
        "sms": "{{ shop.name }}: your parcel for order {{ order.name }} hasn't moved for a few days. "
        "We're following it up and will update you." + link("Track:", "tracking_url"),
    },
    "needs_action.failed_attempt": {
        "subject": "We missed you: delivery of order {{ order.name }}",
        "body": email(
            f"{CC} tried to deliver your order {{{{ order.name }}}} but couldn't hand it over."
            "{% if new_date %} They plan to try again on {{ new_date }}.{% endif %}",
            next_step("To choose another day, a safe place or a pickup point, use the tracking page below. "
                      "If nobody can take the parcel, it may go to a pickup point nearby, so look out for "
                      "the carrier's card or message."),
            when("tracking_number", "Tracking number: {{ tracking_number }}"),
        ),
        "sms": "{{ shop.name }}: we missed you with order {{ order.name }}."
        "{% if new_date %} Next try: {{ new_date }}.{% endif %}"
        + link("Change the delivery:", "tracking_url"),
    },
    "needs_action.pickup_waiting": {
        "subject": "Your order {{ order.name }} is ready to collect",
        "body": email(
            "Your parcel for order {{ order.name }} is waiting for you at a "
            "{% if carrier %}{{ carrier }} {% endif %}pickup point."
            "{% if new_date %} Please collect it by {{ new_date }}; after that it will be sent back to us."
            "{% else %} Please collect it soon: pickup points only keep parcels for a few days.{% endif %}",
            next_step("You'll find the address and opening hours on the tracking page. Bring photo ID"
                      "{% if tracking_number %} and your tracking number, {{ tracking_number }}{% endif %}."),
        ),
        "sms": "{{ shop.name }}: order {{ order.name }} is waiting at a pickup point."
        "{% if new_date %} Collect by {{ new_date }}.{% endif %}"
        + link("Address & hours:", "tracking_url"),
    },
    "needs_action.customs": {
        "subject": "Your order {{ order.name }} is waiting at customs",
        "body": email(
            "Your parcel for order {{ order.name }} is being held at customs. This usually means customs "
            "needs a document or an import charge (duty or tax) before they can release it.",
            next_step(f"{CC} will contact you if they need anything, usually by email or text. Please answer "
                      "them soon so the parcel isn't sent back. If you're unsure whether a message is genuine, "
                      "check the tracking page below or reply to this email: we're happy to help."),
        ),
        "sms": "{{ shop.name }}: order {{ order.name }} is held at customs. You may be asked for a document "
        "or import charges." + link("Details:", "tracking_url"),
    },
    "needs_action.address": {
        "subject": "Please check the delivery address for order {{ order.name }}",
        "body": email(
            f"{CC} couldn't deliver your order {{{{ order.name }}}} because of a problem with the address: "
            "it may be incomplete or hard to find.",
            next_step("Please send us the full address, including any flat or unit number, by replying to "
                      f"this email or using the link below. We'll pass it to {C} straight away, before the "
                      "parcel is sent back."),
            report="Send us the full address here: {{ report_url }}",
        ),
        "sms": "{{ shop.name }}: order {{ order.name }} can't be delivered: the address needs checking. "
        "Please send us the right address." + link("", "report_url", ""),
    },
    "damaged": {
        "subject": "Your order {{ order.name }} was damaged in transit",
        "body": email(
            f"We're sorry: {C} has told us your parcel for order {{{{ order.name }}}} was damaged on its way to you.",
            next_step("You won't be out of pocket. We'll contact you within one business day to send a "
                      "replacement or give you a refund, whichever you prefer."),
            when("report_url", "If the parcel does reach you, please keep it and send us a photo using the "
                               "link below: it helps us claim from the carrier."),
            track=False,
        ),
        "sms": "{{ shop.name }}: sorry, your order {{ order.name }} was damaged in transit. We'll be in touch "
        "within 1 business day about a replacement or refund.",
    },
    "returning": {
        "subject": "Your order {{ order.name }} is on its way back to us",
        "body": email(
            f"{CC} couldn't complete delivery of your order {{{{ order.name }}}} and is returning the parcel to us.",
            next_step("As soon as it arrives we'll contact you to send it again or refund you, your choice. "
                      "If your address has changed, let us know using the link below so we get it right "
                      "next time."),
        ),
        "sms": "{{ shop.name }}: order {{ order.name }} couldn't be delivered and is returning to us. "
        "We'll contact you to resend or refund it." + link("Questions?", "report_url"),
    },
    "presumed_lost": {
        "subject": "We're sorry: your order {{ order.name }} seems to be lost",
        "body": email(
            f"We're sorry: your parcel for order {{{{ order.name }}}} hasn't been scanned by {C} for a long "
            "time, and we believe it has been lost.",
            next_step("We won't make you wait any longer. Tell us whether you'd like a replacement or a refund, "
                      "using the link below or by replying to this email, and we'll take care of it right away."),
            track=False, report="Replacement or refund? Tell us here: {{ report_url }}",
        ),
        "sms": "{{ shop.name }}: sorry, order {{ order.name }} seems lost in transit. Choose a replacement "
        "or refund and we'll sort it out." + link("", "report_url", ""),
    },
    "unfulfilled": {
        "subject": "An update on your order {{ order.name }}",
        "body": email(
            "Your order {{ order.name }} is taking longer than planned to leave us."
            "{% if new_date %} We now expect to ship it by {{ new_date }}.{% endif %}",
            next_step("We'll send you the tracking link as soon as it's on its way. If you'd rather not wait, "
                      "tell us using the link below and we'll cancel it and refund you in full."),
            track=False,
        ),
        "sms": "{{ shop.name }}: sorry, order {{ order.name }} is taking longer to ship."
        "{% if new_date %} We expect to send it by {{ new_date }}.{% endif %}"
        " We'll text you the tracking link.",
    },
    "partial": {
        "subject": "Part of your order {{ order.name }} is on its way",
        "body": email(
            items("Part of your order {{ order.name }} has shipped, but these items are still with us:",
                  "Part of your order {{ order.name }} has shipped, and the rest is still with us."),
            when("new_date", "We expect to send them by {{ new_date }}."),
            next_step("We'll send them as soon as they're ready and share their tracking with you. "
                      "There's nothing you need to do."),
        ),
        "sms": "{{ shop.name }}: part of order {{ order.name }} has shipped; the rest will follow"
        "{% if new_date %} by {{ new_date }}{% else %} soon{% endif %}." + link("Track:", "tracking_url"),
    },
    "shipped": {
        "subject": "Your order {{ order.name }} is on its way",
        "body": email(
            "Good news: your order {{ order.name }} has left us{% if carrier %} with {{ carrier }}{% endif %}."
            "{% if new_date %} It should arrive on {{ new_date }}.{% endif %}",
            items("In the parcel:"),
            next_step("We keep an eye on every parcel, so if anything goes wrong on the way, "
                      "you'll hear it from us first."),
        ),
        "sms": "{{ shop.name }}: order {{ order.name }} is on its way"
        "{% if new_date %}, expected {{ new_date }}{% endif %}." + link("Track it:", "tracking_url"),
    },
    "out_for_delivery": {
        "subject": "Your order {{ order.name }} arrives today",
        "body": email(
            "Your parcel for order {{ order.name }} is out for delivery{% if carrier %} with {{ carrier }}{% endif %}"
            " and should reach you today.",
            next_step("If you won't be in, you can choose a safe place or a neighbour on the tracking page."),
        ),
        "sms": "{{ shop.name }}: order {{ order.name }} is out for delivery and should arrive today. "
        + link("Track it:", "tracking_url"),
    },
    "delivered_after_problem": {
        "subject": "Your order {{ order.name }} has arrived",
        "body": email(
            "Good news: your order {{ order.name }} has been delivered. Thank you for your patience while it "
            "was delayed; we're sorry it took longer than it should have.",
            next_step("If anything is missing or damaged, tell us using the link below and we'll put it right."),
            track=False,
        ),
        "sms": "{{ shop.name }}: your order {{ order.name }} has been delivered. Thanks for your patience! "
        + link("Anything wrong? Tell us:", "report_url"),
    },
    "follow_up": {
        "subject": "Still on it: your order {{ order.name }}",
        "body": email(
            "Here's an update on your order {{ order.name }}.",
            next_step(f"We're still working on it with {C} and haven't forgotten you. "
                      "We'll write again as soon as we have news."),
            when("new_date", "The latest expected delivery date is {{ new_date }}."),
        ),
        "sms": "{{ shop.name }}: an update on order {{ order.name }}. "
        + next_step("We're still on it and will be in touch as soon as we have news.")
        + link("Track:", "tracking_url"),
    },
    "survey": {
        "subject": "How did we do with order {{ order.name }}?",
        "body": email(
            "We hope your order {{ order.name }} arrived safely. How well did we keep you informed about its "
            "delivery? It's one question and takes ten seconds:",
            when("survey_url", "{{ survey_url }}"),
            "Your answer goes straight to the {{ shop.name }} team and helps us do better.",
            track=False, report=False,
        ),
        "sms": "{{ shop.name }}: how did we do with the delivery of order {{ order.name }}?"
        + link("One quick question:", "survey_url"),
    },
}

#: The sample order the admin page previews with.
SAMPLE = {"first_name": "Maya", "items": [("Linen apron", 1), ("Stoneware mug", 2)]}
