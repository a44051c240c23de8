"""``planbot console``: type what a person types in chat, as a person from the plan, and read the replies.

The console is planbot's reference text platform: ``/rag …``, ``/plan …`` (``/plan admin …`` as an
admin) and plain questions go through the very same core as Slack (``commands.rag.handle_rag``,
``commands.plan_dispatch.handle_plan``), and replies and reports are the core's layouts drawn by the
terminal renderers, so an OPCC team can try the plan, the permissions and the wording before any
Slack app exists. Input and output are parameters (lines in, a rich ``Console`` out) so sessions
can be scripted in tests and replayed by the demo; at a terminal, lines are read with prompt_toolkit
(history with the arrow keys, line editing), and piped input is read line by line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from rich.console import Console
from rich.prompt import Prompt
from rich.table import Table
from rich.text import Text

from bot.config import Settings
from bot.console_render import render_announcement, render_direct_message, render_reply
from bot.container import Container
from bot.db_command import open_container
from bot.terminal_report import render_report
from commands.chat_routing import PLAN, RAG, route_line
from commands.command_words import SLASH, speaking
from commands.model import Actor, Invocation, Notice, Reply
from commands.notices import tell_people
from commands.panel import PanelOrder
from commands.panel_orders import panel_on_the_terminal_text
from commands.plan_dispatch import PlanAnswer, handle_plan
from commands.rag import handle_rag
from commands.rag_scheme import plan_scheme
from storage.models import Person
from storage.repository import PlanRepository

PLATFORM = "console"
PLATFORM_NAME = "the console"
COMMAND_WORDS = SLASH
HISTORY_FILE = Path.home() / ".planbot_history"
QUIT_WORDS = frozenset({"quit", "exit"})
SUGGESTED_PEOPLE = 6
HINT = (
    "The console understands what you would type in chat: /rag V9 red REASON, /rag V9, /rag mine, "
    "/rag help (the /rag may be left out), /plan summary|overdue|digest|quarter|history, /plan admin … "
    'and plain questions ("what is overdue"). /as EMAIL switches person; quit ends.'
)
NO_PLAN = (
    "There is no plan in this database yet. Load one with `planbot plan import FILE` "
    "(bot/data/sample-plan.yaml shows the format), or try `planbot demo`, which builds its own database."
)


def run_console(settings: Settings, as_person: str | None) -> int:
    """Run an interactive session on the configured database.

    Args:
        settings: where the database is.
        as_person: email or exact name of who to act as; asked for when left out.

    Returns:
        0 after a session, 1 when there is no database or no plan to work on, 2 when ``as_person``
        is nobody the plan knows.
    """
    out = Console(highlight=False)
    container = open_container(settings, out)
    if container is None:
        return 1
    try:
        with container.unit_of_work() as repo:
            plan = repo.current_plan()
            suggestions = suggested_people(repo)
        if plan is None:
            out.print(NO_PLAN, soft_wrap=True, markup=False)
            return 1
        out.print(Text.assemble(("planbot console", "bold"), f" · {plan.name}"))
        if as_person is None:
            actor = _ask_who(container, suggestions, out)
            if actor is None:
                return 0
        else:
            actor = find_actor(container, as_person)
            if actor is None:
                out.print(f"Nobody in the plan has the email or name {as_person!r}.", markup=False)
                _show_people(suggestions, out)
                return 2
        console_session(container, actor, _typed_lines(out), out)
        return 0
    finally:
        container.engine.dispose()


def console_session(container: Container, actor: Actor, lines: Iterable[str], out: Console) -> Actor:
    """Answer each line as ``actor`` until the lines run out or one says quit.

    Returns:
        Whoever is acting at the end (``/as`` may have switched person).
    """
    out.print(HINT, style="dim", markup=False)
    out.print(_acting_as(actor))
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        command, rest = [*line.split(maxsplit=1), ""][:2]
        if command.lower() in QUIT_WORDS:
            break
        if command.lower() == "/as":
            actor = _switch(container, actor, rest, out)
            continue
        routed = route_line(line)
        if routed.command == RAG:
            respond(container, actor, routed.text, out)
        elif routed.command == PLAN:
            ask(container, actor, routed.text, out)
        else:
            out.print(HINT, markup=False, style="dim")
    return actor


def respond(container: Container, actor: Actor, text: str, out: Console) -> Reply:
    """Run one ``/rag`` command in its own unit of work and print the reply (and what it announces);
    notices (a leave's cover is told) are shown as the direct messages they would be."""
    with speaking(COMMAND_WORDS), container.unit_of_work() as repo:
        scheme = plan_scheme(repo)
        reply = handle_rag(Invocation(actor=actor, text=text, platform=PLATFORM), repo, container.clock(), scheme)
    reply = tell_people(reply, _printer(out), PLATFORM_NAME)
    out.print(render_reply(reply, scheme))
    if reply.announcement:
        out.print(render_announcement(reply.announcement))
    return reply


def ask(container: Container, actor: Actor, text: str, out: Console) -> PlanAnswer:
    """Run one ``/plan`` command or question and print its report or reply; admin notices are shown
    as the direct messages they would be."""
    with speaking(COMMAND_WORDS), container.unit_of_work() as repo:
        scheme = plan_scheme(repo)
        answer = handle_plan(
            Invocation(actor=actor, text=text, platform=PLATFORM), repo, container.clock(), scheme=scheme
        )

    answer = tell_people(answer, _printer(out), PLATFORM_NAME)
    match answer:
        case Reply():
            out.print(render_reply(answer, scheme))
        case PanelOrder():
            out.print(render_reply(Reply(text=panel_on_the_terminal_text(answer))))
        case _:
            out.print(render_report(answer, scheme))
    return answer


def _printer(out: Console) -> Callable[[Notice], bool]:
    """Notices printed as the direct messages they would be."""

    def send(notice: Notice) -> bool:
        out.print(render_direct_message(notice.name, notice.text))
        return True

    return send


def find_actor(container: Container, email_or_name: str) -> Actor | None:
    """The person with this email, or the only person with exactly this name."""
    with container.unit_of_work() as repo:
        person = repo.person_by_email(email_or_name)
        if person is None:
            named = repo.people_by_name(email_or_name)
            person = named[0] if len(named) == 1 else None
    return None if person is None else actor_for(person)


def actor_for(person: Person) -> Actor:
    """The core's view of a person read from the plan."""
    assert person.id is not None, "people come from the database"
    return Actor(person_id=person.id, name=person.name, email=person.email, is_admin=person.is_admin)


def suggested_people(repo: PlanRepository) -> list[tuple[Person, str]]:
    """A few people worth trying, each with what they are: the leads of the plan's first actions
    (with their role), then an admin."""
    plan = repo.current_plan()
    if plan is None or plan.id is None:
        return []
    owner_roles = list(dict.fromkeys(action.owner_role_id for action in repo.actions(plan.id)))
    holders = repo.holders(owner_roles)
    titles = repo.roles(owner_roles)
    people: dict[int | None, tuple[Person, str]] = {}
    for role_id in owner_roles:
        for person in holders[role_id][:1]:
            people.setdefault(person.id, (person, titles[role_id].title))
        if len(people) == SUGGESTED_PEOPLE - 1:
            break
    for admin in repo.admins()[:1]:
        people.setdefault(admin.id, (admin, "admin"))
    return list(people.values())


def _switch(container: Container, actor: Actor, who: str, out: Console) -> Actor:
    if not who.strip():
        out.print("Say who to act as: /as EMAIL (or their exact name).", markup=False)
        return actor
    found = find_actor(container, who.strip())
    if found is None:
        out.print(f"Nobody in the plan has the email or name {who.strip()!r}; still {_who(actor)}.", markup=False)
        return actor
    out.print(_acting_as(found))
    return found


def _ask_who(container: Container, suggestions: list[tuple[Person, str]], out: Console) -> Actor | None:
    """Prompt until the answer names someone; None when input ends first."""
    _show_people(suggestions, out)
    while True:
        try:
            answer = Prompt.ask("Who are you? (email or name)", console=out)
        except (EOFError, KeyboardInterrupt):
            out.print()
            return None
        actor = find_actor(container, answer)
        if actor is not None:
            return actor
        out.print(f"Nobody in the plan has the email or name {answer!r}.", markup=False)


def _show_people(people: list[tuple[Person, str]], out: Console) -> None:
    table = Table(title="People you could be", title_justify="left", box=None, show_header=False)
    for person, what in people:
        table.add_row(person.email, person.name, what)
    out.print(table)


def _typed_lines(out: Console) -> Iterator[str]:
    """What the person types, one line at a time, until end of input or Ctrl-C.

    At a terminal prompt_toolkit reads each line (arrow keys recall earlier lines, kept between
    sessions in ``~/.planbot_history``); piped input, as tests and scripts give, is read plainly.
    """
    read = _prompt_reader() if sys.stdin.isatty() and sys.stdout.isatty() else lambda: out.input("[bold]>[/bold] ")
    while True:
        try:
            yield read()
        except (EOFError, KeyboardInterrupt):
            out.print()
            return


def _prompt_reader() -> Callable[[], str]:
    """A line reader with history and editing; history stays in memory when the home folder is read-only."""
    history: History
    try:
        HISTORY_FILE.touch(exist_ok=True)
        history = FileHistory(str(HISTORY_FILE))
    except OSError:
        history = InMemoryHistory()
    session: PromptSession[str] = PromptSession(history=history)
    return lambda: session.prompt("> ")


def _who(actor: Actor) -> str:
    return actor.name or actor.email


def _acting_as(actor: Actor) -> Text:
    admin = " (admin)" if actor.is_admin else ""
    return Text.assemble("You are ", (_who(actor), "bold"), f" <{actor.email}>{admin}.")
