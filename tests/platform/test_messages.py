"""Every refusal a service can raise has words, in English and in Danish: no person ever reads a raw code."""

import ast
from pathlib import Path

from babel.messages.pofile import read_po

from mentorby.platform.rules import RuleError

ROOT = Path(__file__).resolve().parents[2]
#: Codes made at run time from a name, with every name they can take.
FORMED = {
    "phase_{step}": lambda: __import__("mentorby.tenants.cohorts.phases", fromlist=["STEPS"]).STEPS,
    "cv_{problem.reason}": lambda: ("not_pdf", "active_content", "too_large_unpacked"),
    "{role}s_full": lambda: ("mentor", "mentee"),
}


def _error_classes() -> dict[str, type]:
    import mentorby.blueprints  # noqa: F401 (loads every area)
    from mentorby.platform.app import create_app  # noqa: F401

    found, stack = {}, [RuleError]
    while stack:
        cls = stack.pop()
        found[cls.__name__] = cls
        stack.extend(cls.__subclasses__())
    return found


def _raised_codes(classes: dict[str, type]) -> set[tuple[str, str]]:
    """(area, code) for every RuleError made in platform/ and tenants/, and every (code, params) a rule returns."""
    codes = set()
    for layer in ("platform", "tenants"):
        for path in (ROOT / layer).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) in classes and node.args:
                    area = classes[node.func.id].area
                    first = node.args[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        codes.add((area, first.value))
                    elif isinstance(first, ast.JoinedStr):
                        pattern = ast.unparse(first)[2:-1]
                        assert pattern in FORMED, f"{path}: a code made as f{pattern!r}: add its names to FORMED"
                        start, _name, end = pattern.partition("{")[0], None, pattern.partition("}")[2]
                        codes.update((area, start + name + end) for name in FORMED[pattern]())
                if (isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(node.elts[0], ast.Constant)
                        and isinstance(node.elts[0].value, str) and isinstance(node.elts[1], ast.Dict)):
                    codes.add(("*", node.elts[0].value))  # a rule's (code, params): a readiness problem, a report
    return codes


def test_every_code_a_service_can_raise_has_words_in_both_languages(app):
    import mentorby.blueprints.messages as messages

    with app.app_context():
        codes = _raised_codes(_error_classes())
    assert len(codes) > 80, "the scan found too few codes to be looking in the right places"
    anywhere = {code for area_messages in messages.AREA_MESSAGES.values() for code in area_messages}
    missing = sorted(f"{area}:{code}" for area, code in codes
                     if not (messages.has_text(code, area) or (area == "*" and code in anywhere)))
    assert missing == [], f"codes with no message: {missing}"
    with (ROOT / "translations/da/LC_MESSAGES/messages.po").open("rb") as handle:
        danish = {m.id: m.string for m in read_po(handle) if m.id}
    texts = {text._args[0] for area, code in codes
             for text in [messages.AREA_MESSAGES.get(area, {}).get(code) or messages.MESSAGES.get(code)] if text}
    untranslated = sorted(text for text in texts if not danish.get(text))
    assert untranslated == [], f"messages with no Danish: {untranslated[:5]}"
