"""The command line: global options anywhere, an example and formats in every command's help."""

from __future__ import annotations

import argparse

import pytest

from orchestration.cli.output import NORMAL, QUIET, VERBOSE
from orchestration.cli.parser import build_parser


@pytest.mark.parametrize(
    "argv",
    [
        ["--home", "/h", "--sources", "/s.yaml", "-q", "status"],
        ["status", "--home", "/h", "--sources", "/s.yaml", "-q"],
        ["--home", "/h", "status", "--sources", "/s.yaml", "--quiet"],
    ],
)
def test_global_options_before_or_after_the_command(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert (args.home, args.sources, args.quiet, args.verbose) == ("/h", "/s.yaml", True, False)


def test_defaults_when_no_global_option_is_given() -> None:
    args = build_parser().parse_args(["run"])
    assert (args.home, args.sources, args.quiet, args.verbose) == (None, None, False, False)


def test_dates_are_parsed_as_dates() -> None:
    args = build_parser().parse_args(["backfill", "--start", "2023-10-01", "--end", "2023-10-31"])
    assert (args.start.isoformat(), args.end.isoformat()) == ("2023-10-01", "2023-10-31")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_has_an_example_and_the_global_options() -> None:
    commands = _subcommands()
    assert set(commands) == {
        "run",
        "ingest-dump",
        "backfill",
        "reprocess",
        "status",
        "query",
        "export",
        "report",
        "ui",
        "docs",
    }
    for name, sub in commands.items():
        text = sub.format_help()
        assert f"example:\n  pressroom {name}" in text, name
        assert "--home DIR" in text and "-q, --quiet" in text, name


def test_help_names_formats_and_date_forms() -> None:
    commands = _subcommands()
    assert "table,csv,json,parquet" in commands["query"].format_help()
    assert "YYYY-MM-DD" in commands["backfill"].format_help()
    assert "YYYY-MM-DD" in commands["ingest-dump"].format_help()


def test_verbosity_levels_are_ordered() -> None:
    assert QUIET < NORMAL < VERBOSE


def test_every_option_says_what_it_takes() -> None:
    """`pressroom ui --help` listed a bare `--port PORT` (#12: help for every command)."""
    bare = [
        f"{name} {action.option_strings[0]}"
        for name, sub in _subcommands().items()
        for action in sub._actions
        if action.option_strings and not action.help
    ]
    assert bare == []
