"""YAML through a SafeLoader that reads the YAML 1.2 core schema and refuses alias bombs, runaway nesting,
over-long numbers and duplicate keys.

The 1.2 core schema is what TOML and JSON users expect of a scalar: ``true``/``false`` are booleans but
``yes``, ``no``, ``on`` and ``off`` are strings; ``1e3`` is a number. Integers are written as in JSON
(``12``, ``-3``): forms that YAML versions read differently, ``1:30`` (base 60 in 1.1), ``010`` (octal in
1.1), ``0x10``, ``0o17`` and ``1_000``, are strings, as are dates such as ``2024-01-31``. A field that
needs a number or a boolean then refuses such a string with its path, so nothing is misread silently. Merge keys (``<<: *defaults``) are
read as YAML specifies: keys the mapping sets itself win, then the merged mappings in the order given.

Kept apart from ``files`` so that PyYAML is imported only when a YAML file is read.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from functools import cached_property
from typing import Any

import yaml

from hacalc.core.errors import InputError
from hacalc.core.text import visible
from hacalc.i18n import _
from hacalc.readers.files import (
    MAX_DEPTH,
    MAX_NUMBER_DIGITS,
    FieldPath,
    FormatError,
    LiteralFloat,
    in_file,
    number_too_long,
    quoted,
    too_deep,
)

MAX_YAML_ANCHORS = 1_000
MAX_YAML_ALIASES = 10_000
MAX_YAML_NODES = 4_000_000  # counted with every alias expanded: a billion-laughs file stops here

MERGE_TAG = "tag:yaml.org,2002:merge"
_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_BOOL = re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(  # the core schema's floats, less the bare digits it reads as integers (012 stays a string)
    r"(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z"
)
_MERGE = re.compile(r"<<\Z")


class CoreSchemaResolver(yaml.resolver.BaseResolver):
    """Plain scalars resolved by the YAML 1.2 core schema, plus ``<<`` merge keys."""


for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", _BOOL, list("tTfF")),
    ("tag:yaml.org,2002:int", _INT, list("-+0123456789")),  # before float: 12 is an integer, 012 a string
    ("tag:yaml.org,2002:float", _FLOAT, list("-+.0123456789")),
    (MERGE_TAG, _MERGE, ["<"]),
):
    CoreSchemaResolver.add_implicit_resolver(_tag, _pattern, _first)


class LimitedSafeLoader(
    yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, yaml.constructor.SafeConstructor, CoreSchemaResolver
):
    """SafeLoader on the core schema that refuses alias bombs, runaway nesting and duplicate keys before building any data."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        CoreSchemaResolver.__init__(self)
        self._depth = 0
        self._aliases = 0
        self._weights: dict[int, int] = {}
        self._own_keys: dict[int, list[Any]] = {}  # mappings with merge keys: the pairs they set themselves

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        nests = isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent))
        if nests:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _limit(too_deep(""), event.start_mark)
        if isinstance(event, yaml.AliasEvent):
            self._check_alias(event)
        elif event.anchor is not None and len(self.anchors) >= MAX_YAML_ANCHORS:
            raise _YamlLimit(_("the file defines more than {most} anchors").format(most=MAX_YAML_ANCHORS), event.start_mark)
        node = super().compose_node(parent, index)
        self._weigh(node)
        if nests:
            self._depth -= 1
        if isinstance(node, yaml.MappingNode) and any(key.tag == MERGE_TAG for key, _ in node.value):
            self._own_keys[id(node)] = [pair for pair in node.value if pair[0].tag != MERGE_TAG]
        return node

    def _check_alias(self, event: Any) -> None:
        self._aliases += 1
        if self._aliases > MAX_YAML_ALIASES:
            raise _YamlLimit(_("the file uses more than {most} aliases").format(most=MAX_YAML_ALIASES), event.start_mark)
        target = self.anchors.get(event.anchor)
        if target is not None and id(target) not in self._weights:
            raise _YamlLimit(_("alias *{anchor} refers to itself").format(anchor=visible(event.anchor)), event.start_mark)

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
            raise _YamlLimit(_("aliases expand the file to more than {most:,} values").format(most=MAX_YAML_NODES), node.start_mark)
        self._weights[id(node)] = weight

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        """Refuse a key the mapping sets twice itself; a merged key it also sets is no duplicate (its own wins)."""
        seen: set[Any] = set()
        for key_node, _value in self._own_keys.get(id(node), node.value):
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Hashable):
                if key in seen:
                    raise _YamlLimit(_("duplicate key {key}").format(key=quoted(key)), key_node.start_mark, fix=_("give each key once"))
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: Any) -> int:
        text = self.construct_scalar(node)
        if not _INT.match(text):
            raise yaml.constructor.ConstructorError(None, None, _("{text} is not an integer written as in JSON").format(text=quoted(text)), node.start_mark)
        if len(text.lstrip("+-")) > MAX_NUMBER_DIGITS:
            raise _limit(number_too_long(""), node.start_mark)
        return int(text)

    def construct_yaml_float(self, node: Any) -> LiteralFloat:
        text = self.construct_scalar(node)
        if not _FLOAT.match(text):
            raise yaml.constructor.ConstructorError(None, None, _("{text} is not a number").format(text=quoted(text)), node.start_mark)
        if len(text.lstrip("+-")) > MAX_NUMBER_DIGITS:
            raise _limit(number_too_long(""), node.start_mark)
        special = text.lstrip("+-").lower()
        if special in (".inf", ".nan"):
            return LiteralFloat(text, float(text.replace(".", "")))
        return LiteralFloat(text)


