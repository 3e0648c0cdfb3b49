"""Outbox notices reach Slack through the dispatcher, rendered as Block Kit."""

from __future__ import annotations


def test_a_registered_cases_first_meeting_is_announced_in_its_channel(bot):
    bot.import_organisation()
    _, report = bot.sweep()  # Mon 17 May, 10:00: the coordinator's daily digest goes too
    (post,) = bot.fake.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "C0CASE142")
    assert post.params["text"] == "First core group meeting for CP-2027-0142 scheduled: Mon 24 May 2027, 10:00"
    announced = [key for key in report.sent if not key.startswith("digest:")]
    assert len(announced) == 1 and announced[0].startswith("meeting_scheduled:")
    # A second pass sends nothing more: the row is marked sent with Slack's ts.
    bot.dispatch()
    assert len(bot.fake.calls_to("chat.postMessage")) == 2  # the announcement and the digest, once each
    with bot.services.uow_factory() as uow:
        (row,) = uow.outbox.list(kind="meeting_scheduled")
        assert row.status == "sent" and row.message_ts and row.message_channel == "C0CASE142"


def test_an_imported_first_meeting_credits_the_conference_not_the_import(bot):
    bot.import_organisation()
    bot.dispatch()
    post = bot.fake.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "C0CASE142")[0]
    shown = str(post.params["blocks"])
    assert "initial child protection conference's minute" in shown
    assert "<@cli>" not in shown and "Scheduled by" not in shown


def test_a_notice_nobody_can_render_fails_alone_and_the_rest_are_delivered(bot):
    bot.import_organisation()
    with bot.services.uow_factory() as uow:
        uow.outbox.enqueue(key="mystery:1", kind="from_a_newer_version", recipient="C0CASE142", now=bot.clock.now())
        uow.commit()
    bot.dispatch()
    assert any(c.params["channel"] == "C0CASE142" for c in bot.fake.wait_for("chat.postMessage"))
    with bot.services.uow_factory() as uow:
        mystery = uow.outbox.get_by_key("mystery:1")
        assert (mystery.status, mystery.last_error) == ("failed", "no_renderer")
