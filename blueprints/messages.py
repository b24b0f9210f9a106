"""Plain-language messages for the rule codes services raise, in the page's language."""

from flask_babel import lazy_gettext as _l

from mentorby.platform.accounts.models import CityRole
from mentorby.platform.i18n import format_value
from mentorby.tenants.applications.models import ApplicationStatus
from mentorby.tenants.applications.profile import (
    Availability,
    DanishLevel,
    Field,
    Language,
    MentoringFormat,
    Role,
)
from mentorby.tenants.cohorts.models import _ACTIONS, Audience, CohortStatus

MESSAGES = {
    "erase_nothing": _l("The city holds nothing about this person any more: there is nothing to erase."),
    "erase_coordinator": _l("This person is a coordinator of the city. Remove their coordinator role first; then "
                            "their data can be erased."),
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
    # rounds
    "cohort_name_taken": _l("Another round already has this name."),
    "ends_before_start": _l("The round must end after it starts."),
    "apply_after_start": _l("The application deadline must be on or before the start date."),
    "bad_capacity": _l("Number must be between %(min)s and %(max)s."),
    "capacity_below_accepted": _l("%(accepted)d are already accepted: the capacity cannot be lower."),
    "cohort_closed": _l("The round is closed: it can no longer be changed."),
    "date_out_of_range": _l("Use a date between the years 2000 and 2100."),
    "bad_duration": _l("Use 15 to 1440 minutes."),
    "transition_not_allowed": _l("The round cannot go from this status to that one."),
    "needs_events": _l("The round has no joint events yet."),
    "apply_by_passed": _l("The application deadline has passed: move it before opening recruitment."),
    "needs_accepted_mentors": _l("Accept at least one mentor first."),
    "needs_accepted_mentees": _l("Accept at least one mentee first."),
    "not_started": _l("The round starts on %(date)s: it cannot close before it has started."),
    "follow_up_not_due": _l("The 6-month follow-up is due on %(date)s."),
    "needs_matches": _l("Publish the pairs on the matching board first."),
    "mentees_without_match": _l("%(n)d accepted mentees have no published pair yet."),
    # what a round's phase allows (tenants/cohorts/phases.py)
    "phase_edit": _l("The round is closed: it can no longer be changed."),
    "phase_apply": _l("This round does not take applications at the moment."),
    "phase_import": _l("Applications can be imported until the round starts running."),
    "phase_review": _l("Applications are reviewed once recruitment has opened."),
    "phase_decide": _l("Decisions are made once recruitment has closed: move the round to \u201cSelecting\u201d "
                       "first."),
    "phase_notify": _l("People are told of decisions once recruitment has closed."),
    "phase_networking": _l("Speed networking is planned once recruitment has closed and people are accepted: move "
                           "the round to \u201cSelecting\u201d first."),
    "phase_match": _l("Pairs are made once recruitment has closed: move the round to \u201cSelecting\u201d first."),
    "phase_change_pairs": _l("Pairs get a new mentor or end only while the round is running."),
    "phase_survey": _l("Surveys go out once recruitment has closed: move the round to \u201cSelecting\u201d first."),
    # applications
    "cohort_not_open": _l("This round does not take applications at the moment."),
    "consent_required": _l("Tick the box to agree to the processing of your data; we cannot take the application "
                           "without it."),
    "required": _l("This field is required."),
    "bad_email": _l("Enter an e-mail address like name@example.com."),
    "bad_phone": _l("Enter a phone number of digits, spaces and an optional +."),
    "bad_choice": _l("Choose one of the options in the list."),
    "bad_mentee_capacity": _l("Use a number from 1 to 5."),
    "bad_years": _l("Use a whole number of years from 0 to 60."),
    "bad_arrival": _l("Enter the day you arrived in Denmark: a date not in the future and not before %(earliest)d."),
    "already_applied": _l("This e-mail address has already applied to %(cohort)s. If you want to change your "
                          "application, write to the coordinator."),
    "cv_empty": _l("The file is empty."),
    "cv_too_large": _l("The file is larger than %(megabytes)d MB. Save a smaller PDF and try again."),
    "cv_not_pdf": _l("The CV must be a PDF file."),
    "cv_active_content": _l("The PDF contains scripts, actions or attached files. Save your CV again as a plain PDF "
                            "(for example with Print, then Save as PDF) and try again."),
    "cv_too_large_unpacked": _l("The PDF unpacks to far more than its size. Save your CV again as a plain PDF (for "
                                "example with Print, then Save as PDF) and try again."),
    "application_gone": _l("This application no longer exists: it was replaced by a newer one from the same address, "
                           "or it was not confirmed in time. Apply again."),
    "not_confirmed": _l("The applicant has not confirmed the e-mail address yet."),
    "control_characters": _l("Remove the invisible control characters (they often come with pasted text)."),
    "no_profile": _l("There is no earlier application to copy your profile from."),
    "bad_status": _l("Choose one of the statuses in the list."),
    "nothing_selected": _l("Select at least one application."),
    "mixed_cohorts": _l("The selected applications belong to different rounds."),
    "selection_closed": _l("The round is past selection: participants can no longer be changed."),
    "mentors_full": _l("The round takes %(capacity)d mentors and %(accepted)d are accepted: raise the capacity or "
                       "accept fewer."),
    "mentees_full": _l("The round takes %(capacity)d mentees and %(accepted)d are accepted: raise the capacity or "
                       "accept fewer."),
    "text_too_long": _l("Use at most %(max)d characters."),
    # telling applicants what was decided
    "nobody_to_notify": _l("Nobody is waiting to hear this decision."),
    "batch_changed": _l("The list changed after you opened the preview (a decision was changed meanwhile). Read the "
                        "new preview, then send."),
    "not_invited": _l("Only someone who is accepted and has been told so can get the invitation again: notify the "
                      "accepted first."),
    "too_many": _l("At most %(max)d applications can be changed at once: narrow the filters first."),
    "has_account": _l("%(name)s already has an account and signs in with it: no invitation is needed."),
}


