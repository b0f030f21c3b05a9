"""Search everything the knowledge file says, by words.

A query matches a piece of text when every word of it (or of one of its synonyms) appears
there as a word, compared by a light stem: "seizures" finds "seizure", "sedating" finds
"sedation"'s neighbours "sedate"/"sedated", and "ALS" finds neither "also" nor "valsartan".
Synonyms come from the knowledge file itself (the aliases of sections, cautions and
interaction classes: "poisoning" and "too much" lead to Overdose, "pregnant" to Pregnancy)
and from a few everyday words below. Section titles rank first, then headings (entry
labels, class, caution and side-effect names, FAQ questions), then body text. Each hit
names the command that shows it in full.
"""

from __future__ import annotations

import re
from typing import Dict, Iterator, List, Optional, Set, Tuple

from baclofen_cli._records import NamedTuple
from baclofen_cli.knowledge.model import Knowledge, status_words

SNIPPET_CHARS = 160
Hit = Tuple[str, str, str, str]
"""(where, snippet, section id, command that shows it in full)."""

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_STOP = frozenset("a an and are as at be by can for from i in is it its me my of on or the to what when with".split())

EVERYDAY: Dict[str, Tuple[str, ...]] = {
    "pregnant": ("pregnancy",),
    "expecting": ("pregnancy",),
    "breast feeding": ("breastfeeding",),
    "nursing": ("breastfeeding",),
    "poisoning": ("overdose",),
    "too much": ("overdose",),
    "took too many": ("overdose",),
    "kidney": ("renal",),
    "kidneys": ("renal",),
    "renal": ("kidney",),
    "forgot": ("missed dose",),
    "forget": ("missed dose",),
    "missed": ("missed dose",),
    "skip": ("missed dose",),
    "forgotten": ("missed dose",),
    "double dose": ("missed dose",),
    "two doses": ("missed dose",),
    "late dose": ("missed dose",),
    "alcohol": ("drinking",),
    "drink": ("alcohol",),
    "drinking": ("alcohol",),
    "sleepy": ("drowsiness",),
    "sleepiness": ("drowsiness",),
    "feeling sick": ("nausea",),
    "feel sick": ("nausea",),
    "queasy": ("nausea",),
    "being sick": ("vomiting",),
    "throwing up": ("vomiting",),
    "meal": ("food",),
    "meals": ("food",),
    "empty stomach": ("food",),
    "dizzy": ("dizziness",),
    "constipated": ("constipation",),
    "older": ("elderly",),
    "older adults": ("elderly",),
    "older people": ("elderly",),
    "old age": ("elderly",),
    "pee": ("urine", "urination"),
    "peeing": ("urine", "urination"),
    "wee": ("urine", "urination"),
    "kids": ("children",),
    "kid": ("children",),
    "child": ("children",),
    "itchy": ("itching",),
    "can't sleep": ("trouble sleeping", "insomnia"),
    "can’t sleep": ("trouble sleeping", "insomnia"),
    "cannot sleep": ("trouble sleeping", "insomnia"),
    "seize": ("seizures",),
    "stop taking": ("stopping suddenly",),
    "stopped taking": ("stopping suddenly",),
    "ms": ("multiple sclerosis",),
    "tired": ("fatigue",),
    "stop": ("stopping", "withdrawal"),
    "quit": ("stopping", "withdrawal"),
    "fits": ("seizures",),
    "withdrawal": ("stopping suddenly",),
    "how long to work": ("titration", "time to peak"),
    "how long does it take to work": ("titration", "time to peak"),
    "how long does it take": ("titration", "time to peak"),
    "how long until it works": ("titration", "time to peak"),
    "how soon does it work": ("titration", "time to peak"),
}
"""Everyday words -> the words the knowledge file uses. The file's own aliases are added to these."""

TITLE, HEADING, BODY = 0, 1, 2


class _Text(NamedTuple):
    where: str
    text: str
    rank: int
    section: str
    command: str


_IRREGULAR = {"taken": "take", "took": "take", "given": "give", "gave": "give", "ate": "eat", "eaten": "eat",
              "drank": "drink", "drunk": "drink", "felt": "feel", "forgot": "forget", "forgotten": "forget",
              "slept": "sleep"}
