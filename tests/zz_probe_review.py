"""Throwaway review probes. DELETE BEFORE FINISHING."""
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mentorby.platform.tenancy import tenant_scope
from mentorby.tenants.applications import consent
from mentorby.tenants.applications.models import Application, CvDocument, Participant
from tests.factories import PDF, create_partner

C = "/lyngby-taarbaek"


def out(*a):
    print("PROBE:", *a)


def _mentee_form(**changes):
    data = {
        "name": "Priya Sharma", "email": "priya@example.org", "phone": "+45 12 34 56 78", "field": "engineering",
        "languages": ["en", "hi"], "availability": ["weekday_evening"], "education": "MSc Chemical Engineering",
        "years_experience": "6", "job_goal": "Process engineer in pharma", "danish_level": "beginner",
        "arrived_on": "2026-03-01", "partner_employer": "novo nordisk", "consent": "y",
        "consent_version": consent.CURRENT,
    }
    return data | changes


def test_cohort_dates(client, login, coordinator, host_city):
    login(coordinator)
    base = {"name": "X", "mentor_capacity": "20", "mentee_capacity": "20", "description": ""}
    for i, (s, e, a) in enumerate([("9999-12-31", "", ""), ("9999-12-20", "9999-12-31", ""),
                                   ("0001-01-01", "", ""), ("0001-01-01", "0001-02-01", ""),
                                   ("2027-01-01", "2027-05-01", "0001-01-01")]):
        r = client.post(f"{C}/coordinator/cohorts/new", data=base | {"name": f"X{i}", "starts_on": s, "ends_on": e,
                                                                     "apply_by": a})
        out("new cohort", s, e, a, r.status_code)


def test_event_dates(client, login, coordinator, host_city, create_cohort, db):
    cohort = create_cohort(host_city, status="planned")
    with tenant_scope(db.session, host_city.id):
        event = cohort.events[0]
        eid = event.id
    login(coordinator)
    for day, at in [("0001-01-01", "00:00"), ("9999-12-31", "23:59"), ("2027-03-29", "02:30"),
                    ("2027-10-31", "02:30")]:
        r = client.post(f"{C}/coordinator/cohorts/{cohort.id}/events/{eid}",
                        data={f"event-{eid}-day": day, f"event-{eid}-at": at, f"event-{eid}-duration_minutes": "60",
                              f"event-{eid}-location": "x"})
        out("event", day, at, r.status_code)
        if r.status_code == 302:
            out("show page", client.get(f"{C}/coordinator/cohorts/{cohort.id}").status_code)
            out("portal/api? skip")


def test_edit_closed_cohort_form_errors(client, login, coordinator, host_city, create_cohort):
    cohort = create_cohort(host_city, status="closed", starts_on=date.today() - timedelta(days=200))
    login(coordinator)
    r = client.post(f"{C}/coordinator/cohorts/{cohort.id}/edit",
                    data={"name": "Y", "starts_on": cohort.starts_on.isoformat(), "ends_on": "",
                          "mentor_capacity": "20", "mentee_capacity": "20"})
    out("edit closed", r.status_code)
    i = r.text.find("error-summary")
    out(r.text[i - 50:i + 600])


def test_export_control_chars(client, login, coordinator, host_city, create_cohort, create_application):
    cohort = create_cohort(host_city, name="Round\x0b one")
    create_application(cohort, status="accepted", name="Eve\x01 Evil", job_goal="=HYPERLINK(\"x\")")
    login(coordinator)
    for fmt in ("csv", "xlsx"):
        r = client.get(f"{C}/coordinator/cohorts/{cohort.id}/export.{fmt}")
        out("export", fmt, r.status_code, r.headers.get("Content-Disposition"))


def test_public_form_control_chars(client, host_city, create_cohort):
    cohort = create_cohort(host_city)
    r = client.post(f"{C}/apply/{cohort.id}/mentee", data=_mentee_form(name="A\x01B\x0bC", job_goal="x\x00y"),
                    content_type="multipart/form-data")
    out("control chars in public form", r.status_code)


