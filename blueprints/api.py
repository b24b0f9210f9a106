"""The JSON API at /api/v1/: cities, the user, a city's audit log, rounds, applications, surveys, evaluations.

Authentication is a personal API token (`Authorization: Bearer mby_…`), scoped to one city.
Later capabilities add their resources to this same API.

Survey answers themselves are not in the API: a token has no scope that could allow personal answers to some
integrations and not others, so only counts and the evaluation's figures are given.
"""

import csv
import io

from flask import Flask, abort, current_app, g, jsonify, request
from flask_smorest import Blueprint
from flask_smorest.pagination import PaginationMetadataSchema
from marshmallow import Schema, fields, validate
from marshmallow import fields as ma_fields

from mentorby.blueprints.common import cohort_view, is_public, public, render, resolve_city
from mentorby.platform.accounts.models import COORDINATOR, CityRole
from mentorby.platform.accounts.services import authenticate_api_token, roles_in_city
from mentorby.platform.audit import services as audit_log
from mentorby.platform.audit.listener import set_actor
from mentorby.platform.audit.models import ActorRole
from mentorby.platform.cities import services as cities
from mentorby.platform.cities.models import Region, Tenant
from mentorby.platform.cities.schemas import CitySchema
from mentorby.platform.extensions import api, csrf, db
from mentorby.platform.national import figures as national_figures
from mentorby.platform.tenancy import set_session_tenant
from mentorby.tenants.applications import queries as applications
from mentorby.tenants.applications.models import ApplicationStatus
from mentorby.tenants.applications.profile import ROLES, Role
from mentorby.tenants.applications.schemas import ApplicationSchema
from mentorby.tenants.applications.services import counts
from mentorby.tenants.cohorts import services as cohorts
from mentorby.tenants.cohorts.models import Audience, Cohort, CohortStatus
from mentorby.tenants.cohorts.schemas import CohortSchema
from mentorby.tenants.evaluation import figures as evaluation
from mentorby.tenants.evaluation.schemas import EvaluationSchema, SendSchema
from mentorby.tenants.matching import services as matching
from mentorby.tenants.matching.models import Match
from mentorby.tenants.matching.schemas import MatchSchema
from mentorby.tenants.partners import services as partners
from mentorby.tenants.partners.models import PartnerKind
from mentorby.tenants.programme.schemas import ProgrammeEventSchema
from mentorby.tenants.programme.services import events
from mentorby.tenants.surveys import builder
from mentorby.tenants.surveys.answering import codes_of
from mentorby.tenants.surveys.models import AskedOf, Moment, QuestionKind

#: The highest page number the API answers (1,000,000 pages of 100 is more than any list here will hold); a bigger
#: number would overflow the database's OFFSET.
MAX_PAGE = 1_000_000


class ApiBlueprint(Blueprint):
    """flask-smorest's blueprint, documenting what the API really does.

    Page numbers go up to MAX_PAGE (checked in `bound_page_numbers`); the X-Pagination header is JSON text.
    """

    def _prepare_pagination_doc(self, doc, doc_info, **kwargs):
        operation = doc_info.get("pagination")
        if operation and not getattr(operation["parameters"]["schema"], "bounded", False):
            base = operation["parameters"]["schema"]
            operation["parameters"]["schema"] = type("PaginationParametersSchema", (base,), {
                "bounded": True, "page": ma_fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE))})
        return super()._prepare_pagination_doc(doc, doc_info, **kwargs)

    def _document_pagination_metadata(self, spec, resp_doc):
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = {
            "description": "Pagination metadata (total, pages, first, last, page, previous and next), as JSON text.",
            "content": {"application/json": {"schema": PaginationMetadataSchema}},
        }


blp = ApiBlueprint("api_v1", __name__, url_prefix="/api/v1", description="Mentorby API v1")
blp.url_value_preprocessor(resolve_city)
BEARER = [{"bearerAuth": []}]


class CityDetailSchema(CitySchema):
    """A city with its programme's joint-event sequence."""

    events = fields.List(fields.Nested(ProgrammeEventSchema), dump_only=True)


class MeSchema(Schema):
    """The token's owner and the city the token is scoped to."""

    id = fields.Int()
    email = fields.Str()
    name = fields.Str()
    locale = fields.Str(allow_none=True)
    city = fields.Nested(CitySchema)
    roles = fields.List(fields.Str(metadata={"enum": list(CityRole.codes())}))


