"""Outbox notices reach Slack through the dispatcher, rendered as Block Kit."""

from __future__ import annotations


def test_a_registered_cases_first_meeting_is_announced_in_its_channel(bot):
    bot.import_organisation()
    _, report = bot.sweep()
    (post,) = bot.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "C0CASE142"
    assert post.params["text"] == "First core group meeting for CP-2027-0142 scheduled: Mon 24 May 2027, 10:00"
    assert len(report.sent) == 1 and report.sent[0].startswith("meeting_scheduled:")
    # A second pass sends nothing more: the row is marked sent with Slack's ts.
    bot.dispatch()
    assert len(bot.fake.calls_to("chat.postMessage")) == 1
    with bot.services.uow_factory() as uow:
        (row,) = uow.outbox.list()
        assert row.status == "sent" and row.message_ts and row.message_channel == "C0CASE142"
