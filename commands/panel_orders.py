"""Asking for the Panel appendix, on any platform: who gets which version, and the one build.

The visibility rule (docs/permissions.md): the internal version names role holders and shows
restricted commentary, so it goes only to people in the plan (owners, delegates, SROs, admins) and
only where no one else reads it: a private conversation with planbot, or a channel subscribed to
the quarterly governance report. Anyone else asking gets the public version, told why; someone in
the plan asking for it in any other channel is refused, told where to ask instead. Every platform
(Slack, Teams, the terminal) goes through ``order_panel`` and then ``produce_panel``, so none can
build or word the file differently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from commands.errors import NotAuthorised
from commands.model import Actor, Invocation
from commands.panel import PanelOrder, PanelReport, build_panel
from commands.periods import Quarter
from storage.repository import PlanRepository

GOVERNANCE_JOB = "quarterly"
PUBLIC_FOR_OUTSIDERS = (
    "You are not named in the plan (as an owner, delegate, SRO or admin), so this is the public version: "
    "role titles only, restricted commentary withheld."
)
INTERNAL_NOT_HERE = (
    "The internal Panel report names people and shows restricted commentary, so I send it only in a "
    "direct message with me or to a channel subscribed to the quarterly report. Ask me in a direct message, "
    "or add --public to post the public version here."
)


def panel_command(order: PanelOrder) -> str:
    """The terminal command that writes the file ``order`` asks for."""
    public = " --public" if order.public else ""
    return f'planbot report panel --quarter "{order.quarter.label}" --format {order.fmt}{public}'


def panel_on_the_terminal_text(order: PanelOrder) -> str:
    """Where the Panel file is written when the asker is at the terminal."""
    return f"Panel files are written on the terminal: {panel_command(order)}."


def panel_elsewhere_text(order: PanelOrder, platform: str) -> str:
    """What someone asking for the Panel file on a platform planbot cannot send files on yet is told."""
    return (
        f"planbot does not send Panel files in {platform} yet; an admin can write this one with {panel_command(order)}."
    )


class PanelWriter(Protocol):
    """Writes a built appendix to ``path`` in ``fmt`` (charts included where the format holds them);
    the platform's file layer implements it (``bot.exports.write_panel_file``)."""

    def __call__(self, repo: PlanRepository, panel: PanelReport, fmt: str, path: Path, now: dt.datetime) -> None: ...


def order_panel(
    invocation: Invocation,
    repo: PlanRepository,
    quarter: Quarter,
    fmt: str,
    public: bool,
    configured: Mapping[str, tuple[str, ...]] | None = None,
) -> PanelOrder:
    """The version ``invocation``'s asker may have, where they asked.

    Args:
        configured: channels set in the environment per subscription word (``quarterly`` counts).

    Raises:
        NotAuthorised: someone in the plan asked for the internal version in a channel others read.
    """
    if public:
        return PanelOrder(quarter, fmt, public=True)
    if not in_the_plan(invocation.actor, repo):
        return PanelOrder(quarter, fmt, public=True, note=PUBLIC_FOR_OUTSIDERS)
    if invocation.private or governance_channel(invocation, repo, configured or {}):
        return PanelOrder(quarter, fmt, public=False)
    raise NotAuthorised(INTERNAL_NOT_HERE)


def in_the_plan(actor: Actor, repo: PlanRepository) -> bool:
    """An admin, a delegate of any action, or the holder of a role that owns an action or is its SRO."""
    if actor.is_admin or repo.delegated_action_ids(actor.person_id):
        return True
    plan = repo.current_plan()
    if plan is None or plan.id is None:
        return False
    held = repo.roles_held(actor.person_id)
    return any(a.owner_role_id in held or a.sro_role_id in held for a in repo.actions(plan.id))


def governance_channel(invocation: Invocation, repo: PlanRepository, configured: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether the channel asked in receives the quarterly governance report on the asker's platform
    (subscribed in chat or configured)."""
    channel = invocation.channel
    if not channel:
        return False
    subscribed = repo.subscription(invocation.platform, channel, GOVERNANCE_JOB) is not None
    return channel in configured.get(GOVERNANCE_JOB, ()) or subscribed


def produce_panel(
    repo: PlanRepository, order: PanelOrder, now: dt.datetime, path: Path, write: PanelWriter
) -> PanelReport:
    """Build the appendix the order allows and write it to ``path``; the one build every platform uses.

    Freezes the quarter when its cut-off has passed (see ``build_panel``), in the caller's unit of work.

    Raises:
        UserError: no plan is loaded.
    """
    panel = build_panel(repo, order.quarter, now, order.public)
    write(repo, panel, order.fmt, path, now)
    return panel


def progress_text(order: PanelOrder, describe: str) -> str:
    """What the asker hears while the file is built; ``describe`` is the format in words ("a Word document")."""
    version = "public" if order.public else "internal"
    note = f"{order.note}\n" if order.note else ""
    return (
        f"{note}Building the {version} Panel report for {order.quarter.label} as {describe}; "
        "it will be posted here when it is ready."
    )


def written_text(panel: PanelReport, where: str) -> str:
    """ "Wrote the public Panel report for 2018/19 Q3 (October–December 2018) to FILE; 2 … withheld." """
    withheld = f"; {panel.withheld_sentence}" if panel.public else ""
    return f"Wrote the {panel.audience} Panel report for {panel.period} to {where}{withheld}."
