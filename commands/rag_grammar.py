"""Reads the words after ``/rag`` into a typed request, or says exactly what was wrong.

People type these on phones and in a hurry: ids in lower case, a colon after the id, smart quotes
pasted from Word, non-breaking spaces, emoji instead of words. All of that is accepted; anything
still ambiguous is refused with the correct form rather than guessed. Slack's ``&amp;`` escaping is
undone by the Slack adapter before the text gets here; the text then goes through the one
normaliser every platform shares (``commands.text.clean_text``: spaces folded, control characters
refused, a reason of invisible characters counted as none).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from commands.command_words import command_words
from commands.errors import InvalidStatus, ParseError
from commands.leave_grammar import AWAY, AwayRequest, BackRequest, parse_away
from commands.rules import DEFAULT_SCHEME, MITIGATION, OUTCOME, RagScheme, word_list
from commands.text import clean_text


def usage() -> str:
    """How to type a ``rag`` command, in the reader's platform's words."""
    rag = command_words().rag
    return (
        f"Usage: {rag} ACTION STATUS [REASON] [--mitigation TEXT] [--outcome TEXT] [--restricted], e.g.\n"
        f'{rag} V9 red Waiting on CJS review --mitigation "Escalated to LCJB"\n'
        f"{rag} V9 shows an action, {rag} mine lists yours, {rag} help explains the statuses."
    )


RESTRICTED_FLAG = "--restricted"
TEXT_FLAGS = (MITIGATION.flag, OUTCOME.flag)
OPTIONS = (*TEXT_FLAGS, RESTRICTED_FLAG)

_QUOTES = "\"'`“”‘’„‚«»‹›"
_ACTION_ID = re.compile(r"[A-Za-z]+\d+")
_DIGITS_FIRST = re.compile(r"(\d+)([A-Za-z]+)")
_ID_WITH_COLON = re.compile(r"([A-Za-z]+\d+):(.+)")
_FLAG = re.compile(r"(?:--|—|–)([A-Za-z][A-Za-z-]*)")
_SEPARATORS = frozenset({"-", "–", "—", ":"})


@dataclass(frozen=True)
class UpdateRequest:
    """Record a status; ``restricted`` keeps the reason (and the mitigation and outcome) out of
    public reports. ``mitigation`` is what is being done about a red (or amber), ``outcome`` what a
    completed action delivered; the scheme says which colours take them.

    The update form (Slack's modal) can also propose a revised due date with a red status and mark
    the update as correcting the action's last one; the typed command sets neither.
    """

    action_id: str
    status: str
    reason: str
    restricted: bool = False
    proposed_due: dt.date | None = None
    corrects_last: bool = False
    mitigation: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class ShowRequest:
    """Show one action's status, owner, due date and recent updates."""

    action_id: str


@dataclass(frozen=True)
class MineRequest:
    """List the asker's actions and which updates are due."""


@dataclass(frozen=True)
class HelpRequest:
    """Explain the command and the colours."""


RagRequest = UpdateRequest | ShowRequest | MineRequest | HelpRequest | AwayRequest | BackRequest


def parse_rag(text: str, scheme: RagScheme = DEFAULT_SCHEME) -> RagRequest:
    """Turn the text after ``/rag`` into a request.

    Args:
        text: what the person typed after the command word, already unescaped by the platform.
        scheme: the deployment's colours, which decide the accepted words and reason rules.

    Returns:
        The request, with the action id upper-case and the status as the scheme's code.

    Raises:
        ParseError: the words do not form a rag command.
        InvalidStatus: the colour is unknown or the reason breaks the scheme's rules.
        UnsafeText: a control character or direction override was typed (``commands.text``).
    """
    tokens = clean_text(text, "Your command").split()
    if not tokens:
        raise ParseError(f"Say which action and its status after {command_words().rag}.", usage())
    head, rest = _clean(tokens[0]), tokens[1:]
    joined = _ID_WITH_COLON.fullmatch(head)
    if joined:
        head, rest = joined[1], [joined[2], *rest]
    keyword = head.lower()
    if keyword in ("help", "?"):
        return HelpRequest()
    if keyword == "mine":
        if rest:
            raise ParseError(f'{command_words().rag} mine takes nothing after it, not "{" ".join(rest)}".', usage())
        return MineRequest()
    if keyword == AWAY:
        return parse_away(rest)
    if keyword == "back":
        if rest:
            raise ParseError(f'{command_words().rag} back takes nothing after it, not "{" ".join(rest)}".', usage())
        return BackRequest()
    if not _ACTION_ID.fullmatch(head):
        raise _not_an_id(head, rest, scheme)
    return _parse_after_id(head.upper(), rest, scheme)


def _parse_after_id(action_id: str, tokens: list[str], scheme: RagScheme) -> RagRequest:
    words, restricted, texts = _take_flags(tokens)
    if not words:
        if restricted or texts:
            flag = RESTRICTED_FLAG if restricted else f"{next(iter(texts))} TEXT"
            colour = _example_colour(scheme)
            raise ParseError(
                f"{flag} belongs to an update, so give a status too: "
                f"{command_words().rag} {action_id} {colour} REASON {flag}",
                usage(),
            )
        return ShowRequest(action_id)
    status = scheme.parse(_clean(words[0])) or scheme.parse(_clean(words[0]).rstrip(",;:."))
    if status is None:
        raise InvalidStatus(f'"{_clean(words[0])}" is not a status. Use {scheme.choices}.', usage())
    reason_words = words[1:]
    if reason_words and reason_words[0] in _SEPARATORS:
        reason_words = reason_words[1:]
    reason = clean_text(" ".join(reason_words), "The reason")
    mitigation = clean_text(texts.get(MITIGATION.flag, ""), "The mitigation")
    outcome = clean_text(texts.get(OUTCOME.flag, ""), "The outcome")
    problem = scheme.reason_problem(status, reason)
    if problem:
        raise InvalidStatus(problem, usage())
    # Whether the colour takes the mitigation and outcome given is checked when the update is
    # recorded (``commands.rag.check_extras``), after the action and the person's right to update
    # it: "there is no action V99" or "you can't update V9" helps more than asking for a mitigation.
    return UpdateRequest(action_id, status.code, reason, restricted, mitigation=mitigation, outcome=outcome)


def _take_flags(tokens: list[str]) -> tuple[list[str], bool, dict[str, str]]:
    """Take the options out wherever they are (typing ``--`` on a Mac often yields an em dash).

    ``--restricted`` stands alone. ``--mitigation`` and ``--outcome`` take the words after them:
    a quoted run (``--mitigation "Escalated to LCJB"``, the words after the closing quote going
    back to the reason), or else every word up to the next option or the end.

    Raises:
        ParseError: an unknown option, one given twice, or a text option with no words.
    """
    words: list[str] = []
    restricted = False
    texts: dict[str, str] = {}
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        flag = _FLAG.fullmatch(token)
        name = f"--{flag[1].lower()}" if flag is not None else ""
        if flag is None:
            words.append(token)
        elif name == RESTRICTED_FLAG:
            restricted = True
        elif name in TEXT_FLAGS:
            if name in texts:
                raise ParseError(f"{name} is given twice; give it once.", usage())
            value, index = _flag_text(tokens, index)
            if not value:
                raise ParseError(f"{name} needs the words after it, e.g. {_example(name)}", usage())
            texts[name] = value
        else:
            raise ParseError(f'"{token}" is not an option; the options are {word_list(OPTIONS)}.', usage())
    return words, restricted, texts


def _flag_text(tokens: list[str], index: int) -> tuple[str, int]:
    """The words a text option takes from ``tokens[index]`` on, and where the rest resumes."""
    if index < len(tokens) and tokens[index][:1] in _QUOTES:
        for end in range(index, len(tokens)):
            last = tokens[end]
            if last[-1:] in _QUOTES and (end > index or len(last) > 1):
                return " ".join(tokens[index : end + 1]).strip(_QUOTES).strip(), end + 1
    end = index
    while end < len(tokens) and _FLAG.fullmatch(tokens[end]) is None:
        end += 1
    return " ".join(tokens[index:end]).strip(_QUOTES).strip(), end


def _example(flag: str) -> str:
    return MITIGATION.example if flag == MITIGATION.flag else OUTCOME.example


def _clean(token: str) -> str:
    """Drop quotes pasted around a word and the colon people put after an id (“V9”: → V9)."""
    bare = token.strip(_QUOTES)
    return bare if _is_shortcode(bare) else bare.rstrip(":").strip(_QUOTES)


def _is_shortcode(token: str) -> bool:
    return len(token) > 2 and token.startswith(":") and token.endswith(":")


def _example_colour(scheme: RagScheme) -> str:
    """A colour word for an example: the scheme's second-worst (amber in the default key)."""
    ranked = sorted(scheme.statuses, key=lambda s: s.rank)
    return ranked[min(1, len(ranked) - 1)].aliases[0]


def _not_an_id(word: str, rest: list[str], scheme: RagScheme) -> ParseError:
    """Explain a first word that is not an action id, suggesting the id it most likely meant."""
    if scheme.parse(word):
        later_id = next((_clean(t) for t in rest if _ACTION_ID.fullmatch(_clean(t))), None)
        if later_id:
            others = " ".join(t for t in rest if _clean(t) != later_id)
            suggestion = " ".join(filter(None, (command_words().rag, later_id.upper(), word, others)))
            return ParseError(f"Put the action id first: {suggestion}", usage())
        return ParseError(
            f'Which action is "{word}" for? Put its id first, as in {command_words().rag} V9 {word} REASON', usage()
        )
    guess = _guess_id(word, rest)
    if guess:
        return ParseError(f'"{word}" is not an action id. Did you mean {guess}?', usage())
    return ParseError(f'"{word}" is not an action id (a theme letter and a number, like V9).', usage())


def _guess_id(word: str, rest: list[str]) -> str | None:
    """The id behind common slips: "V-9", "#V9", "9V", or "V 9" split by a space."""
    letters_and_digits = re.sub(r"[^A-Za-z0-9]", "", word)
    if _ACTION_ID.fullmatch(letters_and_digits):
        return letters_and_digits.upper()
    swapped = _DIGITS_FIRST.fullmatch(letters_and_digits)
    if swapped:
        return f"{swapped[2]}{swapped[1]}".upper()
    if letters_and_digits.isalpha() and len(letters_and_digits) <= 2 and rest and _clean(rest[0]).isdigit():
        return f"{letters_and_digits}{_clean(rest[0])}".upper()
    return None
