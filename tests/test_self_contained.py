"""A fresh clone has no ``../shared``: nothing the tests or the package read may live there.

The conftest's audit hook refuses every open or listing under it at run time (in this process;
backend processes run the same code); this file proves the hook bites and scans the sources for
paths built towards it, which would only fail on a machine without the folder.
"""

from __future__ import annotations

import re
import tokenize

import pytest
from conftest import ROOT, SHARED

SOURCES = ["console", "widgets", "resources", "tests", "main.py", ".ci", "tools"]
GUARDS = {"tests/conftest.py", "tests/test_self_contained.py"}  # they name it to refuse it
# a string literal that names the folder as a path part: "shared", "../shared/…", "…/shared/data"
SHARED_PATH = re.compile(r"""^[rbuf]*(['"])(\.\./)*shared(/[^'"]*)?\1$|shared/(data|design)""")


def test_reading_shared_fails_at_once():
    for target in (SHARED / "data" / "categories.tsv", SHARED):
        with pytest.raises(PermissionError, match="must not read"):
            if target == SHARED:
                list(target.iterdir())
            else:
                target.read_bytes()


def python_strings(path):
    with path.open("rb") as f:
        for tok in tokenize.tokenize(f.readline):
            if tok.type == tokenize.STRING:
                yield tok.start[0], tok.string


def test_no_source_builds_a_path_into_shared():
    offenders, scanned = [], 0
    for top in SOURCES:
        base = ROOT / top
        for path in [base] if base.is_file() else sorted(base.rglob("*")):
            if path.suffix == ".py" and str(path.relative_to(ROOT)) not in GUARDS:
                scanned += 1
                for line, text in python_strings(path):
                    if SHARED_PATH.search(text) and "/shared/design" not in text:
                        offenders.append(f"{path.relative_to(ROOT)}:{line}: {text[:80]}")
            elif path.is_file() and (path.parent.name == ".ci" or path.parent.name == "tools"):
                scanned += 1
                for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    if "../shared" in line:
                        offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}")
    assert offenders == []
    assert scanned > 100  # the scan really saw the tree
