"""Pages: what each command shows, built once as typed data.

A command builds one page (a NamedTuple below) and hands it to :func:`baclofen_cli.render.emit`;
each output format (``text``, ``json``, ``fhir``) renders the page types it supports from a
table keyed by page type. ``FORMATS`` says which formats each page has, so an unsupported
combination is a usage error before any renderer is imported; a test checks that every
format's table matches it exactly.

This module imports nothing heavy: it is on the path of every command.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Tuple

PROFESSIONAL = "professional"
PATIENT = "patient"

Hit = Tuple[str, str, str, str]
"""A search hit: (where, snippet, section id, the command that shows it in full)."""


class _Page:
    """A page's fields (its annotations, in order), set from the constructor's arguments.

    Plain classes rather than NamedTuples: defining a typing.NamedTuple costs about 0.1 ms,
    and this module is on every command's path. Fields with a class-level default may be
    left out.
    """

    def __init__(self, *values: Any, **named: Any) -> None:
        fields = tuple(type(self).__annotations__)
        if len(values) > len(fields):
            raise TypeError(f"{type(self).__name__} takes at most {len(fields)} values")
        for name, value in zip(fields, values, strict=False):
            setattr(self, name, value)
        for name, value in named.items():
            if name not in fields or name in fields[:len(values)]:
                raise TypeError(f"{type(self).__name__}: unexpected or repeated field {name!r}")
            setattr(self, name, value)
        missing = [name for name in fields if not hasattr(self, name)]
        if missing:
            raise TypeError(f"{type(self).__name__}: missing {', '.join(missing)}")

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in type(self).__annotations__ if n != "k")
        return f"{type(self).__name__}({shown})"


class Overview(_Page):
    """``baclo info``: one screen, most important first."""

    k: Any
    audience: str = PROFESSIONAL
    show_sources: bool = False
    country: Optional[str] = None
    """us, uk or ca: lead with that country's maximum daily dose."""


class Everything(_Page):
    """``baclo info --all``: every section, the discrepancies and the sources."""

    k: Any
    audience: str = PROFESSIONAL
    show_sources: bool = False
    country: Optional[str] = None
    """us, uk or ca: lead with that country's maximum daily dose."""


class SectionPage(_Page):
    """``baclo info SECTION`` (and ``dose``, ``faq``)."""

    k: Any
    section_id: str
    audience: str = PROFESSIONAL
    show_sources: bool = False
    country: Optional[str] = None


class TopicPage(_Page):
    """``baclo info pregnancy``: a topic that is not a section, gathered from where the file covers it."""

    k: Any
    title: str
    caution_ids: Tuple[str, ...]
    entries: Tuple[Tuple[str, Any], ...]
    """(section title, entry) pairs."""
    audience: str = PROFESSIONAL
    show_sources: bool = False


class SectionList(_Page):
    """``baclo sections``."""

    k: Any
    audience: str = PROFESSIONAL
    show_sources: bool = False


class SideEffects(_Page):
    k: Any
    groups: Tuple[str, ...]
    audience: str = PROFESSIONAL
    show_sources: bool = False


class InteractionList(_Page):
    """``baclo interactions``: classes sorted by grade."""

    k: Any
    audience: str = PROFESSIONAL
    show_sources: bool = False


class InteractionClassPage(_Page):
    """``baclo interactions CLASS``; ``asked`` is the name given when it was not the class itself."""

    k: Any
    class_ids: Tuple[str, ...]
    asked: Optional[str] = None
    via: Tuple[str, ...] = ()
    """How the name led here, e.g. ("Percocet contains oxycodone",)."""
    audience: str = PROFESSIONAL
    show_sources: bool = False
    drugs: Tuple[str, ...] = ()
    """The generic names the asked name stands for: a member with its own wording shows it."""
    word: Optional[str] = None
    """A vague class word (``sleeping pills``): its classes, strictest first, graded as the strictest."""
    itself: Tuple[Tuple[str, str], ...] = ()
    """Names in ``asked`` that are baclofen itself: (name as given, form id), e.g. ("Lioresal", "oral")."""
    together: Tuple[Any, ...] = ()
    """What ``check`` grades for the asked name as a whole beyond its classes (a combination rule: an opioid
    with another sedating medicine in one product): ``check.Finding`` records, strictest first."""


class BaclofenItselfPage(_Page):
    """``baclo interactions Lioresal``: the name is baclofen, the medicine being checked; what ``check``
    says about it (a second baclofen product is duplicate therapy; intrathecal baclofen has its own grade)."""

    k: Any
    asked: str
    itself: Tuple[Tuple[str, str], ...]
    """(name as given, form id)."""
    others: Tuple[str, ...] = ()
    """Other medicines in ``asked`` with no known interaction."""
    audience: str = PROFESSIONAL
    show_sources: bool = False


class NoInteractionPage(_Page):
    """``baclo interactions Tylenol``: recognized, in no interacting class. An answer, not an error."""

    k: Any
    asked: str
    resolved: Tuple[str, ...]
    audience: str = PROFESSIONAL
    show_sources: bool = False


class CautionsPage(_Page):
    k: Any
    audience: str = PROFESSIONAL
    show_sources: bool = False
    all_names: bool = False
    """Every other name of each condition; otherwise a long list shows its first ALSO_CALLED_SHOWN."""


class DosePage(_Page):
    k: Any
    audience: str = PROFESSIONAL
    show_sources: bool = False
    country: Optional[str] = None


class FaqPage(_Page):
    k: Any
    audience: str = PROFESSIONAL
    show_sources: bool = False


class SourcesPage(_Page):
    k: Any


class SearchPage(_Page):
    k: Any
    query: str
    hits: Tuple[Hit, ...]
    typed: str = ""
    """What was typed, when nothing matched it and ``query`` is its spelling correction."""


class CheckPage(_Page):
    k: Any
    result: Any
    brief: bool = False
    show_sources: bool = False


class ScreenPage(_Page):
    k: Any
    summary: Any
    flagged: Sequence[Any]
    source: str


TEXT, JSON, FHIR = "text", "json", "fhir"
ALL_FORMATS: Tuple[str, ...] = (TEXT, JSON, FHIR)

FORMATS: Dict[type, Tuple[str, ...]] = {
    Overview: (TEXT, JSON),
    Everything: (TEXT, JSON),
    SectionPage: (TEXT, JSON),
    TopicPage: (TEXT, JSON),
    SectionList: (TEXT, JSON),
    SideEffects: (TEXT, JSON),
    InteractionList: (TEXT, JSON),
    InteractionClassPage: (TEXT, JSON),
    NoInteractionPage: (TEXT, JSON),
    BaclofenItselfPage: (TEXT, JSON),
    CautionsPage: (TEXT, JSON),
    DosePage: (TEXT, JSON),
    FaqPage: (TEXT, JSON),
    SourcesPage: (TEXT, JSON),
    SearchPage: (TEXT, JSON),
    CheckPage: (TEXT, JSON, FHIR),
    ScreenPage: (TEXT, JSON),
}
"""Page type -> the formats that render it. ``screen --format fhir`` streams one Bundle per
row while it reads (see ``render.fhir.bundle_line``), so it never builds a ScreenPage for FHIR."""