def test_cv_unicode_name(client, login, coordinator, host_city, create_cohort, db):
    cohort = create_cohort(host_city)
    r = client.post(f"{C}/apply/{cohort.id}/mentee", data=_mentee_form(cv=(io.BytesIO(PDF), "Резюме Олена.pdf")),
                    content_type="multipart/form-data")
    out("apply cyrillic", r.status_code)
    with tenant_scope(db.session, host_city.id):
        a = db.session.execute(select(Application)).scalar_one()
        aid = a.id
    login(coordinator)
    r = client.get(f"{C}/coordinator/cohorts/{cohort.id}/applications/{aid}/cv")
    cd = r.headers["Content-Disposition"]
    out("cv header", r.status_code, repr(cd))
    try:
        cd.encode("latin-1")
        out("latin-1 ok")
    except UnicodeEncodeError as e:
        out("latin-1 FAILS", e)


def test_already_applied_oracle(client, host_city, create_cohort, create_application):
    cohort = create_cohort(host_city, name="Spring")
    create_application(cohort, email="victim@example.org")
    r = client.post(f"{C}/apply/{cohort.id}/mentor", data={
        "name": "x", "email": "victim@example.org", "field": "it", "languages": ["en"], "employer": "x",
        "industry": "it", "expertise": "x", "mentoring_format": "one", "mentee_capacity": "1", "consent": "y",
        "consent_version": consent.CURRENT})
    out("oracle", r.status_code, "already" in r.text)


def test_apply_non_recruiting(client, host_city, create_cohort):
    for st in ("planned", "selecting", "running", "closed"):
        cohort = create_cohort(host_city, status=st)
        out(st, client.get(f"{C}/apply/{cohort.id}/mentee").status_code,
            client.get(f"{C}/apply/{cohort.id}/mentee/thanks").status_code)
    past = create_cohort(host_city, apply_by=date.today() - timedelta(days=1))
    out("deadline passed GET", client.get(f"{C}/apply/{past.id}/mentee").status_code,
        client.get(f"{C}/apply/{past.id}/mentee/thanks").status_code)
    out("bad role", client.get(f"{C}/apply/{past.id}/admin").status_code)


def test_board_odd_inputs(client, login, coordinator, host_city, create_cohort, create_application, other_city):
    cohort = create_cohort(host_city, mentee_capacity=1)
    other = create_cohort(host_city)
    a1 = create_application(cohort)
    a2 = create_application(cohort)
    b = create_application(other)
    login(coordinator)
    base = f"{C}/coordinator/cohorts/{cohort.id}/applications"
    for q in ["?page=-1", "?page=99999999999999999999", "?page=%C2%B2", "?company=99999999999999999999999",
              "?status=bogus&role=x&field=y&language=%25", "?q=%25_%25", "?q=" + "x" * 5000]:
        out("board", q[:40], client.get(base + q).status_code)
    out("bulk dup", client.post(base + "/bulk", data={"ids": [a1.id, a1.id], "bulk_status": "shortlisted"}).status_code)
    out("bulk other round", client.post(base + "/bulk", data={"ids": [a1.id, b.id], "bulk_status": "shortlisted"}).status_code)
    out("bulk bad status", client.post(base + "/bulk", data={"ids": [a1.id], "bulk_status": "submitted"}).status_code)
    out("bulk none", client.post(base + "/bulk", data={"bulk_status": "accepted"}).status_code)
    out("bulk huge id", client.post(base + "/bulk", data={"ids": ["9" * 30], "bulk_status": "accepted"}).status_code)
    out("bulk over capacity", client.post(base + "/bulk", data={"ids": [a1.id, a2.id], "bulk_status": "accepted"},
                                          headers={"HX-Request": "true"}).status_code)
    out("status other round", client.post(f"{base}/{b.id}/status", data={"status": "accepted"}).status_code)
    out("status bogus", client.post(f"{base}/{a1.id}/status", data={"status": "submitted"}).status_code)
    out("detail other round", client.get(f"{base}/{b.id}").status_code)
    out("cv none", client.get(f"{base}/{a1.id}/cv").status_code)
    out("note huge", client.post(f"{base}/{a1.id}/note", data={"note": "x" * 5000}).status_code)
    out("pool odd", client.get(f"{C}/coordinator/pool/?role=bogus&q=%25&page=0").status_code)
    out("export bad status", client.get(f"{C}/coordinator/cohorts/{cohort.id}/export.csv?status=bogus").status_code)
    out("export bad fmt", client.get(f"{C}/coordinator/cohorts/{cohort.id}/export.pdf").status_code)


