"""Every kind the ledger chases has its lines in the coordinator's digest and its words in `/core-group status`, and
the kinds the digest lists whenever they are owed are the few with their own index."""

from __future__ import annotations

from bot.owed import WHAT
from bot.services import digest  # noqa: F401 - registers the digest's lines
from bot.services.digest_ledger import RENDERERS, ledger_kinds, listed_kinds
from store.models.obligations import FEW_KINDS


def test_every_kind_the_ledger_chases_shows_in_the_digest_and_in_status():
    assert set(ledger_kinds()) - set(RENDERERS) == set()
    assert set(ledger_kinds()) - set(WHAT) == set()


def test_the_kinds_listed_whenever_owed_are_the_indexed_few():
    _, _, anytime = listed_kinds()
    assert set(anytime) <= set(FEW_KINDS)
