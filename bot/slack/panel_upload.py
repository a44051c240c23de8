"""``/plan report``: build the Panel appendix after the acknowledgement and upload it to the channel.

Building a 300-action Word document with charts takes a few seconds, so the asker first hears that
it is on its way; the file then arrives through ``files_upload_v2`` (upload URL, upload, complete)
in the channel or conversation where it was asked. The file is written in a private temporary
folder and gone once uploaded; the unit of work closes (and a quarter's snapshot commits) before
the upload starts.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.container import Container
from bot.exports import DESCRIPTIONS, draw_charts, file_name, write_panel
from commands.errors import UserError
from commands.panel import PanelOrder, build_panel

IMAGE_FORMATS = ("docx", "html", "md")


def progress_text(order: PanelOrder) -> str:
    version = "public" if order.public else "internal"
    return (
        f"Building the {version} Panel report for {order.quarter.label} as {DESCRIPTIONS[order.fmt]}; "
        "it will be posted here when it is ready."
    )


def send_panel(
    container: Container,
    client: WebClient,
    channel: str,
    order: PanelOrder,
    tell: Callable[[str], None],
    asker: str | None = None,
    thread_ts: str | None = None,
) -> None:
    """Say the report is on its way, build it, write it and upload it to ``channel``.

    Args:
        tell: how the asker hears progress and refusals (ephemeral for ``/plan``, a thread reply
            for a mention).
        asker: the Slack user id to credit in the file's comment.
    """
    tell(progress_text(order))
    with tempfile.TemporaryDirectory(prefix="planbot-panel-") as folder:
        try:
            with container.unit_of_work() as repo:
                now = container.clock()
                panel = build_panel(repo, order.quarter, now, order.public)
                charts = draw_charts(repo, panel, now) if order.fmt in IMAGE_FORMATS else ()
        except UserError as refusal:
            tell(refusal.reply_text())
            return
        path = Path(folder) / file_name(panel, order.fmt)
        write_panel(panel, order.fmt, path, charts)
        comment = f"{panel.title} ({panel.audience} version)"
        if asker is not None:
            comment += f", asked for by <@{asker}>"
        if panel.public:
            comment += f"; {panel.withheld_sentence}"
        try:
            client.files_upload_v2(
                channel=channel,
                file=str(path),
                filename=path.name,
                title=f"{panel.title} ({panel.audience})",
                initial_comment=f"{comment}.",
                thread_ts=thread_ts,
            )
        except SlackApiError as failure:
            error = failure.response.get("error", "an error")
            tell(f"Slack refused the file ({error}). If planbot is not in this channel, invite it and ask again.")
