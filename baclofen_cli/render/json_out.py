"""JSON output. Keys are the knowledge file's own field names (see docs/knowledge-file.md),
so they are stable and documented in one place; ``check`` has the shape given in the README."""


from typing import IO, Any, Callable, Dict, List, Mapping, Sequence

from baclofen_cli import __version__
from baclofen_cli.check import CheckResult, summary_line
from baclofen_cli.knowledge.model import Knowledge
from baclofen_cli.render import OVERVIEW_WARNINGS, pages


def to_plain(value: Any) -> Any:
    """NamedTuples to objects, tuples to arrays, mappings to objects; recursively."""
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: to_plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


def dump(payload: Any, out: IO[str]) -> None:
    """Write ``payload`` as indented JSON; lossless whatever the stream's encoding (see ``safe.json_text``)."""
    from baclofen_cli.render.safe import ascii_only, json_text

    out.write(json_text(payload, ascii=ascii_only(out), indent=2) + "\n")


def envelope(k: Knowledge, **content: Any) -> Dict[str, Any]:
    return {"drug": k.meta.drug, "data_version": k.meta.data_version, "tool_version": __version__,
            **content, "disclaimer": k.meta.disclaimer}


_STRUCTURED_CONTENT = {
    "pharmacokinetics": lambda k: k.pharmacokinetics,
    "uses": lambda k: k.uses,
    "dosing": lambda k: k.dosing,
    "side-effects": lambda k: k.side_effects,
    "interactions": lambda k: k.interactions,
    "cautions": lambda k: k.cautions,
    "faq": lambda k: k.faq,
}


def section(k: Knowledge, section_id: str) -> Dict[str, Any]:
    s = next(s for s in k.sections if s.id == section_id)
    content = _STRUCTURED_CONTENT.get(section_id)
    return {"id": s.id, "title": s.title, "aliases": list(s.aliases), "summary": s.summary,
            "entries": to_plain(s.entries), "content": to_plain(content(k)) if content else None}


def overview(k: Knowledge, warnings_shown: int = OVERVIEW_WARNINGS, audience: str = "professional") -> Dict[str, Any]:
    """What ``baclo info`` shows: what it is, the most important warnings, how it is dosed."""
    by_id = {s.id: s for s in k.sections}
    patient = audience == "patient"

    def pick(section_id: str) -> List[Any]:
        entries = by_id[section_id].entries if section_id in by_id else ()
        if patient:
            entries = tuple(e for e in entries if getattr(e, "patient_text", None))
        return to_plain(entries)  # type: ignore[no-any-return]

    wanted = ("Start", "Titration", "Maximum") if not patient else (
        "Start", "Titration", "Maximum", "Stopping", "Missed dose")
    dosing = [to_plain(e) for label in wanted for e in k.dosing.notes if e.label == label
              and (not patient or getattr(e, "patient_text", None))]
    return envelope(k, audience=audience, overview=pick("overview")[:2 if patient else 1],
                    warnings=pick("warnings")[:warnings_shown], dosing=dosing, max_daily_mg=k.dosing.max_daily_mg)


def discrepancies(k: Knowledge) -> List[Dict[str, Any]]:
    out = []
    for s in k.sections:
        for e in s.entries:
            if e.article_claim:
                out.append({"section": s.id, "reference": e.text, "article": e.article_claim,
                            "note": e.note, "sources": list(e.sources)})
    for r in k.pharmacokinetics:
        if r.article:
            out.append({"section": "pharmacokinetics", "parameter": r.parameter, "reference": r.reference,
                        "article": r.article, "note": r.note, "sources": list(r.sources)})
    return out


def everything(k: Knowledge) -> Dict[str, Any]:
    return envelope(k, sections=[section(k, s.id) for s in k.sections],
                    discrepancies=discrepancies(k), sources=to_plain(k.sources),
                    reviewed=k.meta.reviewed)


