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
    medicine: bool = False
    """Nothing here, but the name is a medicine or class ``baclo interactions`` answers (alcohol, oxycodone)."""
    mentions: Tuple[Tuple[str, str], ...] = ()
    """Nothing here, but the words are mentioned: (where, command) of the first few search hits."""


EXAMPLES = ("pregnancy", "breastfeeding", "kidney", "liver", "seizures", "overdose", "missed dose",
            "stopping suddenly")
"""Topics that are not sections, named in the "not found" message (a test checks each one works)."""

MENTIONS = 3
"""How many places a "not found" message points to when the words are mentioned elsewhere."""

_FILLER = frozenset("a an the my your of to i if what about do".split())
"""Words dropped before a second look: "missed a dose" is "missed dose"."""


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
    topic = _caution_topic(k, key) or _everyday_caution(k, key) or _heading_topic(k, key)
    if topic is None:
        from baclofen_cli.search import EVERYDAY

        for other in EVERYDAY.get(key, ()):
            if normalize(other) in index:
                return Found(section_id=index[normalize(other)])
            topic = _caution_topic(k, normalize(other)) or _heading_topic(k, normalize(other))
            if topic is not None:
                break
    if topic is None:
        topic = _everyday_topic(k, key, index) or _condition_topic(k, name)
    if isinstance(topic, str):
        return Found(section_id=topic)
    if topic is not None:
        return Found(topic=topic)
    section_id, candidates = resolve_section(k.sections, name)
    if section_id is not None and not candidates:
        return Found(section_id=section_id)
    from baclofen_cli.resolve import WITH, Resolver

    asked = Resolver(k, suggest=False).resolve(name, WITH)
    if asked.recognized and not asked.unaccounted:
        return Found(medicine=True)
    from baclofen_cli.search import search

    hits = search(k, name)
    if hits:  # mentioned somewhere: point there, never to a look-alike word ("driving" is not "dosing")
        return Found(mentions=tuple(dict.fromkeys((where, command) for where, _, _, command in hits))[:MENTIONS])
    return Found(section_id=section_id, candidates=candidates)


def _everyday_caution(k: Knowledge, key: str) -> Optional[Topic]:
    """An everyday word for a caution ("older" for older age), before headings that merely start with it."""
    from baclofen_cli.search import EVERYDAY

    for other in EVERYDAY.get(key, ()):
        topic = _caution_topic(k, normalize(other))
        if topic is not None:
            return topic
    return None


def _everyday_topic(k: Knowledge, key: str, index: Any) -> Any:
    """A second look: filler words dropped ("missed a dose"), and everyday words inside the name
    ("forgot dose", "forgotten dose", "double dose" -> missed dose). A section id, a topic or None."""
    from baclofen_cli.search import EVERYDAY

    kept = " ".join(w for w in key.split() if w not in _FILLER) or key
    tries = [kept] if kept != key else []
    padded = f" {kept} "
    for phrase, others in EVERYDAY.items():
        if f" {phrase} " in padded:
            tries.extend(others)
    for other in dict.fromkeys(tries):
        wanted = normalize(other)
        if wanted in index:
            return index[wanted]
        topic = _caution_topic(k, wanted) or _heading_topic(k, wanted)
        if topic is not None:
            return topic
    return None


def _condition_topic(k: Knowledge, name: str) -> Optional[Topic]:
    """A condition as ``check --history`` reads it ("stomach ulcer", "epilepsy"): its caution's topic."""
    from baclofen_cli.resolve import HISTORY, Resolver

    res = Resolver(k, suggest=False).resolve(name, HISTORY)
    refs = [t.ref for t in res.targets if t.kind == "caution"]
    if not res.recognized or res.unaccounted or not refs:
        return None
    return _caution_topic(k, normalize(refs[0]))


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
    """Entries whose heading is the name, and those whose heading starts with it as whole words: "stopping"
    gathers the dosing note "Stopping" and the warning "Stopping suddenly"."""
    labelled = [(title, e) for title, e in _labelled(k) if e.label]
    exact = tuple((title, e) for title, e in labelled if normalize(e.label) == key)
    starting = tuple((title, e) for title, e in labelled if normalize(e.label).startswith(key + " "))
    if exact:
        return Topic(str(exact[0][1].label), (), exact + starting)
    if starting:
        return Topic(key.capitalize(), (), starting)
    return None
