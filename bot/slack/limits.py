"""Slack's documented message limits as one checker, shared by the renderer's tests and the fake Slack server.

Slack answers ``invalid_blocks`` or truncates silently when a message breaks these, and the
failure shows only in production with a big plan, so every message planbot builds can be checked
here first. Limits are from slack-platform.md §5 (SPEC §8).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_MARKDOWN_BLOCK = 12_000
MAX_BLOCK_ID = 255
MAX_FALLBACK_TEXT = 40_000
MAX_VIEW_BLOCKS = 100
MAX_VIEW_TITLE = 24
MAX_PRIVATE_METADATA = 3000
MAX_CALLBACK_ID = 255
MAX_ACTIONS_ELEMENTS = 25
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000


def check_message(blocks: Sequence[Block | Mapping[str, Any]] | str | None, text: str | None) -> list[str]:
    """Every way the message breaks Slack's limits, in words; an empty list when Slack would accept it.

    Args:
        blocks: ``Block`` objects, their dicts, or the JSON string a request carries (``None``: text only).
        text: the top-level fallback text, which Slack needs for notifications and screen readers.
    """
    problems = []
    if not (text or "").strip():
        problems.append("message without fallback text")
    elif len(text or "") > MAX_FALLBACK_TEXT:
        problems.append(f"fallback text of {len(text or ''):,} characters (limit {MAX_FALLBACK_TEXT:,})")
    if blocks is None:
        return problems
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            return [*problems, "blocks are not JSON"]
    if not isinstance(blocks, list | tuple):
        return [*problems, "blocks must be a list"]
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"{len(blocks)} blocks (limit {MAX_BLOCKS})")
    for number, block in enumerate(blocks, start=1):
        try:
            as_dict = block.to_dict() if isinstance(block, Block) else dict(block)
        except SlackObjectFormationError as error:  # slack_sdk's own validators found a broken limit
            problems.append(f"block {number}: {error}")
            continue
        problems += [f"block {number}: {problem}" for problem in _block_problems(as_dict)]
    return problems


def _block_problems(block: Mapping[str, Any]) -> list[str]:
    kind = block.get("type")
    text = block.get("text")
    text_value = text.get("text", "") if isinstance(text, Mapping) else str(text or "")
    problems = []
    if len(str(block.get("block_id", ""))) > MAX_BLOCK_ID:
        problems.append(f"block_id over {MAX_BLOCK_ID} characters")
    if kind == "section":
        if len(text_value) > MAX_SECTION_TEXT:
            problems.append(f"section text of {len(text_value):,} characters (limit {MAX_SECTION_TEXT:,})")
        fields = block.get("fields") or []
        if len(fields) > MAX_FIELDS:
            problems.append(f"{len(fields)} section fields (limit {MAX_FIELDS})")
        problems += [
            f"section field of {len(f.get('text', '')):,} characters (limit {MAX_FIELD_TEXT:,})"
            for f in fields
            if len(f.get("text", "")) > MAX_FIELD_TEXT
        ]
        if not text_value.strip() and not fields:
            problems.append("section with neither text nor fields")
    elif kind == "header":
        if not isinstance(text, Mapping) or text.get("type") != "plain_text":
            problems.append("header text must be plain_text")
        if len(text_value) > MAX_HEADER_TEXT:
            problems.append(f"header text of {len(text_value)} characters (limit {MAX_HEADER_TEXT})")
    elif kind == "context":
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= MAX_CONTEXT_ELEMENTS:
            problems.append(f"context with {len(elements)} elements (1 to {MAX_CONTEXT_ELEMENTS})")
    elif kind == "markdown" and len(text_value) > MAX_MARKDOWN_BLOCK:
        problems.append(f"markdown block of {len(text_value):,} characters (limit {MAX_MARKDOWN_BLOCK:,})")
    return problems


def check_view(view: Mapping[str, Any] | str) -> list[str]:
    """Every way a modal or Home tab view breaks Slack's limits (slack-platform.md §5); empty when valid.

    Blocks are checked as in messages, then the view's own limits: 1 to 100 blocks, titles and
    buttons of at most 24 characters, a submit button when there are inputs, at most 100 options in
    a static select, option texts of 75 and values of 150 characters, 25 elements in an actions block.
    """
    if isinstance(view, str):
        try:
            view = json.loads(view)
        except ValueError:
            return ["view is not JSON"]
    assert isinstance(view, Mapping)
    blocks = list(view.get("blocks") or [])
    problems = [p for p in check_message(blocks, "view") if not p.startswith(f"{len(blocks)} blocks")]
    if not 1 <= len(blocks) <= MAX_VIEW_BLOCKS:
        problems.append(f"view with {len(blocks)} blocks (1 to {MAX_VIEW_BLOCKS})")
    for name in ("title", "submit", "close"):
        text = (view.get(name) or {}).get("text", "")
        if len(text) > MAX_VIEW_TITLE:
            problems.append(f"view {name} of {len(text)} characters (limit {MAX_VIEW_TITLE})")
    if view.get("type") == "modal" and not view.get("title"):
        problems.append("modal without a title")
    if view.get("type") == "modal" and any(b.get("type") == "input" for b in blocks) and not view.get("submit"):
        problems.append("modal with input blocks must define submit")
    if len(str(view.get("private_metadata", ""))) > MAX_PRIVATE_METADATA:
        problems.append(f"private_metadata over {MAX_PRIVATE_METADATA} characters")
    if len(str(view.get("callback_id", ""))) > MAX_CALLBACK_ID:
        problems.append(f"callback_id over {MAX_CALLBACK_ID} characters")
    for number, block in enumerate(blocks, start=1):
        problems += [f"block {number}: {problem}" for problem in _element_problems(block)]
    return problems


def _element_problems(block: Mapping[str, Any]) -> list[str]:
    """Limits on the interactive parts of a block: buttons, selects, radio buttons, checkboxes."""
    elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
    if len(elements) > MAX_ACTIONS_ELEMENTS:
        return [f"actions block with {len(elements)} elements (limit {MAX_ACTIONS_ELEMENTS})"]
    elements += [block[key] for key in ("element", "accessory") if isinstance(block.get(key), Mapping)]
    problems = []
    for element in elements:
        if element.get("type") == "button":
            if len(element.get("text", {}).get("text", "")) > MAX_BUTTON_TEXT:
                problems.append(f"button text over {MAX_BUTTON_TEXT} characters")
            if len(str(element.get("value", ""))) > MAX_BUTTON_VALUE:
                problems.append(f"button value over {MAX_BUTTON_VALUE} characters")
        options = list(element.get("options") or [])
        if len(options) > MAX_OPTIONS:
            problems.append(f"{element.get('type')} with {len(options)} options (limit {MAX_OPTIONS})")
        for option in options:
            if len(option.get("text", {}).get("text", "")) > MAX_OPTION_TEXT:
                problems.append(f"option text over {MAX_OPTION_TEXT} characters")
            if len(str(option.get("value", ""))) > MAX_OPTION_VALUE:
                problems.append(f"option value over {MAX_OPTION_VALUE} characters")
            if len(option.get("description", {}).get("text", "")) > MAX_OPTION_TEXT:
                problems.append(f"option description over {MAX_OPTION_TEXT} characters")
    return problems
