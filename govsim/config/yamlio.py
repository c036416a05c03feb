"""Reading scenario YAML safely, and the rule that scenario files are data, never code.

* A file must be UTF-8 text of at most MAX_FILE_BYTES; its YAML may not repeat a key, nest
  deeper than Python's recursion allows, or expand its aliases to more than MAX_NODES nodes
  (the "billion laughs" document), and an alias may not contain itself.
* :func:`check_data` refuses what would make Hydra or OmegaConf run code or read the
  environment: a top-level ``hydra`` key, ``_target_`` (and Hydra's other instantiation keys)
  at any depth, and resolver interpolations such as ``${oc.env:HOME}`` in any string. Plain
  references to other config values (``${name}``) stay allowed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from govsim.config.errors import ScenarioError, one_line, shorten, shown

MAX_FILE_BYTES = 10_000_000
MAX_NODES = 100_000  # YAML nodes after alias expansion; a full scenario has a few hundred
INSTANTIATE_KEYS = ("_target_", "_args_", "_partial_", "_recursive_", "_convert_")
_RESOLVER = re.compile(r"\$\{[^}$]*:")  # ${name:...}: a resolver call, not a plain reference
_MERGE = "tag:yaml.org,2002:merge"


class NotYaml(ScenarioError):
    """The text is not YAML at all (as opposed to YAML that breaks one of the limits)."""


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key written twice in one mapping."""

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE:
                key, line = self.construct_object(key_node), key_node.start_mark.line + 1
                if key in seen:
                    raise ScenarioError(f"key {shown(key)} is written twice: on line {seen[key]} and again on line "
                                        f"{line}. Fix: keep one of them")
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


def read_text(path: Path) -> str:
    """The UTF-8 text of ``path``, or a ScenarioError saying why it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(f"{path} has {size} bytes, more than a scenario file may ({MAX_FILE_BYTES}). "
                                "Fix: give the right file")
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path} is not UTF-8 text (byte {exc.start} is {raw[exc.start:exc.start + 1]!r}). "
                            "Fix: save it as UTF-8 (a scenario file is YAML text)") from None


def load_yaml(text: str, source: str) -> Any:
    """Parse YAML ``text`` (named ``source`` in errors) with the limits of this module."""
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node)
        return loader.construct_document(node)
    except ScenarioError as exc:
        raise ScenarioError(f"{source}: {exc}") from None
    except yaml.YAMLError as exc:
        raise NotYaml(f"{source} is not valid YAML: {shorten(one_line(str(exc)), 300)}") from None
    except RecursionError:
        raise ScenarioError(f"{source} is nested too deeply to be a scenario. Fix: give the right file") from None
    finally:
        if loader is not None:
            loader.dispose()


def _check_size(root: yaml.Node) -> None:
    """Refuse a node graph whose aliases expand past MAX_NODES nodes, or that contains itself."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ScenarioError("an alias contains itself (a recursive anchor). Fix: remove the loop")
        active.add(key)
        children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else (
            node.value if isinstance(node, yaml.SequenceNode) else [])
        total = 1 + sum(size(child) for child in children)
        active.discard(key)
        if total > MAX_NODES:
            raise ScenarioError(f"its aliases (*name) expand to more than {MAX_NODES} values, far more "
                                "than any scenario. Fix: write the values out, or alias less")
        sizes[key] = total
        return total

    size(root)


def check_data(data: Any, source: str) -> None:
    """Refuse settings that would run code or read the environment (see the module docstring)."""
    if isinstance(data, dict) and "hydra" in data:
        raise ScenarioError(f"{source}: a 'hydra' section is not allowed in a scenario or config-group file (it "
                            "configures Hydra, which can run code). Fix: give hydra.* options on the command line")
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                path = f"{where}.{key}" if where else str(key)
                if key in INSTANTIATE_KEYS:
                    raise ScenarioError(f"{source}: {shorten(path, 100)}: {key!r} is not allowed (Hydra would call "
                                        "code). Fix: scenario files hold data only; remove it")
                stack.append((path, value))
        elif isinstance(node, (list, tuple)):
            stack.extend((f"{where}.{i}", value) for i, value in enumerate(node))
        elif isinstance(node, str) and _RESOLVER.search(node):
            raise ScenarioError(f"{source}: {shorten(where, 100) or 'value'} = {shown(node)}: resolver "
                                "interpolations (${oc.env:...} and the like) are not allowed, scenarios do not read "
                                "the environment. Fix: write the value itself (plain references like ${name} work)")
