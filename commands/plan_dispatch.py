"""``/plan`` and questions to the bot: one entry point for every platform, answering with a report.

The answer is the report builders' own frozen data (``commands.report_model``), so Slack, the
console and Teams lay out the same report their own way; refusals and admin results are a neutral
``Reply``. Theme matching, "did you mean" and quarter reading belong to the builders and
``parse_quarter``; this module only dispatches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from commands.admin import assign_role, delegate, undelegate
from commands.admin_actions import close_action, reprofile, set_cadence
from commands.errors import UserError
from commands.leave import come_back, go_away
from commands.leave_grammar import AwayRequest, BackRequest
from commands.model import Invocation, Reply
from commands.panel import ANNUAL, PanelOrder
from commands.panel_orders import order_panel
from commands.periods import Quarter, parse_financial_year, parse_quarter
from commands.plan_grammar import (
    AdminReprofileRequest,
    AssignRequest,
    CadenceRequest,
    CloseRequest,
    DelegateRequest,
    DigestRequest,
    HelpRequest,
    HistoryRequest,
    ListSubscriptionsRequest,
    OverdueRequest,
    QuarterRequest,
    ReportRequest,
    SubscribeRequest,
    SummaryRequest,
    UndelegateRequest,
    UnsubscribeRequest,
    parse_plan,
    usage,
)
from commands.ports import Target
from commands.report_builders import history, overdue_list, quarterly_summary, theme_summary, weekly_digest
from commands.report_model import ActionHistory, Digest, OverdueList, QuarterlySummary, Summary
from commands.rules import DEFAULT_SCHEME, RagScheme, london_date
from commands.subscriptions import list_subscriptions, subscribe, unsubscribe
from storage.repository import PlanRepository

PlanAnswer = Summary | OverdueList | Digest | QuarterlySummary | ActionHistory | PanelOrder | Reply


def handle_plan(
    invocation: Invocation,
    repo: PlanRepository,
    now: dt.datetime,
    configured: Mapping[str, tuple[str, ...]] | None = None,
    scheme: RagScheme = DEFAULT_SCHEME,
    *,
    files_to_asker: bool = False,
) -> PlanAnswer:
    """Answer one ``/plan`` command or plain question.

    Args:
        invocation: who asked what; the text may start with a mention of the bot.
        repo: the caller's unit of work. Only admin commands and the freezing of a quarter whose
            cut-off has passed write; the digest is a preview and claims nothing.
        now: the moment of asking, naive UTC.
        configured: the channels set in the environment per subscription word, for listing.
        scheme: the deployment's RAG colours.
        files_to_asker: the platform sends a Panel file to the asker alone, wherever they asked
            (Teams: their personal chat, as no bot may post a file in a channel).

    Returns:
        The report asked for, or a ``Reply``: an admin change's result with the notices for the
            people it affects, or a refusal (``ok`` False, nothing written).
    """
    try:
        match request := parse_plan(invocation.text):
            case SummaryRequest(theme=theme):
                return theme_summary(repo, now, theme, scheme)
            case OverdueRequest():
                return overdue_list(repo, now, scheme)
            case DigestRequest():
                return weekly_digest(repo, now, scheme=scheme)
            case QuarterRequest(text=text):
                return quarterly_summary(repo, parse_quarter(text, london_date(now)), now, scheme)
            case ReportRequest(quarter=text, fmt=fmt, public=public, report=report, theme=theme):
                # Checked now (the quarter or year, the theme, and which version the asker may have
                # where they asked); built by the platform after it has said the file is on its way.
                if report == ANNUAL:
                    quarter = Quarter(parse_financial_year(text, london_date(now)), 4)
                else:
                    quarter = parse_quarter(text, london_date(now))
                return order_panel(
                    invocation, repo, quarter, fmt, public, configured, report, theme, now, files_to_asker
                )
            case HistoryRequest(action=action):
                return history(repo, action, scheme)
            case SubscribeRequest(channel=channel, job=job):
                return subscribe(invocation.actor, repo, channel, job, now, _here(invocation))
            case UnsubscribeRequest(channel=channel, job=job):
                return unsubscribe(invocation.actor, repo, channel, job, now, _here(invocation))
            case ListSubscriptionsRequest():
                return list_subscriptions(repo, dict(configured or {}))
            case AssignRequest(role=role, person=person):
                return assign_role(invocation.actor, repo, role, person, now)
            case DelegateRequest(action=action, person=person):
                return delegate(invocation.actor, repo, action, person, now)
            case UndelegateRequest(action=action, person=person):
                return undelegate(invocation.actor, repo, action, person, now)
            case AdminReprofileRequest(action=action, due=due, approval=approval):
                return reprofile(invocation.actor, repo, action, due, approval, now)
            case CloseRequest(action=action, approval=approval):
                return close_action(invocation.actor, repo, action, approval, now)
            case CadenceRequest(action=action, cadence=cadence):
                return set_cadence(invocation.actor, repo, action, cadence, now)
            case AwayRequest():
                return go_away(invocation.actor, repo, request, now)
            case BackRequest():
                return come_back(invocation.actor, repo, request, now)
            case HelpRequest():
                return Reply(text=usage())
    except UserError as err:
        return Reply(text=err.reply_text(), ok=False)


def _here(invocation: Invocation) -> Target | None:
    """The conversation a command was typed in, when everyone there reads it (a Teams channel or group
    chat): what ``subscribe weekly`` with no channel subscribes."""
    if not invocation.shared or not invocation.channel:
        return None
    return Target(invocation.platform, invocation.channel)
