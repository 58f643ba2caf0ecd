"""Customer notification templates: the default copy per kind × language × channel (message_copy/),
the merchant's edits, and the one renderer both go through. Pure: no clock, no I/O.

Every template, default or merchant's, is untrusted text rendered by Jinja2's
ImmutableSandboxedEnvironment (autoescape off: bodies are plain text) with no globals (no `range`,
`cycler`, `lipsum`, `namespace`, `dict`), an allowlist of filters, guarded `*`/`+`, refused `**`/`%`
and all calls, and only the documented variables, given as plain data. On top of the sandbox, one
policy check on the parsed template runs when a merchant saves (`check_template`) and again before
every render: only `if` and `for`, loops only over `order.items` and never nested, no calls, no
`set`/macros/includes, nothing starting with `_`. Output is capped while it streams. Whatever a
template does wrong ends as a `MessageTemplateError` carrying line and reason, never a raw
SecurityError or traceback.
"""
from __future__ import annotations

import functools
import math
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from jinja2 import ChainableUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2 import filters as jinja_filters
from jinja2 import pass_context, pass_environment
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from core.domain.message_copy import COPY, SAMPLES

#: Template keys, in the admin page's order: incident kinds, then moments.
KINDS: dict[str, str] = {
    "late": "The promised or carrier-estimated delivery day has passed",
    "stuck": "No carrier scan for longer than the shop's threshold",
    "running_late": "The carrier says the parcel is delayed",
    "needs_action.failed_attempt": "The carrier tried to deliver and could not",
    "needs_action.pickup_waiting": "The parcel waits at a pickup point",
    "needs_action.customs": "The parcel is held at customs",
    "needs_action.address": "The carrier reports an address problem",
    "damaged": "The carrier reports the parcel damaged",
    "returning": "The parcel is on its way back to the shop",
    "presumed_lost": "The parcel is presumed lost",
    "unfulfilled": "The order has not shipped in time",
    "partial": "Some items never shipped",
    "shipped": "The order has shipped",
    "out_for_delivery": "The parcel is out for delivery",
    "delivered_after_problem": "Delivered after an incident",
    "follow_up": "An update on an open case",
    "survey": "A one-question survey after delivery",
}
#: Channel → the template parts a message on it needs (WhatsApp sends the short text written for SMS).
CHANNELS: dict[str, tuple[str, ...]] = {"email": ("subject", "body"), "sms": ("sms",), "whatsapp": ("sms",)}
LANGUAGES: tuple[str, ...] = tuple(COPY)
FALLBACK_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})

#: The variables a template may use, for the admin page. Values are plain strings, lists and dicts.
VARIABLES: dict[str, str] = {
    "customer.first_name": "The customer's first name; may be empty, so write "
    "Hi{% if customer.first_name %} {{ customer.first_name }}{% endif %}",
    "order.name": "The order number as the shop shows it, e.g. #1001",
    "order.items": "The items this message is about (for partial: those not shipped yet), each with "
    ".title and .quantity: {% for item in order.items %}{{ item.quantity }} × {{ item.title }}{% endfor %}",
    "carrier": "The carrier's name, e.g. DHL; may be empty",
    "tracking_number": "The parcel's tracking number",
    "tracking_url": "The parcel's tracking page (a short link in SMS)",
    "new_date": "The new expected delivery date, already written in the customer's language (pickup: the "
    "last day to collect; unfulfilled and partial: the day we expect to ship); empty when unknown",
    "what_next": "The next step the shop chose for this message, as a sentence in the customer's language; "
    "when given, the default templates say it instead of their own next step",
    "shop.name": "The shop's name",
    "report_url": "The customer's report-a-problem page for this order",
    "unsubscribe_url": "Stops delivery updates for this customer",
    "survey_url": "The one-question survey",
}
_ROOTS = frozenset(name.split(".")[0] for name in VARIABLES)
_PATHS = frozenset(VARIABLES) | {"order.items[].title", "order.items[].quantity"}
_LOOP_ATTRIBUTES = frozenset({"index", "index0", "revindex", "revindex0", "first", "last", "length"})
_RESERVED = frozenset({"self", "caller", "varargs", "kwargs"})

