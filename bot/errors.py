"""Expected errors: each carries a message the user can act on."""

from __future__ import annotations


class CoreGroupError(Exception):
    """An expected failure whose `message` is safe and useful to show to the person acting."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotACaseChannelError(CoreGroupError):
    """The command was used in a channel that belongs to no case."""

    def __init__(self) -> None:
        super().__init__("This channel is not a core group case channel. Use this command in the case's own channel.")


class NotInCaseError(CoreGroupError):
    """The person is not part of the case they tried to act on: they learn nothing about it (not even its reference)."""

    def __init__(self) -> None:
        super().__init__("You are not in this case's core group. Ask the coordinator if you should be.")


class NotAllowedError(CoreGroupError):
    """The person is in the case but their role does not allow this step."""


class InvalidInputError(CoreGroupError):
    """What the person typed cannot be used; the message says why."""


class StaleButtonError(CoreGroupError):
    """A button's value names nothing usable (mangled, empty, or from a message older than its record)."""

    def __init__(self) -> None:
        super().__init__("This button no longer works: what it was for has changed or gone. Nothing was changed.")


class ConfigError(Exception):
    """The organisation file or environment is invalid; `errors` names each field."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors
