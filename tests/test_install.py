"""The install is complete: every module that lispe_py imports (and every module the tests
import) comes from the standard library or from a distribution that pyproject.toml declares.

A fresh machine has only what pyproject.toml brings in; a module installed here by hand would
let the suite pass here and fail there. Imports are read from the source (``import``,
``from``, ``importlib.import_module("...")`` and ``__import__("...")`` with literal names)."""

import ast
import glob
import importlib.metadata as md
import os
import re
import sys

import pytest

from conftest import ROOT

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = None


def _norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(req):
    return _norm(re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req).group(1))


def _declared():
    if tomllib is None:
        pytest.skip("tomllib needs Python 3.11")
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    base = {_requirement_name(r) for r in project.get("dependencies", [])}
    extras = {k: {_requirement_name(r) for r in v}
              for k, v in project.get("optional-dependencies", {}).items()}
    return base, extras


def _imports(paths):
    """top-level module name -> first 'file:line' importing it (absolute imports only)."""
    found = {}

    def add(name, where):
        if name:
            found.setdefault(name.split(".")[0], where)

    for path in paths:
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        rel = os.path.relpath(path, ROOT)
        for node in ast.walk(tree):
            where = "%s:%d" % (rel, getattr(node, "lineno", 0))
            if isinstance(node, ast.Import):
                for a in node.names:
                    add(a.name, where)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                add(node.module, where)
            elif isinstance(node, ast.Call) and node.args and \
                    isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                fn = node.func
                name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", None)
                if name in ("import_module", "__import__") and not node.args[0].value.startswith("."):
                    add(node.args[0].value, where)
            elif isinstance(node, ast.Attribute) and node.attr in ("numpy", "from_numpy") and \
                    isinstance(node.ctx, ast.Load):
                add("numpy", where)      # torch's NumPy bridge needs numpy installed
    return found


def _providers():
    """top-level module -> normalised names of the installed distributions that provide it."""
    return {mod: {_norm(d) for d in dists} for mod, dists in md.packages_distributions().items()}


def _check(paths, allowed, own):
    providers = _providers()
    stdlib = set(sys.stdlib_module_names)
    problems = []
    for mod, where in sorted(_imports(paths).items()):
        if mod in stdlib or mod in own:
            continue
        dists = providers.get(mod)
        if not dists:
            problems.append("%s imports %r, which no installed distribution provides" % (where, mod))
        elif not dists & allowed:
            problems.append("%s imports %r (from %s), which pyproject.toml does not declare"
                            % (where, mod, ", ".join(sorted(dists))))
    assert not problems, "\n".join(problems)


def test_package_imports_are_declared():
    base, extras = _declared()
    paths = glob.glob(os.path.join(ROOT, "lispe_py", "**", "*.py"), recursive=True)
    # a module of an optional feature may come from its extra
    _check(paths, base | set().union(*extras.values()), {"lispe_py"})


def test_test_imports_are_declared():
    base, extras = _declared()
    paths = glob.glob(os.path.join(ROOT, "tests", "**", "*.py"), recursive=True)
    own = {"lispe_py", "conftest"} | {os.path.basename(p)[:-3] for p in paths} | {
        os.path.basename(p)[:-3] for p in glob.glob(os.path.join(ROOT, "tools", "*.py"))}
    _check(paths, base | extras.get("dev", set()), own)


def test_the_guard_sees_an_undeclared_import(tmp_path):
    p = tmp_path / "m.py"
    p.write_text("import json\nimport yaml\ndef f(t):\n    return t.numpy()\n")
    mods = _imports([str(p)])
    assert set(mods) == {"json", "yaml", "numpy"}


def test_every_package_is_shipped():
    """A non-editable install ships only the packages pyproject.toml lists."""
    if tomllib is None:
        pytest.skip("tomllib needs Python 3.11")
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        listed = set(tomllib.load(f)["tool"]["setuptools"]["packages"])
    found = {os.path.relpath(d, ROOT).replace(os.sep, ".")
             for d, _, files in os.walk(os.path.join(ROOT, "lispe_py"))
             if "__init__.py" in files and "__pycache__" not in d}
    assert found <= listed, "not in pyproject.toml's packages: %s" % sorted(found - listed)
