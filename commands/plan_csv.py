"""Read a spreadsheet-kept plan: one CSV row per action, role holders in a ``people.csv`` beside it.

The plan's own details are ``# key: value`` lines above the header, so a sheet saved as CSV
carries them in its first rows. ``docs/plan-format.md`` shows an example.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from commands.plan_spec import Problems, RawItem, RawPlan, RawScheme, RawTheme
from commands.rag_scheme import COLOUR_FIELDS

ACTION_COLUMNS = ("id", "title", "owner", "joint_lead", "sro", "due", "priority", "cadence", "measures", "objective")
THEME_COLUMNS = ("theme_code", "theme_name", "theme_sro")
REQUIRED_COLUMNS = ("theme_code", "id", "title", "owner", "due")
PEOPLE_COLUMNS = ("name", "email", "roles", "admin")
SCHEME_COLUMNS = COLOUR_FIELDS
SCHEME_KEYS = ("rag_scheme", "rag_order")
"""``# rag_scheme: rag-scheme.csv`` names the colour key's file beside the plan, one row per colour;
``# rag_order: R, Y, G, B`` gives their order, worst first."""
PLAN_KEYS = {
    "plan": "name",
    "short_name": "short_name",
    "period_start": "period.start",
    "period_end": "period.end",
    "financial_year_start": "financial_year_start",
}
LIST_SEPARATOR = ";"

_Row = tuple[int, dict[str, str]]


def read_csv_plan(path: Path, problems: Problems) -> RawPlan | None:
    """Read the actions file and its people file into the shape the checker shares with YAML."""
    rows = _rows(path, path.name, problems)
    if rows is None:
        return None
    metadata, lines = rows
    table = _table(lines, ACTION_COLUMNS + THEME_COLUMNS, REQUIRED_COLUMNS, "line", problems)
    people_name = metadata.pop("people", None) or "people.csv"
    people_rows = _rows(path.parent / people_name, people_name, problems)
    people_table = (
        _table(people_rows[1], PEOPLE_COLUMNS, ("email",), f"{people_name} line", problems) if people_rows else []
    )
    scheme = _scheme(path, metadata.pop("rag_scheme", None), metadata.pop("rag_order", None), problems)
    plan_fields: dict[str, Any] = {"period": {}}
    for key, value in metadata.items():
        target = PLAN_KEYS[key]
        if target.startswith("period."):
            plan_fields["period"][target.split(".")[1]] = value
        else:
            plan_fields[target] = value
    plan = RawItem("plan", plan_fields, {v: k for k, v in PLAN_KEYS.items()})
    people, admins = _people(people_table, people_name, problems)
    return RawPlan(plan, _themes(table, problems), people, admins, people_source=people_name, rag_scheme=scheme)


def _rows(
    path: Path, name: str, problems: Problems, lists: str = "role holders: " + ",".join(PEOPLE_COLUMNS)
) -> tuple[dict[str, str], list[tuple[int, list[str]]]] | None:
    """Split a CSV file into its ``# key: value`` details and its numbered rows; ``lists`` says
    what a missing file beside the plan should have held."""
    if not path.is_file():
        problems.file(f"{name} not found beside the plan file (it lists {lists})")
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.file(f'{name} is not UTF-8 text (save it as "CSV UTF-8")')
        return None
    metadata: dict[str, str] = {}
    lines: list[tuple[int, list[str]]] = []
    reader = csv.reader(text.splitlines())
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if cells[0].lstrip().startswith("#"):
            comment = ",".join(cells).rstrip(", ").lstrip()[1:]
            key, sep, value = comment.partition(":")
            key = key.strip().lower().replace(" ", "_")
            if sep and (key in PLAN_KEYS or key == "people" or key in SCHEME_KEYS) and not lines:
                metadata[key] = value.strip()
            continue
        lines.append((reader.line_num, cells))
    return metadata, lines


