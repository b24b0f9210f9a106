"""The HTTP layer: one blueprint per area."""

from flask import Flask, g
from flask_babel import get_locale


def register_all(app: Flask) -> None:
    """Register every blueprint, the API and what every template may use."""
    from mentorby.blueprints import (
        admin,
        api,
        auth,
        city,
        coordinator,
        national,
        partners,
        programme,
        public,
        transfer,
    )
    from mentorby.blueprints.messages import kind_name, role_name, status_name

    for module in (public, auth, admin, national, city, coordinator, programme, partners, transfer):
        app.register_blueprint(module.bp)
    api.register(app)
    app.jinja_env.globals.update(role_name=role_name, status_name=status_name, kind_name=kind_name)

    @app.context_processor
    def page_context():
        return {"current_city": g.get("city"), "roles": g.get("roles", set()), "current_locale": str(get_locale())}