def check_result(k: Knowledge, result: CheckResult) -> Dict[str, Any]:
    inputs = []
    for item in result.items:
        res = item.resolution
        inputs.append({
            "text": res.text, "kind": res.kind, "recognized": res.recognized,
            "resolved": list(item.resolved), "suggestions": list(res.suggestions),
            "status": item.status, "matched_by": res.how or None, "hint": res.hint,
            "unaccounted": list(res.unaccounted),
            "from": result.origin(item.text) or None,
        })
    findings = []
    for f in result.findings:
        findings.append({
            "kind": f.kind, "severity": f.severity, "title": f.title, "inputs": list(f.inputs),
            "effect": f.effect, "advice": f.advice, "sources": list(f.sources),
            "id": f.id, "matched": list(f.matched), "notes": list(f.notes),
        })
    return {
        "drug": k.meta.drug,
        "inputs": inputs,
        "findings": findings,
        "unrecognized": list(result.unrecognized),
        "skipped": [{"where": s.where, "text": s.text, "reason": s.reason} for s in result.skipped],
        "patient_id": result.patient_id,
        "highest_severity": result.highest_severity,
        "counts": result.counts(),
        "summary": summary_line(result),
        "daily_dose_mg": result.daily_dose_mg,
        "renal": [{"measure": r.measure, "value": r.value, "source": r.source,
                   **({"comparator": r.comparator} if r.comparator else {})} for r in result.renal],
        "audience": result.audience,
        "data_version": k.meta.data_version,
        "tool_version": __version__,
        "disclaimer": k.meta.patient_disclaimer if result.audience == "patient" else k.meta.disclaimer,
    }


def search(k: Knowledge, query: str, hits: Sequence[pages.Hit], typed: str = "") -> Dict[str, Any]:
    extra = {"query": typed, "corrected_to": query} if typed else {"query": query}
    return envelope(k, **extra, matches=[{"where": w, "snippet": s, "section": sec, "command": cmd}
                                         for w, s, sec, cmd in hits])


def side_effects(k: Knowledge, groups: Sequence[str]) -> Dict[str, Any]:
    chosen = [s for s in k.side_effects if not groups or set(groups) & set(s.groups)]
    return envelope(k, groups=list(groups), side_effects=to_plain(chosen))






# ---------------------------------------------------------------- pages
# One renderer per page type (see ``pages``): the ``json`` format.


def _interactions(p: pages.InteractionList) -> Dict[str, Any]:
    from baclofen_cli.render.views import sorted_classes, what_happens

    patient = p.audience == pages.PATIENT
    return envelope(k := p.k, interactions=[{**to_plain(c), "what_happens": what_happens(c, patient)}
                                            for c in sorted_classes(k)])


def _class(p: pages.InteractionClassPage) -> Dict[str, Any]:
    classes = [to_plain(p.k.classes_by_id[c]) for c in p.class_ids]
    extra: Dict[str, Any] = {}
    if p.word is not None:  # a vague word: every class it can mean, graded as the strictest (the first)
        word = p.k.class_words_by_name[p.word]
        first = p.k.classes_by_id[p.class_ids[0]]
        extra = {"class_word": {"name": word.name, "classes": list(p.class_ids), "grade": first.grade,
                                "strictest": first.id,
                                "note": word.patient_note if p.audience == pages.PATIENT else word.note}}
    if p.itself:
        from baclofen_cli.render.itself import notes

        extra["baclofen_itself"] = notes(p.k, p.itself, p.audience == pages.PATIENT)
    # each medicine asked about, with the grade check gives it (a member may be graded apart from its class)
    members = [(drug, p.k.members_by_name.get(drug)) for drug in p.drugs]
    extra["medicines"] = [{"name": drug, "class": m[0].id, "grade": m[1].grade or m[0].grade}
                          for drug, m in members if m is not None]
    if p.together:  # what check grades for the medicines asked together (a combination rule)
        extra["together"] = [{"id": f.id, "grade": f.severity, "title": f.title, "effect": f.effect,
                              "advice": f.advice, "sources": list(f.sources)} for f in p.together]
    return envelope(p.k, asked=p.asked, via=list(p.via), known_interaction=True,
                    interaction=classes[0] if len(classes) == 1 else None, interactions=classes, **extra)


