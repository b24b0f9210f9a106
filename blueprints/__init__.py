"""The HTTP layer: one blueprint per area."""

from flask import Flask, g
from flask_babel import get_locale


def register_all(app: Flask) -> None:
    """Register every blueprint, the API and what every template may use."""
    from mentorby.blueprints import (
        admin,
        adoption,
        api,
        applications,
        apply,
        auth,
        city,
        cohorts,
        communications,
        coordinator,
        evaluation,
        events,
        matching,
        messages,
        national,
        networking,
        notice,
        partners,
        portal,
        privacy,
        programme,
        public,
        records,
        sessions,
        surveys,
        transfer,
    )
    from mentorby.blueprints.common import give_board_at_once
    from mentorby.blueprints.messages import role_name
    from mentorby.platform.i18n import format_clock, format_day, format_moment
    from mentorby.tenants.cohorts import phases
    from mentorby.tenants.cohorts.models import CohortStatus
    from mentorby.tenants.programme.models import Respondents
    from mentorby.tenants.surveys import answering

    # A kept board asked again by the very same request is given before any other of the app's hooks asks the
    # database who is signed in (the request cycle's, registered after this).
    app.before_request(give_board_at_once)
    for module in (public, auth, admin, national, city, coordinator, programme, partners, cohorts, apply,
                   applications, portal, transfer, networking, matching, surveys, evaluation, records):
        app.register_blueprint(module.bp)
    # The company contact's own page lives with the partners it is about.
    if hasattr(partners, "company_bp"):
        app.register_blueprint(partners.company_bp)
    # Answering a survey through a personal link lives with the surveys it answers.
    app.register_blueprint(surveys.answer_bp)
    # Joint events: the coordinator's pages and the RSVP links, and the participant's own calendar link.
    app.register_blueprint(events.bp)
    app.register_blueprint(events.mine_bp)
    # The participant's certificates live with the rest of the communications area.
    app.register_blueprint(communications.bp)
    app.register_blueprint(communications.certificates_bp)
    # The round's health for the coordinator lives with the sessions it counts.
    app.register_blueprint(sessions.bp)
    app.register_blueprint(sessions.health_bp)
    # Dissemination: the register under /national/adoption/ and each city's model as inspiration material.
    app.register_blueprint(adoption.bp)
    app.register_blueprint(adoption.model_bp)
    # A person's own copy of their data (the portal) and a coordinator's on request.
    app.register_blueprint(privacy.bp)
    app.register_blueprint(privacy.coordinator_bp)
    # The city's privacy notice: the public page and the coordinator's.
    app.register_blueprint(notice.bp)
    app.register_blueprint(notice.coordinator_bp)
    api.register(app)
    # Dates and times in one written form per language, in the city's time zone (replacing Flask-Babel's filters,
    # whose short forms read "2/11/27").
    app.jinja_env.filters.update(dateformat=format_day, datetimeformat=format_moment, timeformat=format_clock)
    app.jinja_env.globals.update(
        # Vocabularies and phase rules, so that templates compare with members and ask the phase, never raw strings.
        CohortStatus=CohortStatus, allows=phases.allows, **applications.VOCABULARIES,
        role_name=role_name, label=messages.label, message=messages.message,
        answer_label=lambda question, value: answering.label_of(question, value, str(get_locale())),
        answer_choices=lambda question: answering.choices_of(question, str(get_locale())),
        respondents_label=lambda code: Respondents(code).label,
        labels=messages.labels, L={
            "cohort_status": messages.COHORT_STATUS_LABELS, "cohort_action": messages.COHORT_ACTIONS,
            "application_status": messages.APPLICATION_STATUS_LABELS, "field": messages.FIELD_LABELS,
            "language": messages.LANGUAGE_LABELS, "danish": messages.DANISH_LEVEL_LABELS,
            "availability": messages.AVAILABILITY_LABELS, "format": messages.FORMAT_LABELS,
            "audience": messages.AUDIENCE_LABELS,
        },
    )

    @app.context_processor
    def page_context():
        return {"current_city": g.get("city"), "roles": g.get("roles", set()), "current_locale": str(get_locale()),
                "url_endpoints": app.view_functions}
