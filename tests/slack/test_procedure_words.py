"""Words that state a procedure come from the organisation's profile: the record form says what the group may
change as that procedure says it."""

from __future__ import annotations

import pytest

from tests.slack.meeting_steps import local, open_modal, text_of
from tests.slack.receipt_steps import ENGLAND, case_meeting_at

MEETING = local(2027, 7, 29, 10, 0)
FIFE = {"name": "Fife Council", "profile": "fife", "eligible_chairs": ["U0CHAIR"]}


@pytest.mark.parametrize(
    ("organisation", "said", "not_said"),
    [
        (
            None,
            "the need for significant changes to the plan is referred to the chair of the CPPM",
            "may not significantly amend",
        ),
        (
            FIFE,
            "may not significantly amend the plan: that is for the Review Child Protection Case Conference",
            "chair of the CPPM",
        ),
        (ENGLAND, "may not significantly amend the plan: that is for the review conference", "CPPM"),
    ],
)
def test_the_record_form_states_what_the_group_may_change_in_the_profiles_words(bot, organisation, said, not_said):
    case_meeting_at(bot, MEETING, organisation=organisation)
    bot.at(local(2027, 7, 29, 12, 0))
    shown = text_of(open_modal(bot, "record"))
    assert said in shown
    assert not_said not in shown