def test_bulk_big_id_int_overflow_pg(client, login, coordinator, host_city, create_cohort, create_application):
    cohort = create_cohort(host_city)
    a1 = create_application(cohort)
    login(coordinator)
    base = f"{C}/coordinator/cohorts/{cohort.id}/applications"
    out("bulk id 2**63", client.post(base + "/bulk", data={"ids": [str(2**63), str(a1.id)], "bulk_status": "declined"}).status_code)
    out("company 2**63", client.get(base + f"?company={2**63}").status_code)


def test_capacity_bypasses(client, login, coordinator, host_city, create_cohort, create_application, db):
    cohort = create_cohort(host_city, mentee_capacity=2)
    a = create_application(cohort, status="accepted")
    b = create_application(cohort, status="accepted")
    login(coordinator)
    r = client.post(f"{C}/coordinator/cohorts/{cohort.id}/edit",
                    data={"name": "Z", "starts_on": cohort.starts_on.isoformat(), "ends_on": "",
                          "mentor_capacity": "20", "mentee_capacity": "1"})
    out("lower capacity below accepted", r.status_code)
    # planned round: import accepted rows
    planned = create_cohort(host_city, status="planned", mentee_capacity=1)
    from tests.transfer.samples import csv_bytes, mentee
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart
    rows = [mentee(email="p1@example.org") | {"status": "accepted"}]
    form = {"file": FileStorage(io.BytesIO(csv_bytes(rows)), filename="p.csv"), "action": "import", "consent": "y"}
    boundary, body = encode_multipart(form)
    r = client.post(f"{C}/coordinator/cohorts/{planned.id}/import", data=body,
                    content_type=f"multipart/form-data; boundary={boundary}")
    out("import accepted into planned round", r.status_code)
    with tenant_scope(db.session, host_city.id):
        db.session.expire_all()
        out("statuses in planned", list(db.session.execute(select(Application.status).where(Application.cohort_id == planned.id)).scalars()))


def test_portal_things(client, login, host_city, create_cohort, create_application, create_user, db, count_queries):
    cohorts = [create_cohort(host_city, status="closed", starts_on=date.today() - timedelta(days=400 - i * 30))
               for i in range(6)]
    for c in cohorts:
        create_application(c, email="m@example.org", status="accepted")
    cur = create_cohort(host_city, status="selecting")
    app_ = create_application(cur, email="m@example.org", status="accepted")
    user = create_user(city=host_city, role="mentee", email="m@example.org")
    login(user)
    with count_queries() as counter:
        r = client.get(f"{C}/portal/")
    out("portal home", r.status_code, "queries", counter.count)
    # profile edit in closed round
    old = create_application(create_cohort(host_city, status="followed_up", starts_on=date.today() - timedelta(days=900)),
                             email="m@example.org", status="declined")
    r = client.get(f"{C}/portal/profile/{old.id}")
    out("profile of followed_up declined application", r.status_code)
    r = client.post(f"{C}/portal/withdraw/{old.id}")
    out("withdraw followed_up", r.status_code)
    # injected application by a stranger with the victim's email
    fresh = create_cohort(host_city)
    client2 = client.application.test_client()
    r = client2.post(f"{C}/apply/{fresh.id}/mentee", data=_mentee_form(email="M@example.org", job_goal="INJECTED"),
                     content_type="multipart/form-data")
    out("stranger applied as victim", r.status_code)
    r = client.get(f"{C}/portal/")
    out("victim portal shows injected round", fresh.name in r.text)
    # reapply consent
    open2 = create_cohort(host_city)
    r = client.post(f"{C}/portal/reapply/{open2.id}/mentee")
    out("reapply", r.status_code)
    r = client.post(f"{C}/portal/reapply/{open2.id}/mentor")
    out("reapply other role", r.status_code)


