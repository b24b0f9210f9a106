"""Benchmark of the matching engine on seeded, realistic random rounds (not a test).

Run from the repository root:  .venv/bin/python bench/matching.py [--json] [--sizes 20,200,2000]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable

import numpy as np

from mentorby.tenants.matching import engine
from mentorby.tenants.matching.scoring import MenteeProfile, MentorProfile, ScoreMatrix, score_matrix

FIELDS = {  # field -> (share of people, keyword pool)
    "software": (0.26, "python java cloud devops frontend backend data-science machine-learning security agile"),
    "biotech": (0.12, "gmp clinical-trials regulatory lab-automation bioinformatics qa validation pharmacology"),
    "finance": (0.12, "audit ifrs controlling risk compliance treasury fp-and-a excel tax banking"),
    "marketing": (0.10, "seo content brand social-media crm analytics copywriting campaigns b2b"),
    "engineering": (0.14, "cad mechanical electrical wind-energy project-management lean quality hvac"),
    "academia": (0.10, "phd postdoc grant-writing teaching publishing research-management lab"),
    "hr": (0.08, "recruiting onboarding payroll employer-branding learning danish-labour-law"),
    "logistics": (0.08, "supply-chain sap procurement shipping warehousing planning lean"),
}
# (language, share among mentors, share among mentees): mentors work at local companies, mentees are newcomers.
LANGUAGES = [
    ("english", 0.97, 0.88),
    ("danish", 0.92, 0.12),
    ("german", 0.25, 0.12),
    ("spanish", 0.08, 0.14),
    ("french", 0.08, 0.09),
    ("mandarin", 0.03, 0.10),
    ("hindi", 0.03, 0.14),
    ("arabic", 0.02, 0.06),
    ("portuguese", 0.02, 0.07),
]
SLOTS = [f"{day}-{half}" for day in ("mon", "tue", "wed", "thu", "fri") for half in ("am", "pm")]
STEPS = ("score matrix", "optimal best_total", "optimal everyone_matched", "stable", "greedy")


def make_round(n_mentors: int, n_mentees: int, seed: int) -> tuple[list[MentorProfile], list[MenteeProfile], dict]:
    """Seeded random mentors, mentees and speed-networking ratings with realistic proportions."""
    rng = np.random.default_rng(seed)
    names = list(FIELDS)
    shares = np.array([FIELDS[f][0] for f in names])
    shares /= shares.sum()
    pools = {f: FIELDS[f][1].split() for f in names}
    n_companies = max(1, n_mentors // 5)

    def languages(role: int) -> frozenset[str]:
        chosen = {lang for lang, *share in LANGUAGES if rng.random() < share[role]}
        return frozenset(chosen or {"english"})

    def slots(low: int, high: int) -> frozenset[str]:
        return frozenset(rng.choice(SLOTS, size=int(rng.integers(low, high + 1)), replace=False).tolist())

    mentors = []
    for i in range(n_mentors):
        field = str(rng.choice(names, p=shares))
        industry = field if rng.random() < 0.7 else str(rng.choice(names, p=shares))
        expertise = set(rng.choice(pools[field], size=int(rng.integers(3, 7)), replace=False).tolist())
        expertise.add(str(rng.choice(pools[str(rng.choice(names))])))
        mentors.append(
            MentorProfile(
                id=i + 1,
                field=field,
                industry=industry,
                expertise=frozenset(expertise),
                languages=languages(0),
                availability=slots(2, 5),
                capacity=int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15])),
                employer=f"Company {i % n_companies + 1}",
                company_id=i % n_companies + 1,
            )
        )
    mentees = []
    for j in range(n_mentees):
        field = str(rng.choice(names, p=shares))
        pool = pools[field] if rng.random() < 0.8 else pools[str(rng.choice(names))]
        mentees.append(
            MenteeProfile(
                id=100_000 + j,
                field=field,
                job_goal_keywords=frozenset(rng.choice(pool, size=int(rng.integers(2, 5)), replace=False).tolist()),
                languages=languages(1),
                availability=slots(1, 6),
                partner_employer_company_id=int(rng.integers(1, n_companies + 1)) if rng.random() < 0.6 else None,
            )
        )
    # Speed networking: each mentee meets up to 6 mentors; each side rates (or skips) the other.
    ratings: dict = {}
    for mentee in mentees:
        for mentor_index in rng.choice(n_mentors, size=min(6, n_mentors), replace=False).tolist():
            sides = [int(r) if r > 0 else None for r in rng.integers(0, 6, size=2)]
            ratings[(mentors[mentor_index].id, mentee.id)] = (sides[0], sides[1])
    return mentors, mentees, ratings


def best_of(repeats: int, run: Callable[[], object]) -> tuple[float, object]:
    """Fastest wall-clock time of ``repeats`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def bench_size(n: int) -> list[dict]:
    """Time every step on an n x n round."""
    repeats = 3 if n >= 200 else 5
    mentors, mentees, ratings = make_round(n, n, seed=n)
    rows = []
    seconds, matrix = best_of(repeats, lambda: score_matrix(mentors, mentees, preferences=ratings))
    assert isinstance(matrix, ScoreMatrix)
    rows.append({"size": n, "step": "score matrix", "seconds": seconds, "matched": None, "total_score": None})
    args = (matrix.capacities, matrix.mentee_ids, matrix.scores)
    runs = {
        "optimal best_total": lambda: engine.optimal(*args, forbidden=matrix.forbidden),
        "optimal everyone_matched": lambda: engine.optimal(
            *args, forbidden=matrix.forbidden, priority="everyone_matched"
        ),
        "stable": lambda: engine.stable(*args, forbidden=matrix.forbidden),
        "greedy": lambda: engine.greedy(*args, forbidden=matrix.forbidden),
    }
    for step, run in runs.items():
        seconds, result = best_of(repeats, run)
        assert isinstance(result, engine.MatchResult)
        rows.append(
            {
                "size": n,
                "step": step,
                "seconds": seconds,
                "matched": len(result.pairs),
                "total_score": round(result.total_score, 2),
            }
        )
    return rows


def main() -> None:
    """Run the benchmark and print a table (and with --json a final JSON line)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print all figures as one JSON object on the last line")
    parser.add_argument("--sizes", default="20,200,2000", help="comma-separated n for n mentors x n mentees")
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]

    rows: list[dict] = []
    for n in sizes:
        rows.extend(bench_size(n))

    print(f"{'size':>6}  {'step':<26} {'seconds':>10} {'matched':>8} {'total score':>12}")
    for row in rows:
        seconds = f"{row['seconds']:.4f}"
        matched = "" if row["matched"] is None else str(row["matched"])
        total = "" if row["total_score"] is None else f"{row['total_score']:.2f}"
        print(f"{row['size']:>6}  {row['step']:<26} {seconds:>10} {matched:>8} {total:>12}")
    combined: dict[int, dict[str, float]] = {}
    for n in sizes:
        by_step = {row["step"]: row["seconds"] for row in rows if row["size"] == n}
        combined[n] = {step: by_step["score matrix"] + by_step[step] for step in STEPS[1:]}
        scores_plus = ", ".join(f"{step} {seconds:.3f} s" for step, seconds in combined[n].items())
        print(f"{n:>6}  scores + {scores_plus}")
    if options.json:
        print(json.dumps({"rows": rows, "scores_plus_method_seconds": combined, "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()
