"""The JSON API at /api/v1/: cities, the current user and a city's audit log.

Authentication is a personal API token (`Authorization: Bearer mby_…`), scoped to one city.
Later capabilities add their resources to this same API.
"""

from flask import Flask, abort, g, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from mentorby.blueprints.common import render, resolve_city
from mentorby.platform.accounts.models import COORDINATOR
from mentorby.platform.accounts.services import authenticate_api_token, roles_in_city
from mentorby.platform.audit.listener import set_actor
from mentorby.platform.audit.models import AuditEntry
from mentorby.platform.cities.models import ACTIVE, Tenant
from mentorby.platform.extensions import api, csrf, db
from mentorby.platform.tenancy import set_session_tenant
from mentorby.tenants.programme.services import events

blp = Blueprint("api_v1", __name__, url_prefix="/api/v1", description="Mentorby API v1")
blp.url_value_preprocessor(resolve_city)
BEARER = [{"bearerAuth": []}]


class CitySchema(Schema):
    """A city that runs the programme."""

    slug = fields.Str(dump_only=True)
    name = fields.Str(dump_only=True)
    municipality = fields.Str(dump_only=True)
    is_host = fields.Bool(dump_only=True)


class EventSchema(Schema):
    """A joint event of the city's programme model."""

    step = fields.Int()
    kind = fields.Str()
    name_da = fields.Str()
    name_en = fields.Str()
    audience = fields.Str()
    week_offset = fields.Int()
    duration_minutes = fields.Int()


class CityDetailSchema(CitySchema):
    """A city with its programme's joint-event sequence."""

    events = fields.List(fields.Nested(EventSchema), dump_only=True)


class MeSchema(Schema):
    """The token's owner and the city the token is scoped to."""

    id = fields.Int()
    email = fields.Str()
    name = fields.Str()
    locale = fields.Str(allow_none=True)
    city = fields.Nested(CitySchema)
    roles = fields.List(fields.Str())


class AuditEntrySchema(Schema):
    """One change in the city's audit log."""

    id = fields.Int()
    created_at = fields.DateTime()
    actor_id = fields.Int(allow_none=True)
    actor_role = fields.Str()
    action = fields.Str()
    entity = fields.Str()
    entity_id = fields.Int(allow_none=True)
    changes = fields.Dict()


class AuditQuerySchema(Schema):
    """Filters for the audit log."""

    entity = fields.Str(validate=validate.Length(min=1, max=60))


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
def list_cities(pagination_parameters):
    """Cities that run the programme (public)."""
    query = select(Tenant).where(Tenant.status == ACTIVE)
    pagination_parameters.item_count = db.session.execute(select(func.count()).select_from(query.subquery())).scalar()
    return db.session.execute(
        query.order_by(Tenant.name).offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)
    ).scalars().all()


@blp.route("/cities/<city>")
@blp.response(200, CityDetailSchema)
def get_city():
    """One city and its programme's joint-event sequence (public)."""
    city = g.city
    return {"slug": city.slug, "name": city.name, "municipality": city.municipality, "is_host": city.is_host,
            "events": events(db.session)}


@blp.route("/me")
@blp.response(200, MeSchema)
@blp.doc(security=BEARER)
def me():
    """The token's owner, the city it is scoped to and the owner's roles there."""
    token, roles = token_user(require_coordinator=False)
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
    token_user()
    query = select(AuditEntry).where(AuditEntry.tenant_id == g.city.id)
    if filters.get("entity"):
        query = query.where(AuditEntry.entity == filters["entity"])
    pagination_parameters.item_count = db.session.execute(select(func.count()).select_from(query.subquery())).scalar()
    return db.session.execute(
        query.order_by(AuditEntry.id.desc()).offset(pagination_parameters.first_item)
        .limit(pagination_parameters.page_size)
    ).scalars().all()


def register(app: Flask) -> None:
    """Register the API and its interactive documentation."""
    csrf.exempt(blp)
    api.register_blueprint(blp)

    @app.get("/api/v1/docs")
    def api_docs():
        """Interactive API documentation (Swagger UI served from this site)."""
        return render("api/docs.html")
