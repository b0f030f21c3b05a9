"""``baclo info NAME``: a section, or a topic people ask about that is not a section.

In order: a section by id, title or alias; a condition the file has a caution for
("pregnancy", "kidney", "renal", "breastfeeding"), gathered with the warnings, contraindications
and dosing notes that speak of it; an entry heading ("missed dose", "stopping suddenly");
an everyday word for one of these ("forgot" -> missed dose); an unambiguous prefix of a
section. Otherwise, the candidates to suggest.
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

from baclofen_cli._records import NamedTuple
from baclofen_cli.knowledge.model import Knowledge
from baclofen_cli.names import normalize
from baclofen_cli.resolve import resolve_section, section_index

_GATHER_FROM = ("contraindications", "warnings", "overdose")
"""Sections whose entries a topic page gathers (with the dosing notes)."""


class Topic(NamedTuple):
    title: str
    caution_ids: Tuple[str, ...]
    entries: Tuple[Tuple[str, Any], ...]


class Found(NamedTuple):
    section_id: Optional[str] = None
    topic: Optional[Topic] = None
    candidates: Tuple[str, ...] = ()


def _labelled(k: Knowledge) -> List[Tuple[str, Any]]:
    """(section title, entry) for every entry a topic can gather."""
    by_id = {s.id: s for s in k.sections}
    out: List[Tuple[str, Any]] = []
    for sid in _GATHER_FROM:
        if sid in by_id:
            out.extend((by_id[sid].title, e) for e in by_id[sid].entries)
    out.extend(("Dosing", e) for e in k.dosing.notes)
    return out


def find_topic(k: Knowledge, name: str) -> Found:
    key = normalize(name)
    if not key:
        return Found()
    index = section_index(k.sections)
    if key in index:
        return Found(section_id=index[key])
    topic = _caution_topic(k, key) or _heading_topic(k, key)
    if topic is None:
        from baclofen_cli.search import EVERYDAY

        for other in EVERYDAY.get(key, ()):
            if normalize(other) in index:
                return Found(section_id=index[normalize(other)])
            topic = _caution_topic(k, normalize(other)) or _heading_topic(k, normalize(other))
            if topic is not None:
                break
    if topic is not None:
        return Found(topic=topic)
    section_id, candidates = resolve_section(k.sections, name)
    return Found(section_id=section_id, candidates=candidates)


def _caution_topic(k: Knowledge, key: str) -> Optional[Topic]:
    for c in k.cautions:
        names = (c.id, c.name, *c.aliases)
        if key in {normalize(n) for n in names}:
            from baclofen_cli.search import stems

            wanted = [stems(n) for n in (c.name, *c.aliases) if n]
            entries = tuple(
                (title, e) for title, e in _labelled(k)
                if any(w and w <= stems(f"{e.label or ''} {e.text}") for w in wanted)
            )
            return Topic(c.name, (c.id,), entries)
    return None


def _heading_topic(k: Knowledge, key: str) -> Optional[Topic]:
    matches = tuple((title, e) for title, e in _labelled(k) if e.label and normalize(e.label) == key)
    if matches:
        return Topic(str(matches[0][1].label), (), matches)
    return None
