"""Adaptive Cards for the Teams surface: pure builders from outbox payloads to card JSON (schema 1.5, Teams' maximum).

No I/O and no SDK: each builder returns a `dict` the sender attaches as `application/vnd.microsoft.card.adaptive`.
Buttons carry opaque ids only; typed text is made inert by `teams.cards.text`.
"""
