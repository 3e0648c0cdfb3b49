"""Adaptive Cards for the Teams surface: pure builders from outbox payloads to card JSON (schema 1.5, Teams' maximum).

No I/O and no SDK: each builder is keyword-only, takes the payload its notice carries today (a dict), and returns
a `dict` the sender attaches as `application/vnd.microsoft.card.adaptive` (`dialogs.attachment`). Buttons carry
opaque ids only; typed text is made inert by `text.plain`/`inline`/`quoted`; the card's `fallbackText` is its
notification line (never typed text). `check.problems(card)` lists what Teams would reject or misroute.

Which builder shows which notice (the wiring registers them for Teams):
- MEETING_REMINDER / _SCHEDULED / _RESCHEDULED / _CANCELLED / _RECORDED: `meetings.build_meeting_*_card`
- REQUEST_DECISION: `decisions.build_decision_card`; REQUEST_COORDINATOR_REVIEW: `decisions.build_review_card`
- REQUEST_APPROVED / _REFUSED / _OUTCOME: `requests.build_approved_card` / `build_refused_card` / `build_outcome_card`
- PLAN_TO_SEND, PLAN_OVERDUE (with `occasion="overdue"`): `receipts.build_plan_to_send_card`;
  PLAN_COPY: `receipts.build_plan_copy_card`; CP9_TO_SEND / CP9_DUE: `receipts.build_cp9_to_send_card` / `_due_card`
- COORDINATOR_DIGEST: `digest.build_digest_card` (packed within Teams' ~28 KB)
Dialogs (a `dialogs.DialogCard`, answered with `dialogs.dialog_continue`): `requests.build_request_dialog`,
`decisions.build_schedule_dialog`, `receipts.build_plan_sent_dialog`, `receipts.build_cp9_sent_dialog`.
Commands: `requests.build_request_start_card`, `status.build_status_card`, `status.build_help_card`; refusals:
`status.explain` (plain text for `dialogs.message_response`) and `status.build_error_card`.

People are Teams mentions (`text.People`). A card names them by display name when the sender passes `names`
(Entra object id -> name, looked up at send time, e.g. from the conversation's members, never stored), else by
role (@chair). To look names up only for the people a card names: build it once, read the ids in
`card["msteams"]["entities"]`, look them up, build it again with `names`.
"""
