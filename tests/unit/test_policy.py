"""Policy profiles: packaged data files, inheritance, organisation overrides and validation."""

from dataclasses import replace
from datetime import time

import pytest

from bot.calendar import Nation, Roll, WorkingHours
from bot.policy import (
    Cadence,
    ChecklistItem,
    FirstMeetingRule,
    MeetingReminder,
    PolicyError,
    available_profiles,
    load_policy,
    sourced_rules,
)

ALL_PROFILES = ["england", "fife", "northern-ireland", "scotland", "south-ayrshire", "wales"]


def test_the_nation_and_local_profiles_are_packaged():
    assert available_profiles() == ALL_PROFILES


@pytest.mark.parametrize("name", ALL_PROFILES)
def test_every_profile_loads_with_the_four_checklist_items(name):
    policy = load_policy(name)
    assert policy.profile == name
    assert [item.key for item in policy.checklist] == [
        "supports",
        "monitoring",
        "outcomes",
        "contingency",
    ]


def test_england_carries_the_procedure_defaults():
    policy = load_policy("england")
    assert policy.nation is Nation.ENGLAND
    assert policy.first_meeting == FirstMeetingRule(10, working=True)
    assert policy.meeting_cadence == Cadence(months=1)
    assert policy.meeting_breach_after_weeks is None
    assert policy.last_core_group_working_days_before_review is None
    assert policy.meetings_in_person is False
    assert policy.meeting_reminders == (MeetingReminder(2, time(9)), MeetingReminder(0, time(9)))
    assert policy.working_hours == WorkingHours(time(9), time(17))
    assert policy.plan_receipt.working_days == 5
    assert policy.cp9.enabled is False
    assert policy.cp9.form_name == "CP9"
    assert (policy.cp9.days, policy.cp9.roll) == (7, Roll.BACK)
    assert policy.digest_time == time(9)
    assert policy.post_deregistration.enabled is False
    assert policy.post_deregistration.window_start_weeks == 6
    assert policy.post_deregistration.window_end_weeks == 8
    assert policy.chair_must_be_listed is False


def test_checklist_keeps_the_procedure_wording():
    assert load_policy("england").checklist[0] == ChecklistItem(
        "supports", "Supports and resources required, in particular access to specialist resources"
    )


@pytest.mark.parametrize("name", ["scotland", "fife", "south-ayrshire"])
def test_scottish_profiles_allow_fifteen_calendar_days_to_the_first_meeting_in_person(name):
    policy = load_policy(name)
    assert policy.nation is Nation.SCOTLAND
    assert policy.first_meeting == FirstMeetingRule(15, working=False)
    assert policy.meetings_in_person is True


@pytest.mark.parametrize("name", ["england", "wales", "northern-ireland"])
def test_other_nations_allow_ten_working_days_to_the_first_meeting(name):
    assert load_policy(name).first_meeting == FirstMeetingRule(10, working=True)


def test_wales_meets_monthly_and_is_in_breach_six_weeks_after_the_last_meeting():
    policy = load_policy("wales")
    assert policy.nation is Nation.WALES
    assert policy.meeting_cadence == Cadence(months=1)
    assert policy.meeting_breach_after_weeks == 6


@pytest.mark.parametrize("name", ["england", "wales", "scotland", "northern-ireland"])
def test_a_nation_profile_has_no_local_procedure_rules(name):
    policy = load_policy(name)
    assert policy.cp9.enabled is False
    assert policy.post_deregistration.enabled is False
    assert policy.chair_must_be_listed is False
    assert not any(r.source.startswith("local procedure") for r in sourced_rules(name))


def test_the_cp9_is_south_ayrshires_and_the_post_deregistration_meeting_and_listed_chairs_fifes():
    south_ayrshire, fife = load_policy("south-ayrshire"), load_policy("fife")
    assert (south_ayrshire.cp9.enabled, south_ayrshire.post_deregistration.enabled) == (True, False)
    assert (fife.cp9.enabled, fife.post_deregistration.enabled) == (False, True)
    assert fife.post_deregistration.review_activity and fife.chair_must_be_listed
    assert "Review Child Protection Case Conference" in fife.wording.significant_amendment
    assert "chair of the CPPM" in south_ayrshire.wording.significant_amendment


def test_northern_ireland_profile_is_for_northern_ireland():
    assert load_policy("northern-ireland").nation is Nation.NORTHERN_IRELAND