LimitedSafeLoader.add_constructor("tag:yaml.org,2002:int", LimitedSafeLoader.construct_yaml_int)
LimitedSafeLoader.add_constructor("tag:yaml.org,2002:float", LimitedSafeLoader.construct_yaml_float)


class _YamlLimit(Exception):
    def __init__(self, what: str, mark: Any, fix: str | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.mark = mark
        self.fix = _("write the data out without anchors, aliases or deep nesting") if fix is None else fix


def _limit(error: InputError, mark: Any) -> _YamlLimit:
    """A limit shared with the other formats, raised where PyYAML's mark can still give its line."""
    return _YamlLimit(error.what, mark, error.fix or "")


def parse_yaml(text: str, name: str) -> Any:
    loader = None
    try:
        loader = LimitedSafeLoader(text)
        return loader.get_single_data()
    except _YamlLimit as error:
        raise InputError(error.what, in_file(name, error.mark.line + 1), error.fix) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        if isinstance(error.character, int):
            what = _("cannot read YAML: the character {character!r} is not allowed anywhere in YAML, comments included").format(character=chr(error.character))
        else:
            what = _("cannot read YAML: {reason}").format(reason=visible(str(error.reason)))
        raise FormatError(what, in_file(name, line), _("remove it, or write it as an escape in a double-quoted string")) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = visible(str(error.problem or error.context))
        raise FormatError(_("cannot read YAML: {reason}").format(reason=reason), in_file(name, mark.line + 1 if mark else None), _("fix the YAML syntax")) from None
    except yaml.YAMLError as error:
        raise FormatError(_("cannot read YAML: {reason}").format(reason=visible(str(error))), in_file(name), _("fix the YAML syntax")) from None
    except RecursionError:
        raise too_deep(in_file(name)) from None
    finally:
        if loader is not None:
            loader.dispose()


class YamlLocator:
    """Lines of fields, found by following a path through the composed (not constructed) nodes.

    A field written in an anchored mapping, and reached through an alias or a merge key, is at the
    line where the anchor writes it.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def _root(self) -> Any:
        return yaml.compose(self.text, Loader=LimitedSafeLoader)

    def __call__(self, text: str, path: FieldPath) -> int | None:
        """The line of ``path``, or of the deepest field on the way to it that the file has."""
        node, line = self._root, None
        for part in path:
            found = _child(node, part)
            if found is None:
                break
            node, line = found
        return line


def _child(node: Any, part: Any) -> tuple[Any, int] | None:
    if isinstance(node, yaml.SequenceNode):
        if isinstance(part, int) and 0 <= part < len(node.value):
            item = node.value[part]
            return item, item.start_mark.line + 1
        return None
    if not isinstance(node, yaml.MappingNode):
        return None
    wanted = str(part)
    pending, seen = [node], set()
    while pending:  # the mapping's own keys first, then each merged mapping in order, depth first
        mapping = pending.pop()
        if id(mapping) in seen or not isinstance(mapping, yaml.MappingNode):
            continue
        seen.add(id(mapping))
        merged = []
        for key, value in mapping.value:
            if key.tag == MERGE_TAG:
                merged.extend(value.value if isinstance(value, yaml.SequenceNode) else [value])
            elif isinstance(key, yaml.ScalarNode) and key.value == wanted:
                return value, key.start_mark.line + 1
        pending.extend(reversed(merged))
    return None
