"""Load benchmark: the app under gunicorn on PostgreSQL at 1,000 cities, beside a bare Flask "hello world" (not a test).

Run from the repository root:  .venv/bin/python bench/load.py [--json] [--cities 1000] [--rounds 20]
                                 [--participants 40] [--duration 300] [--connections 16] [--database NAME] [--keep]
Profile one page instead:      .venv/bin/python bench/load.py --profile /scale-0001/coordinator/cohorts/ --database NAME
Count its instructions:        .venv/bin/python bench/load.py --instructions PATH --database NAME [--repeats 10]
                               (PATH `survey`: survey answers submitted through their personal links)

What it does, as production would (README "Running in production"):
1. a throw-away PostgreSQL database (or `--database NAME`, one kept from an earlier run with `--keep`): migrated as
   the owner, `setup-postgres` for the app's own role, `seed-scale` (tenants/scale.py) as that role, then ANALYZE;
2. a throw-away Redis (rate limits are shared between workers in production) and two gunicorn servers with the
   same settings (`-w 2`, sync workers): the app with MENTORBY_ENV=production, and a bare Flask "hello world";
3. wrk on loopback, `--connections` connections (one wrk thread each), each phase `--duration` / 8 seconds: a
   city's public page, the coordinator's round page, the selection board, the matching board, a survey answer
   submitted through the real personal link, the national dashboard, the national open-data API, and hello world.
   Connections act as distinct clients behind a load balancer (X-Forwarded-For / -Proto, TRUSTED_PROXIES=1). The
   signed-in pages sign in once per connection (the CSRF token from the login page) and keep the cookie: connection
   n is the coordinator of city n and opens its own city's rounds. Each survey POST answers another open response of
   the running rounds' midway survey; the answers stored are counted in the database afterwards.
4. one table: requests/s, p50, p95, p99, errors (socket errors, timeouts and unexpected statuses) and the ratio to
   hello world; the survey row also gives the answers stored per second and those lost (acknowledged, not stored);
   then each web worker's RSS after the warm-up and at the end, and the issue's targets met or missed.

wrk is installed with apt-get when missing and run as root (as the Makefile does for Chromium); otherwise the script
says how to install it. redis-server likewise.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or os.curdir).resolve() != _HERE]

PG = os.environ.get("PGHOST", "127.0.0.1"), os.environ.get("PGPORT", "5432"), os.environ.get("PGUSER", "postgres")
APP_ROLE = "mentorby_load_app"
SECRET_KEY = "load-benchmark-secret-key-" + "k" * 32
VENV_BIN = Path(sys.executable).parent
#: The issue's targets (issue 15, item 3).
P95_MS, CITY_SHARE, ANSWERS_PER_S, RSS_GROWTH = 100.0, 0.20, 300.0, 0.20
PHASES = ("city page", "round page", "selection board", "matching board", "survey answer", "national dashboard",
          "national API")
CITY_PAGES = ("city page", "round page", "selection board", "matching board")


def hello():
    """The bare Flask app gunicorn serves beside the real one: `gunicorn 'load:hello()'`."""
    from flask import Flask

    app = Flask("hello")

    @app.get("/")
    def index():
        return "Hello, World!"

    return app


# --- tools -------------------------------------------------------------------------------------------------------

def need(program: str, package: str) -> str:
    """The path of `program`, installed with apt-get when missing and run as root; else explain and stop."""
    found = shutil.which(program)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"Installing {package} for the load benchmark...", file=sys.stderr)
        if subprocess.run(["apt-get", "install", "-y", "-qq", package], capture_output=True).returncode:
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", package], capture_output=True, check=True)
        found = shutil.which(program)
    if not found:
        sys.exit(f"The load benchmark needs {program}: sudo apt-get install {package} (or brew install {package}).")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2, headers=client_headers(0)).status_code < 500:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


#: The browser the load's clients name (bench/load.py's LUA sends the same).
USER_AGENT = "mentorby-bench"


def client_headers(n: int) -> dict:
    """What the load balancer in front would add for client n."""
    # One browser's name for the sign-in and for wrk: a session is bound to its address and browser (Flask-Login's
    # strong protection), and a request from another browser finds its sign-in no longer fresh.
    return {"X-Forwarded-For": f"10.77.{n // 250}.{n % 250 + 1}", "X-Forwarded-Proto": "https",
            "Accept-Language": "en", "User-Agent": USER_AGENT}


# --- the database --------------------------------------------------------------------------------------------------

def pg_url(user: str, name: str, driver: bool = False) -> str:
    host, port, _ = PG
    return f"postgresql{'+psycopg' if driver else ''}://{user}@{host}:{port}/{name}"


def flask_command(args: list[str], database_url: str, **env) -> str:
    """Run `flask --app wsgi ...` as an operator would; its output."""
    environment = {**os.environ, "MENTORBY_ENV": "development", "SECRET_KEY": SECRET_KEY,
                   "DATABASE_URL": database_url, **env}
    result = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=environment,
                            capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def prepare(name: str, cities: int, rounds: int, participants: int) -> dict:
    """Create, migrate, set up and seed the database; timings."""
    import psycopg

    host, port, user = PG
    with psycopg.connect(f"host={host} port={port} user={user} dbname=postgres", autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    owner = pg_url(user, name)
    flask_command(["db", "upgrade"], owner)
    flask_command(["setup-postgres", "--app-role", APP_ROLE], pg_url(APP_ROLE, name), MIGRATION_DATABASE_URL=owner)
    start = time.perf_counter()
    output = flask_command(["seed-scale", "--cities", str(cities), "--rounds", str(rounds), "--participants",
                           str(participants)], pg_url(APP_ROLE, name))
    seeded = time.perf_counter() - start
    with psycopg.connect(f"host={host} port={port} user={user} dbname={name}", autocommit=True) as owner_conn:
        owner_conn.execute("analyze")
    rows = sum(int(found.replace(",", "")) for found in re.findall(r"^\s+\w+\s+([\d,]+)$", output, re.M))
    return {"seed_seconds": round(seeded, 1), "rows": rows, "analyze_seconds": round(time.perf_counter() - start
                                                                                       - seeded, 1)}


def drop(name: str) -> None:
    import psycopg

    host, port, user = PG
    with psycopg.connect(f"host={host} port={port} user={user} dbname=postgres", autocommit=True) as admin:
        admin.execute(f'drop database if exists "{name}" with (force)')


def owner_connection(name: str):
    import psycopg

    host, port, user = PG
    return psycopg.connect(f"host={host} port={port} user={user} dbname={name}", autocommit=True)


def targets(name: str, connections: int) -> dict:
    """Per connection: its city, the city's running and newest rounds; the open survey responses to answer."""
    from flask import Flask

    from mentorby.platform.links import link_token

    with owner_connection(name) as conn:
        cities = conn.execute(
            "select t.id, t.slug, (select c.id from cohort c where c.tenant_id = t.id and c.status = 'running' "
            "order by c.starts_on desc limit 1), (select c.id from cohort c where c.tenant_id = t.id "
            "order by c.starts_on desc limit 1) from tenant t where t.slug like 'scale-%%' order by t.slug "
            "limit %s", (connections,)).fetchall()
        if not cities:
            sys.exit("The database holds no seeded cities (seed-scale).")
        responses = conn.execute(
            "select r.tenant_id, r.nonce, t.slug, s.survey_id, "
            "(select array_agg(q.id || ':' || q.key) from survey_question q where q.survey_id = s.survey_id) "
            "from survey_response r join survey_send s on s.id = r.send_id join tenant t on t.id = r.tenant_id "
            "join cohort c on c.id = s.cohort_id where c.status = 'running' and s.survey_key = 'midway' "
            "and r.submitted_at is null and s.closes_on >= current_date order by r.id").fetchall()
    app = Flask("tokens")
    app.config["SECRET_KEY"] = SECRET_KEY
    links = []
    with app.app_context():
        for tenant_id, nonce, slug, survey_id, questions in responses:
            ids = dict(reversed(item.split(":")) for item in questions)
            body = (f"version={survey_id}&q{ids['meetings']}=3&q{ids['relationship_works']}=4"
                    f"&q{ids['topics']}=cv&q{ids['topics']}=networking")
            links.append((f"/{slug}/survey/{link_token('survey', tenant_id, nonce)}", body))
    return {"cities": [{"id": row[0], "slug": row[1], "running": row[2], "newest": row[3]} for row in cities],
            "links": links}


