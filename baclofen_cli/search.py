"""Full-text search over everything the knowledge file says."""

from __future__ import annotations

from typing import Iterator, List, Tuple

from baclofen_cli.knowledge.model import Knowledge

SNIPPET_CHARS = 160
Hit = Tuple[str, str, str]
"""(where, snippet, section id)."""


def _texts(k: Knowledge) -> Iterator[Tuple[str, str, str]]:
    """(where, text, section id) for every piece of text in the file."""
    for s in k.sections:
        for e in s.entries:
            where = f"{s.title}" + (f" / {e.label}" if e.label else "")
            yield where, e.text, s.id
            if e.article_claim:
                yield f"{where} (the article's claim)", e.article_claim, s.id
            if e.note:
                yield f"{where} (note)", e.note, s.id
    for r in k.pharmacokinetics:
        article = f" (article: {r.article})" if r.article else ""
        yield f"Pharmacokinetics / {r.parameter}", r.reference + article, "pharmacokinetics"
        if r.note:
            yield f"Pharmacokinetics / {r.parameter} (note)", r.note, "pharmacokinetics"
    for u in k.uses:
        yield f"Uses / {u.name}", u.name + "".join(f"; {ls.status} ({ls.source})" for ls in u.labelled), "uses"
        for ls in u.labelled:
            if ls.note:
                yield f"Uses / {u.name} ({ls.source})", ls.note, "uses"
        if u.evidence:
            yield f"Uses / {u.name} (evidence)", u.evidence, "uses"
    for step in k.dosing.titration:
        yield f"Dosing / days {step.days}", f"{step.dose} ({step.daily_mg:g} mg per day)", "dosing"
    for e in k.dosing.notes:
        yield f"Dosing / {e.label or 'note'}", e.text, "dosing"
    for se in k.side_effects:
        name = se.name + (f" ({se.patient_name})" if se.patient_name else "")
        frequency = f", {se.frequency}" if se.frequency else ""
        yield f"Side effects / {se.name}", f"{name}: {', '.join(se.groups)}{frequency}", "side-effects"
    for c in k.interactions:
        yield f"Interactions / {c.name}", c.effect, "interactions"
        yield f"Interactions / {c.name} (advice)", c.advice, "interactions"
        for m in c.members:
            yield f"Interactions / {c.name}", m.name + (f" ({', '.join(m.brands)})" if m.brands else ""), "interactions"
    for caution in k.cautions:
        names = f"{caution.name} ({', '.join(caution.aliases)})"
        yield f"Cautions / {caution.name}", f"{names}: {caution.why}", "cautions"
        yield f"Cautions / {caution.name} (advice)", caution.advice, "cautions"
    for i, f in enumerate(k.faq, 1):
        yield f"FAQ {i}", f"{f.question} {f.answer}", "faq"
    for src in k.sources.values():
        yield f"Sources / {src.tag}", f"{src.title}. {src.citation}", "sources"


def search(k: Knowledge, query: str, limit: int = 50) -> List[Hit]:
    needle = " ".join(query.split()).casefold()
    if not needle:
        return []
    hits: List[Hit] = []
    for where, text, section_id in _texts(k):
        flat = " ".join(text.split())
        at = flat.casefold().find(needle)
        if at < 0:
            continue
        hits.append((where, _snippet(flat, at, len(needle)), section_id))
        if len(hits) >= limit:
            break
    return hits


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
