"""The one reader for every YAML and JSON document a user hands wfm (scenarios, their
`extends` parents, the app's uploads, plans and drills), and `ScenarioError`, the one-line
error it and every check after it raise.

A hostile file must cost no more than a large real one: the reader refuses, in one line
naming the file and the cap, a file over a size cap, YAML whose aliases expand to too many
nodes (a "billion laughs" bomb of a dozen lines), and nesting deeper than `MAX_DEPTH` (which
would otherwise end in a RecursionError traceback).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import yaml

# The largest bundled scenario is 15 kB and 1,532 YAML nodes. Pure-Python PyYAML composes
# about 40,000 nodes a second, so these caps (over 100 times a real scenario) still let a
# refused file be refused in seconds, where a 10^6-item list took half a minute.
YAML_MAX_BYTES = 2 * 2**20
YAML_MAX_NODES = 200_000
# Plans and drills are wfm's own JSON (the bundled week plan is 0.2 MB, a big one 2.2 MB);
# `json` parses in C at well over 50 MB a second, so the cap only stops a runaway file.
JSON_MAX_BYTES = 64 * 2**20
# wfm's documents nest about six levels deep; Python's own recursion limit is 1,000.
MAX_DEPTH = 100


class ScenarioError(ValueError):
    """A user mistake in a scenario; ``str()`` is the single line to show them.

    Formatted as ``FILE: FIELD.PATH: what was expected, got what``.
    """

    def __init__(self, file: str, path: str, message: str) -> None:
        self.file, self.path, self.message = file, path, message
        super().__init__(": ".join(part for part in (file, path, message) if part))


def read_text(path: Path, max_bytes: int) -> str:
    """The UTF-8 text of `path`, or `ScenarioError` when it holds more than `max_bytes`.
    Reads at most one byte over the cap, so a huge or endless file (a device, a pipe) is
    refused without being read; `OSError` and `UnicodeDecodeError` are the caller's to word."""
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    _check_size(len(data), max_bytes, str(path))
    return data.decode("utf-8")


def parse_yaml(text: str, file: str) -> Any:
    """The YAML document in `text` (None when empty), or a one-line `ScenarioError`: for
    invalid YAML, a key given twice, or a document over the caps."""
    _check_size(len(text), YAML_MAX_BYTES, file)
    loader = _Loader(text, file)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ScenarioError(file, "", f"invalid YAML at {where}{problem}") from None
    finally:
        loader.dispose()


def parse_json(text: str, file: str) -> Any:
    """The JSON document in `text`, or a one-line `ScenarioError` when it is over the caps
    or holds a number that is not finite; `json.JSONDecodeError` when it is not JSON."""
    _check_size(len(text), JSON_MAX_BYTES, file)
    try:
        document = json.loads(text)
    except RecursionError:
        raise ScenarioError(file, "", _too_deep()) from None
    # json.loads stops recursing only at Python's limit, and reads NaN, Infinity and 1e999
    # (which wfm never writes: its JSON is written with allow_nan=False).
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise ScenarioError(file, "", _too_deep())
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
        elif isinstance(value, float) and not math.isfinite(value):
            raise ScenarioError(file, "", f"holds the number {value}, expected a finite one")
    return document


def _check_size(size: int, max_bytes: int, file: str) -> None:
    if size > max_bytes:
        raise ScenarioError(
            file, "", f"larger than {max_bytes / 2**20:g} MB, the most wfm reads in one file"
        )


def _too_deep(line: int | None = None) -> str:
    where = f" at line {line}" if line is not None else ""
    return f"nested more than {MAX_DEPTH} levels deep{where}"


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (YAML would keep the
    last one silently) and a document over the caps. Merge keys (``<<: *anchor``) may still
    be overridden.

    An alias costs nothing to compose (it is the anchored node again), but everything after
    reads it as the whole subtree it repeats; so each node's size and height are counted with
    its aliases expanded, as soon as it is composed, before anything expands them.
    """

    def __init__(self, text: str, file: str) -> None:
        super().__init__(text)
        self.file = file
        self._depth = 0
        # id(node) -> (nodes, levels) it stands for, aliases expanded; set once it is complete.
        self._extent: dict[int, tuple[int, int]] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            node = super().compose_node(parent, index)
            if id(node) not in self._extent:
                raise ScenarioError(
                    self.file, "", f"line {mark.line + 1}: an alias inside the node it names"
                )
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise ScenarioError(self.file, "", _too_deep(self.peek_event().start_mark.line + 1))
        node = super().compose_node(parent, index)
        self._depth -= 1
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        else:
            children = node.value if isinstance(node, yaml.SequenceNode) else []
        extents = [self._extent[id(child)] for child in children]
        size = 1 + sum(nodes for nodes, _ in extents)
        height = 1 + max((levels for _, levels in extents), default=0)
        if size > YAML_MAX_NODES:
            raise ScenarioError(
                self.file, "", f"more than {YAML_MAX_NODES:,} nodes with aliases expanded "
                f"(a YAML bomb?), from line {node.start_mark.line + 1}",
            )  # fmt: skip
        if height > MAX_DEPTH:
            raise ScenarioError(self.file, "", _too_deep(node.start_mark.line + 1))
        self._extent[id(node)] = (size, height)
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a list or mapping cannot be a key", key_node.start_mark
                ) from None
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
        return super().construct_mapping(node, deep=deep)
