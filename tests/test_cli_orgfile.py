"""Every bad organisation file gets a short, placed message and exit 1 from the real CLI: never a traceback."""

from __future__ import annotations

import io
import logging
from contextlib import redirect_stderr, redirect_stdout

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli import main
from tests.harness import CASE, ORGANISATION, database_snapshot, organisation_file, organisation_yaml
from tests.test_cli import coregroup, url_of

GOOD = organisation_yaml(organisation_file())
# The 505-byte file of the report: nine levels of nine aliases, which expanded to 52 MB of error text.
ALIAS_BOMB = GOOD.replace(
    "cases:",
    "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))
    + "cases:",
)

REPORTED = {
    "an impossible date": (
        GOOD.replace("'2027-05-10'", "2027-02-30"),
        "cases[0].registered_on: '2027-02-30' is not a date (YYYY-MM-DD)",
    ),
    "an impossible closure day": (
        GOOD.replace("'2027-12-29'", "2027-13-01"),
        "organisation.closure_days[0]: '2027-13-01' is not a date (YYYY-MM-DD)",
    ),
    "a nation as a list": (
        GOOD.replace("nation: scotland", "nation: [scotland]"),
        "organisation.nation: '['scotland']' is not one of england, wales, scotland, northern-ireland",
    ),
    "an alias bomb": (
        ALIAS_BOMB,
        "not valid YAML at line 9, column 5: anchors and aliases (&name, *name) are not allowed",
    ),
    "a second chair": (
        GOOD.replace("  chair: U0CHAIR\n", "  chair: U0CHAIR\n  chair: U0OTHER\n"),
        "not valid YAML at line 15, column 3: duplicate key 'chair'",
    ),
    "retention of 99999999999 years": (
        GOOD.replace("cases:", "  retention_years: 99999999999\ncases:"),
        "organisation.retention_years: '99999999999' must be a whole number of years from 1 to 100",
    ),
}


@pytest.mark.parametrize("name", REPORTED)
def test_each_reported_bad_file_gets_one_placed_line_and_exit_1(tmp_path, name):
    text, expected = REPORTED[name]
    path = tmp_path / "org.yml"
    path.write_text(text)
    result = coregroup("check-config", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("The organisation file has problems:\n")
    assert expected in result.stderr
    assert len(result.stderr) < 400


@pytest.mark.parametrize(
    "data, expected",
    [
        (
            organisation_file(
                organisation={
                    "name": "Fife Council",
                    "profile": "fife",
                    "coordinator": "U0FIFECO",
                    "eligible_chairs": ["U0CHAIR"],
                }
            ),
            "cases[0].reference: 'CP-2027-0142' is a case of another organisation; a case never moves between organisations",
        ),
        (
            organisation_file(
                cases=[
                    dict(CASE),
                    dict(CASE, reference="CP-2", channel="C0TWO"),
                    dict(CASE, reference="CP-3", channel="C0CASE142"),
                ]
            ),
            "cases[2].channel: 'C0CASE142' is already used by cases[0]",
        ),
        (
            organisation_file(cases=[dict(CASE, reference="CP-3", channel="C0CASE142")]),
            "cases[0].channel: 'C0CASE142' is already the channel of case CP-2027-0142; give this case its own channel",
        ),
        (
            organisation_file(organisation={"retention_years": 99999999999}),
            "organisation.retention_years: '99999999999' must be a whole number of years from 1 to 100",
        ),
    ],
    ids=["another organisation's case", "a channel twice in the file", "another case's channel", "huge retention"],
)
def test_a_refused_import_says_why_and_leaves_the_database_as_it_was(engine, tmp_path, data, expected):
    good = tmp_path / "good.yml"
    good.write_text(GOOD)
    assert coregroup("cases", "import", str(good), database_url=url_of(engine)).returncode == 0
    before = database_snapshot(engine)
    bad = tmp_path / "bad.yml"
    bad.write_text(organisation_yaml(data))
    result = coregroup("cases", "import", str(bad), database_url=url_of(engine))
    assert result.returncode == 1
    # The message first: no start-up chatter (the schema is already current) in front of what the user must fix.
    assert result.stderr.startswith("The organisation file has problems:\n")
    assert expected in result.stderr and "Traceback" not in result.stderr
    assert database_snapshot(engine) == before
    retention = coregroup("retention", "--dry-run", "--now", "2030-01-01T00:00Z", database_url=url_of(engine))
    assert retention.returncode == 0 and "Nothing to remove." in retention.stdout


# --- any document at all: exit 0 (it happened to be valid) or 1 with a message, never an exception -----------

KEYS = [*ORGANISATION, *CASE, "organisation", "cases", "policy", "retention_years", "admins", "cp9", "days", "<<"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),
    st.text(max_size=20),
    st.dates(),
    st.datetimes(),
    st.sampled_from(["2027-02-30", "U0X", "C0Y", "scotland", "fife", "Europe/London", "CP-1", "x" * 300, "\x00"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.sampled_from(KEYS), scalars), inner, max_size=5)
    ),
    max_leaves=15,
)


@st.composite
def mutated_files(draw) -> str:
    """The good file with one field of the organisation or a case replaced by anything, or removed."""
    data = organisation_file(cases=[dict(CASE), dict(CASE, reference="CP-2", channel="C0TWO")])
    target = draw(st.sampled_from([data["organisation"], *data["cases"], data]))
    key = draw(st.sampled_from(sorted(target, key=str)))
    if draw(st.booleans()):
        del target[key]
    else:
        target[key] = draw(values)
    return organisation_yaml(data)


TOKENS = [
    "organisation:",
    "cases:",
    "\n",
    "  ",
    "- ",
    "&a ",
    "*a",
    "!!int ",
    "!!timestamp ",
    "!!bool ",
    "<<: ",
    "? ",
    "---\n",
    "[",
    "]",
    "{",
    "}",
    ", ",
    ": ",
    "2027-02-30",
    "99999999999",
    "chair: U0X\n",
    '"\\0"',
    "'",
    "#",
    "%YAML 1.1\n",
    "\t",
    "|\n",
    "name: x\n",
    "nation: [scotland]\n",
    "\ufeff",
    "\\",
]
documents = st.one_of(
    st.text(max_size=200),
    values.map(organisation_yaml),
    mutated_files(),
    st.lists(st.sampled_from(TOKENS), max_size=40).map("".join),
    st.lists(st.sampled_from(TOKENS), max_size=20).map(lambda parts: GOOD + "".join(parts)),
)


@pytest.fixture
def run_main(monkeypatch, tmp_path):
    """The `coregroup` command run in this process: (exit status, stdout, stderr); exceptions propagate."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fuzz.db'}")
    monkeypatch.delenv("COREGROUP_CONFIG", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        root = logging.getLogger()
        handlers, level = root.handlers[:], root.level
        out, err = io.StringIO(), io.StringIO()
        try:
            with redirect_stdout(out), redirect_stderr(err):
                status = main(list(args))
        finally:
            root.handlers[:] = handlers  # main() configures logging for a process of its own
            root.setLevel(level)
        return status, out.getvalue(), err.getvalue()

    return run


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=documents)
def test_any_document_is_accepted_or_refused_with_a_message_by_check_config_and_import(run_main, tmp_path, text):
    path = tmp_path / "org.yml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    for command in (["check-config", str(path)], ["cases", "import", str(path)]):
        status, out, err = run_main(*command)
        if status == 0:
            assert "OK —" in out or "created" in out or "unchanged" in out
        else:
            assert status == 1
            assert err.startswith("The organisation file has problems:\n  ")
            assert len(err) < 20_000  # at most 50 lines, each quoting at most short excerpts
