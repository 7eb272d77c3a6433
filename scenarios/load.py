"""Reading scenario files, with one-line errors that name the file, the field and the problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from scenarios.safe_read import YAML_MAX_BYTES, ScenarioError, parse_yaml, read_text
from scenarios.schema import DISTRIBUTION_KINDS, FieldProblem, Scenario

Model = TypeVar("Model", bound=BaseModel)


def load(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file; raise `ScenarioError` on any problem.

    A file may begin from another: ``extends: base.yaml`` (a path relative to the file) takes
    every top-level field of the base scenario, which must be valid on its own, and the file's
    own fields replace or add to them (a drill adds its `incidents` to a normal week).
    """
    return from_dict(_read(Path(path), ()), str(path))


def read_mapping(path: str | Path) -> dict[str, Any]:
    """The scenario mapping of a YAML file with its `extends` chain resolved, not yet
    validated (`from_dict` does that); `ScenarioError` when it cannot be read."""
    data = _read(Path(path), ())
    if not isinstance(data, dict):
        raise ScenarioError(
            str(path), "", f"expected a mapping of scenario fields, got {_kind(data)}"
        )
    return data


def parse_mapping(text: str, file: str = "<text>") -> dict[str, Any]:
    """The scenario mapping of YAML text (an upload, say), not yet validated. Such a text has
    no folder, so it cannot `extends` another file."""
    data = _yaml(text, file)
    if not isinstance(data, dict):
        raise ScenarioError(file, "", f"expected a mapping of scenario fields, got {_kind(data)}")
    if "extends" in data:
        raise ScenarioError(file, "extends", "a text without a folder cannot extend a file: "
                            "give the whole scenario")  # fmt: skip
    return data


def read_yaml(path: Path, what: str = "scenario") -> Any:
    """The YAML document of the file at `path` (a `what` file: a scenario, a capacity file),
    read within the caps (`scenarios.safe_read`); `ScenarioError` (one line) when it cannot be
    read or is not YAML."""
    file = str(path)
    try:
        text = read_text(path, YAML_MAX_BYTES)
    except FileNotFoundError:
        raise ScenarioError(file, "", "file not found") from None
    except IsADirectoryError:
        raise ScenarioError(file, "", f"is a directory, expected a {what} YAML file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(file, "", f"cannot read: {err}") from None
    return _yaml(text, file, what)


def _read(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    """The scenario mapping of `path` with its `extends` chain resolved."""
    file = str(path)
    data = read_yaml(path)
    if not isinstance(data, dict) or "extends" not in data:
        return data
    base = data.pop("extends")
    if not isinstance(base, str) or not base:
        raise ScenarioError(file, "extends", f"expected the path of a scenario file, got {base!r}")
    base_path = path.parent / base
    if base_path.resolve() in chain or base_path.resolve() == path.resolve():
        raise ScenarioError(file, "extends", f"{base} extends this file again (a loop)")
    base_data = _read(base_path, (*chain, path.resolve()))
    from_dict(base_data, str(base_path))  # the base must hold on its own
    return {**base_data, **data}


def parse(text: str, file: str = "<text>") -> Scenario:
    """Validate scenario YAML given as text; `file` is only used in error messages."""
    return from_dict(_yaml(text, file), file)


def _yaml(text: str, file: str, what: str = "scenario") -> Any:
    """The YAML document in `text`, or a one-line `ScenarioError`."""
    data = parse_yaml(text, file)
    if data is None:
        raise ScenarioError(file, "", f"file is empty, expected a {what}")
    return data


def from_dict(data: Any, file: str = "<scenario>") -> Scenario:
    """Validate an already-parsed scenario mapping."""
    return validated(Scenario, data, file, "scenario")


def validated(model: type[Model], data: Any, file: str, what: str) -> Model:
    """`data` validated as `model` (a scenario's, or another wfm file's, e.g. a capacity
    file); its first problem as a one-line `ScenarioError` naming `file` and the field."""
    if not isinstance(data, dict):
        raise ScenarioError(file, "", f"expected a mapping of {what} fields, got {_kind(data)}")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise _first_problem(err, file) from None


def _first_problem(err: ValidationError, file: str) -> ScenarioError:
    errors = err.errors()
    first = errors[0]
    loc = _strip_union_tags(first["loc"])
    path = _format_loc(loc)
    if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
        path = _join(path, first["ctx"]["discriminator"].strip("'"))
    problem = first.get("ctx", {}).get("error")
    if isinstance(problem, FieldProblem):
        path = _join(path, problem.path)
        message = problem.message
    else:
        message = _describe(first)
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return ScenarioError(file, path, message)


def _strip_union_tags(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    # pydantic puts the chosen member of a tagged union into the location; users never wrote it.
    return tuple(part for part in loc if part not in DISTRIBUTION_KINDS)


def _format_loc(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        path = _join(path, f"[{part}]" if isinstance(part, int) else str(part))
    return path


def _join(path: str, more: str) -> str:
    if not more:
        return path
    if not path or more.startswith("["):
        return path + more
    return f"{path}.{more}"


def _describe(error: dict[str, Any]) -> str:
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    got = f", got {value!r}"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required field is missing"
    for key, sign in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
        if key in ctx and kind.startswith(("greater_than", "less_than")):
            return f"must be {sign} {ctx[key]:g}{got}"
    if kind == "literal_error":
        return f"expected one of {ctx['expected']}{got}"
    if kind == "union_tag_invalid":
        return f"expected one of {ctx['expected_tags']}, got {ctx['tag']!r}"
    if kind == "union_tag_not_found":
        return "required field is missing"
    if kind in ("too_short", "too_long"):
        bound = f"at least {ctx['min_length']}" if kind == "too_short" else (
            f"at most {ctx['max_length']}")  # fmt: skip
        return f"expected {bound} items, got {ctx['actual_length']}"
    if kind == "string_type" and isinstance(value, int) and _is_clock_field(error["loc"]):
        # YAML 1.1 reads an unquoted 18:00 as the base-60 number 1080.
        return f'expected a clock time in quotes, e.g. "18:00", got the number {value}'
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of fields, got {_kind(value)}"
    if kind == "list_type":
        return f"expected a list, got {_kind(value)}"
    return f"{error['msg'][0].lower()}{error['msg'][1:]}{got}"


def _is_clock_field(loc: tuple[Any, ...]) -> bool:
    return bool(loc) and (loc[-1] in ("start", "end", "time") or "start_between" in loc)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return f"the text {value!r}"
    return repr(value)