class AuditEntrySchema(Schema):
    """One change in the city's audit log."""

    id = fields.Int()
    created_at = fields.DateTime()
    actor_id = fields.Int(allow_none=True)
    actor_role = fields.Str(metadata={"enum": list(ActorRole.codes())})
    action = fields.Str()
    entity = fields.Str()
    entity_id = fields.Int(allow_none=True)
    changes = fields.Dict()


class AuditQuerySchema(Schema):
    """Filters for the audit log."""

    # PostgreSQL's text holds no NUL: refused here rather than failing the query.
    entity = fields.Str(validate=[validate.Length(min=1, max=60), validate.Regexp(r"^[^\x00]*$")])


class CohortEventSchema(Schema):
    """A joint event of a round."""

    id = fields.Int()
    step = fields.Int()
    kind = fields.Str()
    name_da = fields.Str()
    name_en = fields.Str()
    audience = fields.Str(metadata={"enum": list(Audience.codes())})
    starts_at = fields.DateTime()
    duration_minutes = fields.Int()
    location = fields.Str()


class CohortDetailSchema(CohortSchema):
    """A round with its joint events and its applications counted by role and status."""

    events = fields.List(fields.Nested(CohortEventSchema))
    applications = fields.Dict(keys=fields.Str(), values=fields.Dict(keys=fields.Str(), values=fields.Int()),
                               metadata={"description": "role -> status -> number of applications"})


class CohortQuerySchema(Schema):
    """Filters for the list of rounds."""

    status = fields.Str(validate=validate.OneOf(CohortStatus.codes()))


class ApplicationQuerySchema(Schema):
    """Filters for a round's applications."""

    status = fields.Str(validate=validate.OneOf(ApplicationStatus.codes()))
    role = fields.Str(validate=validate.OneOf(Role.codes()))


class SurveyQuestionSchema(Schema):
    """A question of a survey: its stable key, how it is answered and the codes its answers take."""

    key = fields.Str(metadata={"description": "Stable across versions, rounds and cities (network, employment...)."})
    kind = fields.Str(metadata={"enum": list(QuestionKind.codes())})
    asked_of = fields.Str(metadata={"enum": list(AskedOf.codes())})
    required = fields.Bool()
    text_da = fields.Str()
    text_en = fields.Str()
    codes = fields.List(fields.Str(), metadata={"description": "The answer codes it takes (none for a number or a "
                                                "free text)."})
    minimum = fields.Int(allow_none=True)
    maximum = fields.Int(allow_none=True)


class SurveyOutSchema(Schema):
    """The current version of one of the city's surveys."""

    key = fields.Str()
    version = fields.Int()
    moment = fields.Str(metadata={"enum": list(Moment.codes())})
    audience = fields.Str(metadata={"enum": ["mentor", "mentee", "both", "company"]})
    title_da = fields.Str()
    title_en = fields.Str()
    questions = fields.List(fields.Nested(SurveyQuestionSchema))


def _page(query, pagination_parameters, *order):
    """One page of a select (ordered by `order` too), its total counted for the X-Pagination header."""
    page = db.paginate(query.order_by(*order), page=pagination_parameters.page,
                       per_page=pagination_parameters.page_size, error_out=False, max_per_page=100)
    pagination_parameters.item_count = page.total
    return page.items


def any_role(view):
    """Mark an API view open to any token of the city, not only coordinators' (the token's own details)."""
    view.any_role = True
    return view


@blp.before_request
def authenticate():
    """Every API view needs a token of the city in its path (a coordinator's, unless the view says @any_role).

    The public ones say @public.
    """
    view = current_app.view_functions.get(request.endpoint)
    if view is None or is_public(view):
        return
    g.token, g.token_roles = token_user(require_coordinator=not getattr(view, "any_role", False))


@blp.before_request
def bound_page_numbers():
    """Refuse page numbers a database cannot take, with a message, before any view counts rows."""
    for name, highest in (("page", MAX_PAGE), ("page_size", 100)):
        value = request.args.get(name)
        if value is not None and not (value.isascii() and value.isdigit() and 1 <= int(value) <= highest):
            body = {"code": 422, "message": "Unprocessable Entity",
                    "errors": {"query": {name: [f"Must be a whole number from 1 to {highest}."]}}}
            return jsonify(body), 422
    return None


