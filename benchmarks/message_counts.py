"""How many Slack messages and Teams cards a report takes, whole (a direct message) and as a channel
gets it (``commands.channel_layout``), at 300, 3,000 and 10,000 actions (the tests' generated reports,
``tests/support/teams_cards.py``), and on a database when ``DATABASE_URL`` is set (as of 16 Jan 2019):

    python benchmarks/message_counts.py
    DATABASE_URL=sqlite:////tmp/national.db python benchmarks/message_counts.py
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.teams_cards import big_digest, big_quarterly, with_exceptions

from bot.slack.limits import check_message
from bot.slack.report_messages import Message, render_channel_report, render_report
from bot.teams.card_parts import card_bytes
from bot.teams.cards import channel_cards, report_cards


def kib(messages: list[Message]) -> float:
    return sum(len(m.text) + len(json.dumps([b.to_dict() for b in m.blocks])) for m in messages) / 1024


def line(name: str, content: object) -> str:
    whole, short = render_report(content), render_channel_report(content)
    cards, short_cards = report_cards(content), channel_cards(content)
    invalid = sum(bool(check_message(m.blocks, m.text)) for m in short)
    largest = max(card_bytes(card) for card in short_cards) / 1024
    return (
        f"| {name} | {len(whole)} ({kib(whole):,.0f} KiB) | {len(short)} ({kib(short):,.0f} KiB, {invalid} invalid) "
        f"| {len(cards)} | {len(short_cards)} (largest {largest:.1f} KiB) |"
    )


def main() -> None:
    print("| report | Slack, whole | Slack, channel | Teams cards, whole | Teams cards, channel |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for actions in (300, 3000, 10_000):
        print(line(f"digest, {actions:,} actions (generated)", big_digest(actions)))
        print(line(f"quarterly summary, {actions:,} actions (generated)", with_exceptions(big_quarterly(actions))))
    if os.environ.get("DATABASE_URL"):
        from bot.config import Settings
        from bot.container import Container, utc_now
        from bot.report_command import as_of_moment
        from commands.periods import Quarter
        from commands.report_builders import quarterly_summary, weekly_digest

        container = Container.open(Settings.from_env())
        now = as_of_moment("2019-01-16", utc_now)
        with container.unit_of_work() as repo:
            print(line("weekly digest (database)", weekly_digest(repo, now)))
            print(line("quarterly summary 2018/19 Q3 (database)", quarterly_summary(repo, Quarter(2018, 3), now)))


if __name__ == "__main__":
    main()
