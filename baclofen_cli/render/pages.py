"""Pages: what each command shows, built once as typed data.

A command builds one page (a NamedTuple below) and hands it to :func:`baclofen_cli.render.emit`;
each output format (``text``, ``json``, ``fhir``) renders the page types it supports from a
table keyed by page type. ``FORMATS`` says which formats each page has, so an unsupported
combination is a usage error before any renderer is imported; a test checks that every
format's table matches it exactly.

This module imports nothing heavy: it is on the path of every command.
"""

from typing import Any, Dict, NamedTuple, Optional, Sequence, Tuple

PROFESSIONAL = "professional"
PATIENT = "patient"

Hit = Tuple[str, str, str, str]
"""A search hit: (where, snippet, section id, the command that shows it in full)."""


class Overview(NamedTuple):
    """``baclo info``: one screen, most important first."""

    k: Any
    audience: str = PROFESSIONAL
    show_sources: bool = False


class Everything(NamedTuple):
    """``baclo info --all``: every section, the discrepancies and the sources."""

    k: Any
    audience: str = PROFESSIONAL
    show_sources: bool = False


class SectionPage(NamedTuple):
    """``baclo info SECTION`` (and ``dose``, ``faq``)."""

    k: Any
    section_id: str
    audience: str = PROFESSIONAL
    show_sources: bool = False


class TopicPage(NamedTuple):
    """``baclo info pregnancy``: a topic that is not a section, gathered from where the file covers it."""

    k: Any
    title: str
    caution_ids: Tuple[str, ...]
    entries: Tuple[Tuple[str, Any], ...]
    """(section title, entry) pairs."""
    audience: str = PROFESSIONAL
    show_sources: bool = False


class SectionList(NamedTuple):
    """``baclo sections``."""

    k: Any
    audience: str = PROFESSIONAL
    show_sources: bool = False


class SideEffects(NamedTuple):
    k: Any
    groups: Tuple[str, ...]
    audience: str = PROFESSIONAL
    show_sources: bool = False


class InteractionList(NamedTuple):
    """``baclo interactions``: classes sorted by grade."""

    k: Any
    audience: str = PROFESSIONAL
    show_sources: bool = False


class InteractionClassPage(NamedTuple):
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


class NoInteractionPage(NamedTuple):
    """``baclo interactions Tylenol``: recognized, in no interacting class. An answer, not an error."""

    k: Any
    asked: str
    resolved: Tuple[str, ...]
    audience: str = PROFESSIONAL
    show_sources: bool = False


class CautionsPage(NamedTuple):
    k: Any
    audience: str = PROFESSIONAL
    show_sources: bool = False


class DosePage(NamedTuple):
    k: Any
    audience: str = PROFESSIONAL
    show_sources: bool = False


class FaqPage(NamedTuple):
    k: Any
    audience: str = PROFESSIONAL
    show_sources: bool = False


class SourcesPage(NamedTuple):
    k: Any


class SearchPage(NamedTuple):
    k: Any
    query: str
    hits: Tuple[Hit, ...]


class CheckPage(NamedTuple):
    k: Any
    result: Any
    brief: bool = False
    show_sources: bool = False


class ScreenPage(NamedTuple):
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
