"""The typed payload of an outbox notice: a frozen dataclass that writes and reads the outbox row's JSON.

Each notice kind's payload is just its fields (`bot/notice_payloads/<feature>.py`); this base turns them into
JSON (dates and datetimes as ISO text, tuples as lists) and back, converting by the fields' type hints. Reading
is tolerant, because rows written by earlier versions are still in the table: keys a field does not know are
ignored, a field missing from the row takes its default, and only a missing field without one is an error.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, Self

#: Field metadata: the key is written only when the field is set (a notice that is not a chase has no stage).
OPTIONAL_KEY = "written_only_when_set"


def only_when_set(default: Any = None) -> Any:
    """A field written to the JSON only when it differs from `default` (rows without it read as `default`)."""
    return dataclasses.field(default=default, metadata={OPTIONAL_KEY: True})


class PayloadError(ValueError):
    """An outbox row's JSON cannot be read as its kind's payload (a programming error, or a corrupted row)."""


@typing.dataclass_transform(frozen_default=True, kw_only_default=True)
class NoticePayload:
    """Base of every notice payload: a subclass is just its fields (made a frozen, keyword-only dataclass)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True, kw_only=True)(cls)

    def to_json(self) -> dict[str, Any]:
        """The row's JSON: each field under its own name."""
        return {
            f.name: _dump(getattr(self, f.name))
            for f in dataclasses.fields(_dc(self))
            if not (f.metadata.get(OPTIONAL_KEY) and getattr(self, f.name) == f.default)
        }

    @classmethod
    def from_json(cls, data: typing.Mapping[str, Any] | None) -> Self:
        """Read a row's JSON (tolerant of older rows: unknown keys ignored, missing ones defaulted)."""
        data = data or {}
        values: dict[str, Any] = {}
        for f in dataclasses.fields(_dc(cls)):
            if f.name in data:
                try:
                    values[f.name] = _load(_hints(_dc(cls))[f.name], data[f.name])
                except (TypeError, ValueError) as exc:
                    raise PayloadError(f"{cls.__name__}.{f.name}: {exc}") from None
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise PayloadError(f"{cls.__name__}: the row has no {f.name!r}")
        return cls(**values)

    def but(self, **changes: Any) -> Self:
        """A copy with some fields changed (an update in place carries the original plus what happened)."""
        return typing.cast(Self, dataclasses.replace(_dc(self), **changes))


def _dc(value: Any) -> Any:
    """Every subclass is a dataclass (made so in `__init_subclass__`), which mypy cannot see through `Self`."""
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _dump(value: Any) -> Any:
    if isinstance(value, NoticePayload):
        return value.to_json()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):  # datetime is a date too: both as ISO text
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _dump(v) for k, v in value.items()}
    return value


def _load(hint: Any, value: Any) -> Any:
    """`value` from JSON as the type `hint` says (only the types payloads use)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _load(inner[0], value) if len(inner) == 1 else value
    if value is None:
        return None  # older rows wrote null where a field now has a value: kept, renderers check
    if hint is Any:
        return value
    if origin is tuple:
        item = args[0] if args else Any
        return tuple(_load(item, v) for v in value)
    if origin is list:
        item = args[0] if args else Any
        return [_load(item, v) for v in value]
    if origin is dict or hint is dict:
        return dict(value)
    if hint is datetime:
        return value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if hint is date:
        return value if isinstance(value, date) else date.fromisoformat(value)
    if isinstance(hint, type) and issubclass(hint, NoticePayload):
        return hint.from_json(value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if hint is bool:
        return bool(value)
    if hint is int:
        return int(value)
    if hint is float:
        return float(value)
    if hint is str:
        return str(value)
    return value
