"""``pip install .`` gives a console that runs from anywhere: the wheel carries its resources.

The wheel is built from this tree and installed into a new venv, away from the source tree;
the dependencies come from this test environment (a ``.pth`` line: the venv's own
site-packages come first, so ``console``, ``widgets``, ``resources`` and ``main`` are the
wheel's). Then the installed ``zhcg`` runs what a user runs: the console on the embedded demo
(backend and simulator as a child process) rendered offscreen, the handover report of the shift
log that run recorded, and its replay.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow

PACKAGES = ("console", "widgets", "resources", "main")
NOT_SOURCE = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "tests", "docs")


def run(cmd, **kw) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)
    assert r.returncode == 0, (cmd, r.stdout[-2000:], r.stderr[-4000:])
    return r


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict, Path]:
    """(bin dir of a venv holding the built wheel, environment to run it in, a work folder
    outside the source tree)."""
    tmp = tmp_path_factory.mktemp("install")
    # a copy of the tree: setuptools reuses a build/ folder left in the tree, which would hide
    # a file missing from the package data
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(tmp / "dist"), str(src)]
    )
    (wheel,) = (tmp / "dist").glob("zhcg_console-*.whl")
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)])
    site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    Path(site.stdout.strip(), "outer-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "CONSOLE_DATA_DIR": str(tmp / "data"),
        "PYTHONPATH": "",
    }
    work = tmp / "work"
    work.mkdir()
    return venv / "bin", env, work


def test_the_wheel_is_what_runs(installed):
    bin_dir, env, work = installed
    r = run(
        [str(bin_dir / "python"), "-c"]
        + [
            "import console, widgets, resources, main; print(console.__file__, widgets.__file__,"
            " resources.__file__, main.__file__)"
        ],
        env=env,
        cwd=work,
    )
    paths = r.stdout.split()
    assert len(paths) == len(PACKAGES)
    venv = str(bin_dir.parent)
    assert all(p.startswith(venv) for p in paths), paths
    shipped = Path(paths[2]).parent
    for name in (
        "shangcheng_district.geojson",
        "hangzhou_districts.geojson",
        "categories.tsv",
        "routing.tsv",
        "gazetteer.json",
        "workflow_rules.json",
        "time_limits.json",
        "work_calendar.tsv",
        "i18n/console_en.qm",
        "sounds/alert_critical.wav",
        "PROVENANCE.md",
    ):
        assert (shipped / name).is_file(), name


def test_installed_console_renders_records_reports_and_replays(installed):
    bin_dir, env, tmp = installed
    shot = tmp / "console.png"
    run(
        [str(bin_dir / "zhcg"), "--screenshot", str(shot), "--quit-after", "12"]
        + ["--no-sound", "--lang", "en"],
        env=env,
        cwd=tmp,
    )
    assert shot.stat().st_size > 50_000  # a rendered map wall, not an empty frame
    logs = sorted(Path(env["CONSOLE_DATA_DIR"], "shifts").glob("*.zhcg"))
    assert logs, "the console recorded no shift log"

    report = tmp / "handover.html"
    run([str(bin_dir / "zhcg"), "report", str(logs[-1]), "--out", str(report)], env=env, cwd=tmp)
    html = report.read_text(encoding="utf-8")
    assert "交接班" in html and "data:image/png;base64," in html

    replay = tmp / "replay.png"
    run(
        [str(bin_dir / "zhcg"), "replay", str(logs[-1]), "--at", "end"]
        + ["--screenshot", str(replay), "--quit-after", "3"],
        env=env,
        cwd=tmp,
    )
    assert replay.stat().st_size > 50_000
