"""Replies, reports and the home page as Adaptive Cards: valid 1.5 cards within Teams' 28 KB, every status
as shape and word, hostile text shown as typed, and a 3,000-action report split with nothing lost."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from support.teams_cards import (
    HOSTILE_TEXTS,
    big_digest,
    big_quarterly,
    markdown_html,
    markup_in,
    schema_problems,
    sent_bytes,
    shown_text,
    text_blocks,
    text_runs,
    walk,
    with_exceptions,
)

from bot.teams.cards import (
    MAX_CARD_BYTES,
    PREVIEW_DIGEST,
    channel_cards,
    escape_markdown,
    first_card,
    home_card,
    layout_cards,
    reply_card,
    report_cards,
    text_card,
)
from bot.teams.dialog import UPDATE_DIALOG
from commands.channel_layout import CHANNEL_MESSAGES
from commands.home import HomeView, OwnAction, home_layout, more_text
from commands.layout import Layout, Line, Section, Status, Table, status_cell
from commands.model import Line as ReplyLine
from commands.model import Reply
from commands.model import Section as ReplySection
from commands.report_layout import report_layout
from commands.report_model import ColourCount, ThemeBlock
from commands.rules import DEFAULT_SCHEME, UpdateTiming

HOSTILE_LINES = "\n".join(HOSTILE_TEXTS)


def statuses_in(layout: Layout) -> list[Status]:
    """Every status cell a layout holds, in its headline, lines and tables."""
    found = []
    for block in [*layout.headline, *(b for s in layout.sections for b in s.blocks)]:
        if isinstance(block, Table):
            found += [cell for row in block.rows for cell in row if isinstance(cell, Status)]
        elif isinstance(block, Line):
            found += [piece for piece in (*block.runs, *block.detail) if isinstance(piece, Status)]
    return found


def status_runs(cards: list[dict]) -> list[str]:
    """The run texts that show a status: a mark, a space, then one of the scheme's words."""
    words = "|".join(re.escape(DEFAULT_SCHEME.label(s.code)) for s in DEFAULT_SCHEME.statuses)
    pattern = re.compile(rf"^(\S) ({words}|{re.escape(DEFAULT_SCHEME.label(None))})$")
    return [run["text"] for card in cards for run in text_runs(card) if pattern.match(run["text"])]


def assert_inert(card: dict) -> None:
    """No TextBlock makes markup, no run is a link, nothing mentions anyone."""
    for text in text_blocks(card):
        assert [] == markup_in(text), text
    assert not [node for node in walk(card) if "selectAction" in node or ("msteams" in node and "entities" in node)]
    for node in walk(card):
        if node.get("type") == "TextRun":
            assert set(node) <= {"type", "text", "weight", "italic", "color", "isSubtle"}, node


class TestEscapeMarkdown:
    @pytest.mark.parametrize("text", [*HOSTILE_TEXTS, HOSTILE_LINES, "    four-space indent", "Title\n===", "a\\*b"])
    def test_hostile_text_renders_as_typed(self, text):
        """Links, emphasis, lists, headings, HTML and <at> tags come out as the characters typed."""
        rendered = markdown_html(escape_markdown(text))

        assert [] == markup_in(escape_markdown(text))
        plain = html.unescape(re.sub(r"</?p>", "", rendered)).strip()
        assert " ".join(text.split()) == " ".join(plain.split())

    def test_ordinary_text_is_left_readable(self):
        """A plain sentence gains no escapes, so clients that ignore them still read it cleanly."""
        text = "V9 is on track: the review is booked for 13 November, with partners"

        assert text == escape_markdown(text)


class TestTextCard:
    def test_refusal_looks_different_from_a_notice(self):
        """A refusal is in an attention container led by a warning sign; a notice is plain text."""
        words = "You can't update V9: only its owner, a delegate, the SRO or an admin can."
        refused, notice = text_card(words, refused=True), text_card(words)

        styles = [node.get("style") for node in walk(refused) if node.get("type") == "Container"]
        assert ["attention"] == styles
        assert not [node for node in walk(notice) if node.get("type") == "Container"]
        assert shown_text(refused).startswith("⚠") and not shown_text(notice).startswith("⚠")
        assert words in shown_text(refused) and words == shown_text(notice)
        assert [] == schema_problems(refused) == schema_problems(notice)

    def test_each_line_is_shown_and_inert(self):
        card = text_card(f"I couldn't message {HOSTILE_LINES}")

        assert_inert(card)
        for text in HOSTILE_TEXTS:
            assert text in shown_text(card)
        assert [] == schema_problems(card)