"""Irregular verb forms, read as their base word before stemming ("taken with food" finds "take with food")."""


def stem(word: str) -> str:
    """A light English stem, enough to match plural, -ing, -ed, -ion and -iness/-y forms of one word
    ("drowsy" and "drowsiness" share a stem)."""
    w = word.casefold().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = _IRREGULAR.get(w, w)
    if len(w) <= 3:
        return w
    if w.endswith("iness") and len(w) >= 8:  # drowsiness, sleepiness, dizziness -> drowsy, sleepy, dizzy
        w = w[:-5] + "y"
    for suffix in ("ations", "ation", "ions", "ion", "ies", "ing", "ied", "ed", "es", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            if suffix in ("ies", "ied"):
                w = w[: -len(suffix)] + "y"
            elif suffix == "s" and w.endswith("ss"):
                pass
            else:
                w = w[: -len(suffix)]
            break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":  # "stopp(ing)" -> "stop"
        w = w[:-1]
    return w


def words(text: str) -> List[str]:
    return _WORD.findall(text.casefold())


def stems(text: str) -> Set[str]:
    return {stem(w) for w in words(text)}


def query_variants(k: Knowledge, query: str) -> List[Tuple[str, ...]]:
    """The query's word stems, then those of each synonym; stop words dropped when others remain."""
    flat = " ".join(words(query))
    variants: List[str] = [flat]
    table = synonyms(k)
    for phrase in table.get(flat, ()):
        variants.append(phrase)
    padded = f" {flat} "
    for key, phrases in table.items():  # a synonym inside a longer query: "forgot a dose" -> "missed dose a dose"
        if key != flat and f" {key} " in padded:
            variants.extend(padded.replace(f" {key} ", f" {phrase} ", 1).strip() for phrase in phrases)
    out: List[Tuple[str, ...]] = []
    for v in variants:
        ws = words(v)
        kept = [w for w in ws if w not in _STOP] or ws
        stemmed = tuple(dict.fromkeys(stem(w) for w in kept))
        if stemmed and stemmed not in out:
            out.append(stemmed)
    return out


def synonyms(k: Knowledge) -> Dict[str, Tuple[str, ...]]:
    """Normalized phrase -> what else to look for: everyday words and the file's own aliases."""
    table: Dict[str, List[str]] = {key: list(v) for key, v in EVERYDAY.items()}

    def add(alias: str, name: str) -> None:
        key = " ".join(words(alias))
        if key and key != " ".join(words(name)):
            table.setdefault(key, []).append(name)

    for s in k.sections:
        for alias in s.aliases:
            add(alias, s.title)
    for c in k.cautions:
        for alias in c.aliases:
            add(alias, c.name)
    for ic in k.interactions:
        for alias in ic.aliases:
            add(alias, ic.name)
    return {key: tuple(dict.fromkeys(v)) for key, v in table.items()}


def _texts(k: Knowledge) -> Iterator[_Text]:
    """Every piece of text in the file, with where it is, its rank and the command that shows it."""
    for s in k.sections:
        command = _section_command(s.id)
        yield _Text(f"Section: {s.title}", f"{s.title}. {s.summary} (also: {', '.join(s.aliases)})", TITLE, s.id, command)
        for e in s.entries:
            where = f"{s.title}" + (f" / {e.label}" if e.label else "")
            if e.label:
                yield _Text(where, f"{e.label}: {e.text}", HEADING, s.id, command)
            else:
                yield _Text(where, e.text, BODY, s.id, command)
            if e.article_claim:
                yield _Text(f"{where} (the article's claim)", e.article_claim, BODY, s.id, command)
            if e.note:
                yield _Text(f"{where} (note)", e.note, BODY, s.id, command)
    for r in k.pharmacokinetics:
        article = f" (article: {r.article})" if r.article else ""
        yield _Text(f"Pharmacokinetics / {r.parameter}", f"{r.parameter}: {r.reference}{article}", HEADING,
                    "pharmacokinetics", "baclo info pharmacokinetics")
        if r.note:
            yield _Text(f"Pharmacokinetics / {r.parameter} (note)", r.note, BODY, "pharmacokinetics",
                        "baclo info pharmacokinetics")
    for u in k.uses:
        text = u.name + "".join(f"; {status_words(ls.status)} ({ls.source})" for ls in u.labelled)
        yield _Text(f"Uses / {u.name}", text, HEADING, "uses", "baclo info uses")
        for ls in u.labelled:
            if ls.note:
                yield _Text(f"Uses / {u.name} ({ls.source})", ls.note, BODY, "uses", "baclo info uses")
        if u.evidence:
            yield _Text(f"Uses / {u.name} (evidence)", u.evidence, BODY, "uses", "baclo info uses")
    for step in k.dosing.titration:
        yield _Text(f"Dosing / days {step.days}", f"{step.dose} ({step.daily_mg:g} mg per day)", BODY, "dosing",
                    "baclo dose")
    for e in k.dosing.notes:
        yield _Text(f"Dosing / {e.label or 'note'}", f"{e.label}: {e.text}" if e.label else e.text,
                    HEADING if e.label else BODY, "dosing", "baclo dose")
    for se in k.side_effects:
        name = se.name + (f" ({se.patient_name})" if se.patient_name else "")
        frequency = f", {se.frequency}" if se.frequency else ""
        yield _Text(f"Side effects / {se.name}", f"{name}: {', '.join(se.groups)}{frequency}", HEADING,
                    "side-effects", "baclo side-effects")
    for c in k.interactions:
        command = f"baclo interactions {c.id}"
        members = ", ".join(m.name + (f" ({', '.join(m.brands)})" if m.brands else "") for m in c.members)
        yield _Text(f"Interactions / {c.name}", f"{c.name} ({', '.join(c.aliases)}): {members}", HEADING,
                    "interactions", command)
        yield _Text(f"Interactions / {c.name}", c.effect, BODY, "interactions", command)
        yield _Text(f"Interactions / {c.name} (advice)", c.advice, BODY, "interactions", command)
    for caution in k.cautions:
        command = f"baclo info {caution.id}"
        names = f"{caution.name} ({', '.join(caution.aliases)})"
        yield _Text(f"Cautions / {caution.name}", f"{names}: {caution.why}", HEADING, "cautions", command)
        yield _Text(f"Cautions / {caution.name} (advice)", caution.advice, BODY, "cautions", command)
    for i, f in enumerate(k.faq, 1):
        yield _Text(f"FAQ {i}", f"{f.question} {f.answer}", HEADING, "faq", "baclo faq")
    for src in k.sources.values():
        yield _Text(f"Sources / {src.tag}", f"{src.title}. {src.citation}", BODY, "sources", "baclo sources")


def _patient_texts(k: Knowledge) -> Iterator[_Text]:
    """The patient wording of everything that has one (``search --audience patient``); professional-only
    parts (pharmacokinetics, uses, sources) are left out, as the patient pages leave them out."""
    patient = " --audience patient"
    for s in k.sections:
        command = _section_command(s.id) + patient
        title = s.patient_title or s.title
        spoken = [e for e in s.entries if e.patient_text]
        if not spoken:
            continue
        yield _Text(f"Section: {title}", f"{title}. (also: {', '.join(s.aliases)})", TITLE, s.id, command)
        for e in spoken:
            label = e.patient_label or e.label
            where = title + (f" / {label}" if label else "")
            yield _Text(where, f"{label}: {e.patient_text}" if label else str(e.patient_text),
                        HEADING if label else BODY, s.id, command)
    for e in k.dosing.notes:
        if e.patient_text:
            label = e.patient_label or e.label
            yield _Text(f"Dosing / {label or 'note'}", f"{label}: {e.patient_text}" if label else e.patient_text,
                        HEADING if label else BODY, "dosing", "baclo dose" + patient)
    for se in k.side_effects:
        name = (se.patient_name + f" ({se.name})") if se.patient_name else se.name
        yield _Text(f"Side effects / {se.patient_name or se.name}", f"{name}: {', '.join(se.groups)}", HEADING,
                    "side-effects", "baclo side-effects" + patient)
    for c in k.interactions:
        command = f"baclo interactions {c.id}" + patient
        name = c.patient_name or c.name
        members = ", ".join(m.name + (f" ({', '.join(m.brands)})" if m.brands else "") for m in c.members)
        yield _Text(f"Interactions / {name}", f"{name} ({', '.join(c.aliases)}): {members}", HEADING,
                    "interactions", command)
        yield _Text(f"Interactions / {name}", c.patient_effect, BODY, "interactions", command)
        yield _Text(f"Interactions / {name} (what to do)", c.patient_advice, BODY, "interactions", command)
    for caution in k.cautions:
        command = f"baclo info {caution.id}" + patient
        name = caution.patient_name or caution.name
        yield _Text(f"Cautions / {name}", f"{name} ({', '.join(caution.aliases)}): {caution.patient_why}", HEADING,
                    "cautions", command)
        yield _Text(f"Cautions / {name} (what to do)", caution.patient_advice, BODY, "cautions", command)
    for i, f in enumerate(k.faq, 1):
        yield _Text(f"FAQ {i}", f"{f.question} {f.patient_answer or f.answer}", HEADING, "faq", "baclo faq" + patient)


def _section_command(section_id: str) -> str:
    return {"dosing": "baclo dose", "faq": "baclo faq", "side-effects": "baclo side-effects",
            "interactions": "baclo interactions", "cautions": "baclo cautions"}.get(section_id, f"baclo info {section_id}")


def search(k: Knowledge, query: str, limit: int = 50, patient: bool = False) -> List[Hit]:
    """Hits for ``query``, best first; ``patient``: in the patient wording, pointing to the patient pages."""
    variants = query_variants(k, query)
    if not variants:
        return []
    found: List[Tuple[int, int, Hit]] = []
    for order, t in enumerate(_patient_texts(k) if patient else _texts(k)):
        tokens = words(t.text)
        token_stems = [stem(w) for w in tokens]
        present = set(token_stems)
        for n, variant in enumerate(variants):
            if all(s in present for s in variant):
                rank = t.rank
                if t.rank == HEADING and not all(s in stems(t.text.split(":", 1)[0]) for s in variant):
                    rank = BODY  # matched under a heading, not in the heading itself
                at = _char_offset(t.text, tokens, token_stems.index(variant[0]))
                snippet = _snippet(" ".join(t.text.split()), at, len(tokens[token_stems.index(variant[0])]))
                # within a rank, a heading that begins with what was asked comes first ("withdrawal": the
                # withdrawal reactions and stopping suddenly before neonatal withdrawal)
                begins = t.rank == HEADING and rank == HEADING and token_stems[0] == variant[0]
                found.append((rank * 4 + (0 if begins else 2) + (1 if n else 0), order,
                              (t.where, snippet, t.section, t.command)))
                break
    found.sort(key=lambda f: (f[0], f[1]))
    return [hit for _, _, hit in found[:limit]]


def _char_offset(text: str, tokens: List[str], index: int) -> int:
    """Where the ``index``-th word starts in the whitespace-flattened text."""
    flat = " ".join(text.split()).casefold()
    at = 0
    for i, m in enumerate(_WORD.finditer(flat)):
        if i == index:
            return m.start()
        at = m.end()
    return at


def _snippet(text: str, at: int, length: int) -> str:
    if len(text) <= SNIPPET_CHARS:
        return text
    start = max(0, at - (SNIPPET_CHARS - length) // 2)
    end = min(len(text), start + SNIPPET_CHARS)
    start = max(0, end - SNIPPET_CHARS)
    if start:  # begin and end on whole words
        space = text.find(" ", start, at)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", at + length, end)
        end = space if space >= 0 else end
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def corrected(k: Knowledge, query: str, patient: bool = False) -> Optional[str]:
    """The query with each word that appears nowhere replaced by the closest word that does ("pregnacy" ->
    "pregnancy"), if that finds something; None otherwise. Used only when the query as typed finds nothing."""
    import difflib

    known: Set[str] = set()
    for t in _patient_texts(k) if patient else _texts(k):
        known.update(words(t.text))
    known.update(" ".join(words(key)) for key in synonyms(k))
    vocabulary = sorted(w for w in known if len(w) > 3)
    typed = words(query)
    fixed = []
    for w in typed:
        if w in known or len(w) <= 3:
            fixed.append(w)
            continue
        close = difflib.get_close_matches(w, vocabulary, n=1, cutoff=0.8)
        fixed.append(close[0] if close else w)
    if fixed == typed:
        return None
    better = " ".join(fixed)
    return better if search(k, better, limit=1, patient=patient) else None