def _labels(vocabulary) -> dict:
    """Code -> lazy label of a vocabulary, in its order."""
    return {member.value: member._label for member in vocabulary}


#: Messages written for one area's codes, registered by the area's blueprint with `register` (area -> code -> text).
AREA_MESSAGES: dict[str, dict] = {}
#: What a person sees for a code nobody wrote a text for (a test fails when a service can raise such a code).
UNKNOWN = _l("That could not be done. Check what you entered and try again.")


def register(area: str, messages: dict) -> dict:
    """Add an area's own messages to the one registry; returns them for the area's use."""
    AREA_MESSAGES.setdefault(area, {}).update(messages)
    return messages


def has_text(code: str, area: str = "") -> bool:
    """Whether a code has a message, for the area or shared."""
    return code in AREA_MESSAGES.get(area, {}) or code in MESSAGES


def text_for(error) -> str:
    """The message for a service's refusal (a RuleError), in the page's language: the one way to word a refusal."""
    return message(error.code, AREA_MESSAGES.get(getattr(error, "area", ""), {}), **error.params)


def message(code: str, local: dict | None = None, **params) -> str:
    """The message for a rule code, with its parameters filled in; an area's own `local` messages come first."""
    text = str((local or {}).get(code) or MESSAGES.get(code) or UNKNOWN)
    return text % {key: format_value(value) for key, value in params.items()} if params else text

#: Derived from the city roles (platform/accounts/models.py) for tables that still look labels up by code.
ROLE_LABELS = {role.value: role._label for role in CityRole}
#: Roles as a heading or a table cell shows them (capitalised), where ROLE_LABELS fit inside a sentence.
ROLE_TITLES = {role.value: role._label for role in Role}
#: Derived from the vocabularies (tenants/cohorts/models.py) for pages that still look labels up by code.
COHORT_STATUS_LABELS = {status.value: status._label for status in CohortStatus}
COHORT_ACTIONS = {status.value: _ACTIONS[status] for status in CohortStatus}
#: Derived from the applications' vocabularies (tenants/applications/models.py and profile.py), for pages of other
#: areas and the audit log that still look labels up by code; the area's own pages write `status.label`.
APPLICATION_STATUS_LABELS = _labels(ApplicationStatus)
FIELD_LABELS = _labels(Field)
LANGUAGE_LABELS = _labels(Language)
DANISH_LEVEL_LABELS = _labels(DanishLevel)
AVAILABILITY_LABELS = _labels(Availability)
FORMAT_LABELS = _labels(MentoringFormat)
AUDIENCE_LABELS = {audience.value: audience._label for audience in Audience}


def _label_of(vocabulary, code) -> str:
    member = vocabulary.get(code)
    return member.label if member is not None else str(code)


def role_name(role: str) -> str:
    """A role in a city (or an applicant's role, mentor or mentee) in the page's language."""
    return _label_of(CityRole, role)




def label(labels: dict, code: str) -> str:
    """A code's label in the page's language (the code itself if unknown)."""
    return str(labels.get(code, code))


def labels(labels_: dict, codes) -> str:
    """Several codes' labels, comma-separated, in the page's language."""
    if isinstance(codes, str):
        codes = codes.split()
    return ", ".join(label(labels_, code) for code in codes)


#: The steps of the work a round's phase allows, as the round's page lists them (tenants/cohorts/phases.py).
STEP_LABELS = {
    "edit": _l("change the round's dates, places and events"),
    "apply": _l("the public forms take applications"),
    "import": _l("import applications from a spreadsheet"),
    "review": _l("read, shortlist and annotate applications"),
    "decide": _l("accept, decline or wait-list applicants"),
    "notify": _l("tell the applicants what was decided"),
    "networking": _l("plan the kick-off's speed networking"),
    "match": _l("propose, adjust and publish pairs"),
    "change_pairs": _l("give a mentee a new mentor, or end a pair"),
    "survey": _l("send the evaluation surveys and import answers given elsewhere"),
}
