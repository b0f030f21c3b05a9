"""Turn what the user typed into knowledge-file entries.

Each item is matched against one name index built when the knowledge was loaded:
exactly (after normalization), then as a singular, then without strength and
dosage-form words ("oxycodone 5 mg tablets"), then as a combination written with
"/", "+", "and" or "with" whose every part is recognized. Nothing is ever replaced
by a near match: an item that matches nothing is unrecognized, with suggestions.
"""


import re
from collections import Counter
from typing import Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from baclofen_cli.knowledge.model import Knowledge, Section, Target
from baclofen_cli.names import normalize, number_variants

WITH = "with"
HISTORY = "history"
MAX_SUGGESTIONS = 3
_SUGGEST_CHARS = 64
"""Only this much of an item is compared for suggestions: bounds the cost of huge inputs."""

_PATTERNS: Dict[str, re.Pattern[str]] = {}
_PATTERN_SOURCES = {
    # strength and dosage-form words stripped from an item that matched nothing as typed
    "strength": (
        r"\b\d+(?: \d+)?\s*(?:mg|mcg|ug|g|ml|iu|units?|percent|mg ml|mg h|mcg h)\b"
        r"|\b(?:tablets?|tabs?|capsules?|caps?|pills?|er|xr|sr|cr|xl|la|ir|dr|ec|odt|oral|solution|"
        r"suspension|liquid|syrup|drops|injection|injectable|patch|patches|cream|ointment|gel|spray|"
        r"inhaler|extended release|immediate release|delayed release|hcl|hydrochloride|sodium|"
        r"potassium|daily|once|twice|bid|tid|qid|prn|as needed|at night|nightly)\b"
        r"|\b\d+(?:\.\d+)?\b"
    ),
    # an ICD-10-CM code, with or without its dot and an "ICD-10(-CM)" prefix
    "icd10": r"(?:icd-?10(?:-?cm)?[\s:]*)?([a-tv-z][0-9][0-9a-z])\.?([0-9a-z]{0,4})",
    # how people write a combination: oxycodone/acetaminophen, carbidopa-levodopa, A and B
    "combination": r"\s*(?:/|\+|&|\band\b|\bwith\b|\bplus\b)\s*|(?<=[a-z])-(?=[a-z])",
}


def _pattern(name: str) -> re.Pattern[str]:
    """Compiled on first use: most runs match every item by name and never need them."""
    pattern = _PATTERNS.get(name)
    if pattern is None:
        pattern = _PATTERNS[name] = re.compile(_PATTERN_SOURCES[name], re.IGNORECASE)
    return pattern


class Resolution(NamedTuple):
    text: str
    """The item as the user gave it (after splitting on commas and trimming)."""
    kind: str
    """``with`` (a co-medication) or ``history`` (a condition)."""
    targets: Tuple[Target, ...]
    """What it names; empty when it was not recognized."""
    how: str
    """How it matched: name, singular or plural, without strength or form words, parts; empty if unrecognized."""
    suggestions: Tuple[str, ...] = ()
    hint: Optional[str] = None
    """Set when the text names something of the other kind (a condition given with --with...)."""
    daily_mg: Optional[float] = None
    """For a baclofen line with strength and frequency (``baclofen 10 mg TID``): the daily dose it states."""

    @property
    def recognized(self) -> bool:
        return bool(self.targets)


def split_items(values: Iterable[str]) -> List[str]:
    """Split each value on commas and trim; empty pieces are dropped."""
    items = []
    for value in values:
        for piece in value.split(","):
            piece = piece.strip()
            if piece:
                items.append(piece)
    return items


