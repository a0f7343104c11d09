"""main.py's one exit path: a refused command line says ``main.py <command>: <message>`` once
on stderr and exits with 2; an unexpected failure logs its traceback and exits with 1."""

from __future__ import annotations

import logging

import pytest

import main


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main.main(list(argv))
    return code, capsys.readouterr().err


def test_export_of_a_missing_file_is_refused(tmp_path, capsys):
    missing, out = tmp_path / "nope.zhcg", tmp_path / "out.zhcg"
    code, err = run(capsys, "export", str(missing), "--out", str(out))
    assert code == 2
    assert err == f"main.py export: {missing}: no such shift log\n"
    assert not out.exists()


def test_an_unreadable_time_is_refused_before_any_file_is_read(tmp_path, capsys):
    code, err = run(
        capsys, "export", str(tmp_path / "a.zhcg"), "--out", str(tmp_path / "b"), "--from", "soon"
    )
    assert code == 2
    assert err.startswith("main.py export: ") and "soon" in err and err.count("main.py") == 1


@pytest.mark.parametrize("command", ["serve", "console"])
def test_a_speed_out_of_range_is_refused(capsys, command):
    code, err = run(capsys, command, "--speed", "99")
    assert (code, err) == (2, f"main.py {command}: --speed must be between 1 and 60\n")


def test_argparse_refusals_take_the_same_path(tmp_path, capsys):
    code, err = run(capsys, "export", str(tmp_path / "a.zhcg"))
    assert code == 2
    usage, message = err.rstrip("\n").rsplit("\n", 1)
    assert usage.startswith("usage: main.py export")
    assert message == "main.py export: the following arguments are required: --out"


def test_an_unexpected_failure_is_logged_with_its_traceback_and_exits_1(
    capsys, caplog, monkeypatch
):
    def broken(_args):
        raise ZeroDivisionError("bug")

    monkeypatch.setitem(
        main.COMMANDS,
        "export",
        main.COMMANDS["export"].__class__(broken, "broken", main.COMMANDS["export"].arguments),
    )
    with caplog.at_level(logging.ERROR, logger="main"):
        code, err = run(capsys, "export", "x.zhcg", "--out", "y.zhcg")
    assert code == 1
    (rec,) = caplog.records
    assert rec.getMessage() == "main.py export failed" and rec.exc_info[0] is ZeroDivisionError
    assert "in broken" in caplog.text


def test_every_command_is_in_the_one_table():
    parser = main.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert list(sub.choices) == list(main.COMMANDS)


def test_simulate_without_demo_is_refused_before_anything_starts(tmp_path, capsys):
    """The simulator logs in as the demo accounts: without --demo it would enable them (with
    the password "demo") on whatever database --db names, so the command refuses."""
    db = tmp_path / "real.db"
    code, err = run(capsys, "serve", "--simulate", "--db", f"sqlite:///{db}")
    assert (code, err) == (
        2,
        "main.py serve: --simulate needs --demo: the simulator uses the demo accounts, "
        "which a real database must not have\n",
    )
    assert not db.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--vehicles", "7"], "--vehicles seeds a simulated fleet: it needs --demo"),
        (["--demo", "--vehicles", "0"], "--vehicles must be between 1 and 10000"),
        (["--demo", "--vehicles", "10001"], "--vehicles must be between 1 and 10000"),
        (
            ["--demo", "--case-rate", "100"],
            "--case-rate sets the simulator's reports: it needs --simulate",
        ),
        *(
            (
                ["--demo", "--simulate", "--case-rate", rate],
                "--case-rate must be above 0 and at most 3000 cases an hour",
            )
            for rate in ("0", "-5", "nan", "3001")
        ),
    ],
)
def test_city_scale_options_out_of_range_are_refused_before_anything_starts(
    tmp_path, capsys, args, message
):
    db = tmp_path / "demo.db"
    code, err = run(capsys, "serve", "--db", f"sqlite:///{db}", *args)
    assert (code, err) == (2, f"main.py serve: {message}\n")
    assert not db.exists()


def test_a_fleet_size_that_is_not_a_number_is_refused(capsys):
    code, err = run(capsys, "serve", "--demo", "--vehicles", "2k")
    assert code == 2 and err.endswith(
        "main.py serve: argument --vehicles: invalid int value: '2k'\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--traccar", "http://h:8082"], "Traccar needs a user and password, or a token"),
        (
            ["--traccar", "ftp://h", "--traccar-token", "t"],
            "Traccar URL must be http:// or https://, not 'ftp://h'",
        ),
        (
            ["--open311-pull", "http://h/v2/", "--open311-every", "0"],
            "--open311-every must be above 0 seconds",
        ),
        (
            ["--open311-pull", "http://h/v2/", "--open311-map", "{map}"],
            "{map}: '006' maps to '99999', which is not a category",
        ),
        (
            ["--open311-pull", "http://h/v2/", "--open311-map", "{map}.missing"],
            "{map}.missing: not a mapping file ([Errno 2] No such file or directory: "
            "'{map}.missing')",
        ),
        (
            ["--traccar", "http://h", "--traccar-token", "t", "--workers", "2"],
            "--traccar and --open311-pull run in one process: not with --workers",
        ),
        (
            ["--demo", "--simulate", "--open311-pull", "http://h/v2/"],
            "--traccar and --open311-pull run with serve, not with --simulate",
        ),
    ],
)
def test_outside_sources_that_cannot_work_are_refused_before_anything_starts(
    tmp_path, capsys, args, message
):
    db, mapping = tmp_path / "c.db", tmp_path / "codes.json"
    mapping.write_text('{"codes": {"006": "99999"}}', encoding="utf-8")
    argv = [a.replace("{map}", str(mapping)) for a in args]
    code, err = run(capsys, "serve", "--db", f"sqlite:///{db}", *argv)
    assert (code, err) == (2, f"main.py serve: {message.replace('{map}', str(mapping))}\n")
    assert not db.exists()
