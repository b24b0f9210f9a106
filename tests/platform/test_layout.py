import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_platform_folder_does_not_shadow_the_standard_library():
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); import platform, mentorby.platform.app as a; "
        "print(platform.__file__); print(a.__file__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    stdlib, project = out.split()
    assert not stdlib.startswith(str(ROOT)), stdlib
    assert project.startswith(str(ROOT / "platform")), project
    assert not (ROOT / "platform" / "__init__.py").exists()


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_layers_import_in_one_direction():
    # platform -> nothing above it (the app factory is the composition root); tenants -> never blueprints.
    forbidden = {"platform": ("mentorby.tenants", "mentorby.blueprints"), "tenants": ("mentorby.blueprints",)}
    allowed = {ROOT / "platform" / "app.py"}
    problems = []
    for layer, prefixes in forbidden.items():
        for path in (ROOT / layer).rglob("*.py"):
            if path in allowed:
                continue
            for name in _imports(path):
                if name.startswith(prefixes) or name.split(".")[0] in {"platform", "tenants", "blueprints"}:
                    problems.append(f"{path.relative_to(ROOT)} imports {name}")
    assert problems == []


def test_readme_and_docs_link_only_inside_the_repository():
    """README.md is self-contained: its links and those of docs/ point at files of this repository."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for document in [root / "README.md", *sorted((root / "docs").rglob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", document.read_text()):
            assert not re.match(r"[a-z]+:", target), f"{document.name} links outside: {target}"
            path = (document.parent / target.split("#")[0]).resolve()
            assert path.is_relative_to(root) and path.exists(), f"{document.name}: {target} is not in the repository"


#: Modules at the top of tenants/ that compose the areas (the schema, demo data, the task list, the signal wiring):
#: they may import every area; areas may not import them.
COMPOSITION = {"models", "demo", "tasks", "wiring"}


def _area_imports() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in (ROOT / "tenants").rglob("*.py"):
        parts = path.relative_to(ROOT / "tenants").parts
        area = parts[0].removesuffix(".py")
        if area in COMPOSITION or area == "__init__":
            continue
        for name in _imports(path):
            if name.startswith("mentorby.tenants."):
                other = name.split(".")[2]
                if other != area:
                    edges.setdefault(area, set()).add(other)
    return edges


def test_areas_do_not_import_each_other_in_a_circle():
    """An area answers another through signals it owns (tenants/<area>/signals.py, wired in tenants/wiring.py)."""
    edges = _area_imports()
    assert not any(COMPOSITION & targets for targets in edges.values()), edges

    def cycle_from(start, node, seen):
        for target in sorted(edges.get(node, ())):
            if target == start:
                return [node, target]
            if target not in seen:
                seen.add(target)
                found = cycle_from(start, target, seen)
                if found:
                    return [node, *found]
        return None

    cycles = [cycle_from(area, area, {area}) for area in sorted(edges)]
    assert not any(cycles), f"areas import each other in a circle: {[' -> '.join(c) for c in cycles if c]}"


def test_platform_and_tenants_build_no_urls_of_the_web_layer():
    """Only blueprints know the site's URLs (url_for); services that need a link use a path constant."""
    users = [str(path.relative_to(ROOT)) for layer in ("platform", "tenants") for path in (ROOT / layer).rglob("*.py")
             if "url_for" in path.read_text()]
    assert users == []


def test_every_signal_has_its_receivers():
    """A rule that another area adds through a signal cannot be silently lost: the wiring connects it at start."""
    from mentorby.tenants.wiring import RECEIVERS

    for signal, receivers in RECEIVERS:
        connected = {receiver for receiver in signal.receivers_for(None)}
        missing = [receiver.__qualname__ for receiver in receivers if receiver not in connected]
        assert not missing, f"{signal.name} lacks {missing}"
    declared = {signal.name for signal, _receivers in RECEIVERS}
    for path in (ROOT / "tenants").rglob("signals.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "signal" and node.args:
                assert node.args[0].value in declared, f"{node.args[0].value} has no receivers in tenants/wiring.py"