def test_company_contact(client, login, host_city, create_cohort, create_application, create_user, db):
    company = create_partner(host_city, name="Novo", kind="company")
    uni = create_partner(host_city, name="DTU", kind="university")
    from mentorby.tenants.partners.models import PartnerContact
    with tenant_scope(db.session, host_city.id):
        db.session.add(PartnerContact(partner_id=company.id, name="HR", email="hr@novo.example"))
        db.session.add(PartnerContact(partner_id=uni.id, name="HR", email="hr@novo.example"))
        db.session.flush()
    cohort = create_cohort(host_city)
    create_application(cohort, role="mentee", status="accepted", name="Mentee at Novo", partner_employer="Novo")
    create_application(cohort, role="mentor", status="accepted", name="Mentor at DTU", employer="DTU")
    user = create_user(city=host_city, role="company_contact", email="hr@novo.example")
    login(user)
    r = client.get(f"{C}/company/")
    out("company", r.status_code, "Mentee at Novo" in r.text, "Mentor at DTU (university!)" if "Mentor at DTU" in r.text else "")


def test_queries(client, login, coordinator, host_city, create_cohort, create_application, count_queries, db):
    cohort = create_cohort(host_city)
    for i in range(3):
        create_application(cohort, cv=PDF)
    login(coordinator)
    urls = [f"{C}/coordinator/cohorts/{cohort.id}/applications", f"{C}/coordinator/", f"{C}/coordinator/cohorts/",
            f"{C}/coordinator/pool/?role=mentee", f"{C}/coordinator/cohorts/{cohort.id}"]
    first = {}
    for u in urls:
        with count_queries() as c:
            r = client.get(u)
        first[u] = (r.status_code, c.count)
    for i in range(30):
        create_application(cohort, cv=PDF)
    for u in urls:
        with count_queries() as c:
            r = client.get(u)
        out("queries", u, first[u], (r.status_code, c.count))


def test_detail_history_queries(client, login, coordinator, host_city, create_cohort, create_application, count_queries):
    apps = [create_application(create_cohort(host_city, status="selecting"), role="mentor", email="r@example.org")
            for _ in range(8)]
    login(coordinator)
    a = apps[-1]
    with count_queries() as c:
        r = client.get(f"{C}/coordinator/cohorts/{a.cohort_id}/applications/{a.id}")
    out("detail w/ 7 earlier rounds", r.status_code, c.count)


def test_partner_page_ids(client, login, coordinator, host_city):
    p = create_partner(host_city, name="Novo", kind="company")
    login(coordinator)
    r = client.get(f"{C}/coordinator/partners/{p.id}")
    import re
    ids = re.findall(r'id="([^"]+)"', r.text)
    dup = {i for i in ids if ids.count(i) > 1}
    out("partner page dup ids", dup)


def test_board_dup_ids(client, login, coordinator, host_city, create_cohort, create_application):
    cohort = create_cohort(host_city)
    a = create_application(cohort)
    login(coordinator)
    import re
    for u in (f"{C}/coordinator/cohorts/{cohort.id}/applications", f"{C}/coordinator/cohorts/{cohort.id}/applications/{a.id}",
              f"{C}/coordinator/cohorts/{cohort.id}", f"{C}/apply/{cohort.id}/mentee"):
        r = client.get(u)
        ids = re.findall(r' id="([^"]+)"', r.text)
        dup = {i for i in ids if ids.count(i) > 1}
        fors = set(re.findall(r' for="([^"]+)"', r.text))
        out("dup ids", u, dup, "labels without target", fors - set(ids))
        out("list attr", re.findall(r'list="[^"]+"', r.text), "datalist" in r.text)


def test_htmx_status_error_commit(client, login, coordinator, host_city, create_cohort, create_application, db):
    cohort = create_cohort(host_city, mentee_capacity=1)
    create_application(cohort, status="accepted")
    a = create_application(cohort)
    login(coordinator)
    r = client.post(f"{C}/coordinator/cohorts/{cohort.id}/applications/{a.id}/status", data={"status": "accepted"},
                    headers={"HX-Request": "true"})
    out("htmx accept over capacity", r.status_code, "role=\"alert\"" in r.text)
    r = client.post(f"{C}/coordinator/cohorts/{cohort.id}/applications/{a.id}/status", data={"status": "accepted"})
    out("plain accept over capacity", r.status_code)
