"""The hostile table (``tests/hostile_inputs.py``) typed as ``/rag`` over signed HTTP and submitted
through the update form: each row refused with the words the person sees, nothing stored, nothing
announced. One served app per surface keeps the hundred rows quick."""

from __future__ import annotations

import json

from hostile_inputs import HOSTILE
from support.interaction import form_values, submit_view
from support.workspace import OWNER, stored_updates
from test_http import all_text, rag, replies
from test_update_modal import open_modal


def test_typed_hostile_updates_are_refused_and_store_nothing(events_url, fake_slack, engine):
    failures = []
    for count, row in enumerate(HOSTILE, start=1):
        rag(events_url, fake_slack, row.typed)
        reply = replies(fake_slack, count)[-1]
        if row.says not in all_text(reply) or reply["response_type"] != "ephemeral":
            failures.append((row.name, reply["text"][:160]))
    assert [] == failures
    assert len(HOSTILE) >= 80
    assert [] == stored_updates(engine)
    assert [] == fake_slack.calls_to("chat.postMessage")


def test_hostile_form_submissions_are_refused_beside_the_field_and_store_nothing(events_url, fake_slack, engine):
    view = open_modal(events_url, fake_slack)
    rows = [row for row in HOSTILE if row.form_message is not None]
    failures = []
    for row in rows:
        answer = submit_view(events_url, OWNER, view, form_values(row.action, row.status, row.reason))
        body = json.loads(answer.body)
        shown = " ".join(body.get("errors", {}).values())
        if body.get("response_action") != "errors" or row.form_message not in shown:
            failures.append((row.name, answer.body[:160]))
    assert [] == failures
    assert len(rows) >= 80
    assert [] == stored_updates(engine)
    assert [] == fake_slack.calls_to("chat.postMessage")


def test_pasted_word_text_is_stored_cleaned_the_same_way_typed_or_by_form(events_url, fake_slack, engine):
    """Smart quotes kept, no-break spaces, tabs and line breaks folded, zero-width spaces dropped:
    the typed command and the form store the same reason."""
    pasted = "Waiting\u00a0on \u201cCJS\u201d\treview\nand\u200b sign\u2011off"
    rag(events_url, fake_slack, f"V9 amber {pasted}")
    replies(fake_slack)
    view = open_modal(events_url, fake_slack)
    submit_view(events_url, OWNER, view, form_values("V9", "A", pasted))

    expected = "Waiting on \u201cCJS\u201d review and sign\u2011off"
    assert [expected, expected] == [u.reason for u in stored_updates(engine)]
