"""Asking for the Panel appendix, on any platform: who gets which version, and the one build.

The visibility rule (docs/permissions.md): the internal version names role holders and shows
restricted commentary, so it goes only to people in the plan (owners, delegates, SROs, admins) and
only where no one else reads it: a private conversation with planbot, or a channel subscribed to
the quarterly governance report. Anyone else asking gets the public version, told why; someone in
the plan asking for it in any other channel is refused, told where to ask instead, unless the platform
sends the file to the asker alone wherever they asked (Teams: their personal chat, as no bot may post
a file in a channel), when they are offered it there and the channel is told so. Every platform
(Slack, Teams, the terminal) goes through ``order_panel`` and then ``produce_panel``, so none can
build or word the file differently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from commands.annual import AnnualReport, build_annual, check_year
from commands.deep_dive import ThemeDeepDive, build_deep_dive
from commands.errors import NotAuthorised
from commands.model import Actor, Invocation
from commands.panel import ANNUAL, QUARTERLY, THEME, PanelOrder, PanelReport, build_panel
from commands.periods import Quarter
from commands.rag_scheme import plan_scheme
from commands.report_inputs import find_theme, load_plan_data
from storage.repository import PlanRepository

PanelDocument = PanelReport | AnnualReport | ThemeDeepDive
"""Any of the documents a Panel or Board receives as a file; each is ``commands.publication.Publication``."""

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
    if order.report == ANNUAL:
        return f"planbot report annual --year {order.quarter.financial_year} --format {order.fmt}{public}"
    if order.report == THEME:
        theme = order.theme if order.theme.isalnum() else f'"{order.theme}"'
        return f'planbot report theme {theme} --quarter "{order.quarter.label}" --format {order.fmt}{public}'
    return f'planbot report panel --quarter "{order.quarter.label}" --format {order.fmt}{public}'


def panel_on_the_terminal_text(order: PanelOrder) -> str:
    """Where the Panel file is written when the asker is at the terminal."""
    return f"Panel files are written on the terminal: {panel_command(order)}."


def offered_privately_text(order: PanelOrder, asker: str, platform: str) -> str:
    """What a channel is told when the Panel file it was asked for goes to the asker's personal chat."""
    return (
        f"{platform} does not let me post files in a channel, so I have offered the {_version(order)} "
        f"{order.document} for {order.subject} to {asker} in their personal chat with me."
    )


def not_offered_text(asker: str, platform: str) -> str:
    """What a channel is told when the asker's personal chat could not be reached to offer the file."""
    return (
        f"I couldn't reach {asker}'s personal chat with me in {platform}, so the file was not sent: "
        "planbot may not be installed for them. Ask an admin to add it for you, then ask again."
    )


def file_caption(panel: PanelDocument) -> str:
    """What the file is, as its offer describes it: "Panel report … (public version); 2 … withheld." """
    withheld = f"; {panel.withheld_sentence}" if panel.public else ""
    return f"{panel.title} ({panel.audience} version){withheld}."


def declined_text(name: str) -> str:
    """What someone who declined the offered file is told."""
    return f"Not sent: you declined {name}. Ask again whenever you want it."


def upload_failed_text(name: str, platform: str) -> str:
    """What someone is told when the file they accepted could not be uploaded."""
    return f"{platform} did not accept the upload of {name}. Please ask for it again in a few minutes."


class PanelWriter(Protocol):
    """Writes a built appendix to ``path`` in ``fmt`` (charts included where the format holds them);
    the platform's file layer implements it (``bot.exports.write_panel_file``)."""

    def __call__(self, repo: PlanRepository, panel: PanelDocument, fmt: str, path: Path, now: dt.datetime) -> None: ...


def order_panel(
    invocation: Invocation,
    repo: PlanRepository,
    quarter: Quarter,
    fmt: str,
    public: bool,
    configured: Mapping[str, tuple[str, ...]] | None = None,
    report: str = QUARTERLY,
    theme: str = "",
    now: dt.datetime | None = None,
    to_asker: bool = False,
) -> PanelOrder:
    """The version ``invocation``'s asker may have, where they asked, of the document ``report``
    names (for an annual report, ``quarter`` is the year's Q4; for a deep dive, ``theme`` is the
    theme as typed). The same rule serves every document: each names people internally.

    Args:
        configured: channels set in the environment per subscription word (``quarterly`` counts).
        now: the moment of asking, to refuse an annual report of a year with no frozen quarter.
        to_asker: the file goes to the asker alone (their personal chat), wherever they asked, so
            the internal version may go wherever someone in the plan asks for it.

    Raises:
        NotAuthorised: someone in the plan asked for the internal version in a channel others read.
        UnknownTheme: a deep dive into a theme the plan does not have.
        UserError: an annual report of a year with no frozen quarter.
    """
    named = ""
    if report == THEME:
        named = find_theme(load_plan_data(repo), theme).name
    elif report == ANNUAL and now is not None:
        check_year(repo, quarter.year, now)
    if public:
        return PanelOrder(quarter, fmt, public=True, report=report, theme=named)
    if not in_the_plan(invocation.actor, repo):
        return PanelOrder(quarter, fmt, public=True, note=PUBLIC_FOR_OUTSIDERS, report=report, theme=named)
    if invocation.private or to_asker or governance_channel(invocation, repo, configured or {}):
        return PanelOrder(quarter, fmt, public=False, report=report, theme=named)
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
) -> PanelDocument:
    """Build the document the order allows and write it to ``path``; the one build every platform uses.

    Freezes the quarters it reports on when their cut-offs have passed (see ``build_panel``,
    ``build_annual``, ``build_deep_dive``), in the caller's unit of work. Everything is checked
    before anything is written, so a refusal leaves no file.

    Raises:
        UserError: no plan is loaded, the theme is unknown, or the year has no frozen quarter.
    """
    panel = build_document(repo, order, now)
    write(repo, panel, order.fmt, path, now)
    return panel


def build_document(repo: PlanRepository, order: PanelOrder, now: dt.datetime) -> PanelDocument:
    """The document ``order`` asks for, built but not written.

    Raises:
        UserError: as ``produce_panel``.
    """
    if order.report == ANNUAL:
        return build_annual(repo, order.quarter.year, now, order.public, plan_scheme(repo))
    if order.report == THEME:
        return build_deep_dive(repo, order.theme, order.quarter, now, order.public, plan_scheme(repo))
    return build_panel(repo, order.quarter, now, order.public, plan_scheme(repo))


def progress_text(order: PanelOrder, describe: str) -> str:
    """What the asker hears while the file is built; ``describe`` is the format in words ("a Word document")."""
    note = f"{order.note}\n" if order.note else ""
    return (
        f"{note}Building the {_version(order)} {order.document} for {order.subject} as {describe}; "
        "it will be posted here when it is ready."
    )


def written_text(panel: PanelDocument, where: str) -> str:
    """ "Wrote the public Panel report for 2018/19 Q3 (October–December 2018) to FILE; 2 … withheld." """
    withheld = f"; {panel.withheld_sentence}" if panel.public else ""
    return f"Wrote the {panel.audience} {panel.kind} for {panel.period} to {where}{withheld}."


def _version(order: PanelOrder) -> str:
    return "public" if order.public else "internal"
