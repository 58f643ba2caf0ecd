"""Customer message templates: every default renders in every language on every channel, Arabic is
marked right-to-left, dates and numbers are written the customer's way, the language fallback chain,
and merchant templates that try to escape the sandbox or misuse it are refused with line and reason."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from jinja2.exceptions import SecurityError

from core.domain import templates
from core.domain.templates import (
    CHANNELS, COPY, KINDS, LANGUAGES, VARIABLES, MessageTemplateError, RenderedMessage, TemplateProblem,
    check_template, choose_language, localized_date, measure_sms, render, render_message, sample_variables,
)

REQUIRED_LANGUAGES = {"en", "es", "fr", "de", "pt", "it", "nl", "hi", "bn", "ar"}
BIDI_MARKS = re.compile("[\u200e\u200f\u061c\u2066-\u2069]")
LEFTOVER = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
ALL_MESSAGES = [(lang, kind, channel) for lang in sorted(REQUIRED_LANGUAGES) for kind in KINDS for channel in CHANNELS]


def without_marks(text: str) -> str:
    return BIDI_MARKS.sub("", text)


def test_every_shipped_language_has_every_kind_and_part() -> None:
    assert REQUIRED_LANGUAGES <= set(LANGUAGES)
    for language in LANGUAGES:
        assert set(COPY[language]) == set(KINDS), language
        for kind in KINDS:
            assert set(COPY[language][kind]) == {"subject", "body", "sms"}, (language, kind)
            assert all(text.strip() for text in COPY[language][kind].values()), (language, kind)


def test_the_kinds_are_the_incident_kinds_and_moments() -> None:
    assert list(KINDS) == [
        "late", "stuck", "running_late", "needs_action.failed_attempt", "needs_action.pickup_waiting",
        "needs_action.customs", "needs_action.address", "damaged", "returning", "presumed_lost", "unfulfilled",
        "partial", "shipped", "out_for_delivery", "delivered_after_problem", "follow_up", "survey",
    ]


@pytest.mark.parametrize(("language", "kind", "channel"), ALL_MESSAGES)
def test_every_kind_language_and_channel_renders_with_the_sample_order(language: str, kind: str, channel: str) -> None:
    variables = sample_variables(language)
    message = render_message(kind, language, channel, variables)

    assert isinstance(message, RenderedMessage)
    assert message.language == language
    texts = [message.subject, message.body] if channel == "email" else [message.sms]
    assert all(texts) and (message.sms is None if channel == "email" else message.subject is message.body is None)
    for text in texts:
        plain = without_marks(text)
        assert not LEFTOVER.search(plain), plain
        assert "None" not in plain and "  " not in plain and "\n\n\n" not in plain
        assert "#1001" in plain
    if channel == "email":
        assert "\n" not in message.subject
        body = without_marks(message.body)
        assert body.startswith(without_marks(render(COPY[language][kind]["body"].split("\n")[0], variables)))
        assert variables["unsubscribe_url"] in body
        if kind != "survey":
            assert variables["report_url"] in body
    else:
        assert without_marks(message.sms).startswith("Larkspur")


@pytest.mark.parametrize(("language", "kind", "part"),
                         [(lang, kind, part) for lang in LANGUAGES for kind in KINDS for part in ("subject", "body", "sms")])
def test_every_default_template_passes_the_check_a_merchant_edit_must_pass(language: str, kind: str, part: str) -> None:
    assert check_template(COPY[language][kind][part]) == []


def test_emails_say_the_new_date_link_the_parcel_and_use_the_customers_name() -> None:
    message = render_message("late", "en", "email", sample_variables("en"))

    assert message.subject == "Your order #1001 is running late"
    assert message.body.startswith("Hi Maya,\n\nYour order #1001 should have reached you by now, but DHL")
    assert "They now expect to bring it on Thursday, November 26." in message.body
    assert "Follow your parcel: https://trk.example/8KQ2XW" in message.body
    assert message.body.endswith("unsubscribe here: https://larkspur.example/u/8KQ2XW")
    assert "\n\n" in message.body  # short paragraphs


def test_partial_lists_the_items_still_to_ship_with_quantities() -> None:
    body = render_message("partial", "es", "email", sample_variables("es")).body

    assert "siguen con nosotros:\n- 1 × Delantal de lino\n- 2 × Taza de gres" in body
    assert "como tarde el jueves, 26 de noviembre" in body


@pytest.mark.parametrize("kind", list(KINDS))
def test_english_sms_fit_one_gsm_segment_with_a_short_tracking_link(kind: str) -> None:
    sms = render_message(kind, "en", "sms", sample_variables("en")).sms
    length = measure_sms(sms)

    assert (length.encoding, length.segments) == ("GSM-7", 1), (length, sms)


@pytest.mark.parametrize(("language", "kind", "channel"), ALL_MESSAGES)
def test_messages_read_well_when_optional_values_are_missing(language: str, kind: str, channel: str) -> None:
    variables = {"order": {"name": "#1001", "items": []}, "shop": {"name": "Larkspur"}, "customer": {},
                 "carrier": "", "new_date": "", "tracking_url": "", "what_next": ""}
    message = render_message(kind, language, channel, variables)

    for text in filter(None, [message.subject, message.body, message.sms]):
        plain = without_marks(text)
        assert not LEFTOVER.search(plain)
        assert "  " not in plain and " ." not in plain and " ," not in plain
        assert not re.search(r"[:：]\s*$", plain.split("\n")[-1]), plain  # no dangling "Track:"
        assert "http" not in plain


def test_without_a_name_the_greeting_drops_the_gap() -> None:
    message = render_message("stuck", "en", "email", {"order": {"name": "#7"}, "shop": {"name": "Larkspur"}})

    assert message.body.startswith("Hi,\n\nYour parcel for order #7 hasn't been scanned by the carrier")


def test_what_next_replaces_the_standard_next_step() -> None:
    variables = {**sample_variables("en"), "what_next": "We have sent a replacement today."}
    message = render_message("damaged", "en", "email", variables)

    assert "We have sent a replacement today." in message.body
    assert "within one business day" not in message.body


def test_a_date_for_new_date_is_written_in_the_messages_language() -> None:
    variables = {**sample_variables("en"), "new_date": date(2026, 11, 26)}

    assert "Donnerstag, 26. November" in render_message("late", "de", "email", variables).body


# ---------------------------------------------------------------- right-to-left

def test_arabic_is_right_to_left_with_each_line_marked_and_latin_values_isolated() -> None:
    variables = sample_variables("ar")
    email = render_message("late", "ar", "email", variables)
    sms = render_message("late", "ar", "sms", variables)

    assert email.direction == sms.direction == "rtl"
    assert email.subject == "\u200fتأخّر طلبك \u2068#1001\u2069"
    for text in (email.body, sms.sms):
        for line in filter(None, text.split("\n")):
            if line.startswith("https://"):
                assert not BIDI_MARKS.search(line)  # a link stays clean: no mark can end up inside it
            else:
                assert line.startswith("\u200f"), line
    assert "\u2068#1001\u2069" in email.body and "\u2068DHL\u2069" in email.body
    assert "\u2068Larkspur\u2069" in sms.sms
    assert sms.sms.endswith("\nhttps://trk.example/8KQ2XW")


def test_left_to_right_languages_carry_no_direction_marks() -> None:
    for language in LANGUAGES:
        if language == "ar":
            continue
        message = render_message("shipped", language, "email", sample_variables(language))
        assert message.direction == "ltr"
        assert not BIDI_MARKS.search(message.subject + message.body), language


def test_direction_follows_the_language() -> None:
    assert [templates.text_direction(tag) for tag in ("ar", "ar-EG", "he", "fa_IR", "ur", "en", "hi")] == [
        "rtl", "rtl", "rtl", "rtl", "rtl", "ltr", "ltr"]


def test_a_merchants_own_arabic_text_is_marked_too() -> None:
    overrides = {"shipped": {"ar": {"sms": "{{ shop.name }}: طلبك {{ order.name }} في الطريق\n{{ tracking_url }}"}}}
    sms = render_message("shipped", "ar", "sms", sample_variables("ar"), overrides).sms

    assert sms == "\u200f\u2068Larkspur\u2069: طلبك \u2068#1001\u2069 في الطريق\nhttps://trk.example/8KQ2XW"


# ---------------------------------------------------------------- dates and numbers

def test_dates_are_written_by_babel_in_the_customers_language() -> None:
    thursday = date(2026, 11, 26)

    assert localized_date(thursday, "es") == "jueves, 26 de noviembre"
    assert localized_date(thursday, "de") == "Donnerstag, 26. November"
    assert localized_date(thursday, "en") == "Thursday, November 26"
    assert localized_date(thursday, "fr") == "jeudi 26 novembre"
    assert localized_date(thursday, "hi") == "गुरुवार, 26 नवंबर"
    assert "الخميس" in localized_date(thursday, "ar") and "نوفمبر" in localized_date(thursday, "ar")
    assert localized_date(thursday, "pt-BR") == "quinta-feira, 26 de novembro"
    assert localized_date(thursday, "es", "long") == "26 de noviembre de 2026"


def test_localized_date_refuses_a_missing_date_instead_of_reading_the_clock() -> None:
    with pytest.raises(TypeError):
        localized_date(None, "es")  # type: ignore[arg-type]


def test_sample_dates_come_out_in_each_language() -> None:
    assert sample_variables("es")["new_date"] == "jueves, 26 de noviembre"
    assert sample_variables("hi")["new_date"].startswith("गुरुवार")
    assert "jueves, 26 de noviembre" in render_message("shipped", "es", "email", sample_variables("es")).body


def test_the_date_datetime_and_number_filters_write_the_messages_language() -> None:
    assert render("{{ '2026-11-26'|date }}", {}, language="de") == "Donnerstag, 26. November"
    assert render("{{ '2026-11-26'|date('long') }}", {}, language="es") == "26 de noviembre de 2026"
    assert render("{{ new_date|date }}", {"new_date": "jeudi 26"}, language="fr") == "jeudi 26"  # already written
    assert render("{{ '2026-11-26T09:30:00+01:00'|datetime('short') }}", {}, language="en") == "11/26/26, 9:30\u202fAM"
    assert render("{{ 1234567|number }}", {}, language="hi") == "12,34,567"
    assert render("{{ 1234567|number }}", {}, language="de") == "1.234.567"
    assert render("{{ item.quantity|number }}", {}, language="de") == ""


def test_localized_datetime_needs_a_timezone_and_keeps_it() -> None:
    moment = datetime(2026, 11, 26, 9, 30, tzinfo=timezone(timedelta(hours=1)))

    assert templates.localized_datetime(moment, "de", "short") == "26.11.26, 09:30"
    with pytest.raises(TypeError):
        templates.localized_datetime(moment.replace(tzinfo=None), "de")


# ---------------------------------------------------------------- language choice

def test_the_language_falls_back_from_exact_tag_to_base_to_shop_default_to_english() -> None:
    assert choose_language("pt-BR") == "pt"
    assert choose_language("pt_BR") == "pt"
    assert choose_language("PT-br", "de") == "pt"
    assert choose_language("ja-JP", "de") == "de"
    assert choose_language("ja-JP", "zh-Hant-TW") == "en"
    assert choose_language(None, "", "xx") == "en"
    assert choose_language() == "en"
    assert choose_language("fr-CA,fr;q=0.9,en;q=0.8") == "fr"
    assert choose_language("pt-BR", available={"pt-BR", "pt", "en"}) == "pt-BR"
    assert choose_language("pt-PT", available={"pt-BR", "pt", "en"}) == "pt"


def test_a_customer_in_an_unshipped_language_gets_the_shops_default_then_english() -> None:
    variables = sample_variables("en")

    assert render_message("late", choose_language("ja", "de"), "sms", variables).language == "de"
    assert render_message("late", "ja", "sms", variables).language == "en"


def test_a_merchant_language_is_chosen_exactly_when_its_edit_covers_the_channel() -> None:
    overrides = {"late": {"pt-BR": {"sms": "{{ shop.name }}: seu pedido {{ order.name }} atrasou, foi mal!"}}}

    sms = render_message("late", "pt-BR", "sms", sample_variables("pt"), overrides)
    email = render_message("late", "pt-BR", "email", sample_variables("pt"), overrides)

    assert (sms.language, sms.sms) == ("pt-BR", "Larkspur: seu pedido #1001 atrasou, foi mal!")
    assert email.language == "pt" and email.subject == "Seu pedido #1001 está atrasado"


def test_a_merchant_edit_replaces_only_the_part_it_edits() -> None:
    overrides = {"shipped": {"en": {"subject": "On its way: {{ order.name }} 🚚"}}}
    message = render_message("shipped", "en", "email", sample_variables("en"), overrides)

    assert message.subject == "On its way: #1001 🚚"
    assert message.body.startswith("Hi Maya,\n\nGood news")


def test_whatsapp_sends_the_short_text_written_for_sms() -> None:
    variables = sample_variables("en")

    assert render_message("late", "en", "whatsapp", variables).sms == render_message("late", "en", "sms", variables).sms


def test_unknown_kind_or_channel_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        render_message("lost", "en", "email", {})
    with pytest.raises(ValueError):
        render_message("late", "en", "fax", {})


# ---------------------------------------------------------------- the sandbox

ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.mro }}",
    "{{ ''['__class__'] }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ order.items.append(1) }}",
    "{% for x in range(10**9) %}x{% endfor %}",
    "{{ 9**9**9 }}",
    "{{ '%999999999d' % 1 }}",
    "{{ '{0.__class__}'.format(shop) }}",
    "{{ lipsum() }}{{ namespace() }}{{ dict(a=1) }}",
    "{{ self.__dict__ }}",
    "{% set a = shop.name %}{{ a }}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{% include 'secrets.txt' %}",
    "{% extends 'base.html' %}",
    "{% for a in order.items %}{% for b in order.items %}x{% endfor %}{% endfor %}",
    "{% for c in shop.name %}{% for d in shop.name %}{{ c }}{% endfor %}{% endfor %}",
    "{% for item in order.items recursive %}{{ loop(order.items) }}{% endfor %}",
    "{{ customer.first_name * 100000000 }}",
    "{{ order.items|map(attribute='__class__')|first }}",
]


@pytest.mark.parametrize("text", ESCAPES)
def test_escape_attempts_are_refused_at_save_and_at_render_with_a_clean_error(text: str) -> None:
    problems = check_template(text)
    assert problems and all(isinstance(p, TemplateProblem) and p.line == 1 and p.reason for p in problems)

    with pytest.raises(MessageTemplateError) as refused:
        render(text, sample_variables("en"))
    assert refused.value.problems and "Traceback" not in str(refused.value)


@pytest.mark.parametrize("text", [*ESCAPES[:5], "{{ self.__dict__ }}", "{{ shop._data }}",
                                  "{{ order.items|map(attribute='__class__')|first }}"])
def test_the_sandbox_alone_blocks_escapes_even_without_the_policy_check(text: str) -> None:
    """Defence in depth: the same texts straight through the sandboxed environment, skipping the policy
    check, raise SecurityError or render nothing."""
    values = {"order": templates._plain({"items": [{"title": "x"}]}), "shop": templates._plain({"name": "L"})}
    try:
        out = templates._ENVIRONMENT.from_string(text).render(values)
    except SecurityError:
        return
    assert out == ""


def test_calls_and_huge_values_raise_security_errors_inside_the_sandbox() -> None:
    env = templates._ENVIRONMENT
    with pytest.raises(SecurityError):
        env.from_string("{{ x.append(1) }}").render(x=[1])
    with pytest.raises(SecurityError):
        env.from_string("{{ 'ab' * n }}").render(n=10**9)
    with pytest.raises(SecurityError):
        env.from_string("{{ 9 ** 9 }}").render()
    assert env.globals == {}


def test_the_output_is_capped_while_it_streams() -> None:
    order = {"name": "#1", "items": [{"title": "x" * 500, "quantity": 1}] * 100}

    with pytest.raises(MessageTemplateError, match="longer than"):
        render("{% for item in order.items %}{{ item.title }}{% endfor %}", {"order": order})


def test_chained_filters_cannot_grow_text_without_bound() -> None:
    with pytest.raises(MessageTemplateError):
        render("{{ shop.name|join(shop.name|join(shop.name|join(shop.name))) }}", {"shop": {"name": "x" * 60}})


def test_loops_over_the_items_are_allowed_with_loop_fields_and_filters() -> None:
    text = ("{% for item in order.items if item.quantity > 1 %}{{ loop.index }}. {{ item.title|upper }}"
            "{% else %}none{% endfor %} / {{ order.items|map(attribute='title')|join(', ') }}"
            " / {{ order.items|sum(attribute='quantity') }} / {{ order.items[0].title }} / {{ order['name'] }}")

    assert check_template(text) == []
    assert render(text, sample_variables("en")) == "1. STONEWARE MUG / Linen apron, Stoneware mug / 3 / Linen apron / #1001"


def test_order_items_are_the_items_not_the_dict_method() -> None:
    assert render("{% for i in order.items %}{{ i.title }};{% endfor %}", {"order": {"items": [{"title": "a"}]}}) == "a;"


def test_variables_must_be_plain_data() -> None:
    class Order:  # an ORM object must never reach a template
        name = "#1"

    with pytest.raises(TypeError):
        render("{{ order.name }}", {"order": Order()})
    assert render("{{ secret }}{{ carrier }}", {"secret": "s3cr3t", "carrier": "DHL"}) == "DHL"


# ---------------------------------------------------------------- validation

def test_a_syntax_error_reports_jinjas_line_and_reason() -> None:
    problems = check_template("Hello\n\n{{ order.name }\n")

    assert problems == [TemplateProblem(3, "unexpected '}'")]
    unclosed = check_template("Hi\n{% if customer.first_name %}\n{{ customer.first_name }}")
    assert unclosed[0].line == 3 and "endif" in unclosed[0].reason


def test_unknown_variables_are_reported_with_their_line_and_what_to_use_instead() -> None:
    problems = check_template("Hi {{ customer.name }},\nyour order {{ order.name }}\n{{ tracking_link }}")

    assert [(p.line, p.reason.split(";")[0]) for p in problems] == [
        (1, "unknown variable 'customer.name'"), (3, "unknown variable 'tracking_link'")]
    assert "use customer.first_name" in problems[0].reason
    assert "tracking_url" in problems[1].reason


def test_loop_variables_and_unknown_filters_are_checked() -> None:
    problems = check_template("{% for item in order.items %}\n{{ item.colour }}\n{% endfor %}\n{{ carrier|shout }}")

    assert [p.line for p in problems] == [2, 4]
    assert "use item.quantity, item.title" in problems[0].reason
    assert "unknown filter 'shout'" in problems[1].reason


def test_an_error_only_a_render_finds_is_reported_with_its_line() -> None:
    assert check_template("ok\n\n{{ order.name - 1 }}") == [
        TemplateProblem(3, "unsupported operand type(s) for -: 'str' and 'int'")]


def test_oversized_and_empty_templates_are_refused() -> None:
    too_long = check_template("x" * (templates.MAX_TEMPLATE_CHARS + 1))

    assert len(too_long) == 1 and too_long[0].line is None and "limit" in too_long[0].reason
    assert check_template("  \n") == [TemplateProblem(None, "the template is empty")]
    with pytest.raises(MessageTemplateError):
        render("x" * (templates.MAX_TEMPLATE_CHARS + 1), {})


def test_a_broken_merchant_override_fails_cleanly() -> None:
    overrides = {"late": {"en": {"sms": "{{ order.name }\n"}}}

    with pytest.raises(MessageTemplateError) as refused:
        render_message("late", "en", "sms", sample_variables("en"), overrides)
    assert refused.value.problems[0].line == 1


def test_subjects_are_one_line_whatever_the_template_does() -> None:
    overrides = {"late": {"en": {"subject": "Late\n{{ order.name }}\r\nBcc: x@example.com"}}}
    subject = render_message("late", "en", "email", sample_variables("en"), overrides).subject

    assert subject == "Late #1001 Bcc: x@example.com" and "\n" not in subject and "\r" not in subject


# ---------------------------------------------------------------- admin page helpers

def test_the_documented_variables_are_exactly_the_ones_templates_get() -> None:
    assert set(VARIABLES) == {
        "customer.first_name", "order.name", "order.items", "carrier", "tracking_number", "tracking_url",
        "new_date", "what_next", "shop.name", "report_url", "unsubscribe_url", "survey_url"}
    sample = sample_variables("fr")
    assert {name.split(".")[0] for name in VARIABLES} == set(sample)
    assert sample["order"]["items"][0] == {"title": "Tablier en lin", "quantity": 1}
    assert sample_variables("pt-BR")["customer"]["first_name"] == "Beatriz"


def test_sms_length_counts_gsm_extension_characters_and_unicode() -> None:
    assert measure_sms("a" * 160) == templates.SmsLength("GSM-7", 160, 1)
    assert measure_sms("€" * 80).units == 160
    assert measure_sms("a" * 161).segments == 2
    assert measure_sms("ó").encoding == "UCS-2"
    assert measure_sms("م" * 71).segments == 2
