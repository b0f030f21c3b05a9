"""Turn what the user typed into knowledge-file entries.

Each item is matched against one name index built when the knowledge was loaded:
exactly (after normalization), then as a singular, then read as a line (see
``baclofen_cli.lines``): every known name in it is found, and every other word
must be dose, instruction or indication vocabulary, or the item keeps it as
``unaccounted`` and is only partly checked. Nothing is ever replaced by a near
match: an item that matches nothing is unrecognized, with suggestions.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from baclofen_cli._records import NamedTuple
from baclofen_cli.knowledge.model import Knowledge, Section, Target
from baclofen_cli.names import normalize, number_variants
from baclofen_cli.record import RenalFunction

WITH = "with"
HISTORY = "history"
MAX_SUGGESTIONS = 3
_SUGGEST_CHARS = 64
"""Only this much of an item is compared for suggestions: bounds the cost of huge inputs."""

_ICD_IN_TEXT = r"(?<![\w.])(?:icd-?10(?:-?cm)?[\s:]*)?([a-tv-z]\d\d)\.?([0-9a-z]{0,4})(?![\w.])"
_PATTERNS: Dict[str, re.Pattern[str]] = {}
_PATTERN_SOURCES = {
    # an ICD-10-CM code, with or without its dot and an "ICD-10(-CM)" prefix
    "icd10": r"(?:icd-?10(?:-?cm)?[\s:]*)?([a-tv-z][0-9][0-9a-z])\.?([0-9a-z]{0,4})",
    "icd10_in_text": _ICD_IN_TEXT,
    # ISMP error-prone abbreviations: MS, MSO4 and MSIR can mean morphine or magnesium sulfate
    # a spinal level at T6 or above, alone or as the top of a range: C5, C-5, C5-6, C5/C6, T4, T2-T6
    "spinal_level": r"(?<![\w.])(?:c\s?-?\s?[1-8]|t\s?-?\s?[1-6])(?:\s*(?:-|/|to)\s*[ct]?\s?\d{1,2})?(?![\w.])",
    "ambiguous_abbreviation": r"^\s*(?:ms(?:o4|ir|\s+ir|\s+contin)?|mgso4)\b",
    "fhir_history": r"\s*history of icd-10-cm\s",
    "gfr": r"\b(?:e?gfr|crcl|creatinine clearance)\s*(?:of|is|=|:|~|approx\.?)?\s*(?:of\s*)?"
           r"(?:<=|=<|>=|=>|\u2264|\u2265|<|>|(?:less|greater|more)\s+than(?:\s+or\s+equal\s+to)?\b"
           r"|(?:under|below|over|above)\b)?\s*\d+(?:\.\d+)?"
           r"(?:\s*(?:-|to)\s*\d+(?:\.\d+)?)?"
           r"(?:\s*(?:ml\s*/\s*min(?:\s*/\s*1\.73\s*m2)?|ml/min))?",
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
    """How it matched: name, singular or plural, line, ICD-10-CM code; empty if unrecognized."""
    suggestions: Tuple[str, ...] = ()
    hint: Optional[str] = None
    """Set when the text names something of the other kind (a condition given with --with...)."""
    daily_mg: Optional[float] = None
    """For a baclofen line with strength and frequency (``baclofen 10 mg TID``): the daily dose it states."""
    unaccounted: Tuple[str, ...] = ()
    """Words of the item that are neither a known name nor dose, instruction or indication words.

    An item with any is only partly checked: findings from its recognized names stand, and it
    counts as not checked (never clear)."""

    @property
    def recognized(self) -> bool:
        return bool(self.targets)

    @property
    def complete(self) -> bool:
        """Every word accounted for and something recognized: only such an item can be clear."""
        return bool(self.targets) and not self.unaccounted


def split_items(values: Iterable[str], kind: Optional[str] = None,
                resolver: Optional[Resolver] = None) -> List[str]:
    """Split each value into items and trim; empty pieces are dropped.

    Commas and line breaks separate items, except a thousands separator (``1,000 units``); a
    piece made only of dose and instruction words joins the item before it (``Baclofen 10 MG
    Oral Tablet, 1 tab three times daily``), and for conditions so does an ICD-10-CM style
    continuation (``Chronic kidney disease, stage 4 (severe)``). With a ``resolver``, a piece
    that names something itself is always an item of its own (``..., One A Day``).
    """
    from baclofen_cli.lines import split_value

    known = _known(kind, resolver)
    items: List[str] = []
    for value in values:
        items.extend(split_value(value, kind, known))
    return items


def attach_lines(lines: Sequence[str], kind: str, resolver: Optional[Resolver] = None) -> List[str]:
    """A list file's lines as items: a line that only says something about the medicine above (an EHR table's
    Sig, Dispense and Refill cells, a start date) is attached to it, and a table heading is read as the labels
    of its cells (``lines.attach_fields``); a line that names anything stays an item of its own."""
    from baclofen_cli.lines import attach_fields

    return attach_fields(list(lines), kind, _known(kind, resolver))


def _known(kind: Optional[str], resolver: Optional[Resolver]) -> Optional[Callable[[str], bool]]:
    if resolver is None or kind is None:
        return None

    def known(piece: str) -> bool:
        return resolver.resolve(piece, kind).recognized
    return known


MEMO_LIMIT = 50_000
"""Distinct items remembered per kind; past this, items are still resolved, just not remembered."""
PHRASE_MEMO_LIMIT = 50_000
"""Distinct phrases whose index answer the line reader remembers (a few MB at most)."""

_AMBIGUOUS_HINT = ("an error-prone abbreviation (MS, MSO4, MSIR can mean morphine or magnesium sulfate): "
                   "not checked; write the medicine's name in full")
_NEGATED_HINT = "a negation or a stopped medicine: not checked, never taken as clear"


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
        self._memo: Dict[Tuple[str, str], Resolution] = {}
        self._suggesters: Dict[str, _Suggester] = {}
        self._regional: Optional[Mapping[str, Tuple[Target, ...]]] = None
        self._kidney: Optional[set[str]] = None
        self._phrases: Dict[str, Callable[[str], Optional[Tuple[str, str, str]]]] = {}

    def resolve(self, text: str, kind: str) -> Resolution:
        memo_key = (kind, text)
        found = self._memo.get(memo_key)
        if found is None:
            found = self._resolve(text, kind)
            if len(self._memo) < MEMO_LIMIT:
                self._memo[memo_key] = found
        return found

    def resolve_all(self, texts: Sequence[str], kind: str) -> List[Resolution]:
        return [self.resolve(t, kind) for t in texts]

    def _resolve(self, text: str, kind: str) -> Resolution:
        targets, how, unaccounted, negated = self._match(text, kind)
        if any(t.kind == "regional" for t in targets):
            targets = self._expand(targets)
        daily = None
        if targets and kind == WITH and any((t.kind == "baclofen" and t.ref == "oral")
                                            or (t.kind == "drug" and t.ref == "baclofen") for t in targets):
            from baclofen_cli.lines import daily_mg

            daily = daily_mg(text)
        if targets and not negated:
            hint = self._medicines_in(unaccounted) if kind == HISTORY and unaccounted else None
            return Resolution(text, kind, targets, how, hint=hint, daily_mg=daily, unaccounted=unaccounted)
        if negated:
            return Resolution(text, kind, (), "", (), _NEGATED_HINT, unaccounted=unaccounted)
        other = HISTORY if kind == WITH else WITH
        hint = None
        if kind == WITH and _pattern("ambiguous_abbreviation").search(text):
            hint = _AMBIGUOUS_HINT
        else:
            # only when the whole item, with no dose or number in it, reads as the other kind: "MS 15 mg bid"
            # is morphine written in an error-prone way, never a condition to move to --history
            other_targets, other_unaccounted = ((), ("a number",)) if any(c.isdigit() for c in text) \
                else self._match(text, other)[::2]
            if other_targets and not other_unaccounted:
                hint = ("this is a condition: give it with --history" if other == HISTORY
                        else "this is a medicine: give it with --with")
        suggestions: Tuple[str, ...] = ()
        if self.suggest and not _pattern("icd10_in_text").search(text):
            # near matches for the words nobody understood ("oxycodon" in "oxycodon 5 mg tid")
            near = " ".join(unaccounted) if unaccounted else normalize(text)
            suggestions = self._first_word(text, kind) + self._suggester(kind).suggest(near)
            suggestions = tuple(dict.fromkeys(suggestions))[:MAX_SUGGESTIONS]
        return Resolution(text, kind, (), "", suggestions, hint, unaccounted=unaccounted)

    def _medicines_in(self, words: Sequence[str]) -> Optional[str]:
        """"Opioid use disorder, on methadone": the condition is read, and the words left over name
        a medicine, which is checked only when it is given as a medicine too: say so."""
        lookup = self._phrase(WITH)
        found = [w for w in words if lookup(normalize(w)) is not None]
        joined = normalize(" ".join(words))
        if not found and lookup(joined) is not None:
            found = [" ".join(words)]
        if not found:
            return None
        names = ", ".join(found)
        it = "it" if len(found) == 1 else "them"
        return f"{names} {'is a medicine' if len(found) == 1 else 'are medicines'}: give {it} with --with to check {it}"

    def _expand(self, targets: Tuple[Target, ...]) -> Tuple[Target, ...]:
        """A regional product name (co-codamol) stands for each of its ingredients."""
        if self._regional is None:
            from baclofen_cli.knowledge.regional import regional_ingredients

            self._regional = regional_ingredients(self.knowledge)
        out: List[Target] = []
        for t in targets:
            out.extend(self._regional.get(t.ref, ()) if t.kind == "regional" else (t,))
        return _distinct(out)

    def _first_word(self, text: str, kind: str) -> Tuple[str, ...]:
        """The first word of an unrecognized item, when it is exactly a name."""
        words = normalize(text).split()
        if len(words) < 2:
            return ()
        found = self._get(words[0], kind)
        return (Target(*found).display,) if found is not None else ()

    def _get(self, key: str, kind: str) -> Optional[Tuple[str, str, str]]:
        found = self._indexes[kind].get(key)
        if found is not None:
            return (found[0], found[1], found[2])
        return None

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

    def _phrase(self, kind: str) -> Callable[[str], Optional[Tuple[str, str, str]]]:
        """The line reader's phrase lookup for ``kind``: one per resolver, remembering its answers.

        The reader tries every span of every line against the index (up to MAX_NAME_WORDS spans a
        word), and the same spans ("1 tab", "mg tablet", "po bid") recur in every row of a file:
        a lookup is a pure function of its key, so each answer is kept, in a memo that starts
        afresh at PHRASE_MEMO_LIMIT keys (bounded memory)."""
        made = self._phrases.get(kind)
        if made is not None:
            return made
        index = self._indexes[kind]
        memo: Dict[str, Optional[Tuple[str, str, str]]] = {}
        missing = object()

        def lookup(key: str) -> Optional[Tuple[str, str, str]]:
            known = memo.get(key, missing)
            if known is not missing:
                return known  # type: ignore[return-value]
            found = index.get(key)
            if found is None and len(key.rpartition(" ")[2]) > 2:  # "m" is not the singular of "MS"
                for form in number_variants(key):
                    found = index.get(form)
                    if found is not None:
                        break
            answer = None if found is None else (found[0], found[1], found[2])
            if len(memo) >= PHRASE_MEMO_LIMIT:
                memo.clear()
            memo[key] = answer
            return answer
        from baclofen_cli.lines import SPAN_WORDS, span_words

        setattr(lookup, SPAN_WORDS, span_words(index))  # the spans worth trying (lines._longest)
        self._phrases[kind] = lookup
        return lookup

    def _match(self, text: str, kind: str) -> Tuple[Tuple[Target, ...], str, Tuple[str, ...], bool]:
        """Targets, how, unaccounted words, negated."""
        from baclofen_cli.lines import clean, non_latin_words, odd_numbers

        # a number sign the line reader does not read ("CKD stage \u00b3") is never matched whole by its folded form
        if not non_latin_words(text) and not odd_numbers(text, kind == WITH):
            for key in dict.fromkeys((normalize(text), normalize(clean(text)))):  # "Tylenol No. 1", "Tylenol #1"
                target, how = self._lookup(key, kind)
                if target is not None:
                    return (target,), how, (), False
            if kind == HISTORY:
                coded = self._icd10(text)
                if coded:
                    return self._narrow_spinal(coded), "ICD-10-CM code", (), False
        if kind == WITH:
            return self._read_medication(text)
        return self._read_condition(text)

    def _spinal_refs(self) -> Tuple[Optional[str], Optional[str]]:
        """The spinal cord injury entry and its narrower entry for an injury at T6 or above (by their names)."""
        low, high = self._get("spinal cord injury", HISTORY), self._get("tetraplegia", HISTORY)
        return (low[1] if low else None), (high[1] if high else None)

    def _narrow_spinal(self, targets: Tuple[Target, ...], level: bool = False) -> Tuple[Target, ...]:
        """An injury known to be at T6 or above (its own entry, or ``level``: C1-C8 or T1-T6 in the line) is
        that entry only: the general spinal cord injury entry is dropped, as the narrower one says more."""
        low, high = self._spinal_refs()
        if low is None or high is None:
            return targets
        refs = {t.ref for t in targets if t.kind == "caution"}
        if level and low in refs and high not in refs:
            entry = self._get("tetraplegia", HISTORY)
            targets = targets + ((Target(*entry),) if entry else ())
            refs.add(high)
        if high in refs:
            return tuple(t for t in targets if not (t.kind == "caution" and t.ref == low))
        return targets

    def _read_medication(self, text: str) -> Tuple[Tuple[Target, ...], str, Tuple[str, ...], bool]:
        from baclofen_cli.lines import read_medication

        reading = read_medication(text, self._phrase(WITH), self._phrase(HISTORY))
        targets = _distinct(Target(*t) for t in reading.names)
        if targets and reading.conditions:  # "vitamin D for CKD stage 4": the condition is checked too
            targets = _distinct(list(targets) + [Target(*t) for t in reading.conditions])
        return targets, "line" if targets else "", reading.unaccounted, reading.negated

    def _read_condition(self, text: str) -> Tuple[Tuple[Target, ...], str, Tuple[str, ...], bool]:
        from baclofen_cli.lines import read_condition, renal_from_condition

        found: List[Target] = []
        rest = text
        for match in list(_pattern("icd10_in_text").finditer(text)):
            coded = self._icd10(match.group(0))
            if not coded:
                continue  # an unknown code stays in the text, unaccounted
            found.extend(coded)
            rest = rest.replace(match.group(0), " ")
        renal = renal_from_condition(text)
        gfr = _pattern("gfr").search(rest)
        if gfr is not None and renal is not None:
            rest = rest[:gfr.start()] + " " + rest[gfr.end():]
            kidney = self._renal_target(renal.value - 0.1 if renal.comparator == "<" else renal.value)
            if kidney is not None:
                found.append(kidney)
        if found and _pattern("fhir_history").match(text):
            # a resolved or inactive FHIR Condition's ICD-10-CM code (inputs.fhir): the line reader's
            # history rules apply to it as to its words (a past ulcer is the history-of-ulcer caution)
            from baclofen_cli.lines import _past_ulcer

            named = [(t.kind, t.ref, t.display) for t in found]
            found = [Target(*t) for t in _past_ulcer(named, text.lower(), self._phrase(HISTORY))]
        rest = self._age(rest, found)
        level = _pattern("spinal_level").search(rest) if any(c.isdigit() for c in rest) else None
        reading = read_condition(rest, self._phrase(HISTORY))
        if level is not None:  # "C5 complete SCI", "SCI T4": a spinal cord injury at T6 or above
            without = read_condition(rest[:level.start()] + " " + rest[level.end():], self._phrase(HISTORY))
            low, high = self._spinal_refs()
            if any(t[1] in (low, high) for t in without.names):
                reading = without
            else:
                level = None
        found.extend(Target(*t) for t in reading.names)
        if renal is not None:  # a stage or measure: the kidney entry for it (CKD IV -> stage 4; stage 5 -> failure)
            staged = self._renal_target(renal.value - 0.1 if renal.comparator == "<" else renal.value)
            kidney_refs = {t.ref for t in found if t.kind == "caution"} & self._kidney_refs()
            if staged is not None and kidney_refs:
                found = [t for t in found if t.ref not in kidney_refs] + [staged]
        targets = self._narrow_spinal(_distinct(found), level=level is not None)
        unaccounted = reading.unaccounted
        if rest != text and targets:
            unaccounted += self._coded_when(text, targets, reading.unaccounted)
        return targets, "line" if targets else "", unaccounted, reading.negated

    def _coded_when(self, text: str, targets: Tuple[Target, ...], said: Tuple[str, ...]) -> Tuple[str, ...]:
        """A code read with a time beside it ("K25.9 (2019)", "h/o O14.90"): the code stands, but as with its words
        (lines: clinical round I) an earlier year never says an ulcer healed, and a past word or year leaves open
        whether a pregnancy is over; either way the item is not fully read."""
        from baclofen_cli.lines import _past_pregnancy, _past_year

        lowered = text.lower()
        notes: List[str] = []
        refs = {(t.kind, t.ref) for t in targets}
        active, pregnancy = self._get("active peptic ulcer", HISTORY), self._get("pregnancy", HISTORY)
        year = _past_year(lowered) if active is not None and tuple(active[:2]) in refs else None
        if year is not None and not any("a year alone" in u for u in said):
            notes.append(f"{year} (a year alone: whether the ulcer healed was not read)")
        named = re.sub(r"\b(?:o\d\d|o9a|z3[34a]|z33)(?:\.\w*)?", " pregnancy ", lowered)  # the code says which clause
        if pregnancy is not None and tuple(pregnancy[:2]) in refs and _past_pregnancy(named) is not None \
                and not any("pregnan" in u for u in said):
            notes.append("(a pregnancy code with a past word or year: whether it is over was not read)")
        return tuple(notes)

    def _age(self, rest: str, found: List[Target]) -> str:
        """An age in the line (``age 80``, ``83F``): 65 and over is older age, under 18 a child; the
        words are then accounted for. An adult age (18 to 64) has no entry: its words stay unread."""
        from baclofen_cli.lines import age_from_condition

        age = age_from_condition(rest)
        if age is None:
            return rest
        start, end, years = age
        entry = self._get("older adult", HISTORY) if years >= 65 else \
            self._get("child under 8 years" if years < 8 else "child aged 8 to 17", HISTORY) if years < 18 else None
        if entry is None:
            return rest
        found.append(Target(*entry))
        return rest[:start] + " " + rest[end:]

    def _kidney_refs(self) -> set[str]:
        if self._kidney is not None:
            return self._kidney
        refs = set()
        for key in ("kidney disease", "end stage renal disease", "ckd stage 3", "ckd stage 4"):
            found = self._get(key, HISTORY)
            if found is not None:
                refs.add(found[1])
        for entry in self._indexes[HISTORY].values():
            if entry[0] == "caution" and ("kidney" in entry[1] or entry[1].startswith("ckd")):
                refs.add(entry[1])
        self._kidney = refs
        return refs

    def _renal_target(self, egfr: float) -> Optional[Target]:
        """The kidney entry for a measured function: below 15 mL/min failure, below 60 disease."""
        if egfr >= 60:
            return None
        names = (("end stage renal disease",) if egfr < 15 else ("ckd stage 4",) if egfr < 30 else ("ckd stage 3",))
        for name in names + ("kidney disease",):  # the most specific entry the file has
            found = self._get(name, HISTORY)
            if found is not None:
                return Target(*found)
        return None

    def _icd10(self, text: str) -> Tuple[Target, ...]:
        """An ICD-10-CM code matches every entry listing a prefix of it (all its children): E11.21
        (diabetes with diabetic nephropathy) is diabetes (E11) and kidney disease (E11.2). Within the
        kidney entries only the longest prefix counts (N18.4 is stage 4, not also N18 unstaged)."""
        match = _pattern("icd10").fullmatch(text.strip())
        if match is None:
            return ()
        code = (match.group(1) + match.group(2)).lower()
        index = self._indexes[HISTORY]
        found: List[Target] = []
        kidney = False
        for end in range(len(code), 2, -1):
            entry = index.get("icd10 " + code[:end])
            if entry is None:
                continue
            target = Target(*entry)
            if target.ref in self._kidney_refs():
                if kidney:
                    continue
                kidney = True
            found.append(target)
        return _distinct(found)

    def _suggester(self, kind: str) -> _Suggester:
        suggester = self._suggesters.get(kind)
        if suggester is None:
            suggester = self._suggesters[kind] = _Suggester(self._indexes[kind])
        return suggester


def _distinct(targets: Iterable[Target]) -> Tuple[Target, ...]:
    """One target per entry, the first way it was named: ``gabapentin (NEURONTIN)`` names one drug."""
    seen: Dict[Tuple[str, str], Target] = {}
    for t in targets:
        seen.setdefault((t.kind, t.ref), t)
    return tuple(seen.values())


def renal_from_condition(text: str) -> Optional[RenalFunction]:
    """The kidney function a condition line states (``CKD stage 4`` -> eGFR 29), for inputs to pass on."""
    from baclofen_cli.lines import renal_from_condition as read

    return read(text)


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
            matcher = self.matcher(None, key, candidate)
            if matcher.real_quick_ratio() < 0.6 or matcher.quick_ratio() < 0.6:
                continue  # upper bounds of ratio(): cheap, and most candidates stop here
            ratio = matcher.ratio()
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

    # 0.7: a misspelling ("dosign", "overdoze"), never a look-alike word ("storage" is not "dosage")
    close = get_close_matches(key, list(index), n=3, cutoff=0.7)
    return None, tuple(dict.fromkeys(index[c] for c in close))
