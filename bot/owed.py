"""What a case owes, in words: each kind of obligation as a person reads it (`/core-group status`).

Pure: no database, no chat platform, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.obligations import ObligationKind, Stage
from bot.orgfile import ENTRA_ID
from bot.requests import URGENT_DECISION

#: Each kind in words; `{form}` is the profile's name for the CP9, `{review}` its review conference's, `{to}` the
#: recipient and `{due}` the due date.
WHAT: dict[str, str] = {
    ObligationKind.FIRST_MEETING: "The first core group meeting held",
    ObligationKind.NEXT_MEETING: "The next core group meeting held",
    ObligationKind.MEETING_RECORD: "The record of the meeting of {due}",
    ObligationKind.PLAN_COPY_SENT: "A copy of the plan sent to {to}",
    ObligationKind.PLAN_COPY_RECEIVED: "The plan confirmed received by {to}",
    ObligationKind.CP9_SENT: "The {form} sent to the coordinator",
    ObligationKind.CP9_RECEIVED: "The {form} marked received",
    ObligationKind.ACTION: "An action from a meeting done",
    ObligationKind.REQUEST_DECISION: "A decision on a request for an additional meeting",
    URGENT_DECISION: "A decision on an urgent request for an additional meeting",
    ObligationKind.COORDINATOR_DECISION: "The coordinator's decision on a request for an additional meeting",
    ObligationKind.AMENDMENT_REFERRAL: "The plan's significant amendment answered for the review conference",
    ObligationKind.LETTER_DETAILS: "The details for a letter to an institution",
    ObligationKind.LETTER_SENT: "A letter to an institution sent",
    ObligationKind.POST_DEREG_MEETING: "The post-deregistration meeting held",
    ObligationKind.POST_DEREG_OUTCOME: "The post-deregistration meeting's outcome recorded",
    ObligationKind.REVIEW_REPORT: "The core group's report to the {review}",
    ObligationKind.REVIEW_OUTCOME: "The {review}'s decision recorded",
}
ROLES = {"chair": "chair", "team_leader": "team leader", "coordinator": "coordinator", "member": "member"}


@dataclass(frozen=True)
class Owed:
    """One open obligation of a case, as status shows it."""

    what: str
    owner: str | None  # a Slack user id, or None when only the role is known
    owner_role: str
    due_on: date
    stage: str

    @property
    def overdue(self) -> bool:
        return self.stage in (Stage.OVERDUE, Stage.BREACHED)

    @property
    def role(self) -> str:
        return ROLES.get(self.owner_role, self.owner_role.replace("_", " "))


def what_is_owed(kind: str, *, recipient: str, form_name: str, review_name: str, due_words: str) -> str:
    """'A copy of the plan sent to <@U0HV>': people without the chat app are never named (a participant without it).

    A person is a Slack user id or, in a Teams organisation, an Entra object id; anything else is a typed label.
    """
    person = recipient[:1] in ("U", "W") or ENTRA_ID.fullmatch(recipient) is not None
    to = f"<@{recipient}>" if person else "a participant without Slack"
    words = WHAT.get(kind, kind.replace("_", " ").capitalize())
    return words.format(form=form_name, review=review_name, to=to, due=due_words)
