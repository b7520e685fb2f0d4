"""Writing YAML that our loader (YAML 1.2 core schema, lms.core.packages.yamlio) reads back as written: text that
YAML would read as another type (true, 1.5, 0o17, null, and what YAML 1.1 readers take as numbers or booleans) is
quoted, keys keep their order, and long text stays on one line per paragraph."""

from __future__ import annotations

from typing import Any

import yaml

from lms.core.packages.yamlio import parse_yaml


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    node, problems = parse_yaml(f"v: {value}", "-") if value and value == value.strip() else (None, [1])
    plain = not problems and node is not None and node.value["v"].value == value
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=None if plain else '"')


_Dumper.add_representer(str, _text)


def dump_yaml(data: Any, header: str = "") -> str:
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000, indent=2,
                     default_flow_style=False)
    return header + text