def token_user(*, require_coordinator: bool = True):
    """The user behind the request's bearer token; the token must belong to the request's city when there is one."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    token = authenticate_api_token(db.session, secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        abort(401)
    city = g.get("city")
    if city is not None and token.tenant_id != city.id:
        # The same answer as an unknown city: a token never reveals whether another city exists.
        abort(404)
    set_session_tenant(db.session, token.tenant_id)
    roles = roles_in_city(db.session, token.user_id)
    if require_coordinator and COORDINATOR not in roles:
        abort(403)
    set_actor(db.session, token.user_id, "api")
    return token, roles


@blp.route("/cities")
@blp.response(200, CitySchema(many=True))
@blp.paginate()
@public
def list_cities(pagination_parameters):
    """Cities that run the programme (public)."""
    return _page(cities.active_by_name(), pagination_parameters)


@blp.route("/cities/<city>")
@blp.response(200, CityDetailSchema)
@public
def get_city():
    """One city and its programme's joint-event sequence (public)."""
    return {name: getattr(g.city, name) for name in CitySchema().fields} | {"events": events(db.session)}


class PublicPartnerSchema(Schema):
    """A partner organisation as the city's front page shows it (the coordinator's notes and contacts are not)."""

    name = fields.Str()
    kind = fields.Str(metadata={"enum": list(PartnerKind.codes())})
    website = fields.Str()


@blp.route("/cities/<city>/partners")
@blp.response(200, PublicPartnerSchema(many=True))
@blp.paginate()
@public
def list_public_partners(pagination_parameters):
    """The city's partner organisations that its front page shows (public): companies, university, school."""
    return _page(partners.by_name(public_only=True), pagination_parameters)


@blp.route("/me")
@blp.response(200, MeSchema)
@blp.doc(security=BEARER)
@any_role
def me():
    """The token's owner, the city it is scoped to and the owner's roles there."""
    token, roles = g.token, g.token_roles
    city = db.session.get(Tenant, token.tenant_id)
    user = token.user
    return {"id": user.id, "email": user.email, "name": user.name, "locale": user.locale, "city": city,
            "roles": sorted(roles)}


@blp.route("/cities/<city>/audit")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditEntrySchema(many=True))
@blp.paginate()
@blp.doc(security=BEARER)
def city_audit(filters, pagination_parameters):
    """The city's audit log, newest first (coordinators' tokens only)."""
    return _page(audit_log.city_entries(g.city.id, entity=filters.get("entity", "")), pagination_parameters)


@blp.route("/cities/<city>/cohorts")
@blp.arguments(CohortQuerySchema, location="query")
@blp.response(200, CohortSchema(many=True))
@blp.paginate()
@blp.doc(security=BEARER)
def list_cohorts(filters, pagination_parameters):
    """The city's rounds, newest first (coordinators' tokens only)."""
    query = cohorts.newest_first()
    if filters.get("status"):
        query = query.where(Cohort.status == filters["status"])
    return _page(query, pagination_parameters)


@blp.route("/cities/<city>/cohorts/<int:cohort_id>")
@blp.response(200, CohortDetailSchema)
@blp.doc(security=BEARER)
@cohort_view
def get_cohort(cohort: Cohort):
    """One round with its joint events and application counts (coordinators' tokens only)."""
    by_role: dict[str, dict[str, int]] = {role: {} for role in ROLES}
    for (role, status), number in counts(db.session, cohort.id).items():
        by_role[role][status] = number
    return {name: getattr(cohort, name) for name in CohortSchema().fields} | {"events": cohort.events,
                                                                            "applications": by_role}


@blp.route("/cities/<city>/cohorts/<int:cohort_id>/applications")
@blp.arguments(ApplicationQuerySchema, location="query")
@blp.response(200, ApplicationSchema(many=True))
@blp.paginate()
@blp.doc(security=BEARER)
@cohort_view
def list_applications(filters, pagination_parameters, cohort: Cohort):
    """A round's applications in the order they arrived; `status=accepted` gives the participants."""
    return _page(applications.api_query(cohort, status=filters.get("status"), role=filters.get("role")),
                 pagination_parameters)


@blp.route("/cities/<city>/cohorts/<int:cohort_id>/matches")
@blp.response(200, MatchSchema(many=True))
@blp.paginate()
@blp.doc(security=BEARER)
@cohort_view
def list_matches(pagination_parameters, cohort: Cohort):
    """A round's pairs with their history, oldest first (coordinators' tokens only)."""
    return _page(matching.all_pairs(cohort), pagination_parameters, Match.id)


@blp.route("/cities/<city>/surveys")
@blp.response(200, SurveyOutSchema(many=True))
@blp.doc(security=BEARER)
def list_surveys():
    """The city's current surveys, in a round's order, with their questions' keys, kinds and answer codes."""
    question_fields = [name for name in SurveyQuestionSchema().fields if name != "codes"]
    return [{name: getattr(survey, name) for name in ("key", "version", "moment", "audience", "title_da", "title_en")}
            | {"questions": [{name: getattr(question, name) for name in question_fields}
                             | {"codes": list(codes_of(question))} for question in survey.questions]}
            for survey in builder.current_surveys(db.session)]


