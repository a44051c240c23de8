"""A plan's own RAG scheme: read from its plan file, checked, stored with the plan, read back.

The spec has always said the colour key is each office's (Dorset's Blue means completed with no
ongoing monitoring, Green completed, Yellow in progress, Red challenging). A plan file may say so
in a ``rag_scheme`` section; a plan without one reports in ``commands.rules.DEFAULT_SCHEME``,
exactly as before. The colours are a fixed set of codes every renderer can draw (a Slack emoji, a
terminal colour, a chart fill); a plan picks which it uses and says what each means.
``docs/plan-format.md`` describes the section.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from commands.errors import UnsafeText
from commands.plan_spec import Problems, RawItem, RawScheme, read_flag
from commands.rules import DEFAULT_SCHEME, VARIATION_SELECTOR, Need, RagScheme, RagStatus, word_list
from commands.text import clean_text
from storage.repository import PlanRepository

COLOURS = {"R": "red", "A": "amber", "Y": "yellow", "G": "green", "B": "blue"}
"""The colours a renderer can draw, by code: a plan's scheme uses some of them (blue is optional)."""
COLOUR_FIELDS = (
    "code",
    "label",
    "summary",
    "definition",
    "words",
    "reason_required",
    "completes",
    "mitigation",
    "outcome",
)
_NEEDS = tuple(need.value for need in Need)


def check_scheme(raw: RawScheme, problems: Problems) -> RagScheme | None:
    """The scheme the section describes, recording in ``problems`` every fault, each naming the
    colour entry and the field; ``None`` when any was found."""
    before = len(problems.lines)
    if len(raw.colours) < 2:
        problems.at(raw.order_where, "colours", "list at least two colours (such as red, amber and green)")
    entries: dict[str, dict[str, Any]] = {}
    owners: dict[str, str] = {}
    for item in raw.colours:
        entry = _colour(item, problems, owners)
        if entry is not None:
            if entry["code"] in entries:
                where = f"{item.where} ({entry['code']})"
                problems.at(where, item.label("code"), f'colour "{entry["code"]}" is listed twice')
            entries.setdefault(entry["code"], entry)
    order = _order(raw, set(entries), problems)
    if len(problems.lines) > before:
        return None
    return build_scheme([entries[code] for code in order])


def build_scheme(entries: Sequence[Mapping[str, Any]]) -> RagScheme:
    """A scheme from checked colour entries listed worst first (their place is their rank)."""
    return RagScheme(
        statuses=tuple(
            RagStatus(
                code=entry["code"],
                label=entry["label"],
                summary=entry["summary"],
                definition=entry["definition"],
                rank=rank,
                aliases=tuple(entry["words"]),
                reason_required=entry["reason_required"],
                completes=entry["completes"],
                mitigation=Need(entry["mitigation"]),
                outcome=Need(entry["outcome"]),
            )
            for rank, entry in enumerate(entries)
        )
    )


def scheme_json(scheme: RagScheme | None) -> str | None:
    """How a plan's scheme is stored (``Plan.rag_scheme``); ``None`` for the default scheme."""
    if scheme is None:
        return None
    return json.dumps(
        [
            {
                "code": s.code,
                "label": s.label,
                "summary": s.summary,
                "definition": s.definition,
                "words": list(s.aliases),
                "reason_required": s.reason_required,
                "completes": s.completes,
                "mitigation": s.mitigation.value,
                "outcome": s.outcome.value,
            }
            for s in sorted(scheme.statuses, key=lambda s: s.rank)
        ],
        ensure_ascii=False,
    )


@lru_cache(maxsize=32)
def stored_scheme(stored: str | None) -> RagScheme:
    """The scheme a plan row stores, built once per distinct value (every command asks for it)."""
    return DEFAULT_SCHEME if stored is None else build_scheme(json.loads(stored))


def plan_scheme(repo: PlanRepository) -> RagScheme:
    """The current (or pinned) plan's scheme: what every reply, form and report of it is worded in."""
    plan = repo.current_plan()
    return stored_scheme(plan.rag_scheme if plan is not None else None)


