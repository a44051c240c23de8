"""Rendering replies for Slack: escaped, coloured, and always inside Slack's message limits."""

from __future__ import annotations

from bot.slack.render import render_reply, render_text
from commands.model import Line, Reply, Section


def as_dicts(blocks) -> list[dict]:
    """The JSON Slack receives; building it also runs slack_sdk's own limit checks."""
    return [block.to_dict() for block in blocks]


class TestRenderReply:
    def test_colour_emoji_sits_beside_the_colour_word(self) -> None:
        """Each status line shows its colour emoji next to the colour's name, for a quick scan."""
        reply = Reply(
            text="V9 updated\nNow Amber, ↓ Deteriorating (was Green)",
            sections=(Section("V9 updated", (Line("Now Amber, ↓ Deteriorating (was Green)", "A"),)),),
        )

        blocks, _ = render_reply(reply)

        assert (
            "*V9 updated*\nNow :large_orange_circle: Amber, ↓ Deteriorating (was Green)"
            == (as_dicts(blocks)[0]["text"]["text"])
        )

    def test_titles_and_lines_are_escaped_and_verbatim(self) -> None:
        """Markup typed into a plan or a reason is shown as text, and Slack is told not to link names."""
        reply = Reply(
            text="<!here> & co",
            sections=(Section("<b>Title</b>", (Line("Reason: <!here> & co", None),)),),
        )

        blocks, text = render_reply(reply)

        [block] = as_dicts(blocks)
        assert "*&lt;b&gt;Title&lt;/b&gt;*\nReason: &lt;!here&gt; &amp; co" == block["text"]["text"]
        assert block["text"]["verbatim"] is True
        assert "&lt;!here&gt; &amp; co" == text

    def test_huge_reply_stays_within_slack_limits(self) -> None:
        """A reply far beyond one message is cut to 50 blocks of at most 3,000 characters, and says so."""
        lines = tuple(Line(f"A{n} " + "x" * 400 + " & more", "R") for n in range(600))
        reply = Reply(text="\n".join(line.text for line in lines), sections=(Section("All actions", lines),))

        blocks, text = render_reply(reply)

        rendered = as_dicts(blocks)
        assert 50 == len(rendered)
        assert all(len(b["text"]["text"]) <= 3000 for b in rendered if b["type"] == "section")
        assert rendered[-1]["elements"][0]["text"].startswith("… ")
        assert len(text) <= 40_000
        assert text.endswith("…")

    def test_one_overlong_line_is_cut_with_an_ellipsis_not_mid_entity(self) -> None:
        """A single line longer than a section is shortened, never leaving half an escape behind."""
        blocks, _ = render_text("&" * 5000)

        [block] = as_dicts(blocks)
        assert block["text"]["text"].endswith("&amp;…")
        assert len(block["text"]["text"]) <= 3000


class TestRenderText:
    def test_fallback_text_is_never_empty(self) -> None:
        """Slack needs a fallback text for notifications even when the core said nothing."""
        blocks, text = render_text("")

        assert ([], "…") == (blocks, text)
