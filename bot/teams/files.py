"""The Panel appendix (and the other Panel documents) as a file in Teams: offered, accepted, uploaded.

A bot may send a file only in a personal chat, and only with the person's consent
(teams-platform.md §7): planbot sends a file consent card describing the file; Teams answers the
person's choice with a ``fileConsent/invoke``. On accept it carries an upload URL (a pre-authorised
upload session in the person's OneDrive: planbot's own token never goes there), which takes the
bytes in one ``PUT`` with ``Content-Range``; planbot then sends the file card pointing at the stored
file. Asked in a channel, the offer goes to the asker's personal chat and the channel is told so.

The offer's context names the order (document, quarter, format, version), not the bytes, so any
planbot process can answer the accept: the file is built again then, through the core's one Panel
build (``commands.panel_orders.produce_panel``), for whoever accepted, by the core's rules of who
may have which version. It is built once when offered too, so the offer shows the file's size and a
refusal (no plan loaded, say) is told at once rather than after the click.
"""

from __future__ import annotations

import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from microsoft_agents.hosting.core import ChannelServiceAdapter, TurnContext

from bot.container import Container
from bot.exports import file_name, write_panel_file
from commands.panel import PanelOrder
from commands.panel_orders import file_caption, produce_panel
from commands.periods import Quarter
from storage.models import TeamsConversation

FILE_CONSENT_TYPE = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO_TYPE = "application/vnd.microsoft.teams.card.file.info"
ACCEPT, DECLINE = "accept", "decline"
PANEL = "planbot.panel"
"""The key of the order in an offer's accept and decline context."""
UPLOAD_SECONDS = 60.0
CHANNEL = "msteams"
BOT_FRAMEWORK_AUDIENCE = "https://api.botframework.com"


class UploadFailed(Exception):
    """The upload URL did not take the file (an expired session, a full OneDrive, a network failure)."""


@dataclass(frozen=True)
class PanelFile:
    """A built Panel document: its file name, its bytes and how its offer describes it."""

    name: str
    data: bytes
    caption: str


@dataclass(frozen=True)
class OfferedOrder:
    """What an offer's context names: the file's name and the order it was built from."""

    name: str
    quarter: Quarter
    fmt: str
    public: bool
    report: str
    theme: str


def build_file(container: Container, order: PanelOrder) -> PanelFile:
    """Build and write the document ``order`` allows, in a private folder gone once it is read.

    Raises:
        UserError: the core refused to build it (no plan, unknown theme, a year with no frozen quarter).
    """
    with tempfile.TemporaryDirectory(prefix="planbot-teams-panel-") as folder:
        path = Path(folder) / file_name(order)
        with container.unit_of_work() as repo:
            panel = produce_panel(repo, order, container.clock(), path, write_panel_file)
        return PanelFile(path.name, path.read_bytes(), file_caption(panel))


def consent_activity(order: PanelOrder, built: PanelFile) -> Activity:
    """The file consent card offering ``built``; accepting or declining sends the order back."""
    context = {
        PANEL: {
            "name": built.name,
            "year": order.quarter.year,
            "quarter": order.quarter.number,
            "fmt": order.fmt,
            "public": order.public,
            "report": order.report,
            "theme": order.theme,
        }
    }
    content = {
        "description": built.caption,
        "sizeInBytes": len(built.data),
        "acceptContext": context,
        "declineContext": context,
    }
    attachment = Attachment(content_type=FILE_CONSENT_TYPE, name=built.name, content=content)
    return Activity(type=ActivityTypes.message, attachments=[attachment])


def offered_order(context: object) -> OfferedOrder | None:
    """The order an accept or decline names, or ``None`` when the context is not one of planbot's offers."""
    data = context.get(PANEL) if isinstance(context, Mapping) else None
    if not isinstance(data, Mapping):
        return None
    try:
        quarter = Quarter(int(data["year"]), int(data["quarter"]))
        fields = (data["name"], data["fmt"], data["report"], data["theme"])
    except (KeyError, TypeError, ValueError):
        return None
    if not all(isinstance(field, str) for field in fields) or not isinstance(data.get("public"), bool):
        return None
    name, fmt, report, theme = fields
    return OfferedOrder(name, quarter, fmt, data["public"], report, theme)


def upload(upload_info: Mapping[str, Any], data: bytes) -> None:
    """Put the whole file into the upload session Teams opened, in one range as Teams requires.

    Raises:
        UploadFailed: the session refused it or could not be reached.
    """
    url = upload_info.get("uploadUrl")
    if not isinstance(url, str) or not url.lower().startswith(("https://", "http://")):
        raise UploadFailed("the accept carried no upload URL")
    headers = {"Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}", "Content-Length": str(len(data))}
    request = urllib.request.Request(url, data=data, headers=headers, method="PUT")
    try:
        with urllib.request.urlopen(request, timeout=UPLOAD_SECONDS) as answer:
            answer.read()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise UploadFailed(str(getattr(error, "code", "") or type(error).__name__)) from error


def file_info_activity(upload_info: Mapping[str, Any]) -> Activity:
    """The file card for the uploaded file, which opens it from the person's OneDrive."""
    content = {"uniqueId": upload_info.get("uniqueId"), "fileType": upload_info.get("fileType")}
    attachment = Attachment(
        content_type=FILE_INFO_TYPE,
        content_url=upload_info.get("contentUrl"),
        name=upload_info.get("name"),
        content=content,
    )
    return Activity(type=ActivityTypes.message, attachments=[attachment])


@dataclass(frozen=True)
class PersonalChat:
    """Where to reach someone privately: their stored 1:1 chat with planbot, or a new one opened
    from their Entra object id (Teams answers the existing chat when there is one)."""

    chat: TeamsConversation | None
    object_id: str
    service_url: str
    tenant_id: str


async def send_privately(
    adapter: ChannelServiceAdapter, app_id: str, where: PersonalChat, activity: Activity
) -> str | None:
    """Send ``activity`` in the person's personal chat; answers the chat's id when a new one was opened.

    Raises:
        aiohttp.ClientError: Teams refused (planbot not installed for them, blocked) — raised here,
            not lost inside the SDK's callback.
    """
    failures: list[BaseException] = []
    opened: list[str] = []

    async def send(context: TurnContext) -> None:
        opened.append(str(context.activity.conversation.id))
        try:
            await context.send_activity(activity)
        except Exception as error:
            failures.append(error)

    if where.chat is not None:
        reference = ConversationReference(
            channel_id=CHANNEL,
            service_url=where.chat.service_url,
            conversation=ConversationAccount(id=where.chat.conversation_id, tenant_id=where.chat.tenant_id),
            agent=ChannelAccount(id=f"28:{app_id}"),
        )
        continuation = reference.get_continuation_activity()
        continuation.id = None  # a new message, not a reply to the random id the SDK sets
        await adapter.continue_conversation(app_id, continuation, send)
    else:
        parameters = ConversationParameters(
            is_group=False,
            members=[ChannelAccount(id=where.object_id)],
            tenant_id=where.tenant_id,
            agent=ChannelAccount(id=f"28:{app_id}"),
        )
        await adapter.create_conversation(app_id, CHANNEL, where.service_url, BOT_FRAMEWORK_AUDIENCE, parameters, send)
    if failures:
        raise failures[0]
    return opened[0] if where.chat is None and opened else None