class TestReplyCard:
    def reply(self, ok: bool = True) -> Reply:
        lines = (
            ReplyLine("V9 Amber: Waiting on the CJS review", "A"),
            ReplyLine(f"Reason: {HOSTILE_TEXTS[0]} {HOSTILE_TEXTS[2]}"),
            ReplyLine("no word here", "R"),
        )
        return Reply("V9", ok=ok, sections=(ReplySection(f"V9 {HOSTILE_TEXTS[1]}", lines),))

    def test_statuses_have_shape_and_word(self):
        """A line's status gets its mark beside its word, or in front with the word when the text has none."""
        card = reply_card(self.reply())

        shown = shown_text(card)
        assert "Amber: Waiting on the CJS review" in shown
        assert 2 == len(status_runs([card]))
        assert {"Amber", "Red"} == {text.split(" ", 1)[1] for text in status_runs([card])}
        assert_inert(card)
        assert HOSTILE_TEXTS[1] in shown and HOSTILE_TEXTS[0] in shown
        assert [] == schema_problems(card)

    def test_a_refused_reply_and_the_update_button(self):
        refused = reply_card(Reply("Red needs a reason.", ok=False), update_button=True)

        assert "attention" in [node.get("style") for node in walk(refused)]
        [button] = refused["actions"]
        assert "Action.Submit" == button["type"] and "task/fetch" == button["data"]["msteams"]["type"]
        assert UPDATE_DIALOG in button["data"]
        assert "actions" not in reply_card(Reply("Saved."))
        assert [] == schema_problems(refused)

    def test_a_reply_too_long_for_one_card_says_how_much_was_left_out(self):
        lines = tuple(ReplyLine(f"A{n} Green: " + "on track " * 30, "G") for n in range(400))
        card = reply_card(Reply("mine", sections=(ReplySection("Your actions", lines),)))

        assert sent_bytes(card) <= MAX_CARD_BYTES
        shown = shown_text(card)
        kept = len(re.findall(r"A\d+ ", shown))
        [left] = [int(n) for n in re.findall(r"(\d+) more parts did not fit in one Teams message", shown)]
        assert 0 < kept < 400 and 400 == kept + left
        assert [] == schema_problems(card)


@pytest.fixture(scope="module")
def digest():
    return big_digest()


@pytest.fixture(scope="module")
def quarterly():
    return big_quarterly()


