"""The e-mails a city may reword: a registry of kinds, each with its documented variables, and their rendering.

Each kind is a file template (templates/mail/<kind>.subject.txt and .txt) that the platform sends as it is, unless
the city saved its own wording for that kind and language (a MailTemplate). A city's wording is Jinja, rendered in a
sandbox that sees only the kind's documented variables, as plain text (strings), never the platform's objects.

Another area makes its e-mail editable by registering it once, where its module is imported at start-up::

    from mentorby.platform.outbox.kinds import MailKind, register_kind

    register_kind(MailKind("event_reminder", _l("Reminder before a joint event"),
                           variables={"name": VARIABLES["name"], "event": _l("the event's name"), ...},
                           sample={"name": "Amira", "event": "Kick-off", ...}))

`values(context)` turns what the caller passes to `queue_template_mail` into those plain variables; the default
takes each documented variable from the context by name (a date is written out, an object by its `name`), and
`{name}_{attribute}` from an object's attribute (`city_contact_email`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from jinja2 import TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

from mentorby.platform.rules import RuleError

LOCALES = ("da", "en")


class MailTemplateError(RuleError):
    """A city's wording of an e-mail that cannot be used."""

    area = "communications"


#: The words for variables that many kinds share.
VARIABLES = {
    "name": _l("the recipient's name"),
    "city": _l("the city's name"),
    "city_contact_name": _l("the city's contact person"),
    "city_contact_email": _l("the city's contact e-mail"),
    "cohort": _l("the round's name"),
    "cohort_starts_on": _l("the day the round starts"),
    "role": _l("the recipient's role (mentor or mentee)"),
    "link": _l("the recipient's personal link (keep it in the e-mail)"),
    "days": _l("how many days the link works"),
    "until": _l("the last day the link works"),
    "title": _l("the survey's title"),
    "closes_on": _l("the last day the survey is open"),
    "other": _l("the mentor's or mentee's name"),
    "other_email": _l("the mentor's or mentee's e-mail"),
    "accepted_to": _l("the round the person was accepted to (may be empty)"),
}


def _sample_city():
    return {"city": "Lyngby-Taarbæk", "city_contact_name": "Mette Holm", "city_contact_email": "mentor@ltk.dk"}


@dataclass(frozen=True)
class MailKind:
    """An e-mail a city may reword: its file template's name, what it is, its variables and sample values."""

    name: str
    label: object
    #: Each documented variable and what it holds (shown to the coordinator beside the editor).
    variables: dict[str, object]
    #: Values for the preview, one per variable.
    sample: dict[str, str] = field(default_factory=dict)
    #: Variables a city's wording must keep (the personal link: without it the e-mail is useless).
    required: tuple[str, ...] = ()
    #: What the caller's context gives as the documented variables; None takes them by name (see the module).
    values: Callable[[dict], dict] | None = None

    def plain(self, context: dict) -> dict:
        """The documented variables of a real e-mail, as text, in the current language."""
        if self.values is not None:
            return {key: _text(value) for key, value in self.values(context).items()}
        values = {name: _text(_lookup(context, name)) for name in self.variables}
        if "role" in values and context.get("role"):
            from mentorby.platform.accounts.models import CityRole

            values["role"] = str(CityRole(str(getattr(context["role"], "value", context["role"]))).label)
        return values


_KINDS: dict[str, MailKind] = {}


def register_kind(kind: MailKind) -> MailKind:
    """Make an e-mail editable by the cities (see the module's docstring); registering a name twice replaces it."""
    _KINDS[kind.name] = kind
    return kind


def kinds() -> list[MailKind]:
    """Every editable kind, in the order registered."""
    return list(_KINDS.values())


def kind_of(name: str) -> MailKind | None:
    """The editable kind of that name, if there is one."""
    return _KINDS.get(name)


def _lookup(context: dict, name: str):
    if name in context:
        return context[name]
    head, _, attribute = name.partition("_")
    while attribute:
        if head in context and hasattr(context[head], attribute):
            return getattr(context[head], attribute)
        more, _, attribute = attribute.partition("_")
        head = f"{head}_{more}"
    return ""


def _text(value) -> str:
    from mentorby.platform.i18n import format_day, format_moment

    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_moment(value)
    if isinstance(value, date):
        return format_day(value, "long")
    if hasattr(value, "label") and not isinstance(value, str):
        return str(value.label)
    if hasattr(value, "name") and not isinstance(value, str | int):
        return str(value.name)
    return str(value)


# --- the sandbox ------------------------------------------------------------------------------------------------


class _Sandbox(SandboxedEnvironment):
    """Plain text, no autoescape, no access to anything but the variables handed in."""


_sandbox = _Sandbox(autoescape=False, keep_trailing_newline=True)
# Only harmless text filters; a city's wording has no use for the others.
_sandbox.filters = {name: _sandbox.filters[name] for name in
                    ("upper", "lower", "capitalize", "title", "trim", "default", "replace", "length", "first",
                     "last", "join", "wordwrap", "truncate")}
_sandbox.globals = {}


def check(kind: MailKind, subject: str, body: str) -> None:
    """Refuse a wording that would not render: a syntax error, a variable the kind does not have, a link left out."""
    problems = []
    for field_name, source in (("subject", subject), ("body", body)):
        if not (source or "").strip():
            problems.append(MailTemplateError("required", field_name))
            continue
        try:
            parsed = _sandbox.parse(source)
        except TemplateSyntaxError as error:
            problems.append(MailTemplateError("template_syntax", field_name, line=error.lineno,
                                              detail=error.message or ""))
            continue
        unknown = sorted(meta.find_undeclared_variables(parsed) - set(kind.variables))
        if unknown:
            problems.append(MailTemplateError("template_unknown_variable", field_name, names=", ".join(unknown)))
    if len(subject or "") > 200:
        problems.append(MailTemplateError("template_subject_too_long", "subject", max=200))
    if not problems:
        missing = [name for name in kind.required if name not in meta.find_undeclared_variables(
            _sandbox.parse(subject + "\n" + body))]
        if missing:
            problems.append(MailTemplateError("template_missing_variable", "body", names=", ".join(missing)))
    if problems:
        first = problems[0]
        first.problems = problems
        raise first


