"""Team rosters: how planbot learns the Teams identity of plan people who never wrote to it.

A nudge, an escalation or a reminder goes to the person's 1:1 chat, which planbot can only create from
their Entra object id, never from their email (teams-platform.md §6). Someone who never messaged
planbot gave it no object id; their team's roster does. So planbot reads the roster of each team it
sees (``GET {serviceUrl}v3/conversations/{teamId}/pagedmembers``, every page): when it is added to a
team (``installationUpdate`` add) or someone joins one (``conversationUpdate`` membersAdded), and, as
Teams does not always send those, on the first activity from a team not read in the last
``READ_EVERY``. Each member whose email (or user principal name) is a plan person's is linked to them
by the core's identity linking (``Identities.learn``); anyone else is left alone.

The read runs beside the turn, so the reply never waits for it, but within it, as the turn's connector
client is closed when the turn ends; an invoke's answer is the HTTP response itself, so an invoke never
starts a read. The linking runs on the worker pool, as the turn's other database work does. A refusal
(403, 404) or an outage is logged and the turn goes on. When each team was read is kept per process: a
restarted process reads a team again on its first activity, which is harmless.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientError, ClientResponseError
from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.activity.teams import TeamsChannelAccount
from microsoft_agents.hosting.core import ConnectorClientBase, TurnContext
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from bot.container import Container
from bot.teams.identity import ROSTER_SECONDS, identities, member_profile
from commands.identity import Profile

PAGE_SIZE = 500
"""Members asked for per page: the most the Bot Connector gives."""
MAX_PAGES = 50
"""Pages read at most: Teams allows 25,000 members in a team, 50 pages of 500."""
READ_EVERY = dt.timedelta(hours=24)
"""How long a team's roster is trusted before an ordinary activity from the team reads it again."""

Work = Callable[..., Awaitable[Any]]
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RosterPage:
    """One page of a team's roster as the core's ``ProfileLookup``, keyed by Entra object id."""

    members: dict[str, TeamsChannelAccount]

    def profile(self, external_id: str) -> Profile | None:
        member = self.members.get(external_id)
        return None if member is None else member_profile(member)


def team_of(activity: Activity) -> str | None:
    """The team an activity comes from (``channelData.team.id``); ``None`` outside a team."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = data.get("team")
    team_id = team.get("id") if isinstance(team, dict) else None
    return str(team_id) if team_id else None


def joins_team(activity: Activity) -> bool:
    """planbot added to a team, or someone joining it: the roster has changed, so it is read at once."""
    if activity.type == ActivityTypes.installation_update:
        return (activity.action or "").startswith("add")
    return activity.type == ActivityTypes.conversation_update and bool(activity.members_added)


class TeamRosters:
    """The adapter's middleware that reads a team's roster beside a turn, when one is due.

    Args:
        container: the units of work the linking runs in.
        work: runs a synchronous function on planbot's worker pool (``TeamsBot.work``).
    """

    def __init__(self, container: Container, work: Work) -> None:
        self.container = container
        self.work = work
        self._read_at: dict[str, dt.datetime] = {}
        """When each team's read last started; touched only on the event loop, so never raced."""

    async def on_turn(self, context: TurnContext, logic: Callable[[TurnContext], Awaitable[Any]]) -> None:
        team = self.due(context.activity)
        client = context.services.get(ConnectorClientBase)
        if team is None or not isinstance(client, TeamsConnectorClient):
            await logic(context)
            return
        reading = asyncio.create_task(self.read(client, team))
        try:
            await logic(context)
        finally:
            await reading

    def due(self, activity: Activity) -> str | None:
        """The team whose roster this activity should have read (claimed now), or ``None``."""
        team = team_of(activity)
        if team is None or activity.type == ActivityTypes.invoke:
            return None
        if activity.type == ActivityTypes.installation_update and not joins_team(activity):
            return None  # planbot removed from the team: Teams would refuse the read
        now = self.container.clock()
        last = self._read_at.get(team)
        if not joins_team(activity) and last is not None and now - last < READ_EVERY:
            return None
        self._read_at[team] = now
        return team

    async def read(self, client: TeamsConnectorClient, team: str) -> None:
        """Read every page of the team's roster, linking the plan people on each; never raises."""
        token: str | None = None
        linked = 0
        try:
            for _ in range(MAX_PAGES):
                members, token = await asyncio.wait_for(roster_page(client, team, token), ROSTER_SECONDS)
                linked += await self.work(self.learn, members)
                if not token:
                    break
        except (ClientError, TimeoutError, ValueError) as error:
            # The status only: the error's text may carry the roster's URL or answer.
            logger.warning("Could not read the roster of Teams team %s (%s)", team, status_of(error))
        except Exception:
            logger.exception("Reading the roster of Teams team %s failed", team)
        else:
            logger.info("Read the roster of Teams team %s: %d plan people newly known on Teams", team, linked)

    def learn(self, members: dict[str, TeamsChannelAccount]) -> int:
        """Link the plan people among one page's members (the core's linking, on a worker thread)."""
        return identities(self.container, RosterPage(members)).learn(members)


async def roster_page(
    client: TeamsConnectorClient, team: str, token: str | None
) -> tuple[dict[str, TeamsChannelAccount], str | None]:
    """One page of the team's roster, by Entra object id, and the next page's token (``None``: the last).

    Asked on the turn's connector client's session rather than by its ``get_conversation_paged_member``:
    the SDK's page model refuses the ``"continuationToken": null`` that ends a roster (teams-platform.md §9).

    Raises:
        aiohttp.ClientResponseError: Teams refused (403: planbot is not in the team; 404: no such team).
    """
    params: dict[str, str | int] = {"pageSize": PAGE_SIZE}
    if token:
        params["continuationToken"] = token
    async with client.client.get(f"v3/conversations/{team}/pagedmembers", params=params) as response:
        response.raise_for_status()
        body = await response.json()
    accounts = [TeamsChannelAccount.model_validate(member) for member in body.get("members") or []]
    following = body.get("continuationToken")
    return {a.aad_object_id: a for a in accounts if a.aad_object_id}, str(following) if following else None


def status_of(error: BaseException) -> object:
    """What to log of a failed call to Teams: its HTTP status, else the kind of failure (never its text)."""
    return error.status if isinstance(error, ClientResponseError) else type(error).__name__
