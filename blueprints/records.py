"""The city's record of processing personal data (GDPR article 30), read from the models' own declarations."""

import io

from flask import g, render_template, send_file
from flask_babel import get_locale

from mentorby.blueprints.common import CityBlueprint, render
from mentorby.platform import clock
from mentorby.platform.accounts.models import COORDINATOR
from mentorby.platform.extensions import db
from mentorby.platform.privacy import records
from mentorby.tenants.privacy import notice, retention
from mentorby.tenants.transfer.exporting import slug

bp = CityBlueprint("records", __name__, url_prefix="/coordinator/privacy", access=(COORDINATOR,))


def _context() -> dict:
    entries = records.record(db.Model.registry, notice.retention_periods(db.session).as_dict())
    return {"city": g.city, "entries": entries, "categories": records.by_category(entries),
            "made_on": clock.today(), "locale": str(get_locale()), "last_run": retention.last_run(db.session)}


@bp.get("/records")
def record():
    """The record as a page: the data controller, then each kind of personal data held, why and for how long."""
    return render("records/record.html", **_context())


@bp.get("/records.pdf")
def record_pdf():
    """The same record as a PDF, for the city's data-protection officer."""
    from weasyprint import HTML  # a heavy import, only where a PDF is made

    html = render_template("records/record_pdf.html", **_context())
    data = HTML(string=html, base_url=None, url_fetcher=_fetch_nothing).write_pdf()
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True, max_age=0,
                         download_name=f"{slug(g.city.slug) or 'city'}-record-of-processing.pdf")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _fetch_nothing(url: str, *args, **kwargs):
    raise ValueError(f"the record fetches nothing ({url[:60]})")
