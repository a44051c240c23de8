"""A table of hostile or malformed updates, as an attacker or a careless person would type them.

Every row is refused: the test driving it (typed ``/rag`` over signed HTTP, the console, the update
form's view_submission) asserts the words the person sees and that nothing was stored. ``says`` is
what the typed command answers; ``form_says`` what the form shows beside its field (``None``: the
row makes no sense as a form, such as a stray option).
"""

from __future__ import annotations

from dataclasses import dataclass

CONTROL = "contains a control character"
OVERRIDE = "contains a direction override"
RED_REASON = "Red needs a reason"
AMBER_REASON = "Amber needs a reason"
NOT_A_STATUS = "is not a status"
NOT_AN_ID = "is not an action id"
NO_SUCH_ACTION = "There is no action"
TOO_LONG = "the limit is"
CHOOSE_STATUS = "Choose a status"


@dataclass(frozen=True)
class Hostile:
    """One refused update: the action, status word and reason as typed, and what comes back."""

    name: str
    action: str
    status: str
    reason: str
    says: str
    form_says: str | None = ""

    @property
    def typed(self) -> str:
        return " ".join(part for part in (self.action, self.status, self.reason) if part)

    @property
    def form_message(self) -> str | None:
        return self.says if self.form_says == "" else self.form_says


def _controls() -> list[Hostile]:
    """Every C0 control but the folded tab, line feed and carriage return, DEL, and a few C1 ones."""
    codes = [c for c in range(0x20) if chr(c) not in "\t\n\r"] + [0x7F, 0x85, 0x9B, 0x9F]
    return [
        Hostile(f"control U+{code:04X} in a reason", "V9", "amber", f"Waiting{chr(code)} on the CPS", CONTROL)
        for code in codes
    ]


_INVISIBLE = {
    "zero-width space": "\u200b",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte-order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "Hangul filler": "\u3164",
    "Hangul choseong filler": "\u115f",
    "Hangul jungseong filler": "\u1160",
    "halfwidth Hangul filler": "\uffa0",
    "Braille blank": "\u2800",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "no-break space": "\u00a0",
    "ideographic space": "\u3000",
    "em space": "\u2003",
    "narrow no-break space": "\u202f",
    "Mongolian vowel separator": "\u180e",
    "invisible times": "\u2062",
    "mixed invisibles": "\u200d\u00ad\u3164\u200b\u2060",
}

_OVERRIDES = {
    "right-to-left override": "\u202e",
    "left-to-right override": "\u202d",
    "right-to-left embedding": "\u202b",
    "left-to-right embedding": "\u202a",
    "pop directional formatting": "\u202c",
    "left-to-right isolate": "\u2066",
    "right-to-left isolate": "\u2067",
    "first strong isolate": "\u2068",
    "pop directional isolate": "\u2069",
}

HOSTILE: tuple[Hostile, ...] = (
    *_controls(),
    Hostile("only ESC BEL BS as a reason", "V9", "red", "\x1b\x07\x08", CONTROL),
    Hostile("screen-clearing escape sequence", "V9", "red", "Delayed \x1b[2J\x1b[H", CONTROL),
    Hostile("hidden terminal hyperlink", "V9", "red", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", CONTROL),
    Hostile("NUL in the action id", "V\x009", "red", "Late", CONTROL, CONTROL),
    *(Hostile(f"red reason of {n}", "V9", "red", text, RED_REASON) for n, text in _INVISIBLE.items()),
    *(Hostile(f"amber reason of {n}", "V9", "amber", text * 3, AMBER_REASON) for n, text in _INVISIBLE.items()),
    *(Hostile(f"{n} in a reason", "V9", "amber", f"Supplier {c}late{c}", OVERRIDE) for n, c in _OVERRIDES.items()),
    Hostile("a separator is not a reason", "V9", "red", "-", RED_REASON, None),
    Hostile("an em dash is not a reason", "V9", "amber", "—", AMBER_REASON, None),
    Hostile("unknown colour", "V9", "purple", "Whatever", NOT_A_STATUS, CHOOSE_STATUS),
    Hostile("Cyrillic e in red", "V9", "r\u0435d", "Late", NOT_A_STATUS, CHOOSE_STATUS),
    Hostile("Greek omicron in amber", "V9", "amber".replace("a", "\u03b1"), "Late", NOT_A_STATUS, CHOOSE_STATUS),
    Hostile("smart-quoted unknown colour", "V9", "\u201cpurple\u201d", "Pasted from Word", NOT_A_STATUS, CHOOSE_STATUS),
    Hostile("Cyrillic V in the id", "\u04129", "red", "Late", NOT_AN_ID, NO_SUCH_ACTION),
    Hostile("Arabic-Indic nine in the id", "V\u0669", "red", "Late", NO_SUCH_ACTION, NO_SUCH_ACTION),
    Hostile("fullwidth id", "\uff369", "red", "Late", NOT_AN_ID, NO_SUCH_ACTION),
    Hostile("action that does not exist", "V99", "red", "Late", NO_SUCH_ACTION, NO_SUCH_ACTION),
    Hostile("SQL in the id", "V9';DROP", "red", "x", NOT_AN_ID, NO_SUCH_ACTION),
    Hostile("50 KB reason", "V9", "amber", "slow " * 10_000, TOO_LONG),
    Hostile("50 KB of zero-width joiners", "V9", "red", "\u200d" * 16_000, RED_REASON),
    Hostile("stray option", "V9", "red", "Late --public", "is not an option", None),
    Hostile("colour before the id", "red", "V9", "Late", "Put the action id first", None),
)