MAX_TEMPLATE_CHARS = 10_000
MAX_OUTPUT_CHARS = 20_000

RLM, FSI, PDI = "\u200f", "\u2068", "\u2069"


@dataclass(frozen=True)
class TemplateProblem:
    line: int | None
    reason: str


@dataclass(frozen=True)
class RenderedMessage:
    """One message ready for a channel: subject and body for email, sms for SMS and WhatsApp (the
    other parts None)."""

    subject: str | None
    body: str | None
    sms: str | None
    language: str
    direction: str


class MessageTemplateError(ValueError):
    """A template that cannot be rendered, with each problem's line and reason."""

    def __init__(self, problems: list[TemplateProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"line {p.line}: {p.reason}" if p.line else p.reason for p in problems))


# ---------------------------------------------------------------- language, dates, numbers

def choose_language(*candidates: str | None, available: Collection[str] | None = None) -> str:
    """The first candidate we have copy for: each candidate's exact tag (pt-BR), then its base (pt),
    then the next candidate (the shop's default), then English. A candidate may be an Accept-Language
    header ("fr-CA,fr;q=0.9")."""
    known = {tag.replace("_", "-").lower(): tag for tag in (available if available is not None else LANGUAGES)}
    for candidate in candidates:
        for piece in (candidate or "").split(","):
            subtags = piece.split(";")[0].strip().replace("_", "-").lower().split("-")
            for end in range(len(subtags), 0, -1):
                if "-".join(subtags[:end]) in known:
                    return known["-".join(subtags[:end])]
    return known.get(FALLBACK_LANGUAGE, FALLBACK_LANGUAGE)


def text_direction(language: str) -> str:
    return "rtl" if language.replace("_", "-").split("-")[0].lower() in RTL_LANGUAGES else "ltr"


@functools.lru_cache(maxsize=64)
def _locale(language: str) -> Locale:
    for tag in (language.replace("-", "_"), language.replace("_", "-").split("-")[0], FALLBACK_LANGUAGE):
        try:
            return Locale.parse(tag)
        except (UnknownLocaleError, ValueError):
            continue
    raise AssertionError("Babel always knows English")


@functools.lru_cache(maxsize=64)
def _weekday_day_month(locale: Locale) -> str:
    """The locale's own "weekday, day month" pattern (CLDR skeleton MMMMEd, weekday widened the way
    ICU widens skeleton fields), e.g. es "EEEE, d 'de' MMMM"."""
    skeleton = locale.datetime_skeletons.get("MMMMEd")
    pattern = skeleton.pattern if skeleton is not None else "EEEE d MMMM"
    pieces = pattern.split("'")  # even pieces are pattern, odd ones quoted literals
    return "'".join(re.sub(r"c+", "cccc", re.sub(r"E+", "EEEE", p)) if i % 2 == 0 else p
                    for i, p in enumerate(pieces))


def localized_date(d: date, language: str, format: str = "day") -> str:
    """A date in the customer's language: "day" (the default) is weekday, day and month without the
    year (es "jueves, 26 de noviembre", de "Donnerstag, 26. November"); anything else is a Babel
    format name or pattern ("short", "long", "d MMM y")."""
    if not isinstance(d, date):
        raise TypeError("localized_date needs a date")  # Babel would silently use today's
    locale = _locale(language)
    return format_date(d, _weekday_day_month(locale) if format == "day" else format, locale=locale)


def localized_datetime(dt: datetime, language: str, format: str = "medium") -> str:
    """A timezone-aware moment in the customer's language, shown in its own timezone."""
    if not isinstance(dt, datetime) or dt.tzinfo is None:
        raise TypeError("localized_datetime needs a timezone-aware datetime")
    return format_datetime(dt, format, tzinfo=dt.tzinfo, locale=_locale(language))


