"""Institution letters: the rules. What the details form must hold, when a letter not sent is chased, and what
a draft letter says (its text, as data: `bot/documents.py` turns it into a document).

Pure: no database, no chat platform, no clock. The person in the institution is named only by their
relationship to the child (a role label): their name, date of birth and institution number are left as marked
blanks in the draft for the coordinator to fill in, and are never asked for, stored or posted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

KINDS = {"prison": "Prison", "hospital": "Hospital", "other": "Other institution"}

#: The marked blanks the coordinator fills in; the bot never knows what goes there.
BLANK_NAME = "[full name — fill in]"
BLANK_BIRTH = "[date of birth — fill in]"
BLANK_SIGNATURE = "[your name — fill in]"
BLANK_PHONE = "[telephone — fill in]"


@dataclass(frozen=True)
class KindWords:
    """How a letter to one kind of institution words its head, its leaving and its own number."""

    head: str
    place: str
    leaving: str
    number: str


WORDS = {
    "prison": KindWords("The Governor", "prison", "is about to be released or transferred", "prison number"),
    "hospital": KindWords("The Chief Executive", "hospital", "is about to be discharged", "hospital number"),
    "other": KindWords("The Manager", "establishment", "is about to be discharged or to leave", "reference number"),
}


@dataclass(frozen=True)
class LetterDetails:
    """What the details form gives: the relationship (a role label), the institution, and whom to contact."""

    relationship: str
    kind: str
    institution_name: str
    contact: str


_NOT_A_ROLE = re.compile(r"[0-9@/]")


def check_details(
    *, relationship: str | None, kind: str | None, institution_name: str | None, contact: str | None
) -> tuple[LetterDetails | None, dict[str, str]]:
    """The details, or problems by field (relationship, kind, name, contact)."""
    errors: dict[str, str] = {}
    relationship = " ".join((relationship or "").split())
    name = " ".join((institution_name or "").split())
    if not relationship:
        errors["relationship"] = "Say who the person is to the child, as a role (e.g. “Father”)."
    elif len(relationship) > 60 or _NOT_A_ROLE.search(relationship):
        errors["relationship"] = (
            "Write a role such as “Father” or “Grandmother”: no names, dates or numbers (at most 60 characters)."
        )
    if kind not in KINDS:
        errors["kind"] = "Choose the kind of institution."
    if not name:
        errors["name"] = "Give the institution's name, e.g. “HMP Kilmarnock”."
    elif len(name) > 150:
        errors["name"] = "The institution's name can be at most 150 characters."
    if not contact:
        errors["contact"] = "Choose the professional to contact if the person absconds or is about to be discharged."
    if errors or kind is None or contact is None:  # a missing kind or contact has its error
        return None, errors
    return LetterDetails(relationship, kind, name, contact), {}


def person_key(relationship: str) -> str:
    """Who a letter is about, for "one letter per person in an institution per case": the relationship casefolded."""
    return " ".join(relationship.split()).casefold()[:60]


@dataclass(frozen=True)
class LetterDraft:
    """Everything a draft letter says, in plain words (no personal details of the person: only blanks)."""

    organisation: str
    reference: str
    dated: date
    relationship: str
    kind: str
    institution_name: str
    contact_name: str | None  # the professional's name as their chat account shows it, None when unknown
    contact_title: str | None

    @property
    def words(self) -> KindWords:
        return WORDS.get(self.kind, WORDS["other"])

    def paragraphs(self) -> list[str]:
        """The letter's body, paragraph by paragraph."""
        w = self.words
        contact = self.contact_name or "[name of the professional to contact — fill in]"
        if self.contact_title:
            contact = f"{contact}, {self.contact_title}"
        return [
            f"{w.head}",
            f"{self.institution_name}",
            f"Our reference: {self.reference}",
            f"Date: {self.dated.strftime('%-d %B %Y')}",
            "Dear Sir or Madam,",
            f"Re: {BLANK_NAME}, date of birth {BLANK_BIRTH}, {w.number} [{w.number} — fill in]",
            f"I am writing to you as the head of the {w.place} about the person named above, who is the "
            f"{self.relationship[:1].lower()}{self.relationship[1:]} of a child who is "
            f"subject to a child protection plan (our reference {self.reference}). The child's core group — the "
            "professionals who carry out the plan — has told us that this person is in your care.",
            f"We ask that, if this person absconds or {w.leaving}, you contact straight away: {contact}, "
            f"telephone {BLANK_PHONE}. If they cannot be reached, please contact the Co-ordinator, Children Services, "
            f"of {self.organisation} on {BLANK_PHONE}, quoting our reference {self.reference}.",
            "Please keep this letter with the person's records and let us know if they move to another "
            f"{w.place}. The information in it is confidential and is shared only to protect the child.",
            "Yours faithfully,",
            BLANK_SIGNATURE,
            f"Co-ordinator, Children Services, {self.organisation}",
        ]

    @property
    def blanks(self) -> tuple[str, ...]:
        """The marked blanks the coordinator must fill in before the letter goes."""
        return (BLANK_NAME, BLANK_BIRTH, f"[{self.words.number} — fill in]", BLANK_PHONE, BLANK_SIGNATURE)
