"""The `matching` library's hospital–resident algorithm as a test oracle for :func:`engine.stable`.

This is how ``engine.stable`` worked before it took pairs best first: preference lists built from the scores (ties by
id through ``engine._tie_ranks``), pins settled first, then the library's resident-optimal Gale–Shapley on players
built here. The game class ``matching.games.HospitalResident`` is not used: it deep-copies the player graph
recursively (RecursionError from about 100 x 100 with full lists) and re-checks its input in cubic pure Python.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np

from mentorby.tenants.matching import engine


def library_stable(
    capacities: Mapping[Hashable, int],
    mentee_ids: Sequence[Hashable],
    scores: engine.Scores,
    *,
    pinned: Iterable[engine.Pair] = (),
    forbidden: engine.Forbidden = (),
) -> engine.MatchResult:
    """Mentee-optimal stable matching computed by the `matching` library (slow: about n^3 in pure Python)."""
    problem = engine._prepare(capacities, mentee_ids, scores, pinned, forbidden)
    left, free = problem.residual()
    acceptable = problem.allowed & (left > 0)[:, None] & free[None, :]
    mentor_rank, mentee_rank = engine._tie_ranks(problem.mentor_ids), engine._tie_ranks(problem.mentee_ids)
    s = problem.scores
    mentee_prefs: dict[int, list[int]] = {}
    for j in np.flatnonzero(acceptable.any(axis=0)).tolist():
        rows = np.flatnonzero(acceptable[:, j])
        mentee_prefs[j] = rows[np.lexsort((mentor_rank[rows], -s[rows, j]))].tolist()
    mentor_prefs: dict[int, list[int]] = {}
    for i in np.flatnonzero(acceptable.any(axis=1)).tolist():
        cols = np.flatnonzero(acceptable[i])
        mentor_prefs[i] = cols[np.lexsort((mentee_rank[cols], -s[i, cols]))].tolist()
    chosen: list[tuple[int, int]] = []
    if mentee_prefs:
        # `import matching` runs warnings.simplefilter("always") when Python was started without -W options.
        with warnings.catch_warnings():
            players = importlib.import_module("matching.players")
            algorithm = importlib.import_module("matching.algorithms.hospital_resident")
        # Row/column indices as player names: ids of mentors and mentees may collide (both 1, 2, ...).
        residents = {j: players.Player(j) for j in mentee_prefs}
        hospitals = {i: players.Hospital(i, int(left[i])) for i in mentor_prefs}
        for j, prefs in mentee_prefs.items():
            residents[j].set_prefs([hospitals[i] for i in prefs])
        for i, prefs in mentor_prefs.items():
            hospitals[i].set_prefs([residents[j] for j in prefs])
        solved = algorithm.hospital_resident(list(residents.values()), list(hospitals.values()), optimal="resident")
        for hospital, matched in solved.items():
            chosen.extend((hospital.name, resident.name) for resident in matched)
    return engine._result(problem, list(problem.pins) + chosen, usable_for_reason=problem.allowed)
