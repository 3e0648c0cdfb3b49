"""Reading Slack's interaction payloads, and answering the person who acted."""

from __future__ import annotations

from bot.errors import StaleButtonError


def tell_ephemeral(client, metadata: dict, user: str, text: str) -> None:
    """An ephemeral answer where the person acted (the case channel, or their DM with the bot)."""
    client.chat_postEphemeral(channel=metadata.get("channel") or user, user=user, text=text)


def channel_of(body: dict) -> str:
    """The conversation a click came from (its container, its channel, or the person's DM)."""
    return (
        (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id") or body["user"]["id"]
    )


def element(values: dict, block_id: str) -> dict:
    """A modal input's state, for inputs whose action id is their block id (as ours are)."""
    return (values.get(str(block_id)) or {}).get(str(block_id)) or {}


def id_of(action: dict) -> int:
    """The record id a button carries; a value that is not one (edited, empty, absurd) is a stale button."""
    value = str(action.get("value") or "")
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        raise StaleButtonError()
    return int(value)