def localized_number(n: int | float | Decimal, language: str) -> str:
    return format_decimal(n, locale=_locale(language))


# ---------------------------------------------------------------- the sandbox

def _guarded(filter_function: Any) -> Any:
    """A filter whose text output is capped: chained filters cannot grow a string without bound."""
    @functools.wraps(filter_function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        result = filter_function(*args, **kwargs)
        if isinstance(result, str) and len(result) > MAX_OUTPUT_CHARS:
            raise SecurityError("a filter produced too much text")
        return result
    return guarded


@pass_environment
def _join(environment: Any, value: Any, separator: str = "", attribute: str | None = None) -> str:
    values = [environment.getattr(v, attribute) if attribute else v for v in value]
    texts = [str(v) for v in values]
    if sum(map(len, texts)) + max(len(texts) - 1, 0) * len(str(separator)) > MAX_OUTPUT_CHARS:
        raise SecurityError("join would produce too much text")
    return str(separator).join(texts)


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return datetime.fromisoformat(value) if "T" in str(value) else date.fromisoformat(str(value))
    except ValueError:
        return None


@pass_context
def _date_filter(context: Any, value: Any, format: str = "day") -> Any:
    d = _as_date(value) if value else None
    return localized_date(d, context.get("_language", FALLBACK_LANGUAGE), format) if d else value


@pass_context
def _datetime_filter(context: Any, value: Any, format: str = "medium") -> Any:
    dt = _as_date(value) if value else None
    if not isinstance(dt, datetime) or dt.tzinfo is None:
        return value
    return localized_datetime(dt, context.get("_language", FALLBACK_LANGUAGE), format)


@pass_context
def _number_filter(context: Any, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return value
    return localized_number(value, context.get("_language", FALLBACK_LANGUAGE))


_JINJA_FILTERS = ("default", "d", "upper", "lower", "title", "capitalize", "trim", "length", "count",
                  "first", "last", "map", "sum", "truncate")
FILTERS: dict[str, Any] = {
    **{name: _guarded(jinja_filters.FILTERS[name]) for name in _JINJA_FILTERS},
    "join": _join, "date": _date_filter, "datetime": _datetime_filter, "number": _number_filter,
}


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, minus calls and the operators that build huge values from small text."""

    intercepted_binops = frozenset({"*", "+", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator in ("**", "%"):
            raise SecurityError(f"the {operator} operator is not available in message templates")
        sized = (str, list, tuple)
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, sized) and isinstance(n, int) and len(seq) * max(n, 0) > MAX_OUTPUT_CHARS:
                    raise SecurityError("a repeated value would be too long")
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > 256:
                raise SecurityError("a number would be too large")
        if operator == "+" and isinstance(left, sized) and isinstance(right, sized) \
                and len(left) + len(right) > MAX_OUTPUT_CHARS:
            raise SecurityError("a joined value would be too long")
        return super().call_binop(context, operator, left, right)

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        raise SecurityError("calling functions or methods is not available in message templates")


#: What a template writes is what the customer gets (no trim_blocks): tags sit inside the line they govern.
#: A missing value renders empty, attributes included ({{ customer.first_name }} with no customer): a
#: message must still go out when the carrier gave no date. Names that are not documented at all are
#: caught when the merchant saves (check_template), not when a customer is waiting.
_ENVIRONMENT = _Sandbox(autoescape=False, undefined=ChainableUndefined)
_ENVIRONMENT.globals.clear()
_ENVIRONMENT.filters = dict(FILTERS)


# ---------------------------------------------------------------- the policy check

_TAGS = {
    nodes.Assign: "set", nodes.AssignBlock: "set", nodes.Macro: "macro", nodes.CallBlock: "call",
    nodes.FilterBlock: "filter", nodes.With: "with", nodes.Block: "block", nodes.Extends: "extends",
    nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "from … import",
    nodes.ExprStmt: "do", nodes.ScopedEvalContextModifier: "autoescape",
    nodes.EvalContextModifier: "autoescape",
}
_EXPRESSIONS = (nodes.Const, nodes.TemplateData, nodes.And, nodes.Or, nodes.Not, nodes.Neg, nodes.Pos,
                nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Concat, nodes.Compare,
                nodes.Operand, nodes.CondExpr, nodes.List, nodes.Tuple, nodes.Keyword, nodes.Slice,
                nodes.Test, nodes.Output)


def _path(node: nodes.Node) -> list[str] | None:
    """order.items[0].title → ["order", "items", "[]", "title"]; None when not rooted in a name."""
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Getattr):
        base = _path(node.node)
        return None if base is None else [*base, node.attr]
    if isinstance(node, nodes.Getitem):
        base = _path(node.node)
        arg = node.arg
        if base is None:
            return None
        if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
            return [*base, arg.value]
        return [*base, "[]"]
    return None


def _hint(full: str, root: str, scope: Mapping[str, str]) -> str:
    """What to write instead of an unknown path: its documented fields, else its siblings', else the list."""
    def fields(prefix: str) -> list[str]:
        found = [p for p in _PATHS if p.startswith(prefix + ".") or p.startswith(prefix + "[].")]
        if root in scope:
            return sorted(p.replace(scope[root], root, 1) for p in found)
        return sorted(p for p in found if "[]" not in p)
    if full.startswith("order.items.") and root not in scope:
        return "; loop over the items: {% for item in order.items %}{{ item.title }}{% endfor %}"
    known = fields(full) or ("." in full and fields(full.rsplit(".", 1)[0]))
    return f"; use {', '.join(known)}" if known else f"; available: {', '.join(VARIABLES)}"


def _policy(tree: nodes.Template, *, strict: bool) -> list[TemplateProblem]:
    """What the template does that message templates may not. `strict` (when saving) also reports
    documented groups used bare and unknown attributes of the variables; rendering tolerates those
    (they render empty) so an old template never stops a message."""
    problems: list[TemplateProblem] = []

    def refuse(node: nodes.Node, reason: str) -> None:
        problems.append(TemplateProblem(node.lineno, reason))

    def check_reference(node: nodes.Node, scope: Mapping[str, str]) -> None:
        path = _path(node)
        if path is None:
            return
        for segment in path[1:]:
            if segment.startswith("_"):
                return refuse(node, f"'{segment}' is not available (names starting with _ are private)")
        root = path[0]
        if root in _RESERVED:
            return refuse(node, f"'{root}' is not available in message templates")
        if not strict or (root not in _ROOTS and root not in scope):
            return  # unknown roots: reported once by find_undeclared_variables
        if root == "loop" and scope.get("loop") == "loop":
            if len(path) != 2 or path[1] not in _LOOP_ATTRIBUTES:
                refuse(node, "use loop." + ", loop.".join(sorted(_LOOP_ATTRIBUTES)))
            return
        full = ".".join([scope.get(root, root), *path[1:]]).replace(".[]", "[]")
        if full not in _PATHS:
            refuse(node, f"unknown variable '{'.'.join(path)}'{_hint(full, root, scope)}")

    def visit(node: nodes.Node, scope: Mapping[str, str], in_loop: bool) -> None:
        if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
            check_reference(node, scope)
            if isinstance(node, nodes.Getitem):
                visit(node.arg, scope, in_loop)
            base, private = node, None
            while isinstance(base, (nodes.Getattr, nodes.Getitem)):
                name = base.attr if isinstance(base, nodes.Getattr) else getattr(base.arg, "value", None)
                if isinstance(name, str) and name.startswith("_"):
                    private = name
                base = base.node
            if not isinstance(base, nodes.Name):
                if private:
                    refuse(node, f"'{private}' is not available (names starting with _ are private)")
                visit(base, scope, in_loop)
            return
        if isinstance(node, nodes.Call):
            refuse(node, "calling functions or methods is not available; use filters, like {{ carrier|upper }}")
            for child in node.iter_child_nodes(exclude=("node",) if isinstance(node.node, nodes.Name) else ()):
                visit(child, scope, in_loop)
            return
        if isinstance(node, (nodes.Pow, nodes.Mod)):
            refuse(node, f"the {'**' if isinstance(node, nodes.Pow) else '%'} operator is not available")
        elif isinstance(node, nodes.Filter):
            if node.name not in FILTERS:
                refuse(node, f"unknown filter '{node.name}'; available: {', '.join(sorted(FILTERS))}")
            for argument in [*node.args, *(k.value for k in node.kwargs)]:
                if isinstance(argument, nodes.Const) and str(argument.value).startswith("_"):
                    refuse(node, f"'{argument.value}' is not available (names starting with _ are private)")
        elif isinstance(node, nodes.For):
            if in_loop:
                refuse(node, "loops cannot be nested")
            if node.recursive:
                refuse(node, "recursive loops are not available")
            source = node.iter
            while isinstance(source, nodes.Filter):
                visit(source, scope, in_loop)
                source = source.node
            if _path(source) != ["order", "items"]:
                refuse(node, "a loop can only go over order.items")
            if not isinstance(node.target, nodes.Name):
                return refuse(node, "write a loop as {% for item in order.items %}")
            inner = {**scope, node.target.name: "order.items[]", "loop": "loop"}
            for child in [*node.body, *([node.test] if node.test else [])]:
                visit(child, inner, True)
            for child in node.else_:
                visit(child, scope, in_loop)
            return
        elif type(node) in _TAGS:
            return refuse(node, f"{{% {_TAGS[type(node)]} %}} is not available in message templates")
        elif not isinstance(node, (*_EXPRESSIONS, nodes.Template, nodes.If, nodes.Scope)):
            return refuse(node, f"{type(node).__name__} is not available in message templates")
        for child in node.iter_child_nodes():
            visit(child, scope, in_loop)

    visit(tree, {}, False)
    return list(dict.fromkeys(problems))


@functools.lru_cache(maxsize=512)
def _compile(text: str) -> Any:
    """The compiled template, or MessageTemplateError; cached, as a shop sends the same few texts."""
    if len(text) > MAX_TEMPLATE_CHARS:
        raise MessageTemplateError([TemplateProblem(None, f"the template is {len(text)} characters long; "
                                                          f"the limit is {MAX_TEMPLATE_CHARS}")])
    try:
        tree = _ENVIRONMENT.parse(text)
    except TemplateSyntaxError as exc:
        raise MessageTemplateError([TemplateProblem(exc.lineno, exc.message or str(exc))]) from None
    problems = _policy(tree, strict=False)
    if problems:
        raise MessageTemplateError(problems)
    try:
        return _ENVIRONMENT.from_string(tree)
    except TemplateSyntaxError as exc:  # e.g. an unknown test: found when compiling, not parsing
        raise MessageTemplateError([TemplateProblem(exc.lineno, exc.message or str(exc))]) from None


def _template_line(exc: BaseException) -> int | None:
    """The template line a render error happened on (Jinja rewrites its traceback to template lines)."""
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


# ---------------------------------------------------------------- rendering

class _Record:
    """A dict seen from a template: keys as attributes only, so `order.items` is the items and not
    dict.items, and nothing but the data is reachable."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._data:
            raise AttributeError(name)
        return self._data[name]

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __bool__(self) -> bool:
        return bool(self._data)

    def __str__(self) -> str:
        return ""


def _plain(value: Any) -> Any:
    """Variables as the template sees them: strings, numbers, dates, read-only records and tuples.
    Anything else (an ORM object, a function) is refused before it reaches the sandbox."""
    if value is None or isinstance(value, (str, bool, int, float, Decimal, date)):
        return value
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("template variables use string keys")
        return _Record({k: _plain(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    raise TypeError(f"template variables must be plain data, not {type(value).__name__}")


def _tidy(text: str) -> str:
    """Blank lines a skipped paragraph leaves folded, doubled spaces a skipped value leaves closed."""
    lines = [re.sub(r"(?<=\S) {2,}(?=\S)", " ", line.rstrip()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def render(template_text: str, variables: Mapping[str, Any], *, language: str = FALLBACK_LANGUAGE) -> str:
    """One template rendered with the documented variables (others are ignored; missing ones render
    empty). `language` is what the date/datetime/number filters write in. Raises MessageTemplateError."""
    template = _compile(template_text)
    context = {k: _plain(v) for k, v in variables.items() if k in _ROOTS}
    context["_language"] = language
    out: list[str] = []
    size = 0
    try:
        for piece in template.generate(context):
            size += len(piece)
            if size > MAX_OUTPUT_CHARS:
                raise SecurityError(f"the message would be longer than {MAX_OUTPUT_CHARS} characters")
            out.append(piece)
    except (TemplateError, TypeError, ValueError, ArithmeticError, LookupError, AttributeError,
            RecursionError) as exc:
        reason = exc.message if isinstance(exc, TemplateError) and exc.message else str(exc)
        raise MessageTemplateError([TemplateProblem(_template_line(exc), reason or type(exc).__name__)]) from None
    return _tidy("".join(out))


def _isolated(variables: Mapping[str, Any]) -> dict[str, Any]:
    """For right-to-left text: each inserted value that is not a link wrapped in FSI…PDI, so a Latin
    order number, carrier or name keeps its own order inside the Arabic sentence ("#1001" never
    becomes "1001#"). Links stay bare: a mark touching a URL can end up inside the clickable link."""
    def wrap(value: Any) -> Any:
        return f"{FSI}{value}{PDI}" if isinstance(value, str) and value else value

    out = dict(variables)
    for key in ("carrier", "tracking_number", "new_date", "what_next"):
        out[key] = wrap(out.get(key))
    for group, field in (("customer", "first_name"), ("order", "name"), ("shop", "name")):
        if isinstance(out.get(group), Mapping):
            out[group] = {**out[group], field: wrap(out[group].get(field))}
    order = out.get("order")
    if isinstance(order, Mapping) and isinstance(order.get("items"), (list, tuple)):
        out["order"] = {**order, "items": [{**i, "title": wrap(i.get("title"))} if isinstance(i, Mapping) else i
                                           for i in order["items"]]}
    return out


_BARE_URL = re.compile(r"^https?://\S+$")


def _marked_rtl(text: str) -> str:
    """Each line of right-to-left text starts with RLM (U+200F), so mail and SMS apps that pick a
    paragraph's direction from its first strong letter see right-to-left even when the line opens
    with a Latin shop name or order number. A line that is only a link stays as it is (left-to-right)."""
    return "\n".join(line if not line.strip() or _BARE_URL.match(line.strip()) or line.startswith(RLM)
                     else RLM + line for line in text.split("\n"))


def template_text(kind: str, language: str, part: str,
                  overrides: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None) -> str:
    """The text a part renders from: the merchant's edit when there is one, else our default."""
    own = ((overrides or {}).get(kind) or {}).get(language) or {}
    return own.get(part) or COPY[choose_language(language)][kind][part]


def render_message(kind: str, language: str | None, channel: str, variables: Mapping[str, Any],
                   overrides: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None) -> RenderedMessage:
    """A kind's message on a channel in the best language we have for `language` (merchant-only
    languages count when their edit covers every part the channel needs). `overrides` are the merchant's
    edits: {kind: {language: {"subject"|"body"|"sms": text}}}. A `new_date` given as a date is written
    in the message's language. Raises MessageTemplateError (with line and reason) for a broken template."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    parts = CHANNELS[channel]
    edited = (overrides or {}).get(kind) or {}
    complete = {lang for lang, texts in edited.items() if all((texts or {}).get(p) for p in parts)}
    lang = choose_language(language, available={*COPY, *complete})
    direction = text_direction(lang)
    values = dict(variables)
    if isinstance(values.get("new_date"), date):
        values["new_date"] = localized_date(values["new_date"], lang)
    if direction == "rtl":
        values = _isolated(values)
    rendered: dict[str, str] = {}
    for part in parts:
        text = render(template_text(kind, lang, part, overrides), values, language=lang)
        if part == "subject":
            text = " ".join(text.split())  # one header line, whatever the template did
        rendered[part] = _marked_rtl(text) if direction == "rtl" else text
    return RenderedMessage(rendered.get("subject"), rendered.get("body"), rendered.get("sms"), lang, direction)


# ---------------------------------------------------------------- validation and previews

def _undeclared_lines(tree: nodes.Template, names: set[str]) -> Iterator[tuple[str, int]]:
    seen: set[str] = set()
    for node in tree.find_all(nodes.Name):
        if node.name in names and node.name not in seen:
            seen.add(node.name)
            yield node.name, node.lineno


def check_template(text: str) -> list[TemplateProblem]:
    """Why a merchant's template cannot be saved (empty list: it can): size, syntax (Jinja's line and
    reason), variables that are not documented, what message templates may not do, and any error a
    trial render with the sample order, or with no values at all, runs into."""
    if len(text) > MAX_TEMPLATE_CHARS:
        return [TemplateProblem(None, f"the template is {len(text)} characters long; the limit is {MAX_TEMPLATE_CHARS}")]
    if not text.strip():
        return [TemplateProblem(None, "the template is empty")]
    try:
        tree = _ENVIRONMENT.parse(text)
    except TemplateSyntaxError as exc:
        return [TemplateProblem(exc.lineno, exc.message or str(exc))]
    policy = _policy(tree, strict=True)
    try:
        unknown = set(meta.find_undeclared_variables(tree)) - _ROOTS - _RESERVED
    except TemplateSyntaxError as exc:  # an unknown filter or test, found while compiling
        return policy or [TemplateProblem(exc.lineno, exc.message or str(exc))]
    problems = [TemplateProblem(line, f"unknown variable '{name}'; available: {', '.join(VARIABLES)}")
                for name, line in _undeclared_lines(tree, unknown)]
    problems += policy
    if not problems:
        for variables in (sample_variables(FALLBACK_LANGUAGE), {}):
            try:
                render(text, variables)
            except MessageTemplateError as exc:
                problems += exc.problems
                break
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line or 0))


def sample_variables(language: str) -> dict[str, Any]:
    """A sample order for previews, in the language's own words and date format."""
    lang = choose_language(language)
    sample = SAMPLES[lang]
    return {
        "customer": {"first_name": sample["first_name"]},
        "order": {"name": "#1001", "items": [{"title": t, "quantity": q} for t, q in sample["items"]]},
        "carrier": "DHL",
        "tracking_number": "JD014600006281234567",
        "tracking_url": "https://trk.example/8KQ2XW",
        "new_date": localized_date(date(2026, 11, 26), lang),
        "what_next": "",
        "shop": {"name": "Larkspur"},
        "report_url": "https://larkspur.example/r/8KQ2XW",
        "unsubscribe_url": "https://larkspur.example/u/8KQ2XW",
        "survey_url": "https://larkspur.example/s/8KQ2XW",
    }


# ---------------------------------------------------------------- SMS length

_GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                 "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM_EXTENDED = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int     # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def measure_sms(text: str) -> SmsLength:
    """How an SMS will travel: GSM-7 (160 per message, 153 per part) unless one character needs UCS-2
    (70, then 67) — one accented letter outside the GSM alphabet halves the room."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text):
        units = sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)
        return SmsLength("GSM-7", units, 1 if units <= 160 else math.ceil(units / 153))
    units = len(text.encode("utf-16-le")) // 2
    return SmsLength("UCS-2", units, 1 if units <= 70 else math.ceil(units / 67))