def test_a_local_profile_inherits_everything_it_does_not_set():
    south_ayrshire, scotland, fife = load_policy("south-ayrshire"), load_policy("scotland"), load_policy("fife")
    assert (
        replace(
            south_ayrshire,
            profile="scotland",
            cp9=scotland.cp9,
            review_conference=scotland.review_conference,
            amendment_referral=scotland.amendment_referral,
        )
        == scotland
    )
    # Fife names its own review conference and who answers a significant-amendment referral.
    assert fife.review_conference.name == "Review Child Protection Case Conference"
    assert (fife.amendment_referral.to_name, fife.amendment_referral.days) == ("the Reviewing Officer", 3)


def test_every_rule_names_its_source_and_an_override_names_the_organisation_file():
    rules = {
        r.setting: r
        for r in sourced_rules("scotland", overrides={"cp9": {"enabled": True}}, organisation="Fife Council")
    }
    assert rules["first_meeting"].value == {"days": 15, "kind": "calendar"}
    assert rules["first_meeting"].source.startswith(
        "National Guidance for Child Protection in Scotland 2021, para 3.137"
    )
    assert rules["cp9.enabled"].source == "organisation file: Fife Council"
    assert rules["cp9.days"].source.startswith("default: not from guidance")
    assert all(r.source for r in rules.values())


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_meeting": {"days": 15}}, "overrides: first_meeting.kind: needs kind: calendar beside days"),
        ({"first_meeting": {"days": 15, "working_days": 10}}, "overrides: first_meeting: must give exactly one of"),
        ({"first_meeting": {"working_days": 10, "kind": "calendar"}}, "overrides: first_meeting.kind: kind: calendar"),
        ({"meeting_cadence": {"fortnights": 2}}, "overrides: meeting_cadence.fortnights: unknown setting"),
        ({"meeting_cadence": {"weeks": 0}}, "overrides: meeting_cadence.weeks: must be a positive whole number"),
        ({"cp9": {"enabled": "yes"}}, "overrides: cp9.enabled: must be true or false"),
    ],
)
def test_a_bad_deadline_or_cadence_is_refused_with_the_shape_expected(overrides, message):
    with pytest.raises(PolicyError) as error:
        load_policy("england", overrides=overrides)
    assert str(error.value).startswith(message)


def test_an_override_changes_one_value_and_keeps_the_rest():
    policy = load_policy("fife", overrides={"cp9": {"days": 10}})
    assert policy.cp9.days == 10
    assert policy.cp9.form_name == "CP9"
    assert policy.cp9.roll is Roll.BACK
    assert replace(policy, cp9=load_policy("fife").cp9) == load_policy("fife")


def test_an_override_can_reword_one_checklist_item():
    reworded = {"checklist": {"contingency": "Contingency and safety plan"}}
    policy = load_policy("england", overrides=reworded)
    labels = {item.key: item.label for item in policy.checklist}
    assert labels["contingency"] == "Contingency and safety plan"
    assert labels["outcomes"] == "Outcomes to be achieved"


def test_an_override_can_add_a_checklist_item():
    added = {"checklist": {"views_of_child": "The child's views"}}
    policy = load_policy("england", overrides=added)
    assert policy.checklist[-1] == ChecklistItem("views_of_child", "The child's views")
    assert len(policy.checklist) == 5


def test_an_override_replaces_the_meeting_reminders_list():
    one_reminder = {"meeting_reminders": [{"working_days_before": 1, "at": "14:30"}]}
    policy = load_policy("england", overrides=one_reminder)
    assert policy.meeting_reminders == (MeetingReminder(1, time(14, 30)),)


def test_an_override_can_roll_the_cp9_deadline_forward():
    assert load_policy("england", overrides={"cp9": {"roll": "forward"}}).cp9.roll is Roll.FORWARD


def test_an_override_can_lift_the_welsh_breach_with_null():
    policy = load_policy("wales", overrides={"meeting_breach_after_weeks": None})
    assert policy.meeting_breach_after_weeks is None


def test_an_override_does_not_leak_into_later_loads():
    load_policy("england", overrides={"cp9": {"days": 10}, "checklist": {"extra": "More"}})
    policy = load_policy("england")
    assert policy.cp9.days == 7
    assert len(policy.checklist) == 4