class TestReports:
    @pytest.mark.parametrize("name", ["digest", "quarterly"])
    def test_a_3000_action_report_splits_into_cards_within_28_kb_holding_every_action(self, name, request):
        """Each card is at most 28 KB as sent; together they show every action code and status."""
        report = request.getfixturevalue(name)
        cards = report_cards(report)
        layout = report_layout(report)

        assert len(cards) > 10
        assert max(sent_bytes(card) for card in cards) <= MAX_CARD_BYTES
        runs = {run["text"] for card in cards for run in text_runs(card)}
        assert {f"X{n}" for n in range(3000)} <= runs
        assert layout.heading == shown_text(cards[0]).split("\n")[0]
        assert len(statuses_in(layout)) == len(status_runs(cards))
        for card in (cards[0], cards[1], cards[len(cards) // 2], cards[-1]):
            assert [] == schema_problems(card)

    def test_a_section_continued_on_the_next_card_repeats_its_title(self, quarterly):
        cards = report_cards(quarterly)
        layout = report_layout(quarterly)
        titles = [layout.heading, *(section.title for section in layout.sections)]

        openings = [text_blocks(card)[0] for card in cards[1:]]
        assert all(any(escape_markdown(title) == opening for title in titles) for opening in openings)
        assert len(openings) > len(titles) - 2

    def test_every_status_shows_its_shape_and_word(self, digest):
        """The runs showing statuses match the layout's status cells one for one, each with a mark that
        differs by shape, so colour is never the only sign."""
        cards = report_cards(digest)
        layout = report_layout(digest)

        expected = sorted(cell.word for cell in statuses_in(layout))
        assert expected == sorted(text.split(" ", 1)[1] for text in status_runs(cards))
        marks = {}
        for text in status_runs(cards):
            mark, word = text.split(" ", 1)
            marks.setdefault(word, set()).add(mark)
        assert all(1 == len(found) for found in marks.values())
        assert len(marks) == len({next(iter(found)) for found in marks.values()})
        assert {s.label for s in DEFAULT_SCHEME.statuses} | {DEFAULT_SCHEME.label(None)} == set(marks)

    def test_hostile_text_is_inert_in_every_card(self, digest):
        cards = report_cards(digest)

        for card in cards:
            assert_inert(card)
        shown = "\n".join(shown_text(card) for card in cards)
        for text in HOSTILE_TEXTS:
            assert text in shown

    def test_a_small_report_is_one_card(self):
        layout = Layout("Plan: summary", (Line(("All well.",)),), (Section("Theme A", (Line(("Nothing overdue.",)),)),))

        [card] = layout_cards(layout)
        assert ["Plan: summary", "Theme A"] == text_blocks(card)
        assert [] == schema_problems(card)

    def test_first_card_says_the_rest_did_not_fit(self, digest):
        cards = report_cards(digest)
        card = first_card(cards, note="The rest did not fit.")

        assert sent_bytes(card) <= MAX_CARD_BYTES
        assert "The rest did not fit." in shown_text(card)
        assert [] == schema_problems(card)

    def test_something_that_is_not_a_report_is_refused(self):
        with pytest.raises(TypeError):
            report_cards(object())


class TestHomeCard:
    def view(self, own: int, admin: bool = False) -> HomeView:
        actions = tuple(
            OwnAction(
                code=f"H{n}",
                title=f"{HOSTILE_TEXTS[n % len(HOSTILE_TEXTS)]} " + "improve outcomes " * 6,
                status=("R", "A", None)[n % 3],
                updated=dt.date(2018, 12, 3),
                age_days=4,
                update_due=dt.date(2018, 12, 10),
                timing=UpdateTiming.DUE_SOON,
                cadence="weekly",
                due=dt.date(2019, 3, 31),
                overdue=n % 2 == 0,
            )
            for n in range(own)
        )
        counts = (ColourCount("R", 1, 1), ColourCount("G", 2, None))
        theme = ThemeBlock("V", f"Victims {HOSTILE_TEXTS[2]}", "ACC", counts, ())
        return HomeView("Plan [x](https://evil.example)", actions, (theme,), admin)

    def test_your_actions_each_with_an_update_button_then_the_plan(self):
        layout = home_layout(self.view(3, admin=True))
        card = home_card(layout)

        buttons = [n for n in walk(card) if n.get("type") == "Action.Submit" and UPDATE_DIALOG in n.get("data", {})]
        assert ["H0", "H1", "H2"] == sorted(b["data"][UPDATE_DIALOG] for b in buttons)
        assert all("task/fetch" == b["data"]["msteams"]["type"] for b in buttons)
        shown = shown_text(card)
        assert layout.themes_title in shown and "Victims <at>Jo</at>" in shown
        assert [layout.preview_label] == [a["title"] for a in card["actions"] if PREVIEW_DIGEST in a["data"]]
        assert 3 + 2 == len(status_runs([card]))
        assert_inert(card)
        assert [] == schema_problems(card)

    def test_no_preview_for_others_and_a_note_when_actions_do_not_fit(self):
        layout = home_layout(self.view(400))
        card = home_card(layout)

        assert "actions" not in card
        assert sent_bytes(card) <= MAX_CARD_BYTES
        shown_buttons = sum(1 for n in walk(card) if n.get("type") == "Action.Submit")
        assert 0 < shown_buttons < 400
        assert more_text(400 - shown_buttons) in shown_text(card)
        assert layout.themes_title in shown_text(card)
        assert [] == schema_problems(card)

    def test_no_plan_shows_the_notice(self):
        layout = home_layout(HomeView(None, (), (), False))
        card = home_card(layout)

        assert layout.notice in shown_text(card)
        assert [] == schema_problems(card)


def test_status_cells_of_the_default_scheme_have_distinct_marks():
    """Red, amber, green, blue and not reported never share a mark."""
    cards = [
        reply_card(
            Reply("x", sections=(ReplySection("s", tuple(ReplyLine("t", s.code) for s in DEFAULT_SCHEME.statuses)),))
        )
    ]
    marks = [text.split(" ", 1)[0] for text in status_runs(cards)]

    assert len(DEFAULT_SCHEME.statuses) == len(set(marks))
    assert status_cell(None).word == DEFAULT_SCHEME.label(None)


class TestChannelCards:
    """A report everyone in a channel reads: at most five cards for any plan size, each valid and within
    28 KB, the headline's counts the whole report's."""

    @pytest.mark.parametrize("actions", [300, 3000, 10_000])
    @pytest.mark.parametrize("kind", ["digest", "quarterly summary"])
    def test_at_most_five_cards_at_any_size(self, kind, actions):
        content = big_digest(actions) if kind == "digest" else with_exceptions(big_quarterly(actions))

        drawn = channel_cards(content)
        whole = report_cards(content)

        assert 1 <= len(drawn) <= CHANNEL_MESSAGES < len(whole)
        for one in drawn:
            assert [] == schema_problems(one)
            assert sent_bytes(one) <= MAX_CARD_BYTES
            assert_inert(one)
        shown = "\n".join(shown_text(one) for one in drawn)
        headline = "\n".join(shown_text(one) for one in whole[:1]).split("\n")
        counted = [line for line in headline if line.startswith(("T", "Whole plan")) and ": " in line]
        assert counted and all(line in shown for line in counted)
        assert "Full detail: plan " in shown, "the command as Teams people type it"

    def test_a_hundred_themes_still_fit(self):
        drawn = channel_cards(with_exceptions(big_quarterly(10_000, themes=100)))
        assert len(drawn) <= CHANNEL_MESSAGES
        assert all(sent_bytes(one) <= MAX_CARD_BYTES for one in drawn)
        assert "more theme(s)" in "\n".join(shown_text(one) for one in drawn)

    def test_the_teams_pointer_names_the_terminal_for_the_panel_file(self):
        shown = "\n".join(shown_text(one) for one in channel_cards(with_exceptions(big_quarterly(300))))
        assert 'planbot report panel --quarter "2018/19 Q3"' in shown

    def test_a_small_reply_is_drawn_as_it_is(self):
        assert [reply_card(Reply(text="V9 is green"))] == channel_cards(Reply(text="V9 is green"))
