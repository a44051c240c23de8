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
