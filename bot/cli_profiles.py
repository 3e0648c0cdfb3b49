"""`coregroup profiles`: the packaged procedure profiles, and each effective rule with its value and source."""

from __future__ import annotations

import sys
from typing import Any

import yaml

from bot.policy import PolicyError, available_profiles, load_policy, profile_extends, sourced_rules


def add_commands(sub: Any) -> None:
    """Register `profiles` and `profiles show NAME [--organisation FILE]` on the CLI's subparsers."""
    profiles = sub.add_parser(
        "profiles",
        help="list the procedure profiles; `profiles show NAME` prints each rule "
        "with its value and where it comes from",
    )
    profiles.set_defaults(handler=_list)
    actions = profiles.add_subparsers(metavar="action")
    show = actions.add_parser("show", help="each effective rule of a profile, its value and its source")
    show.add_argument("name")
    show.add_argument(
        "--organisation",
        metavar="FILE",
        help="include this organisation file's `policy` overrides (source: organisation file: NAME)",
    )
    show.set_defaults(handler=_show)


def _list(args, settings) -> int:
    for name in available_profiles():
        policy = load_policy(name)
        parent = profile_extends(name)
        kind = f"local procedure, on top of {parent}" if parent and not parent.startswith("_") else "nation default"
        print(f"{name:<18} {kind}; bank holidays of {policy.nation}")
    return 0


def _show(args, settings) -> int:
    overrides, organisation = None, "organisation file"
    if args.organisation:
        from bot.orgfile import load_organisation_file

        spec = load_organisation_file(args.organisation).organisation
        if spec.profile != args.name:
            print(
                f"{args.organisation} uses profile {spec.profile!r}, not {args.name!r}: show {spec.profile!r} with "
                "it, or leave --organisation out.",
                file=sys.stderr,
            )
            return 2
        overrides, organisation = dict(spec.policy_overrides), spec.name
    try:
        rules = sourced_rules(args.name, overrides=overrides, organisation=organisation)
    except PolicyError as error:
        print(str(error), file=sys.stderr)
        return 2
    heading = f"Profile {args.name}" + (f" with the overrides of {organisation}" if overrides else "")
    print(heading + ": each rule, its value, and where it comes from.")
    for rule in rules:
        print(f"{rule.setting}: {_value(rule.value)}\n    source: {rule.source}")
    return 0


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return (
        yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000)
        .strip()
        .removesuffix("...")
        .strip()
    )