def test_policies_are_immutable():
    with pytest.raises(AttributeError):
        load_policy("england").cp9.days = 3  # type: ignore[misc]


def test_an_unknown_profile_names_the_known_ones():
    with pytest.raises(PolicyError) as error:
        load_policy("kent")
    assert str(error.value) == (
        "unknown profile 'kent' (known: england, fife, northern-ireland, scotland, south-ayrshire, wales)"
    )


@pytest.mark.parametrize(
    ("profile", "overrides", "message"),
    [
        ("fife", {"cp9": {"days": 0}}, "overrides: cp9.days: must be a positive whole number"),
        ("fife", {"cp9": {"days": "7"}}, "overrides: cp9.days: must be a positive whole number"),
        ("fife", {"cp9": {"days": True}}, "overrides: cp9.days: must be a positive whole number"),
        ("england", {"cp9": {"colour": "red"}}, "overrides: cp9.colour: unknown setting"),
        ("england", {"colour": "red"}, "overrides: colour: unknown setting"),
        ("england", {"extends": "wales"}, "overrides: extends: unknown setting"),
        ("england", {"cp9": 7}, "overrides: cp9: must be a mapping of settings"),
        (
            "england",
            {"cp9": {"roll": "sideways"}},
            "overrides: cp9.roll: must be one of: back, forward",
        ),
        ("england", {"cp9": {"form_name": " "}}, "overrides: cp9.form_name: must be some text"),
        (
            "england",
            {"cp9": {"remind_working_days_before": 2}},
            "overrides: cp9.remind_working_days_before: no longer a setting; set the ladder obligations.cp9_sent",
        ),
        (
            "england",
            {"requests": {"routine": {"remind_after_working_days": 3}}},
            "overrides: requests: no longer a setting; set the ladders obligations.request_decision and "
            "obligations.request_decision_urgent",
        ),
        (
            "england",
            {"plan_receipt": {"remind_on_working_day": 3}},
            "overrides: plan_receipt.remind_on_working_day: no longer a setting; set the ladders "
            "obligations.plan_copy_sent and plan_copy_received",
        ),
        (
            "england",
            {"nation": "kent"},
            "overrides: nation: must be one of: england, wales, scotland, northern-ireland",
        ),
        (
            "wales",
            {"meeting_breach_after_weeks": 0},
            "overrides: meeting_breach_after_weeks: must be a positive whole number, or null for none",
        ),
        (
            "england",
            {"digest_time": 540},  # what an unquoted 9:00 becomes in YAML
            'overrides: digest_time: must be a time written "HH:MM" (quoted in YAML), e.g. "09:00"',
        ),
        (
            "england",
            {"working_hours": {"end": "25:00"}},
            'overrides: working_hours.end: must be a time written "HH:MM" (quoted in YAML), e.g. "09:00"',
        ),
        (
            "england",
            {"meeting_reminders": [{"working_days_before": 1, "at": "9am"}]},
            'overrides: meeting_reminders[0].at: must be a time written "HH:MM" (quoted in YAML), e.g. "09:00"',
        ),
        (
            "england",
            {"meeting_reminders": [{"working_days_before": 1, "at": "09:00", "via": "sms"}]},
            "overrides: meeting_reminders[0].via: unknown setting",
        ),
        (
            "england",
            {"meeting_reminders": [{"at": "09:00"}]},
            "overrides: meeting_reminders[0].working_days_before: missing",
        ),
        (
            "england",
            {"checklist": {"outcomes": None}},
            "overrides: checklist.outcomes: must be some text",
        ),
        (
            "england",
            {"working_hours": {"start": "18:00"}},
            "overrides: working_hours: end must be later than start",
        ),
        (
            "fife",
            {"post_deregistration": {"window_start_weeks": 9}},
            "overrides: post_deregistration: window_end_weeks must not be before window_start_weeks",
        ),
    ],
)
def test_a_bad_override_is_refused_with_the_field_and_the_problem(profile, overrides, message):
    with pytest.raises(PolicyError) as error:
        load_policy(profile, overrides=overrides)
    assert str(error.value) == message


def test_overrides_that_are_not_a_mapping_are_refused():
    with pytest.raises(PolicyError, match="^overrides: must be a mapping of settings$"):
        load_policy("england", overrides=["cp9"])  # type: ignore[arg-type]