def render_custom(subject: str, body: str, values: dict) -> tuple[str, str]:
    """A city's wording filled in with the variables (text only); the subject on one line."""
    try:
        rendered_subject = _sandbox.from_string(subject).render(values)
        rendered_body = _sandbox.from_string(body).render(values)
    except Exception as error:  # a wording saved before a variable was withdrawn, or a runtime error in it
        raise MailTemplateError("template_broken", "body", detail=str(error)[:200]) from error
    return " ".join(rendered_subject.split())[:200], rendered_body


def render_default(kind_name: str, locale: str, context: dict) -> tuple[str, str]:
    """The platform's own wording of a kind (the file templates) in `locale`."""
    with force_locale(locale):
        subject = render_template(f"mail/{kind_name}.subject.txt", **context).strip()
        body = render_template(f"mail/{kind_name}.txt", **context)
    return subject, body


# --- the starting text of the editor: the platform's wording with the variables in place -----------------------


class Slot(str):
    """A stand-in for a variable: prints as `{{ name }}`, and `.attribute` is the variable `name_attribute`."""

    def __new__(cls, variable: str):  # noqa: D102 (str is immutable: the value is set here)
        slot = super().__new__(cls, "{{ " + variable + " }}")
        slot.variable = variable
        return slot

    def __getattr__(self, attribute: str):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return Slot(self.variable if attribute == "name" else f"{self.variable}_{attribute}")


def starter(kind: MailKind, locale: str) -> tuple[str, str]:
    """The platform's wording of `kind` in `locale`, with `{{ variable }}` where the e-mail's values go."""
    context = {name.partition("_")[0]: Slot(name.partition("_")[0]) for name in kind.variables}
    context |= {name: Slot(name) for name in kind.variables}
    # An optional part of the wording (an acceptance line) is left out, like in most e-mails.
    context |= {name: "" for name in ("accepted_to",) if name in kind.variables}
    context["role_name"] = str
    # A number written with %(days)d cannot be a stand-in: an unlikely number is, and is replaced afterwards.
    numbers = {name: 9_000_001 + index for index, name in enumerate(("days",)) if name in kind.variables}
    context |= numbers
    environment = current_app.jinja_env.overlay()
    environment.filters = dict(environment.filters, dateformat=_keep_slot, datetimeformat=_keep_slot)
    with force_locale(locale):
        subject = environment.get_template(f"mail/{kind.name}.subject.txt").render(**context).strip()
        body = environment.get_template(f"mail/{kind.name}.txt").render(**context)
    for name, number in numbers.items():
        subject, body = (text.replace(str(number), "{{ " + name + " }}") for text in (subject, body))
    return subject, body


def _keep_slot(value, *args, **kwargs):
    return str(value)


# --- the kinds that exist today -----------------------------------------------------------------------------------

_ROUND = {"name": "Amira Haddad", **_sample_city(), "cohort": "Forår 2027 / Spring 2027"}


def _kind(name, label, variables, *, sample=None, required=()):
    register_kind(MailKind(name, label, {variable: VARIABLES[variable] for variable in variables},
                           sample={key: value for key, value in ((sample or {}) | _ROUND).items() if key in variables}
                           | {key: value for key, value in (sample or {}).items() if key in variables},
                           required=required))


_LINK = {"link": "https://mentorby.example/lyngby-taarbaek/…", "days": "7", "until": "7 January 2027"}
_kind("invitation", _l("Invitation to an account"), ("name", "accepted_to", "city", "role", "until", "link"),
      sample=_LINK | {"role": "mentor", "accepted_to": ""}, required=("link",))
_kind("confirm_application", _l("Confirm your application"), ("name", "cohort", "city", "days", "link"),
      sample=_LINK, required=("link",))
_kind("already_applied", _l("Already applied"), ("name", "cohort", "city", "city_contact_email"))
_kind("accepted", _l("Application accepted (returning participant)"), ("name", "cohort", "city", "role"),
      sample={"role": "mentee"})
_kind("waitlisted", _l("Application on the waiting list"),
      ("name", "cohort", "cohort_starts_on", "city", "city_contact_name", "city_contact_email"),
      sample={"cohort_starts_on": "1 March 2027"})
_kind("declined", _l("Application declined"),
      ("name", "cohort", "city", "role", "city_contact_name", "city_contact_email"), sample={"role": "mentee"})
_kind("match_published", _l("Your match"), ("name", "cohort", "city", "role", "other", "other_email"),
      sample={"role": "mentee", "other": "Jens Sørensen", "other_email": "jens@example.dk"})
_kind("rating_link", _l("Speed networking page"), ("name", "cohort", "city", "days", "link"),
      sample=_LINK, required=("link",))
_kind("survey_invitation", _l("Survey invitation"), ("name", "city", "title", "closes_on", "link"),
      sample=_LINK | {"title": "Closing evaluation", "closes_on": "14 June 2027"}, required=("link",))
_kind("survey_reminder", _l("Survey reminder"), ("name", "city", "title", "closes_on", "link"),
      sample=_LINK | {"title": "Closing evaluation", "closes_on": "14 June 2027"}, required=("link",))
_kind("follow_up_due", _l("6-month follow-up due (to coordinators)"), ("name", "cohort", "city"))