@blp.route("/cities/<city>/cohorts/<int:cohort_id>/surveys")
@blp.response(200, SendSchema(many=True))
@blp.doc(security=BEARER)
@cohort_view
def list_cohort_surveys(cohort: Cohort):
    """The surveys sent to a round, oldest first, with how many of each role were asked and answered."""
    return [evaluation.send_data(send) for send in evaluation.round_sends(db.session, cohort)]


@blp.route("/cities/<city>/cohorts/<int:cohort_id>/evaluation")
@blp.response(200, EvaluationSchema)
@blp.doc(security=BEARER)
@cohort_view
def cohort_evaluation(cohort: Cohort):
    """A round against the city's success criteria: the figures of its evaluation page, criterion by criterion.

    Each criterion of mentors and mentees has a row per role. `share` and `interval` are null below 5 answers
    (`verdict` is then not_enough_data); `of_everyone` says whether the share is of everyone who took part (its
    non-respondents counted as not yes) or of those who answered.
    """
    return evaluation.evaluate_round(db.session, cohort, quotes=False).as_data()


def register(app: Flask) -> None:
    """Register the API and its interactive documentation."""
    csrf.exempt(blp)
    api.register_blueprint(blp)

    @app.get("/api/v1/docs")
    @public
    def api_docs():
        """Interactive API documentation (Swagger UI served from this site)."""
        return render("api/docs.html")


# --- national open data ------------------------------------------------------------------------------------------

class SuppressedCount(fields.Raw):
    """A count of people: a whole number (0, or 5 and more), "<5" for 1 to 4, "–" when hidden to protect another."""


class NationalParticipantsSchema(Schema):
    """Rounds, cities and people of one year (or all years)."""

    year = fields.Str(metadata={"description": "A year, or \"all\" for every year."})
    rounds = fields.Int(metadata={"description": "Rounds run (under way or done)."})
    cities = fields.Int(metadata={"description": "Cities with a round run."})
    mentors = SuppressedCount()
    mentees = SuppressedCount()
    participants = SuppressedCount()


class NationalCriterionSchema(Schema):
    """A success criterion for one role pooled across cities in one year (or all)."""

    year = fields.Str(metadata={"description": "A year, or \"all\" for every year."})
    code = fields.Str()
    role = fields.Str()
    yes = SuppressedCount()
    base = SuppressedCount(metadata={"description": "Answered, or everyone who took part for a criterion of all."})
    share = fields.Float(allow_none=True, metadata={"description": "yes / base; null when either is not shown."})


class NationalSpreadSchema(Schema):
    """A criterion's share per city: lowest, median, highest, and cities meeting it."""

    code = fields.Str()
    role = fields.Str()
    min = fields.Float(allow_none=True)
    median = fields.Float(allow_none=True)
    max = fields.Float(allow_none=True)
    cities_judged = fields.Int(metadata={"description": "Cities with 5 answers or more."})
    cities_meeting = fields.Int()


class NationalRegionSchema(Schema):
    """One region's cities and people in the year asked for (or all years)."""

    region = fields.Str(metadata={"description": "A region's code, or \"none\" for cities that have not said."})
    cities_live = fields.Int()
    cities = fields.Int(metadata={"description": "Cities with a round run."})
    rounds = fields.Int()
    mentors = SuppressedCount()
    mentees = SuppressedCount()
    participants = SuppressedCount()


class NationalFiguresSchema(Schema):
    """The national figures, suppressed."""

    year = fields.Int(allow_none=True, metadata={"description": "The year asked for (?year=), null for all."})
    region = fields.Str(allow_none=True, metadata={"description": "The region asked for (?region=), null for all."})
    years = fields.List(fields.Int())
    cities_live = fields.Int()
    regions = fields.List(fields.Nested(NationalRegionSchema),
                          metadata={"description": "Every region in the year asked for (only without ?region=)."})
    participants = fields.List(fields.Nested(NationalParticipantsSchema))
    criteria = fields.List(fields.Nested(NationalCriterionSchema))
    spread = fields.List(fields.Nested(NationalSpreadSchema))


YEAR_PARAMETER = {"in": "query", "name": "year", "schema": {"type": "string", "pattern": "^(all|[0-9]{4})$"},
                  "description": "One of the years with rounds, or all (default). Any other year is a 400."}