def _no_interaction(p: pages.NoInteractionPage) -> Dict[str, Any]:
    nki = p.k.no_known_interaction
    return envelope(p.k, asked=p.asked, resolved=list(p.resolved), known_interaction=False,
                    statement=nki.patient_statement if p.audience == pages.PATIENT else nki.statement,
                    sources=list(nki.sources))


def _baclofen_itself(p: pages.BaclofenItselfPage) -> Dict[str, Any]:
    """Baclofen itself: never "no known interaction"; what ``check`` says about it."""
    from baclofen_cli.render.itself import notes

    patient = p.audience == pages.PATIENT
    nki = p.k.no_known_interaction
    others = ({"names": list(p.others), "known_interaction": False,
               "statement": nki.patient_statement if patient else nki.statement, "sources": list(nki.sources)}
              if p.others else None)
    return envelope(p.k, asked=p.asked, is_baclofen=True, baclofen_itself=notes(p.k, p.itself, patient),
                    no_known_interaction=others)


def _topic(p: pages.TopicPage) -> Dict[str, Any]:
    return envelope(p.k, topic=p.title, cautions=[to_plain(p.k.cautions_by_id[c]) for c in p.caution_ids],
                    entries=[{"section": title, **to_plain(e)} for title, e in p.entries])


PAGES: Dict[type, Callable[[Any], Dict[str, Any]]] = {
    pages.Overview: lambda p: overview(p.k, OVERVIEW_WARNINGS, p.audience),
    pages.Everything: lambda p: everything(p.k),
    pages.SectionPage: lambda p: envelope(p.k, section=section(p.k, p.section_id)),
    pages.TopicPage: _topic,
    pages.SectionList: lambda p: envelope(p.k, sections=[
        {"id": s.id, "title": s.title, "aliases": list(s.aliases), "summary": s.summary} for s in p.k.sections]),
    pages.SideEffects: lambda p: side_effects(p.k, p.groups),
    pages.InteractionList: _interactions,
    pages.InteractionClassPage: _class,
    pages.NoInteractionPage: _no_interaction,
    pages.BaclofenItselfPage: _baclofen_itself,
    pages.CautionsPage: lambda p: envelope(p.k, cautions=to_plain(p.k.cautions)),
    pages.DosePage: lambda p: envelope(p.k, country=p.country, country_max_daily_mg=next(
        (m.max_daily_mg for m in p.k.dosing.by_country if m.country == p.country), None), dosing=to_plain(p.k.dosing)),
    pages.FaqPage: lambda p: envelope(p.k, faq=to_plain(p.k.faq)),
    pages.SourcesPage: lambda p: envelope(p.k, sources=to_plain(p.k.sources), reviewed=p.k.meta.reviewed),
    pages.SearchPage: lambda p: search(p.k, p.query, p.hits, p.typed),
    pages.CheckPage: lambda p: check_result(p.k, p.result),
    pages.ScreenPage: lambda p: screen_page(p),
}
"""Page type -> its JSON value (the ``json`` format)."""


def screen_page(p: pages.ScreenPage) -> Dict[str, Any]:
    """The summary, and the flagged rows shown (the most severe first, with their ids)."""
    rows = [{"line": o.row.number, "id": o.row.id, "highest_severity": o.result.highest_severity,
             "findings": [{"id": f.id, "severity": f.severity, "title": f.title} for f in o.result.findings],
             "unrecognized": list(o.result.unrecognized)} for o in p.flagged]
    return envelope(p.k, source=p.source, summary=p.summary.as_dict(), flagged_rows=rows)


def write(page: Any, out: IO[str], options: Any = None) -> None:
    dump(PAGES[type(page)](page), out)
