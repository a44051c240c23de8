"""Every table planbot keeps, in one module so that Alembic and the repository see one metadata.

Times are stored as naive UTC datetimes (``DateTime`` without a zone behaves the same on SQLite
and PostgreSQL; sqlmodel's own default type would insist on aware values); conversion to
Europe/London happens only when something is shown.
Status updates and audit entries are append-only: nothing in planbot updates or deletes them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import Column, DateTime, Index, LargeBinary, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class ActionState(StrEnum):
    """Lifecycle of an action; closed actions keep their history but leave RAG counts.

    Delivery is not a state: an action is reported complete with the scheme's completing status
    (blue) and stays active, so a later update can say work has restarted.
    """

    ACTIVE = "active"
    CLOSED = "closed"


class TableModel(SQLModel):
    """The base of every table. pydantic builds a model's validator only when something validates
    through it (``defer_build``): rows come from SQLAlchemy and new ones are built by hand, never
    validated, and building twenty validators took every command about 30 ms at start."""

    model_config = {"defer_build": True}


def new_structure_stamp() -> str:
    return uuid.uuid4().hex


class Plan(TableModel, table=True):
    """A Police and Crime Plan: the period it covers and where its financial year starts.

    ``structure_stamp`` changes, in the same transaction, whenever the plan, its themes, actions or
    strategic measures, or any role title changes (``storage.structure``), so every process can keep the plan's
    structure in memory between reports and know from the one plan row each report reads whether
    its copy is still right. A random stamp rather than a counter, so that a database dropped and
    rebuilt (tests do this) can never present an old copy's key.
    """

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300)
    short_name: str = Field(max_length=100, unique=True)
    period_start: dt.date
    period_end: dt.date
    financial_year_start: str = Field(default="04-01", max_length=5)
    # The column default covers Core inserts too; the server default only rows written by hand.
    structure_stamp: str = Field(
        default_factory=new_structure_stamp,
        max_length=32,
        sa_column_kwargs={"default": new_structure_stamp, "server_default": ""},
    )
    is_current: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    """The plan chat commands and scheduled reports use; at most one plan has it (``PlanRepository.make_current``)."""
    rag_scheme: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    """The plan file's own colour key as JSON (``commands.rag_scheme``); ``None``: the default scheme."""


class Role(TableModel, table=True):
    """A post such as "Head of Criminal Justice"; plans name roles because people move on."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200, unique=True)


class Person(TableModel, table=True):
    """Someone known by email; platform identities point here."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    is_admin: bool = Field(default=False)


