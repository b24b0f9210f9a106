"""Where one page's time goes: its SQL statements, its time per request, and (with -p) cProfile's top functions.

Signs in (the demo coordinator unless an address is given) through Flask's test client, so no network or server is
measured, only the app. Run against the demo database (`make run` makes it) or any other:

    DATABASE_URL=sqlite:///instance/mentorby.sqlite .venv/bin/python bench/tools/profile_request.py \
        /lyngby-taarbaek/coordinator/ [someone@example.org] [-v] [-p] [--password ...]

-v lists the statements of one request; -p profiles 50 requests (sorted by cumulative time).
"""

import argparse
import cProfile
import io
import pstats
import re
import time

from sqlalchemy import event

from mentorby.platform.app import create_app
from mentorby.platform.extensions import db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("email", nargs="?", default="koordinator@lyngby-taarbaek.example")
    parser.add_argument("--password", default="mentorby-demo-2026")
    parser.add_argument("-v", action="store_true", help="list the SQL statements of one request")
    parser.add_argument("-p", action="store_true", help="profile 50 requests with cProfile")
    parser.add_argument("-n", type=int, default=100, help="requests to time")
    args = parser.parse_args()

    app = create_app()
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *rest: statements.append(statement))
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    signed = client.post("/login", data={"email": args.email, "password": args.password,
                                         "csrf_token": token.group(1) if token else ""})
    print(f"sign-in: {signed.status_code}")
    first = client.get(args.url)
    print(f"{args.url}: {first.status_code}, {len(first.data):,} bytes")
    statements.clear()
    client.get(args.url)
    print(f"statements per request: {len(statements)}")
    if args.v:
        for statement in statements:
            print("  ", " ".join(statement.split())[:200])
    started = time.perf_counter()
    for _ in range(args.n):
        client.get(args.url)
    print(f"ms per request: {(time.perf_counter() - started) * 1000 / args.n:.2f}")
    if args.p:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(50):
            client.get(args.url)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(45)
        print(out.getvalue())


if __name__ == "__main__":
    main()
