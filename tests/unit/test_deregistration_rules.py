"""The post-deregistration meeting's rules: its window, its reminders, what the forms must hold, retention."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.calendar import WorkingCalendar
from bot.deregistration import (
    DeregistrationDraft,
    OutcomeDraft,
    Step,
    catch_up,
    check_deregistration,
    check_outcome,
    first_step,
    post_deregistration_window,
    retention_ends_on,
    window_steps,
)
from bot.policy import load_policy

LONDON = ZoneInfo("Europe/London")
SCOTLAND = WorkingCalendar(nation="scotland")
ENGLAND = WorkingCalendar(nation="england")
FIFE = load_policy("fife")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def draft(**changes) -> DeregistrationDraft:
    values = dict(
        conference_on=date(2027, 6, 22),
        convener="U0LP",
        meeting_chair="U0NP",
        agreed_by="consensus",
        reviewing_officer=None,
        target_on=date(2027, 8, 10),
    )
    return DeregistrationDraft(**{**values, **changes})


def test_the_window_runs_from_six_to_eight_weeks_after_the_review_conference_both_days_included():
    window = post_deregistration_window(date(2027, 6, 22), policy=FIFE)
    assert (window.opens_on, window.closes_on) == (date(2027, 8, 3), date(2027, 8, 17))
    assert window.contains(date(2027, 8, 3)) and window.contains(date(2027, 8, 17))
    assert not window.contains(date(2027, 8, 2)) and not window.contains(date(2027, 8, 18))
    assert window.words() == ("between Tue 3 Aug 2027 and Tue 17 Aug 2027 (6 to 8 weeks after the review conference)")


def test_an_organisation_can_override_the_window():
    policy = load_policy("fife", overrides={"post_deregistration": {"window_start_weeks": 4, "window_end_weeks": 6}})
    window = post_deregistration_window(date(2027, 6, 22), policy=policy)
    assert (window.opens_on, window.closes_on) == (date(2027, 7, 20), date(2027, 8, 3))


def test_reminders_go_at_nine_as_the_window_opens_a_week_before_it_closes_and_on_its_last_day():
    steps = window_steps(post_deregistration_window(date(2027, 6, 22), policy=FIFE), calendar=SCOTLAND)
    assert [(s.step, s.at) for s in steps] == [
        (Step.OPENS, local(2027, 8, 3, 9, 0)),
        (Step.WEEK_LEFT, local(2027, 8, 10, 9, 0)),
        (Step.LAST_DAY, local(2027, 8, 17, 9, 0)),
        (Step.MISSED, local(2027, 8, 18, 0, 0)),  # the end of the window's last day
    ]


def test_a_window_opening_on_the_scottish_summer_bank_holiday_is_announced_the_next_working_day():
    window = post_deregistration_window(date(2027, 6, 21), policy=FIFE)  # opens Mon 2 Aug 2027
    scottish = window_steps(window, calendar=SCOTLAND)
    english = window_steps(window, calendar=ENGLAND)
    assert scottish[0].at == local(2027, 8, 3, 9, 0)
    assert english[0].at == local(2027, 8, 2, 9, 0)


def test_a_last_day_on_a_closure_day_is_reminded_the_working_day_before():
    calendar = WorkingCalendar(nation="scotland", closure_days=[date(2027, 8, 17)])
    steps = window_steps(post_deregistration_window(date(2027, 6, 22), policy=FIFE), calendar=calendar)
    assert [s.at for s in steps if s.step == Step.LAST_DAY] == [local(2027, 8, 16, 9, 0)]
    assert steps[-1].at == local(2027, 8, 18, 0, 0)  # the window itself still closes on the 17th


def test_a_short_window_drops_a_reminder_that_would_not_come_after_the_one_before():
    policy = load_policy("fife", overrides={"post_deregistration": {"window_start_weeks": 6, "window_end_weeks": 7}})
    steps = window_steps(post_deregistration_window(date(2027, 6, 22), policy=policy), calendar=SCOTLAND)
    assert [s.step for s in steps] == [Step.OPENS, Step.LAST_DAY, Step.MISSED]


def test_a_deregistration_recorded_inside_the_window_waits_for_the_next_reminder_not_one_already_past():
    steps = window_steps(post_deregistration_window(date(2027, 6, 22), policy=FIFE), calendar=SCOTLAND)
    assert first_step(steps, now=local(2027, 6, 22, 15, 0)).step == Step.OPENS
    assert first_step(steps, now=local(2027, 8, 5, 12, 0)).step == Step.WEEK_LEFT
    assert first_step(steps, now=local(2027, 9, 1, 12, 0)).step == Step.MISSED


def test_a_sweep_after_a_pause_takes_only_the_latest_step_that_has_come():
    steps = window_steps(post_deregistration_window(date(2027, 6, 22), policy=FIFE), calendar=SCOTLAND)
    due, following = catch_up(steps, current="opens", now=local(2027, 8, 12, 9, 30))
    assert (due.step, following.step) == (Step.WEEK_LEFT, Step.LAST_DAY)
    due, following = catch_up(steps, current="opens", now=local(2027, 8, 20, 9, 0))
    assert (due.step, following) == (Step.MISSED, None)
    assert catch_up(steps, current="last_day", now=local(2027, 8, 12, 9, 0))[0] is None


def test_a_target_date_outside_the_window_is_refused_naming_the_windows_dates():
    errors = check_deregistration(draft(target_on=date(2027, 8, 18)), today=date(2027, 6, 22), policy=FIFE)
    assert errors == {
        "target_on": "The meeting must be between Tue 3 Aug 2027 and Tue 17 Aug 2027 (6 to 8 weeks "
        "after the review conference): choose a date in that window."
    }
    assert check_deregistration(draft(target_on=date(2027, 8, 17)), today=date(2027, 6, 22), policy=FIFE) == {}


def test_a_reviewing_officers_decision_needs_the_reviewing_officer():
    errors = check_deregistration(draft(agreed_by="reviewing_officer"), today=date(2027, 6, 22), policy=FIFE)
    assert errors == {"reviewing_officer": "The reviewing officer decided: choose who the reviewing officer was."}
    decided = draft(agreed_by="reviewing_officer", reviewing_officer="U0RO")
    assert check_deregistration(decided, today=date(2027, 6, 22), policy=FIFE) == {}


def test_an_empty_form_names_every_missing_answer_and_a_future_conference_is_refused():
    empty = DeregistrationDraft(None, None, None, None, None, None)
    assert set(check_deregistration(empty, today=date(2027, 6, 22), policy=FIFE)) == {
        "conference_on",
        "convener",
        "meeting_chair",
        "agreed_by",
        "target_on",
    }
    future = check_deregistration(draft(conference_on=date(2027, 6, 23)), today=date(2027, 6, 22), policy=FIFE)
    assert future == {"conference_on": "The review conference has to have happened: that date is in the future."}


def test_an_outcome_without_escalation_needs_the_plan_type_and_the_lead_agency():
    problems = check_outcome(
        OutcomeDraft(date(2027, 8, 10), False, None, "  "), today=date(2027, 8, 10), conference_on=date(2027, 6, 22)
    )
    assert set(problems) == {"plan", "lead_agency"}
    fine = OutcomeDraft(date(2027, 8, 10), False, "multi_agency", "Education")
    assert check_outcome(fine, today=date(2027, 8, 10), conference_on=date(2027, 6, 22)) == {}


def test_an_escalated_outcome_needs_no_plan_but_a_meeting_date_that_has_come():
    escalated = OutcomeDraft(date(2027, 8, 10), True, None, None)
    assert check_outcome(escalated, today=date(2027, 8, 10), conference_on=date(2027, 6, 22)) == {}
    early = OutcomeDraft(date(2027, 8, 11), None, None, None)
    assert check_outcome(early, today=date(2027, 8, 10), conference_on=date(2027, 6, 22)) == {
        "held_on": "The meeting has to have been held: that date is in the future.",
        "risk": "Say whether risk has escalated since deregistration.",
    }


def test_a_closed_case_is_kept_for_the_organisations_years_then_due_for_removal():
    assert retention_ends_on(date(2027, 8, 10), 7) == date(2034, 8, 10)
    assert retention_ends_on(date(2028, 2, 29), 1) == date(2029, 2, 28)
