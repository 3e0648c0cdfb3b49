"""YAML as an admin writes it, read defensively: bounded size and depth, no aliases, no duplicate keys.

PyYAML's safe loader still expands aliases (a few hundred bytes become gigabytes), keeps the last of two
equal keys without a word, and raises ValueError for a well-formed but impossible date (`2027-02-30`).
This loader refuses the first two with a line number and hands impossible dates and oversized integers
back as text, so the validator names the field. Nothing here raises anything but ConfigError.
"""

from __future__ import annotations

import reprlib
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from bot.errors import ConfigError

MAX_BYTES = 2 * 1024 * 1024  # an organisation with a thousand cases is about 300 KB
MAX_DEPTH = 20  # the organisation file nests four levels; policy overrides a few more
MAX_VALUES = 100_000  # about 25 per case: room for 4,000 cases, and loading takes about a second
EXCERPT_CHARS = 40

_repr = reprlib.Repr()
_repr.maxlevel, _repr.maxdict, _repr.maxlist, _repr.maxstring, _repr.maxother = 2, 3, 3, EXCERPT_CHARS, EXCERPT_CHARS


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> str:
    """A short, printable rendering of a bad value for an error message (never the whole of it)."""
    text = value if isinstance(value, str) else _repr.repr(value)
    short = text[:limit] + ("…" if len(text) > limit else "")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in short)


# libyaml when it is installed (about ten times faster); the checks are the same either way.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refused(problem: str, event: yaml.Event) -> ComposerError:
    """A refusal at the event's place in the text."""
    # The stubs let an event carry libyaml's Mark but an error only PyYAML's; PyYAML itself raises errors with either.
    return ComposerError(None, None, problem, event.start_mark)  # type: ignore[arg-type]


def _check_events(text: str) -> None:
    """Refuse anchors and aliases, deep nesting and too many values, while streaming: before any node is built."""
    depth = nodes = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _refused("anchors and aliases (&name, *name) are not allowed", event)
        if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
            nodes += 1
            if nodes > MAX_VALUES:
                raise _refused(f"more than {MAX_VALUES} values", event)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _refused(f"nested more than {MAX_DEPTH} levels deep", event)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


class _StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A safe loader that refuses merge keys and duplicate keys, and keeps impossible dates as text."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, IndexError):
            # An explicit tag on a value it does not fit (`!!int abc`, `!!bool maybe`).
            raise ConstructorError(
                None, None, f"cannot read this value as {excerpt(node.tag)}", node.start_mark
            ) from None

    def construct_mapping(self, node: Any, deep: bool = False) -> dict:
        if isinstance(node, yaml.MappingNode):
            seen: set = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise ConstructorError(None, None, "merge keys (<<) are not allowed", key_node.start_mark)
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:
                    raise ConstructorError(None, None, "a key must be a single value", key_node.start_mark) from None
                if duplicate:
                    raise ConstructorError(None, None, f"duplicate key '{excerpt(key)}'", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep)

    def construct_yaml_timestamp(self, node: Any) -> Any:
        # `2027-02-30` looks like a date but is not one: keep the text so the validator can say where it is.
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError, AttributeError):
            return self.construct_scalar(node)

    def construct_yaml_int(self, node: Any) -> Any:
        # More digits than Python converts by default: keep the text, the validator refuses it by range.
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            return self.construct_scalar(node)


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)


def load_yaml_file(path: str | Path) -> Any:
    """The single YAML document in the file at `path`, read within the limits above."""
    path = Path(path)
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot be read ({exc.__class__.__name__})"]) from None
    if len(raw) > MAX_BYTES:
        size = f"{MAX_BYTES // (1024 * 1024)} MiB"
        raise ConfigError([f"{path}: larger than {size}; an organisation file is far smaller"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError([f"{path}: cannot be read (not UTF-8 text)"]) from None
    return load_yaml_text(text, source=str(path))


def load_yaml_text(text: str, *, source: str = "<text>") -> Any:
    """The single YAML document in `text`, read within the limits above."""
    try:
        _check_events(text)
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None)
        because = f": {excerpt(problem, 80)}" if problem else ""
        raise ConfigError([f"{source}: not valid YAML{where}{because}"]) from None