def database_now(name: str):
    with owner_connection(name) as conn:
        return conn.execute("select now() at time zone 'utc'").fetchone()[0]


def rollups_caught_up(name: str, redis_url: str, since) -> dict:
    """After the answers: how long the queue took to refresh the answered rounds, and rounds still behind."""
    import redis

    queue, began = redis.Redis.from_url(redis_url), time.monotonic()
    while time.monotonic() - began < 120:
        if not queue.llen("huey.redis.mentorby") and not queue.zcard("huey.schedule.mentorby"):
            break
        time.sleep(0.2)
    waited = time.monotonic() - began
    time.sleep(0.5)  # the last task taken off the queue commits
    with owner_connection(name) as conn:
        answered, behind = conn.execute(
            "select count(*), count(*) filter (where rollup.updated_at is null or rollup.updated_at < answered.last) "
            "from (select send.cohort_id, max(response.submitted_at) as last from survey_response response "
            "      join survey_send send on send.id = response.send_id where response.submitted_at >= %s "
            "      group by send.cohort_id) answered "
            "left join round_rollup rollup on rollup.cohort_id = answered.cohort_id", (since,)).fetchone()
    return {"rollup_drain_s": round(waited, 1), "rounds_answered": answered, "rounds_behind": behind}


def stored_answers(name: str) -> int:
    with owner_connection(name) as conn:
        return conn.execute("select count(*) from survey_response where submitted_at is not null").fetchone()[0]