def _table(
    lines: list[tuple[int, list[str]]],
    known: tuple[str, ...],
    required: tuple[str, ...],
    where: str,
    problems: Problems,
) -> list[_Row]:
    """Rows as mappings from header names; an unknown or missing column is a problem."""
    if not lines:
        problems.file(f"{where.removesuffix('line').strip() or 'the plan file'} has no header row")
        return []
    header_line, header = lines[0]
    columns = [cell.strip().lower().replace(" ", "_") for cell in header]
    for column in columns:
        if column and column not in known:
            problems.at(f"{where} {header_line}", column, f"not a known column (known: {', '.join(known)})")
    for column in required:
        if column not in columns:
            problems.file(f'{where} {header_line}: the header has no "{column}" column')
    rows: list[_Row] = []
    for number, cells in lines[1:]:
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
            problems.file(f"{where} {number}: more cells than the header has columns")
        values = {col: cell.strip() for col, cell in zip(columns, cells, strict=False) if col and cell.strip()}
        rows.append((number, values))
    return rows


def _themes(table: list[_Row], problems: Problems) -> tuple[RawTheme, ...]:
    """Group rows by theme code in order of first appearance; theme details may sit on any one row."""
    themes: dict[str, tuple[int, dict[str, str], list[RawItem]]] = {}
    for number, values in table:
        code = values.get("theme_code", "").upper()
        if not code:
            problems.at(f"line {number}", "theme_code", "missing")
            continue
        _, fields, actions = themes.setdefault(code, (number, {"code": code}, []))
        for column in ("theme_name", "theme_sro"):
            key = column.removeprefix("theme_")
            given = values.get(column)
            if given and fields.setdefault(key, given) != given:
                problems.at(
                    f"line {number}", column, f'"{given}" differs from "{fields[key]}" given for theme {code} earlier'
                )
        action: dict[str, str | list[str]] = {col: values[col] for col in ACTION_COLUMNS if col in values}
        if "measures" in action:
            action["measures"] = _split(values["measures"])
        actions.append(RawItem(f"line {number}", action))
    labels = {"code": "theme_code", "name": "theme_name", "sro": "theme_sro"}
    return tuple(
        RawTheme(RawItem(f"line {first_line}", fields, labels), tuple(actions))
        for first_line, fields, actions in themes.values()
    )


def _scheme(path: Path, name: str | None, order: str | None, problems: Problems) -> RawScheme | None:
    """The colour key's rows, when the plan's details name its file (``# rag_scheme: FILE``)."""
    if name is None:
        if order is not None:
            problems.at("plan", "rag_order", "given without # rag_scheme: FILE naming the colours")
        return None
    rows = _rows(path.parent / name, name, problems, "the colours: " + ",".join(SCHEME_COLUMNS))
    table = _table(rows[1], SCHEME_COLUMNS, ("code",), f"{name} line", problems) if rows else []
    colours = []
    for number, values in table:
        fields: dict[str, Any] = dict(values)
        if "words" in fields:
            fields["words"] = _split(values["words"])
        colours.append(RawItem(f"{name} line {number}", fields))
    return RawScheme(tuple(colours), order, "plan", "rag_order")


def _people(table: list[_Row], name: str, problems: Problems) -> tuple[tuple[RawItem, ...], tuple[RawItem, ...]]:
    people: list[RawItem] = []
    admins: list[RawItem] = []
    for number, values in table:
        where = f"{name} line {number}"
        fields: dict[str, Any] = {k: values[k] for k in ("name", "email") if k in values}
        fields["roles"] = _split(values.get("roles", ""))
        people.append(RawItem(where, fields))
        admin = values.get("admin", "").lower()
        if admin in ("yes", "y", "true", "1"):
            admins.append(RawItem(where, {"email": values.get("email")}))
        elif admin not in ("", "no", "n", "false", "0"):
            problems.at(where, "admin", f'"{values["admin"]}" is not yes or no')
    return tuple(people), tuple(admins)


def _split(cell: str) -> list[str]:
    """Several values in one cell, separated by semicolons (role titles contain commas)."""
    return [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]