class RoleHolder(TableModel, table=True):
    """Who currently holds a role; one person may hold several roles."""

    __table_args__ = (UniqueConstraint("role_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    role_id: int = Field(foreign_key="role.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)


class ImportedValue(TableModel, table=True):
    """What the last import of a plan's file said about something chat may also change.

    ``entity`` is ``holders`` (``key`` a role title, ``value`` its holders' emails as a JSON list),
    ``admin`` (``key`` an email, ``value`` ``"yes"``) or ``cadence`` (``key`` an action id). A
    re-import compares the file with it to tell a file that changed from a value changed in chat
    since (``storage.plan_import``), and an import only takes away what its own plan's file gave.
    """

    __table_args__ = (UniqueConstraint("plan_id", "entity", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    entity: str = Field(max_length=20)
    key: str = Field(max_length=320)
    value: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Theme(TableModel, table=True):
    """A plan objective (Victims, Offenders…); its code letter prefixes action ids."""

    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    code: str = Field(max_length=10)
    name: str = Field(max_length=200)
    sro_role_id: int | None = Field(default=None, foreign_key="role.id")
    position: int = Field(default=0)


class Action(TableModel, table=True):
    """One numbered action of the plan (``V9``): who owns it, who answers for it, when it is due."""

    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    theme_id: int = Field(foreign_key="theme.id", index=True)
    code: str = Field(max_length=20)
    title: str = Field(sa_column=Column(Text, nullable=False))
    owner_role_id: int = Field(foreign_key="role.id", index=True)
    joint_lead_role_id: int | None = Field(default=None, foreign_key="role.id")
    """A second lead role working with the owner (a Force lead beside an OPCC lead): may update the
    action and is nudged like the owner; ``None`` for the usual single owner."""
    sro_role_id: int = Field(foreign_key="role.id", index=True)
    baseline_due: dt.date
    current_due: dt.date
    cadence: str = Field(default="monthly", max_length=20)
    priority: bool = Field(default=False)
    state: str = Field(default=ActionState.ACTIVE.value, max_length=20)
    state_approval: str | None = Field(default=None, max_length=300)
    state_changed_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    position: int = Field(default=0)
    objective: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    """The objective (portfolio area) of its theme the action serves; "" where the plan has none."""


class Measure(TableModel, table=True):
    """A strategic measure attached to an action, with the polarity that decides better or worse."""

    __table_args__ = (UniqueConstraint("action_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    name: str = Field(max_length=300)
    unit: str = Field(default="", max_length=30)
    polarity: str = Field(default="higher_is_better", max_length=20)


class Leave(TableModel, table=True):
    """A person away until ``until`` (inclusive), with who covers for them while they are.

    One row per person: setting leave again replaces it, ``/rag back`` deletes it, and a leave
    whose date has passed is simply no longer read (it pauses reminders, never deadlines).
    """

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    until: dt.date
    cover_id: int | None = Field(default=None, foreign_key="person.id")
    set_by: str = Field(max_length=320)
    created_at: dt.datetime = Field(sa_type=DateTime)


class Delegate(TableModel, table=True):
    """A person named by an owner or admin to update one action."""

    __table_args__ = (UniqueConstraint("action_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    added_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = Field(sa_type=DateTime)


class StatusUpdate(TableModel, table=True):
    """One RAG report on an action. Append-only: a correction is a new row pointing at the old.

    ``proposed_due`` is a re-profile request made with a red status: the owner's proposed new due
    date, which an admin may approve (as a ``Reprofile``); the action's due date does not move by itself.
    ``mitigation`` is what is being done about a red (or amber) status, ``outcome`` what a completed
    action delivered (empty when not given); ``restricted`` keeps them out of public reports too.

    The (action, time, id, status) index lets a report find each action's newest updates by walking
    a few index entries per action instead of sorting the whole history, and read the status an
    action stood at on a given day from the index alone; a partial index holds re-profile requests.
    """

    __table_args__ = (
        Index("ix_statusupdate_action_created_status", "action_id", "created_at", "id", "status"),
        # Re-profile requests are a handful among hundreds of thousands of updates: a partial index
        # finds them without reading the rest, and tells which an admin has answered since without
        # reading them either.
        Index(
            "ix_statusupdate_requests",
            "created_at",
            "action_id",
            sqlite_where=text("proposed_due IS NOT NULL"),
            postgresql_where=text("proposed_due IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    status: str = Field(max_length=10)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    author_id: int = Field(foreign_key="person.id", index=True)
    on_behalf: bool = Field(default=False)
    restricted: bool = Field(default=False)
    mitigation: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    outcome: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    corrects_id: int | None = Field(default=None, foreign_key="statusupdate.id")
    proposed_due: dt.date | None = None
    created_at: dt.datetime = Field(sa_type=DateTime, index=True)
    source: str = Field(default="console", max_length=20)
    source_ref: str | None = Field(default=None, max_length=200)


class AuditEntry(TableModel, table=True):
    """Who changed what and when; boards and the Panel can ask."""

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_type=DateTime, index=True)
    actor: str = Field(max_length=320)
    entity: str = Field(max_length=50)
    entity_key: str = Field(max_length=300)
    change: str = Field(max_length=20)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class PlatformIdentity(TableModel, table=True):
    """A chat-platform user (Slack user id, Teams AAD object id) matched to a person by email."""

    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    external_id: str = Field(max_length=100)
    person_id: int = Field(foreign_key="person.id", index=True)
    display_name: str = Field(default="", max_length=200)
    seen_at: dt.datetime = Field(sa_type=DateTime)


class JobRun(TableModel, table=True):
    """One scheduled send (digest, summary, nudge) claimed once per target and period.

    The unique key is what stops two bot processes, or a restart, sending the same thing twice.
    """

    __table_args__ = (UniqueConstraint("job", "platform", "target", "period_key"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=50)
    platform: str = Field(default="slack", max_length=20)
    target: str = Field(max_length=100)
    period_key: str = Field(max_length=100)
    state: str = Field(default="claimed", max_length=20)
    claimed_at: dt.datetime = Field(sa_type=DateTime)
    alive_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    """Renewed while the run is being posted; a claim is abandoned only when this goes stale too."""
    finished_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    message_ts: str | None = Field(default=None, max_length=50)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    attempts: int = Field(default=1)


class ChannelSubscription(TableModel, table=True):
    """A channel that receives a scheduled report (weekly digest, quarterly summary, nudges)."""

    __table_args__ = (UniqueConstraint("platform", "channel", "job"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(default="slack", max_length=20)
    channel: str = Field(max_length=100)
    job: str = Field(max_length=50)
    created_at: dt.datetime = Field(sa_type=DateTime)
    created_by: str = Field(max_length=320)


class QuarterSnapshot(TableModel, table=True):
    """An action as a quarter's summary shows it, frozen at the quarter's cut-off; never changed
    once written.

    ``status`` is ``None`` when the action had not been reported by the cut-off. The row carries
    what the summary shows of the update frozen (``reason``, ``mitigation``, ``outcome``,
    ``restricted``, ``reported_at``) and
    ``updates``, the number of the action's updates in the quarter's window (the day after the
    previous quarter's cut-off to this one's), so a frozen quarter's summary reads neither the
    update history nor the updates themselves. ``updates`` is ``None`` only in rows frozen before
    planbot kept these columns; they are completed the first time such a quarter is summarised.
    """

    __table_args__ = (UniqueConstraint("quarter_key", "action_id"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    quarter_key: str = Field(max_length=20)
    action_id: int = Field(foreign_key="action.id", index=True)
    status: str | None = Field(default=None, max_length=10)
    update_id: int | None = Field(default=None, foreign_key="statusupdate.id")
    updates: int | None = None
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    mitigation: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    outcome: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    restricted: bool | None = None
    reported_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    frozen_at: dt.datetime = Field(sa_type=DateTime)


class PanelChart(TableModel, table=True):
    """A chart of a frozen quarter's Panel appendix, drawn once and kept, so a later export of the
    quarter embeds it rather than drawing it again (matplotlib costs seconds a file).

    ``kind`` says which chart ("themes", "shares"); ``png``, ``alt`` and ``title`` are what a
    document embeds. ``fingerprint`` is a digest of everything the picture shows (its numbers and
    words) and of the code that draws it: a kept chart is used only while it still matches, so a
    quarter frozen again, an action closed since, a renamed theme or a new drawing style gets a
    new chart, which replaces this row. One row per plan, quarter and kind.
    """

    __table_args__ = (UniqueConstraint("plan_id", "quarter_key", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    quarter_key: str = Field(max_length=20)
    kind: str = Field(max_length=20)
    fingerprint: str = Field(max_length=64)
    title: str = Field(sa_column=Column(Text, nullable=False))
    alt: str = Field(sa_column=Column(Text, nullable=False))
    png: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class MeasureValue(TableModel, table=True):
    """A strategic measure's value for one quarter.

    Setting it again for the same quarter replaces the value; the audit log keeps the old one.
    """

    __table_args__ = (UniqueConstraint("measure_id", "quarter_key"),)

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(foreign_key="measure.id", index=True)
    quarter_key: str = Field(max_length=20)
    value: float
    recorded_at: dt.datetime = Field(sa_type=DateTime)
    recorded_by: str = Field(max_length=320)


class Reprofile(TableModel, table=True):
    """An approved change of an action's due date; the baseline stays, ``current_due`` moves."""

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    old_due: dt.date
    new_due: dt.date
    approval: str = Field(max_length=300)
    approved_by: str = Field(max_length=320)
    created_at: dt.datetime = Field(sa_type=DateTime, index=True)


class ReceivedRequest(TableModel, table=True):
    """A platform request planbot has already taken, so a replay or a retry of it is answered once.

    ``kind`` says what ``key`` is (a slash command's or interaction's ``trigger_id``, an Events API
    ``event_id``); the unique pair is the claim, shared by every planbot process on the database.
    Rows older than the platforms' retry window are deleted as new ones arrive.
    """

    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    key: str = Field(max_length=255)
    received_at: dt.datetime = Field(sa_type=DateTime, index=True)


class TeamsConversation(TableModel, table=True):
    """A Teams conversation planbot may post in: what the SDK needs to continue it from any process.

    Refreshed from every activity that arrives (install events are unreliable and the service URL
    can change, teams-platform.md §6). ``conversation_id`` is the conversation without a thread's
    ``;messageid=…``: a channel, a group chat, or a person's 1:1 chat with planbot (``person_id``
    then says whose). ``home_activity_id`` is the dashboard card last sent there, edited in place
    after the person's updates.
    """

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(max_length=255, unique=True)
    kind: str = Field(max_length=20)
    service_url: str = Field(max_length=500)
    tenant_id: str = Field(max_length=64)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    home_activity_id: str | None = Field(default=None, max_length=255)
    seen_at: dt.datetime = Field(sa_type=DateTime)
    active: bool = True
    """False once planbot was removed from the conversation: nothing is sent there until it is back."""