def test_policy_error_is_a_value_error():
    assert issubclass(PolicyError, ValueError)


# --- errors inside profile files (a copy of the packaged profiles, one edited) ----------------


@pytest.fixture
def profiles(tmp_path, monkeypatch):
    """A writable copy of the packaged profiles that load_policy reads instead."""
    import bot.policy as policy_module

    for name in [*ALL_PROFILES, "_defaults"]:
        source = policy_module._profile_dir().joinpath(f"{name}.yml")
        (tmp_path / f"{name}.yml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(policy_module, "_profile_dir", lambda: tmp_path)
    policy_module._read_profile.cache_clear()
    yield tmp_path
    policy_module._read_profile.cache_clear()


def test_a_bad_value_in_a_local_profile_names_that_profile(profiles):
    (profiles / "fife.yml").write_text("extends: scotland\ncp9: {days: -7}\nsources: {cp9: 'local procedure: fife'}\n")
    with pytest.raises(PolicyError) as error:
        load_policy("fife")
    assert str(error.value) == "profile 'fife': cp9.days: must be a positive whole number"


def test_a_bad_value_inherited_from_a_nation_names_the_nation_profile(profiles):
    unquoted_time = (
        "extends: _defaults\nnation: scotland\nfirst_meeting: {working_days: 10}\ndigest_time: 17:00\n"
        "sources: {nation: x, first_meeting: x, digest_time: x}\n"
    )
    (profiles / "scotland.yml").write_text(unquoted_time)
    with pytest.raises(PolicyError, match=r"^profile 'scotland': digest_time: must be a time"):
        load_policy("south-ayrshire")


def test_an_unknown_setting_in_a_profile_names_the_profile(profiles):
    (profiles / "fife.yml").write_text("extends: scotland\ncp9: {colour: red}\n")
    with pytest.raises(PolicyError, match=r"^profile 'fife': cp9.colour: unknown setting$"):
        load_policy("fife")


def test_a_profile_extending_an_unknown_profile_is_refused(profiles):
    (profiles / "fife.yml").write_text("extends: kent\n")
    expected = r"^profile 'fife': extends: unknown profile 'kent' \(known: england, "
    with pytest.raises(PolicyError, match=expected):
        load_policy("fife")


def test_profiles_extending_each_other_in_a_loop_are_refused(profiles):
    (profiles / "england.yml").write_text("extends: wales\n")
    (profiles / "wales.yml").write_text("extends: england\n")
    with pytest.raises(PolicyError, match=r"extends: loops \(wales -> england -> wales\)"):
        load_policy("wales")


def test_a_root_profile_missing_a_setting_is_refused(profiles):
    text = (profiles / "_defaults.yml").read_text()
    (profiles / "_defaults.yml").write_text(text.replace("digest_time:", "# digest_time:"))
    with pytest.raises(PolicyError, match=r"^profile 'wales': digest_time: missing$"):
        load_policy("wales")


def test_a_profile_that_is_not_yaml_is_refused(profiles):
    (profiles / "fife.yml").write_text("extends: [scotland\n")
    with pytest.raises(PolicyError, match=r"^profile 'fife': not valid YAML"):
        load_policy("fife")


def test_a_profile_that_is_not_a_mapping_is_refused(profiles):
    (profiles / "fife.yml").write_text("- scotland\n")
    with pytest.raises(PolicyError, match=r"^profile 'fife': must be a mapping of settings$"):
        load_policy("fife")


def test_a_new_profile_file_becomes_available(profiles):
    (profiles / "highland.yml").write_text(
        "extends: scotland\nmeeting_breach_after_weeks: 5\nsources: {meeting_breach_after_weeks: 'local procedure: highland'}\n"
    )
    assert "highland" in available_profiles()
    assert load_policy("highland").meeting_breach_after_weeks == 5


def test_a_profile_rule_without_a_source_is_refused(profiles):
    (profiles / "fife.yml").write_text("extends: scotland\ncp9: {enabled: true}\n")
    with pytest.raises(PolicyError, match=r"^profile 'fife': cp9.enabled: no source \(say under sources:"):
        load_policy("fife")


def test_the_defaults_are_not_a_profile_an_organisation_can_choose():
    assert "_defaults" not in available_profiles()
    with pytest.raises(PolicyError, match="unknown profile '_defaults'"):
        load_policy("_defaults")