# --- servers ------------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def servers(name: str, workers: int):
    """Redis, the app and hello world under gunicorn; yields (app base URL, hello base URL, app master pid)."""
    redis_port, app_port, hello_port = free_port(), free_port(), free_port()
    processes = []
    with tempfile.TemporaryDirectory() as folder:
        try:
            processes.append(subprocess.Popen(
                [need("redis-server", "redis-server"), "--port", str(redis_port), "--bind", "127.0.0.1", "--save",
                 "", "--appendonly", "no", "--dir", folder], stdout=subprocess.DEVNULL))
            env = {**os.environ, "MENTORBY_ENV": "production", "SECRET_KEY": SECRET_KEY,
                   "DATABASE_URL": pg_url(APP_ROLE, name), "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                   "TRUSTED_PROXIES": "1", "BASE_URL": "https://mentorby.bench"}
            gunicorn = str(VENV_BIN / "gunicorn")
            log = open(Path(folder) / "app.log", "w")  # noqa: SIM115 (closed with the folder)
            app = subprocess.Popen([gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{app_port}", "wsgi:app"],
                                   cwd=ROOT, env=env, stdout=log, stderr=log)
            processes.append(app)
            # The task queue's worker, as in production: survey answers hand their rounds' rollups to it.
            processes.append(subprocess.Popen([str(VENV_BIN / "huey_consumer"), "mentorby.tenants.tasks.huey", "-w",
                                               "1", "-q"], cwd=ROOT, env=env, stdout=log, stderr=log))
            processes.append(subprocess.Popen(
                [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{hello_port}", "--chdir", str(_HERE),
                 "load:hello()"], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(_HERE)},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            base, hello_base = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{hello_port}"
            try:
                wait_for(base + "/health")
                wait_for(hello_base + "/")
            except RuntimeError:
                log.flush()
                sys.exit((Path(folder) / "app.log").read_text()[-3000:])
            yield base, hello_base, app.pid, env["REDIS_URL"]
        finally:
            for process in reversed(processes):
                process.terminate()
            for process in processes:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=20)


def worker_rss(master: int) -> dict[int, int]:
    """RSS in KB of each worker (child) of a gunicorn master."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            status = (entry / "status").read_text()
            if re.search(rf"^PPid:\s+{master}$", status, re.M):
                found[int(entry.name)] = int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1))
    return found


# --- clients --------------------------------------------------------------------------------------------------------

def cookies_of(response, jar: dict) -> dict:
    for cookie in response.cookies:
        jar[cookie.name] = cookie.value
    return jar


def csrf_of(text: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', text)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def sign_in(base: str, n: int, email: str, password: str) -> str:
    """Sign in as a browser would (the login page's CSRF token), landing on the first page; the Cookie header to keep.

    The landing page's forms give the new session its CSRF token, as a browser's has when it opens a board. (The
    cookies are kept by hand: the production settings mark them Secure, which requests would not send over http.)
    """
    import requests

    headers = client_headers(n)
    page = requests.get(base + "/login", headers=headers, timeout=10)
    jar = cookies_of(page, {})
    form = {"email": email, "password": password, "csrf_token": csrf_of(page.text)}
    answer = requests.post(base + "/login", data=form,
                           headers={**headers, "Cookie": header_of(jar),
                                    "Referer": base.replace("http:", "https:") + "/login"},
                           allow_redirects=False, timeout=10)
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in of {email} gave {answer.status_code}")
    for _hop in range(5):
        jar = cookies_of(answer, jar)
        if answer.status_code != 302:
            break
        target = urlsplit(answer.headers["Location"])
        answer = requests.get(base + target.path + (f"?{target.query}" if target.query else ""),
                              headers={**headers, "Cookie": header_of(jar)}, allow_redirects=False, timeout=10)
    if answer.status_code != 200 or "csrf_token" not in answer.text:
        raise RuntimeError(f"{email} landed on {answer.status_code} after signing in")
    return header_of(jar)


def header_of(jar: dict) -> str:
    """A Cookie header of the jar's cookies."""
    return "; ".join(f"{key}={value}" for key, value in jar.items())


def survey_session(base: str, n: int, path: str) -> tuple[str, str]:
    """A survey page opened once: its session cookie and CSRF token, good for every later POST of the connection."""
    import requests

    page = requests.get(base + path, headers=client_headers(n), timeout=10)
    if page.status_code != 200:
        raise RuntimeError(f"survey page {path} gave {page.status_code}")
    jar = cookies_of(page, {})
    return "; ".join(f"{key}={value}" for key, value in jar.items()), csrf_of(page.text)


LUA = r"""
local counter, threads = 0, {}
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  local file = io.open(args[1] .. "/" .. id .. ".txt")
  local headers = {}
  local cookie = file:read("*l")
  if cookie ~= "" then headers["Cookie"] = cookie end  -- a visitor without a cookie sends no Cookie header
  headers["X-Forwarded-For"] = file:read("*l")
  headers["X-Forwarded-Proto"] = "https"
  headers["Accept-Language"] = "en"
  headers["User-Agent"] = "mentorby-bench"
  headers["Referer"] = file:read("*l")
  expected = tonumber(file:read("*l"))
  once = file:read("*l") == "once"
  reqs = {}
  for line in file:lines() do
    local method, path, body = line:match("^(%u+)\t([^\t]*)\t?(.*)$")
    if method == "POST" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      table.insert(reqs, wrk.format("POST", path, headers, body))
    else
      headers["Content-Type"] = nil
      table.insert(reqs, wrk.format("GET", path, headers))
    end
  end
  file:close()
  index, good, unexpected = 0, 0, 0
end
function request()
  index = index + 1
  if index > #reqs then
    if once then
      wrk.thread:stop()
      return reqs[#reqs]
    end
    index = 1
  end
  return reqs[index]
end
function response(status, headers, body)
  if status == expected then good = good + 1 else unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local good, unexpected = 0, 0
  for _, thread in ipairs(threads) do
    good = good + thread:get("good")
    unexpected = unexpected + thread:get("unexpected")
  end
  local e = summary.errors
  io.write(string.format(
    '\nRESULT {"requests": %d, "seconds": %.3f, "socket_errors": %d, "timeouts": %d, "good": %d, ' ..
    '"unexpected": %d, "p50": %.3f, "p95": %.3f, "p99": %.3f}\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write, e.timeout, good, unexpected,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def run_wrk(wrk: str, base: str, per_connection: list[dict], seconds: float, folder: Path) -> dict:
    """Load `base` with one wrk thread per connection; each connection's requests, cookie and address given."""
    script = folder / "load.lua"
    script.write_text(LUA)
    data = folder / f"run-{uuid.uuid4().hex[:6]}"
    data.mkdir()
    for n, spec in enumerate(per_connection):
        lines = [spec.get("cookie", ""), client_headers(n)["X-Forwarded-For"],
                 base.replace("http:", "https:") + "/", str(spec["expected"]), "once" if spec.get("once") else "loop"]
        lines += [f"{method}\t{path}\t{body}" for method, path, body in spec["requests"]]
        (data / f"{n}.txt").write_text("\n".join(lines) + "\n")
    count = len(per_connection)
    result = subprocess.run([wrk, f"-t{count}", f"-c{count}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
                             "-s", str(script), base, "--", str(data)], capture_output=True, text=True)
    found = re.search(r"^RESULT (.*)$", result.stdout, re.M)
    if not found:
        raise RuntimeError(f"wrk gave no result:\n{result.stdout}\n{result.stderr}")
    figures = json.loads(found.group(1))
    figures["rps"] = figures["requests"] / figures["seconds"] if figures["seconds"] else 0.0
    figures["errors"] = figures["socket_errors"] + figures["timeouts"] + figures["unexpected"]
    return figures


# --- the run ---------------------------------------------------------------------------------------------------------

def measure(name: str, options) -> dict:
    import requests

    from mentorby.tenants.scale import NATIONAL_EMAIL, SCALE_PASSWORD, coordinator_email

    wrk = need("wrk", "wrk")
    found = targets(name, options.connections)
    cities, links = found["cities"], found["links"]
    count = options.connections
    phase = options.duration / (len(PHASES) + 1)
    with servers(name, options.workers) as (base, hello_base, master, redis_url), \
            tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        city = [cities[n % len(cities)] for n in range(count)]
        coordinators = [sign_in(base, n, coordinator_email(city[n]["slug"]), SCALE_PASSWORD) for n in range(count)]
        nationals = [sign_in(base, 100 + n, NATIONAL_EMAIL, SCALE_PASSWORD) for n in range(count)]
        # One survey page per connection, opened first, gives the connection's session and CSRF token.
        openers, links = links[:count], links[count:]
        surveys = [survey_session(base, 200 + n, path) for n, (path, _) in enumerate(openers)]
        per_link = len(links) // count
        pages = {
            "city page": lambda n: {"requests": [("GET", f"/{city[n]['slug']}/", "")], "expected": 200},
            "round page": lambda n: {"requests": [("GET", f"/{city[n]['slug']}/coordinator/cohorts/"
                                                  f"{city[n]['running']}", "")], "cookie": coordinators[n],
                                     "expected": 200},
            "selection board": lambda n: {"requests": [("GET", f"/{city[n]['slug']}/coordinator/cohorts/"
                                                       f"{city[n]['newest']}/applications", "")],
                                          "cookie": coordinators[n], "expected": 200},
            "matching board": lambda n: {"requests": [("GET", f"/{city[n]['slug']}/coordinator/cohorts/"
                                                      f"{city[n]['running']}/matching", "")],
                                         "cookie": coordinators[n], "expected": 200},
            "survey answer": lambda n: {"requests": [
                ("POST", path, f"csrf_token={surveys[n % len(surveys)][1]}&{body}")
                for path, body in links[n * per_link:(n + 1) * per_link]], "cookie": surveys[n % len(surveys)][0],
                "expected": 302, "once": True},
            "national dashboard": lambda n: {"requests": [("GET", "/national/", "")], "cookie": nationals[n],
                                             "expected": 200},
            "national API": lambda n: {"requests": [("GET", "/api/v1/national/figures", "")], "expected": 200},
        }
        # Warm-up: every page once per worker, checked, before the first RSS reading.
        for label, spec in pages.items():
            if label == "survey answer":
                continue
            for n in range(2 * options.workers):
                first = spec(n)
                answer = requests.get(base + first["requests"][0][1], timeout=30, allow_redirects=False,
                                      headers={**client_headers(n), "Cookie": first.get("cookie", "")})
                if answer.status_code != first["expected"]:
                    raise RuntimeError(f"{label}: {first['requests'][0][1]} gave {answer.status_code}")
        rss_start = worker_rss(master)
        rows = {}
        for label in PHASES:
            before = stored_answers(name) if label == "survey answer" else None
            started = database_now(name)
            rows[label] = run_wrk(wrk, base, [pages[label](n) for n in range(count)], phase, folder)
            if before is not None:
                stored = stored_answers(name) - before
                rows[label].update(stored=stored, sent=rows[label]["good"],
                                   lost=max(0, rows[label]["good"] - stored),
                                   stored_per_s=stored / rows[label]["seconds"], open_links=len(links))
                rows[label].update(rollups_caught_up(name, redis_url, started))
        rss_end = worker_rss(master)
        rows["hello world"] = run_wrk(wrk, hello_base, [{"requests": [("GET", "/", "")], "expected": 200}
                                                        for _ in range(count)], phase, folder)
    hello_rps = rows["hello world"]["rps"]
    for row in rows.values():
        row["ratio"] = row["rps"] / hello_rps if hello_rps else 0.0
    start_kb, end_kb = sum(rss_start.values()), sum(rss_end.values())
    memory = {"workers": len(rss_start), "start_mb": round(start_kb / 1024, 1), "end_mb": round(end_kb / 1024, 1),
              "growth": (end_kb - start_kb) / start_kb if start_kb else 0.0,
              "per_worker": {str(pid): [round(rss_start[pid] / 1024, 1), round(rss_end.get(pid, 0) / 1024, 1)]
                             for pid in rss_start},
              "seconds": round(phase * len(PHASES))}
    return {"rows": rows, "memory": memory, "phase_seconds": round(phase, 1)}


def verdicts(result: dict) -> list[tuple[str, bool]]:
    rows, memory = result["rows"], result["memory"]
    app_rows = {label: row for label, row in rows.items() if label != "hello world"}
    survey = rows["survey answer"]
    return [
        (f"every page p95 < {P95_MS:.0f} ms with no errors at the connections used",
         all(row["p95"] < P95_MS and row["errors"] == 0 for row in app_rows.values())),
        (f"city pages >= {CITY_SHARE:.0%} of hello world", all(rows[label]["ratio"] >= CITY_SHARE
                                                               for label in CITY_PAGES)),
        (f">= {ANSWERS_PER_S:.0f} survey answers/s stored, none lost",
         survey["stored_per_s"] >= ANSWERS_PER_S and survey["lost"] == 0),
        ("every answered round's rollups caught up once the answers stopped", survey["rounds_behind"] == 0),
        (f"worker memory growth < {RSS_GROWTH:.0%} over the run", memory["growth"] < RSS_GROWTH),
    ]


def report(result: dict, setup: dict, options) -> None:
    rows = result["rows"]
    print(f"{options.cities:,} cities x {options.rounds} rounds x {options.participants} people on PostgreSQL "
          f"({setup.get('rows', 0):,} rows seeded in {setup.get('seed_seconds', '-')} s); gunicorn -w "
          f"{options.workers}, wrk with {options.connections} connections, {result['phase_seconds']} s per row")
    print(f"{'request':<20} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs hello':>9}")
    for label, row in rows.items():
        print(f"{label:<20} {row['rps']:>8.1f} {row['p50']:>8.1f} {row['p95']:>8.1f} {row['p99']:>8.1f} "
              f"{row['errors']:>7} {row['ratio']:>9.1%}")
    survey = rows["survey answer"]
    print(f"survey answers: {survey['sent']:,} acknowledged, {survey['stored']:,} stored "
          f"({survey['stored_per_s']:.1f}/s), {survey['lost']} lost; their {survey['rounds_answered']:,} rounds' "
          f"rollups refreshed on the queue {survey['rollup_drain_s']} s after the last answer, "
          f"{survey['rounds_behind']} behind")
    memory = result["memory"]
    print(f"web workers' RSS: {memory['start_mb']} MB after warm-up, {memory['end_mb']} MB after "
          f"{memory['seconds']} s of load ({memory['growth']:+.1%}, {memory['workers']} workers)")
    for text, met in verdicts(result):
        print(f"  {'met ' if met else 'MISS'}  {text}")


#: `--profile` / `--instructions` of this name measure survey answers (POSTs through personal links), not a page.
SURVEY = "survey"


def _warm_requests(options):
    """The app in process on the kept database and one request of the page to measure, made three times first.

    A page is opened signed in as its city's coordinator (or the national stakeholder for /national/...); `survey`
    submits the next open response's answers through its personal link, as the load does (each answer closes its
    response, so every request answers another one). Answers hand their round's rollups to the task queue, as in
    production: on the Redis of REDIS_URL (default: the local server's database 9), which nothing here consumes.
    """
    os.environ.setdefault("MENTORBY_ENV", "development")
    target = options.profile or options.instructions
    if target == SURVEY:
        os.environ |= {"HUEY_IMMEDIATE": "0", "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9")}
    from mentorby.platform.app import create_app
    from mentorby.tenants.scale import NATIONAL_EMAIL, SCALE_PASSWORD, coordinator_email

    app = create_app({"SQLALCHEMY_DATABASE_URI": pg_url(APP_ROLE, options.database, driver=True),
                      "SECRET_KEY": SECRET_KEY, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    if target == SURVEY:
        links = iter(targets(options.database, 1)["links"])

        def one():
            path, body = next(links, (None, None))
            if path is None:
                sys.exit("No open survey responses are left in this database: seed another one (--keep).")
            answered = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
            assert answered.status_code == 302, answered.status_code
    else:
        email = NATIONAL_EMAIL if target.startswith("/national") else coordinator_email(target.strip("/").split("/")[0])
        assert client.post("/login", data={"email": email, "password": SCALE_PASSWORD}).status_code == 302

        def one():
            assert client.get(target).status_code == 200
    for _ in range(3):
        one()
    return one, target


def profile(options) -> None:
    """cProfile of `--repeats` requests of one page (or survey answers), in process."""
    import cProfile
    import pstats

    one, target = _warm_requests(options)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for _ in range(options.repeats):
        one()
    profiler.disable()
    print(f"{target}: {(time.perf_counter() - start) / options.repeats * 1000:.1f} ms a request "
          f"(under the profiler), {options.repeats} requests")
    # SORT=tottime for the functions' own time; TOP=n for more or fewer lines.
    stats = pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative"))
    stats.print_stats(int(os.environ.get("TOP", "30")))


#: Set in the process that valgrind runs (see instructions()).
INSIDE_VALGRIND = "MENTORBY_BENCH_INSIDE_CALLGRIND"


def instructions(options) -> None:
    """The instructions the web process executes for one request of a page (valgrind's callgrind, in process).

    Times on a shared machine vary by a third from run to run; the instructions counted for the same code and data
    vary by about 1%, so two versions of the code can be compared minutes apart. Counted between two toggles, after
    the app is up and the page warm; the database's own work is not in it (it is another process): compare the
    statements too (bench/tools/profile_request.py -v).
    """
    if os.environ.get(INSIDE_VALGRIND):
        one, _target = _warm_requests(options)
        subprocess.run(["callgrind_control", "--instr=on", str(os.getpid())], check=True, capture_output=True)
        for _ in range(options.repeats):
            one()
        subprocess.run(["callgrind_control", "--instr=off", str(os.getpid())], check=True, capture_output=True)
        return
    if shutil.which("valgrind") is None:
        sys.exit("needs valgrind (apt-get install -y valgrind)")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                        sys.executable, *sys.argv], check=True, capture_output=True,
                       env=os.environ | {INSIDE_VALGRIND: "1"})
        totals = [line for line in out.read_text().splitlines() if line.startswith(("totals:", "summary:"))]
        counted = int(totals[-1].split()[1])
    print(f"{options.instructions}: {counted / options.repeats / 1e6:.1f} million instructions a request "
          f"({options.repeats} requests)")


def main() -> None:
    """Seed, serve, load, report (and with --json a JSON line)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print all figures as one JSON object on the last line")
    parser.add_argument("--cities", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--participants", type=int, default=40)
    parser.add_argument("--duration", type=float, default=300, help="seconds of load in all (8 phases)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of each server")
    parser.add_argument("--database", help="use this seeded database (kept from a run with --keep) instead")
    parser.add_argument("--keep", action="store_true", help="keep the database for later runs (--database)")
    parser.add_argument("--profile", metavar="PATH", help="profile this page (or `survey`: survey answers) in "
                                                          "process instead (needs --database)")
    parser.add_argument("--instructions", metavar="PATH",
                        help="count the instructions of this page's requests (or `survey`: survey answers) in "
                             "process with valgrind (needs --database)")
    parser.add_argument("--repeats", type=int, default=50, help="requests profiled with --profile or counted with "
                                                                "--instructions")
    options = parser.parse_args()
    os.chdir(ROOT)
    if options.profile or options.instructions:
        if not options.database:
            sys.exit("--profile and --instructions need --database NAME (seed one with --keep)")
        (profile if options.profile else instructions)(options)
        return
    name = options.database or f"mentorby_load_{uuid.uuid4().hex[:8]}"
    setup = {}
    try:
        if not options.database:
            print(f"Seeding {name}: {options.cities:,} cities x {options.rounds} rounds x {options.participants} "
                  "people...", file=sys.stderr)
            setup = prepare(name, options.cities, options.rounds, options.participants)
        result = measure(name, options)
    finally:
        if not options.database and not options.keep:
            drop(name)
        elif not options.database:
            print(f"Kept the database {name} (--database {name} to reuse it).", file=sys.stderr)
    report(result, setup, options)
    if options.json:
        print(json.dumps({"cities": options.cities, "rounds": options.rounds, "participants": options.participants,
                          "connections": options.connections, "workers": options.workers, **setup, **result,
                          "targets": {text: met for text, met in verdicts(result)}}))


if __name__ == "__main__":
    main()