def _colour(item: RawItem, problems: Problems, owners: dict[str, str]) -> dict[str, Any] | None:
    """One colour entry checked; its words are recorded in ``owners`` so a word given twice is caught."""
    fields = item.fields
    for key in sorted(set(fields) - set(COLOUR_FIELDS), key=str):
        problems.at(item.where, str(key), f"not a known field (known: {', '.join(COLOUR_FIELDS)})")
    code = _text(fields.get("code")).upper()
    where = f"{item.where} ({code})" if code else item.where
    if not code:
        problems.at(where, item.label("code"), f"missing (use one of {', '.join(COLOURS)})")
        return None
    if code not in COLOURS:
        problems.at(
            where,
            item.label("code"),
            f'"{code}" is not a colour planbot can draw; use {word_list(list(COLOURS))} '
            f"({word_list([f'{c} for {name}' for c, name in COLOURS.items()], 'and')})",
        )
        return None
    label = _safe(item, "label", where, problems)
    definition = _safe(item, "definition", where, problems)
    for name, value, limit in (("label", label, 40), ("definition", definition, 300)):
        if not value:
            problems.at(where, item.label(name), "missing")
        elif len(value) > limit:
            problems.at(where, item.label(name), f"longer than {limit} characters")
    return {
        "code": code,
        "label": label,
        "summary": _safe(item, "summary", where, problems),
        "definition": definition,
        "words": _words(item, where, code, label, problems, owners),
        "reason_required": _flag(item, "reason_required", where, problems),
        "completes": _flag(item, "completes", where, problems),
        "mitigation": _need(item, "mitigation", where, problems),
        "outcome": _need(item, "outcome", where, problems),
    }


def _words(item: RawItem, where: str, code: str, label: str, problems: Problems, owners: dict[str, str]) -> list[str]:
    """The words people may type for the colour, the first the one messages suggest; the code's
    letter is always one of them. Each word may belong to one colour only."""
    given = item.fields.get("words")
    if given is None:
        given = [label.split()[0]] if label else []
    elif isinstance(given, str):
        given = given.replace(";", ",").split(",")
    if not isinstance(given, list):
        problems.at(where, item.label("words"), "must be a list of words")
        return []
    words: list[str] = []
    for value in [*given, code]:
        word = _text(value).lower().replace(VARIATION_SELECTOR, "")
        if not word:
            continue
        if any(c.isspace() for c in word) or word.startswith("-"):
            problems.at(where, item.label("words"), f'"{word}" must be one word, not starting with "-"')
            continue
        owner = owners.setdefault(word, code)
        if owner != code:
            problems.at(where, item.label("words"), f'"{word}" is already a word for {owner}; a word names one colour')
        elif word not in words:
            words.append(word)
    return words


def _order(raw: RawScheme, codes: set[str], problems: Problems) -> list[str]:
    """The colour codes worst first, each colour exactly once."""
    given = raw.order
    if isinstance(given, str):
        given = given.replace(";", ",").split(",")
    if not isinstance(given, list) or not given:
        problems.at(
            raw.order_where, raw.order_field, "missing: list the colour codes from worst to best, e.g. R, A, G, B"
        )
        return []
    order = [_text(code).upper() for code in given]
    for code in dict.fromkeys(order):
        if order.count(code) > 1:
            problems.at(raw.order_where, raw.order_field, f'"{code}" is listed twice')
        if codes and code not in codes:
            problems.at(raw.order_where, raw.order_field, f'"{code}" is not one of the scheme\'s colours')
    left_out = [code for code in sorted(codes) if code not in order]
    if left_out:
        problems.at(
            raw.order_where, raw.order_field, f"leaves out {word_list(left_out, 'and')}: list every colour once"
        )
    return [code for code in dict.fromkeys(order) if code in codes]


def _flag(item: RawItem, name: str, where: str, problems: Problems) -> bool:
    return read_flag(item, name, item.fields.get(name), where, problems)


def _need(item: RawItem, name: str, where: str, problems: Problems) -> str:
    text = _text(item.fields.get(name)).lower() or Need.NONE.value
    if text not in _NEEDS:
        problems.at(where, item.label(name), f'"{text}" is not one of {", ".join(_NEEDS)}')
        return Need.NONE.value
    return text


def _safe(item: RawItem, name: str, where: str, problems: Problems) -> str:
    """A field's text as planbot stores text, or "" with the refusal recorded."""
    try:
        return clean_text(_text(item.fields.get(name)), "The text")
    except UnsafeText as refusal:
        problems.at(where, item.label(name), refusal.message)
        return ""


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None and not isinstance(value, bool) else ""