class Resolver:
    """Resolves items against one Knowledge; remembers answers, so repeated items cost nothing."""

    def __init__(self, knowledge: Knowledge, suggest: bool = True) -> None:
        self.knowledge = knowledge
        self.suggest = suggest
        """Offer spelling suggestions for unrecognized items (screening turns them off: it never shows them)."""
        self._indexes: Mapping[str, Mapping[str, Sequence[str]]] = {
            WITH: knowledge.medication_names,
            HISTORY: knowledge.condition_names,
        }
        self._memo: Dict[Tuple[str, str], Tuple[Tuple[Target, ...], str]] = {}
        self._suggesters: Dict[str, _Suggester] = {}

    def resolve(self, text: str, kind: str) -> Resolution:
        key = normalize(text)
        memo_key = (kind, key)
        found = self._memo.get(memo_key)
        if found is None:
            found = self._match(text, key, kind)
            self._memo[memo_key] = found
        targets, how = found
        if targets:
            return Resolution(text, kind, targets, how)
        other = HISTORY if kind == WITH else WITH
        hint = None
        if self._match(text, key, other)[0]:
            hint = ("this is a condition: give it with --history" if other == HISTORY
                    else "this is a medicine: give it with --with")
        suggestions = self._suggester(kind).suggest(key) if self.suggest else ()
        return Resolution(text, kind, (), "", suggestions, hint)

    def resolve_all(self, texts: Sequence[str], kind: str) -> List[Resolution]:
        return [self.resolve(t, kind) for t in texts]

    def _lookup(self, key: str, kind: str) -> Tuple[Optional[Target], str]:
        index = self._indexes[kind]
        if not key:
            return None, ""
        found = index.get(key)
        if found is not None:
            return Target(*found), "name"
        for form in number_variants(key):
            found = index.get(form)
            if found is not None:
                return Target(*found), "singular or plural"
        return None, ""

    def _match(self, text: str, key: str, kind: str) -> Tuple[Tuple[Target, ...], str]:
        target, how = self._lookup(key, kind)
        if target is not None:
            return (target,), how
        if kind == HISTORY:
            target = self._icd10(text)
            if target is not None:
                return (target,), "ICD-10-CM code"
        stripped = " ".join(_pattern("strength").sub(" ", key).split())
        if stripped and stripped != key:
            target, _ = self._lookup(stripped, kind)
            if target is not None:
                return (target,), "without strength or form words"
        if kind == WITH:
            parts = [p for p in _pattern("combination").split(text) if p.strip()]
            if len(parts) > 1:
                found: List[Target] = []
                for part in parts:
                    part_key = normalize(part)
                    part_target, _ = self._lookup(part_key, kind)
                    if part_target is None:
                        part_stripped = " ".join(_pattern("strength").sub(" ", part_key).split())
                        part_target, _ = self._lookup(part_stripped, kind)
                    if part_target is None:
                        return (), ""
                    found.append(part_target)
                return tuple(dict.fromkeys(found)), "parts"
        return (), ""

    def _icd10(self, text: str) -> Optional[Target]:
        """An ICD-10-CM code matches the entry with the longest listed prefix of it."""
        match = _pattern("icd10").fullmatch(text.strip())
        if match is None:
            return None
        code = (match.group(1) + match.group(2)).lower()
        index = self._indexes[HISTORY]
        for end in range(len(code), 2, -1):
            found = index.get("icd10 " + code[:end])
            if found is not None:
                return Target(*found)
        return None

    def _suggester(self, kind: str) -> "_Suggester":
        suggester = self._suggesters.get(kind)
        if suggester is None:
            suggester = self._suggesters[kind] = _Suggester(self._indexes[kind])
        return suggester


class _Suggester:
    """Near matches by trigram overlap, ranked by difflib; built only when something is unrecognized."""

    def __init__(self, index: Mapping[str, Sequence[str]]) -> None:
        from difflib import SequenceMatcher  # deferred: only an unrecognized item needs it

        self.matcher = SequenceMatcher
        self.keys = list(index)
        self.display = {key: Target(*target).display for key, target in index.items()}
        self.grams: Dict[str, List[int]] = {}
        for i, key in enumerate(self.keys):
            for gram in _trigrams(key):
                self.grams.setdefault(gram, []).append(i)
        self._memo: Dict[str, Tuple[str, ...]] = {}

    def suggest(self, key: str) -> Tuple[str, ...]:
        key = key[:_SUGGEST_CHARS]
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        counts: Counter[int] = Counter()
        for gram in _trigrams(key):
            counts.update(self.grams.get(gram, ()))
        scored = []
        for i, _ in counts.most_common(40):
            candidate = self.keys[i]
            ratio = self.matcher(None, key, candidate).ratio()
            if ratio >= 0.6:
                scored.append((-ratio, candidate))
        scored.sort()
        names: List[str] = []
        for _, candidate in scored:
            name = self.display[candidate]
            if name not in names:
                names.append(name)
            if len(names) == MAX_SUGGESTIONS:
                break
        result = tuple(names)
        if len(self._memo) < 10_000:
            self._memo[key] = result
        return result


def _trigrams(key: str) -> set[str]:
    padded = f"  {key} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def section_index(sections: Sequence[Section]) -> Dict[str, str]:
    """Normalized section id, title or alias -> section id."""
    index: Dict[str, str] = {}
    for s in sections:
        for name in (s.id, s.title, *s.aliases):
            index.setdefault(normalize(name), s.id)
    return index


def resolve_section(sections: Sequence[Section], text: str) -> Tuple[Optional[str], Tuple[str, ...]]:
    """A section id for a name, alias or unambiguous prefix; else (None, candidate ids)."""
    index = section_index(sections)
    key = normalize(text)
    if not key:
        return None, ()
    if key in index:
        return index[key], ()
    for form in number_variants(key):
        if form in index:
            return index[form], ()
    by_prefix = sorted({sid for name, sid in index.items() if name.startswith(key)})
    if len(by_prefix) == 1:
        return by_prefix[0], ()
    if by_prefix:
        return None, tuple(by_prefix)
    from difflib import get_close_matches

    close = get_close_matches(key, list(index), n=3, cutoff=0.6)
    return None, tuple(dict.fromkeys(index[c] for c in close))