REGION_PARAMETER = {"in": "query", "name": "region",
                    "schema": {"type": "string", "enum": ["all", *Region.codes()]},
                    "description": "One of Denmark's five regions, or all (default). Anything else is a 400."}
BAD_YEAR = {"description": "Not a year (a year with no figures is a 404), or not a region.",
            "content": {"application/json": {"schema": {"type": "object"}}}}

NO_YEAR = {"description": "A year with no rounds run.", "content": {"application/json": {"schema": {"type": "object"}}}}


def _national_rows():
    """The national figures as flat rows (JSON and CSV), or a 400 answer for a bad ?year= or ?region=."""
    with national_figures.aggregates_only(db.session):  # one switch of role for all the reads
        return _national_rows_inside()


def _national_rows_inside():
    raw, known = request.args.get("year"), national_figures.years(db.session)
    try:
        year = national_figures.parse_year(raw, known)
    except national_figures.BadFilter:
        # Not a year at all is a bad request; a well-formed year with no rounds is a resource that does not exist.
        code = 404 if raw.isascii() and raw.isdigit() and len(raw) == 4 else 400
        message = "Unknown year: use one of the years in \"years\", or all."
        return None, (jsonify({"code": code, "message": message}), code)
    try:
        region = national_figures.parse_region(request.args.get("region"))
    except national_figures.BadFilter:
        message = f"Unknown region: use one of {', '.join(Region.codes())}, or all."
        return None, (jsonify({"code": 400, "message": message}), 400)
    data = national_figures.national(db.session, year, region)
    columns = [*data["years"], national_figures.ALL] if year is None else [year]
    participants = [{"year": str(column), "rounds": data["rounds"][column],
                     "cities": data["cities_running"][column], "mentors": data["participants"][column]["mentor"],
                     "mentees": data["participants"][column]["mentee"],
                     "participants": data["participants"][column][national_figures.ALL]} for column in columns]
    criteria = [{"year": str(column), "code": c["code"], "role": c["role"], **c["years"][column]}
                for c in data["criteria"] for column in columns]
    spread = [{"code": c["code"], "role": c["role"], **(c["spread"] or {"min": None, "median": None, "max": None}),
               "cities_judged": c["cities_judged"], "cities_meeting": c["cities_meeting"]} for c in data["criteria"]]
    regions = [] if region is not None else [
        {"region": row["region"], "cities_live": row["cities_live"], "cities": row["cities"], "rounds": row["rounds"],
         "mentors": row["mentor"], "mentees": row["mentee"], "participants": row[national_figures.ALL]}
        for row in data["by_region"]]
    return {"year": year, "region": region, "years": data["years"], "cities_live": data["cities_live"],
            "participants": participants, "regions": regions, "criteria": criteria, "spread": spread}, None


@blp.route("/national/figures")
@blp.response(200, NationalFiguresSchema)
@blp.doc(parameters=[YEAR_PARAMETER, REGION_PARAMETER], responses={"400": BAD_YEAR, "404": NO_YEAR})
@public
def national_figures_json():
    """The national figures across cities (public open data): counts under 5 are "<5", never a name."""
    rows, error = _national_rows()
    return error if error else rows


@blp.route("/national/figures.csv")
@blp.doc(parameters=[YEAR_PARAMETER, REGION_PARAMETER],
         responses={"200": {"description": "The same figures as CSV, one row per figure.",
                            "content": {"text/csv": {"schema": {"type": "string"}}}}, "400": BAD_YEAR,
                    "404": NO_YEAR})
@public
def national_figures_csv():
    """The national figures as CSV (public open data), suppressed as the JSON."""
    rows, error = _national_rows()
    if error:
        return error
    out = io.StringIO()
    writer = csv.writer(out)
    region = rows["region"] or national_figures.ALL
    writer.writerow(["table", "region", "year", "code", "role", "measure", "value"])
    for row in rows["participants"]:
        for measure in ("rounds", "cities", "mentors", "mentees", "participants"):
            writer.writerow(["participants", region, row["year"], "", "", measure, row[measure]])
    for row in rows["regions"]:
        for measure in ("cities_live", "cities", "rounds", "mentors", "mentees", "participants"):
            writer.writerow(["regions", row["region"], rows["year"] or national_figures.ALL, "", "", measure,
                             row[measure]])
    for row in rows["criteria"]:
        for measure in ("yes", "base", "share"):
            writer.writerow(["criteria", region, row["year"], row["code"], row["role"], measure,
                             "" if row[measure] is None else row[measure]])
    return current_app.response_class(out.getvalue(), mimetype="text/csv",
                                      headers={"Content-Disposition": "attachment; filename=national-figures.csv"})
