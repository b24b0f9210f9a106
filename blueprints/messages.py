"""Plain-language messages for the rule codes services raise, in the page's language."""

from flask_babel import lazy_gettext as _l

MESSAGES = {
    "slug_format": _l("Use 2-40 lower-case letters, digits and hyphens, starting and ending with a letter or digit."),
    "slug_reserved": _l("This address is used by the platform itself. Choose another."),
    "slug_taken": _l("Another city already uses this address. Choose another."),
    "email_taken": _l("An account with this e-mail already exists."),
    "already_member": _l("This person already has this role in the city."),
    "bad_role": _l("Choose one of the roles in the list."),
    "wrong_password": _l("The password is not correct for this account."),
    "other_account": _l("You are signed in as someone else. Sign out and open the link again."),
    "bad_transition": _l("The city's status does not allow this change."),
    "bad_action": _l("Unknown action."),
    "name_taken": _l("A partner with this name already exists."),
    "bad_kind": _l("Choose one of the kinds in the list."),
    "too_short": _l("Use at least 12 characters."),
    "too_long": _l("Use at most 128 characters."),
    "expired": _l("This link has expired. Ask for a new one."),
    "invalid": _l("This link is not valid. Check that you copied all of it, or ask for a new one."),
    "used": _l("This link has already been used. Sign in, or ask for a new one."),
}


def message(code: str) -> str:
    """The message for a rule code."""
    return str(MESSAGES.get(code, code))

ROLE_LABELS = {
    "coordinator": _l("coordinator"),
    "mentor": _l("mentor"),
    "mentee": _l("mentee"),
    "company_contact": _l("company contact"),
}
STATUS_LABELS = {
    "pending": _l("waiting for approval"),
    "active": _l("active"),
    "suspended": _l("suspended"),
    "rejected": _l("rejected"),
}
KIND_LABELS = {
    "company": _l("Company"),
    "university": _l("University"),
    "language_school": _l("Language school"),
    "municipality": _l("Municipality"),
    "other": _l("Other"),
}


def role_name(role: str) -> str:
    """A city role in the page's language."""
    return str(ROLE_LABELS.get(role, role))


def status_name(status: str) -> str:
    """A city status in the page's language."""
    return str(STATUS_LABELS.get(status, status))


def kind_name(kind: str) -> str:
    """A partner kind in the page's language."""
    return str(KIND_LABELS.get(kind, kind))
