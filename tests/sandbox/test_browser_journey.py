"""One journey through the sandbox in a real browser (headless Chromium driven by Playwright).

In CP-DEMO-0001: the health visitor asks for an additional meeting, the team leader refuses with a
reason, the health visitor asks the coordinator, the coordinator convenes the meeting, its reminder
arrives when the sandbox clock reaches the day, the chair records the meeting and marks the plan sent, and
the health visitor confirms receiving the plan.

Screenshots of the key steps go to ``test-artifacts/sandbox/``. Chromium comes from Debian's
``chromium`` package (``/usr/bin/chromium``); Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from sandbox.demo import Sandbox

CHROMIUM = os.environ.get("COREGROUP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "sandbox"
START = datetime(2027, 6, 8, 7, 30, tzinfo=timezone.utc)  # Tuesday 8 June 2027, 08:30 in London
WAIT_MS = 20_000  # generous: the machine may be busy with other test runs


def _browser_or_skip():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(
            "browser test skipped: Playwright is not installed (pip install playwright; it is in the test extra)"
        )
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(
            f"browser test skipped: no Chromium at {CHROMIUM} (install Debian's chromium package: "
            "apt-get install -y chromium)"
        )
    return sync_playwright


@pytest.fixture
def page():
    sync_playwright = _browser_or_skip()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with Sandbox(start=START) as sandbox, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 820}, locale="en-GB", timezone_id="Europe/London")
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.set_default_timeout(WAIT_MS)
        tab.goto(sandbox.url)
        yield SandboxTab(tab, sandbox)
        browser.close()
        assert errors == [], f"the page's script failed: {errors}"


class SandboxTab:
    """The page as a person uses it: choose who you are, open a conversation, type, click, fill in."""

    def __init__(self, tab, sandbox: Sandbox) -> None:
        self.tab, self.sandbox = tab, sandbox

    def be(self, label: str) -> SandboxTab:
        self.tab.select_option("#who", label=label)
        self.tab.wait_for_function(
            "label => document.querySelector('#who').selectedOptions[0]?.textContent === label", arg=label
        )
        return self

    def open(self, name: str) -> SandboxTab:
        self.tab.locator(".sidebar a.conversation", has_text=name).first.click()
        self.tab.locator("#conv-title", has_text=name).wait_for()
        return self

    def type_command(self, text: str) -> None:
        self.tab.fill("#composer-input", text)
        self.tab.press("#composer-input", "Enter")

    def message(self, *texts: str):
        """The latest message showing all of ``texts``."""
        found = self.tab.locator("article.message")
        for text in texts:
            found = found.filter(has_text=text)
        found.last.wait_for()
        return found.last

    def modal(self, title: str):
        self.tab.locator("#modal-title", has_text=title).wait_for()
        return self.tab.locator("#modal")

    def submit_modal(self) -> None:
        self.tab.locator("#modal button[type=submit]").click()

    def modal_closes(self) -> None:
        self.tab.locator("#modal-backdrop").wait_for(state="hidden")

    def move_clock_to(self, local: str) -> None:
        self.tab.fill("#clock-to-input", local)
        self.tab.locator("#clock-to button").click()
        self.tab.locator("#toast", has_text="Sandbox time is now").wait_for()

    def shot(self, name: str) -> None:
        self.tab.wait_for_timeout(300)  # let the last poll paint
        self.tab.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_a_refused_request_is_convened_by_the_coordinator_held_recorded_and_its_plan_received(page):
    from playwright.sync_api import expect

    tab = page.tab

    # The health visitor asks for an additional meeting from the case channel.
    page.be("Priya (health visitor)").open("#cp-demo-0001")
    page.type_command("/request-core-group")
    modal = page.modal("Additional meeting")
    modal.locator("label.choice", has_text="Deepening concerns").click()
    modal.get_by_label("What has changed?").fill("Missed two health visits in a row; the home was not accessible.")
    page.shot("01-member-asks-for-an-additional-meeting")
    page.submit_modal()
    page.modal_closes()
    assert page.message("Only visible to you").is_visible()

    # The team leader refuses; a reason is required.
    page.be("Alex (team leader)").open("coregroup — Messages")
    request = page.message("Request for an additional core group meeting", "CP-DEMO-0001")
    request.get_by_role("button", name="Refuse").click()
    modal = page.modal("Refuse the request")
    page.submit_modal()
    error = modal.locator(".field-error:not(:empty)").first
    error.wait_for()
    assert error.text_content().strip()
    page.shot("02-team-leader-must-give-a-reason")
    modal.get_by_label("Reason").fill("The next regular meeting is on Wednesday: raise it there.")
    page.submit_modal()
    page.modal_closes()
    decided = page.message("CP-DEMO-0001", "Refused")
    assert decided.get_by_role("button", name="Refuse").count() == 0

    # The health visitor is told, with the coordinator named, and asks the coordinator.
    page.be("Priya (health visitor)").open("coregroup — Messages")
    refusal = page.message("CP-DEMO-0001", "Jo (coordinator)")
    assert "The next regular meeting is on Wednesday" in refusal.text_content()
    page.shot("03-member-is-told-and-can-ask-the-coordinator")
    refusal.get_by_role("button", name="Ask the coordinator").click()

    # The coordinator convenes the meeting on Thursday at 14:00.
    page.be("Jo (coordinator)").open("coregroup — Messages")
    review = page.message("CP-DEMO-0001", "Convene")
    review.get_by_role("button", name="Convene the meeting").click()
    modal = page.modal("Convene the meeting")
    modal.get_by_label("Date").fill("2027-06-10")
    modal.get_by_label("Time (local)").fill("14:00")
    page.shot("04-coordinator-convenes")
    page.submit_modal()
    page.modal_closes()

    # The case channel hears of it.
    page.be("Priya (health visitor)").open("#cp-demo-0001")
    page.message("Additional core group meeting", "Thu 10 Jun 2027, 14:00")

    # On the day at 09:00, the reminder arrives in the channel.
    page.move_clock_to("2027-06-10T09:00")
    expect(tab.locator("#clock-time")).to_have_text("09:00")
    expect(tab.locator("#clock-date")).to_have_text("Thursday 10 June 2027")
    reminder = page.message("Reminder: additional core group meeting today", "Thu 10 Jun 2027, 14:00")
    assert reminder.locator("time").text_content() == "09:00"
    page.shot("05-the-reminder-arrives-on-the-day")

    # After the meeting, the chair records it: who came, the four points of the plan's re-evaluation.
    page.move_clock_to("2027-06-10T16:00")
    page.be("Sam (chair)").open("#cp-demo-0001")
    page.type_command("/core-group record")
    modal = page.modal("Record the meeting")
    attended = modal.locator('[data-block-id="meeting.attended"]')
    for person in ("Priya (health visitor)", "Tom (teacher)", "Mother"):  # everyone else stays invited
        attended.locator("label.choice", has_text=person).click()
    for answer in modal.locator("textarea").all():
        answer.fill("Agreed at the meeting: see the case file.")
    page.shot("06-chair-records-the-meeting")
    page.submit_modal()
    page.modal_closes()
    recorded = page.message("Core group meeting recorded", "CP-DEMO-0001")
    assert "Priya (health visitor)" in recorded.text_content()
    page.shot("07-the-record-is-posted-in-the-case-channel")

    # The chair is asked to send the plan, sends it, and marks it sent.
    page.open("coregroup — Messages")
    page.message("Send the plan", "CP-DEMO-0001").get_by_role("button", name="Plan sent").click()
    page.modal("Plan sent")
    page.submit_modal()
    page.modal_closes()

    # The health visitor confirms receiving it; the message says so in place of the button.
    page.be("Priya (health visitor)").open("coregroup — Messages")
    plan = page.message("Child protection plan", "CP-DEMO-0001")
    page.shot("08-member-is-asked-to-confirm-the-plan")
    plan.get_by_role("button", name="I have received the plan").click()
    confirmed = page.message("CP-DEMO-0001", "You confirmed you received the plan")
    assert confirmed.get_by_role("button", name="I have received the plan").count() == 0
    page.shot("09-member-confirmed-receipt")


def test_messages_are_shown_with_slacks_formatting_and_typed_text_never_becomes_markup(page):
    from slack_sdk import WebClient

    client = WebClient(token="xoxb-posting-as-the-bot", base_url=page.sandbox.fake.api_url)
    text = (
        "*Bold* _italic_ ~struck~ `code` <https://example.org/plan|the plan> <@U0SAM> <#C0DEMO0001> :warning:\n"
        "Typed by someone: &lt;img src=x onerror=\"document.title='pwned'\"&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;"
    )
    client.chat_postMessage(
        channel="C0DEMO0001",
        text="formatting check",
        blocks=[
            {"type": "header", "text": {"type": "plain_text", "text": "Formatting check"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": text},
                "accessory": {"type": "button", "action_id": "noop", "text": {"type": "plain_text", "text": "Open"}},
            },
            {"type": "divider"},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Small print for <@U0JO>"}]},
        ],
    )

    page.be("Kit (police)").open("#cp-demo-0001")
    shown = page.message("Formatting check")
    section = shown.locator(".section-text")

    assert section.locator("strong").first.text_content() == "Bold"
    assert section.locator("em").first.text_content() == "italic"
    assert section.locator("s").first.text_content() == "struck"
    assert section.locator("code").first.text_content() == "code"
    link = section.locator("a", has_text="the plan")
    assert link.get_attribute("href") == "https://example.org/plan"
    assert section.locator(".mention").first.text_content() == "@Sam (chair)"
    assert section.locator(".channel-link").text_content() == "#cp-demo-0001"
    assert "⚠" in section.text_content() and ":warning:" not in section.text_content()
    assert "<img src=x onerror=\"document.title='pwned'\"> & <script>alert(1)</script>" in section.text_content()
    assert shown.locator("img, script").count() == 0
    assert page.tab.title() == "coregroup sandbox"
    assert shown.locator(".context .mention").text_content() == "@Jo (coordinator)"
    assert shown.get_by_role("button", name="Open").is_visible()
    page.shot("10-formatting")
