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
