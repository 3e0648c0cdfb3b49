"""`coregroup retention` as an admin runs it, on both engines: what it lists, what it removes, what it says."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.deregistration import DeregistrationDraft
from bot.orgfile import parse_organisation_file
from bot.services.cases import import_organisation
from bot.services.deregistration import deregister_case
from tests.harness import CASE, organisation_file
from tests.test_cli import coregroup, url_of

LONDON = ZoneInfo("Europe/London")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def three_cases(uow_factory) -> None:
    """CP-A closed on 10 Aug 2027, CP-B closed on 10 Aug 2030, CP-C open; the organisation keeps 7 years."""
    cases = [
        dict(CASE, reference=ref, channel=channel)
        for ref, channel in (("CP-A", "C0A"), ("CP-B", "C0B"), ("CP-C", "C0C"))
    ]
    with uow_factory() as uow:
        import_organisation(
            parse_organisation_file(organisation_file(cases=cases)), uow=uow, now=local(2027, 5, 17, 9, 0)
        )
        uow.commit()
    for channel, at in (("C0A", local(2027, 8, 10, 16, 0)), ("C0B", local(2030, 8, 10, 16, 0))):
        with uow_factory() as uow:
            # South Ayrshire has no post-deregistration meeting: the deregistration closes the case at once.
            draft = DeregistrationDraft(at.date(), None, None, None, None, None, "multi_agency", "Education")
            deregister_case(draft, channel=channel, user="U0COORD", uow=uow, now=at)
            uow.commit()


def test_retention_needs_exactly_one_of_dry_run_and_apply(tmp_path):
    database = f"sqlite:///{tmp_path / 'r.db'}"
    for args in ((), ("--dry-run", "--apply")):
        result = coregroup("retention", *args, database_url=database)
        assert result.returncode == 2
        assert "Say exactly one of --dry-run" in result.stderr and "or --apply (remove them)" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_dry_run_lists_only_cases_past_their_retention_and_removes_nothing(engine, uow_factory):
    three_cases(uow_factory)
    result = coregroup("retention", "--dry-run", "--now", "2034-08-10T09:00Z", database_url=url_of(engine))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "Retention at 2034-08-10T09:00+00:00 (dry run): 1 closed case past the retention period would be removed ("
    )
    assert lines[1].split() == [
        "CP-A",
        "closed",
        "2027-08-10",
        "kept",
        "7",
        "years,",
        "until",
        "2034-08-10",
        "(South",
        "Ayrshire",
        "Council)",
    ]
    assert "CP-B" not in result.stdout and "CP-C" not in result.stdout
    assert "Education" not in result.stdout and "U0LP" not in result.stdout  # references and dates, no content
    assert lines[-1] == "Nothing was removed. Run `coregroup retention --apply` to remove them."
    with uow_factory() as uow:
        assert uow.cases.get_by_reference("CP-A") is not None


def test_apply_removes_the_case_with_everything_it_holds_and_leaves_an_audit_entry_with_counts(engine, uow_factory):
    three_cases(uow_factory)
    early = coregroup("retention", "--apply", "--now", "2034-08-09T09:00Z", database_url=url_of(engine))
    assert "no closed case is past its retention period. Nothing to remove." in early.stdout
    with uow_factory() as uow:
        removed_id = uow.cases.get_by_reference("CP-A").id
    result = coregroup("retention", "--apply", "--now", "2034-08-10T09:00Z", database_url=url_of(engine))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "Retention at 2034-08-10T09:00+00:00: removed 1 closed case past the retention period ("
    )
    assert "CP-A" in result.stdout and "deregistration 1" in result.stdout
    assert result.stdout.rstrip().endswith("An audit entry records the counts.")
    with uow_factory() as uow:
        assert [c.reference for c in uow.cases.list()] == ["CP-B", "CP-C"]
        assert uow.retention.rows_for([removed_id]) == {"case": 1}  # the id itself, and no row anywhere holds it
        (entry,) = uow.audit.list(action="retention.applied")
        assert entry.actor == "cli" and entry.detail["cases"] == 1 and entry.detail["rows"]["deregistration"] == 1
        assert "Education" not in str(entry.detail)
    again = coregroup("retention", "--apply", "--now", "2034-08-10T09:00Z", database_url=url_of(engine))
    assert "Nothing to remove." in again.stdout
