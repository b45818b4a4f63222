"""What typed text may hold: one line of ordinary characters for names and other single-line
fields; line breaks and tabs, but no other control characters, for notes.

A line break in a name breaks the one-line places it is shown in (an email's subject, where
Django refuses it and the email fails; a CSV row; a History line); a terminal escape (ESC)
or bell (BEL) comes from a paste and means nothing to anyone; a bidi override (U+202E) makes
"Ann\u202egnp.exe" read as "Annexe.png". None of them is something a receptionist meant to type.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

SINGLE_LINE_MESSAGE = "Use one line of ordinary characters: no line breaks, tabs or control characters."
MULTI_LINE_MESSAGE = "Use ordinary characters and line breaks only: no control characters."

#: Bidi embeddings, overrides and isolates: they reorder the text shown after them. The
#: marks (U+200E, U+200F, U+061C) stay allowed: they affect neighbouring punctuation only.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Unicode's own line and paragraph separators, which some editors and browsers break on.
LINE_SEPARATORS = frozenset("\u2028\u2029")
#: What multi-line text (notes, descriptions, long answers) keeps of the control characters.
LINE_BREAKS_AND_TABS = frozenset("\r\n\t")


def is_unwanted(char):
    """Whether `char` has no place in one line of typed text (control, bidi override,
    line or paragraph separator)."""
    return char in BIDI_CONTROLS or char in LINE_SEPARATORS or unicodedata.category(char) == "Cc"


def validate_single_line(value):
    """Refuse text holding a line break, tab, other control character or bidi override.

    Set on every single-line CharField of the models (so the Django admin refuses them too)
    and of the forms; a test walks both and fails for a field without it.
    """
    if isinstance(value, str) and any(is_unwanted(char) for char in value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="single_line")


def validate_multi_line(value):
    """Refuse text holding a control character other than a line break or tab, or a bidi
    override: for notes and descriptions, where line breaks are wanted."""
    if isinstance(value, str) and any(
        is_unwanted(char) and char not in LINE_BREAKS_AND_TABS for char in value
    ):
        raise ValidationError(MULTI_LINE_MESSAGE, code="multi_line")


_UNWANTED_RUN = re.compile("[\x00-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS | LINE_SEPARATORS)) + "]+")


def single_line(text):
    """`text` made safe for one line (an email's subject, a search): each run of control,
    bidi-override or separator characters becomes one space; then stripped.

    For text that was stored before the validators existed, or never passed a form; what
    staff type is refused instead, so they see what they meant to write.
    """
    return _UNWANTED_RUN.sub(" ", text or "").strip()
