"""YAML through a SafeLoader that refuses alias bombs, runaway nesting and duplicate keys.

Kept apart from ``files`` so that PyYAML is imported only when a YAML file is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from hacalc.core.errors import InputError
from hacalc.scenario.files import MAX_DEPTH, FieldPath, too_deep

MAX_YAML_ANCHORS = 1_000
MAX_YAML_ALIASES = 10_000
MAX_YAML_NODES = 4_000_000  # counted with every alias expanded: a billion-laughs file stops here


class LimitedSafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses alias bombs, runaway nesting and duplicate keys before building any data."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._weights: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _YamlLimit(f"the file nests deeper than {MAX_DEPTH} levels", self.peek_event().start_mark, fix="a scenario needs only a few levels")
        if self.check_event(yaml.AliasEvent):
            self._check_alias(self.peek_event())
        elif self.peek_event().anchor is not None and len(self.anchors) >= MAX_YAML_ANCHORS:
            raise _YamlLimit(f"the file defines more than {MAX_YAML_ANCHORS} anchors", self.peek_event().start_mark)
        node = super().compose_node(parent, index)
        self._weigh(node)
        self._depth -= 1
        return node

    def _check_alias(self, event: Any) -> None:
        self._aliases += 1
        if self._aliases > MAX_YAML_ALIASES:
            raise _YamlLimit(f"the file uses more than {MAX_YAML_ALIASES} aliases", event.start_mark)
        target = self.anchors.get(event.anchor)
        if target is not None and id(target) not in self._weights:
            raise _YamlLimit(f"alias *{event.anchor} refers to itself", event.start_mark)

    def _weigh(self, node: Any) -> None:
        """Size of ``node`` with every alias expanded; memoised, so a shared node is weighed once."""
        if id(node) in self._weights:
            return
        if isinstance(node, yaml.MappingNode):
            weight = 1 + sum(self._weights[id(key)] + self._weights[id(value)] for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            weight = 1 + sum(self._weights[id(item)] for item in node.value)
        else:
            weight = 1
        if weight > MAX_YAML_NODES:
            raise _YamlLimit(f"aliases expand the file to more than {MAX_YAML_NODES:,} values", node.start_mark)
        self._weights[id(node)] = weight

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        keys: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str) and key in keys and key != "<<":
                raise _YamlLimit(f"duplicate key {key!r}", key_node.start_mark, fix="give each key once")
            keys.add(key if isinstance(key, str) else id(key_node))
        return super().construct_mapping(node, deep=deep)


class _YamlLimit(Exception):
    def __init__(self, what: str, mark: Any, fix: str = "write the data out without anchors, aliases or deep nesting") -> None:
        super().__init__(what)
        self.what = what
        self.mark = mark
        self.fix = fix


def parse_yaml(text: str, name: str) -> Any:
    loader = LimitedSafeLoader(text)
    try:
        return loader.get_single_data()
    except _YamlLimit as error:
        raise InputError(error.what, f"in {name} line {error.mark.line + 1}", error.fix) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"in {name}" + (f" line {mark.line + 1}" if mark else "")
        raise InputError(f"cannot read YAML: {error.problem or error.context}", where, "fix the YAML syntax") from None
    except yaml.YAMLError as error:
        raise InputError(f"cannot read YAML: {error}", f"in {name}", "fix the YAML syntax") from None
    except RecursionError:
        raise too_deep(name) from None
    finally:
        loader.dispose()


def yaml_lines(text: str) -> dict[FieldPath, int]:
    lines: dict[FieldPath, int] = {}
    for path, line in _yaml_node_lines((), yaml.compose(text, Loader=LimitedSafeLoader)):
        lines.setdefault(path, line)
    return lines


def _yaml_node_lines(path: FieldPath, node: Any) -> Iterator[tuple[FieldPath, int]]:
    """The line of each mapping key and sequence item below ``node``."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                yield (*path, key.value), key.start_mark.line + 1
                yield from _yaml_node_lines((*path, key.value), value)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield (*path, index), item.start_mark.line + 1
            yield from _yaml_node_lines((*path, index), item)
