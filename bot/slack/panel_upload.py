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
from bot.exports import DESCRIPTIONS, file_name, write_panel_file
from commands.errors import UserError
from commands.panel import PanelOrder
from commands.panel_orders import produce_panel, progress_text


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
    tell(progress_text(order, DESCRIPTIONS[order.fmt]))
    with tempfile.TemporaryDirectory(prefix="planbot-panel-") as folder:
        try:
            with container.unit_of_work() as repo:
                # Named after the version the order allows, which the build keeps to.
                path = Path(folder) / file_name(order)
                panel = produce_panel(repo, order, container.clock(), path, write_panel_file)
        except UserError as refusal:
            tell(refusal.reply_text())
            return
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
