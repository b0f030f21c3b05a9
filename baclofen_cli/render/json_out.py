"""JSON output. Keys are the knowledge file's own field names (see docs/knowledge-file.md),
so they are stable and documented in one place; ``check`` has the shape given in the README."""


from typing import IO, Any, Dict, List, Mapping, Sequence, Tuple

from baclofen_cli import __version__
from baclofen_cli.check import CheckResult, summary_line
from baclofen_cli.knowledge.model import Knowledge
from baclofen_cli.render import OVERVIEW_WARNINGS


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


def overview(k: Knowledge, warnings_shown: int = OVERVIEW_WARNINGS) -> Dict[str, Any]:
    by_id = {s.id: s for s in k.sections}

    def pick(section_id: str) -> Any:
        return to_plain(by_id[section_id].entries) if section_id in by_id else []

    return envelope(k, overview=pick("overview"), key_points=pick("key-points"),
                    pharmacokinetics=to_plain(k.pharmacokinetics),
                    warnings=pick("warnings")[:warnings_shown])


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
        "renal": [{"measure": r.measure, "value": r.value, "source": r.source} for r in result.renal],
        "audience": result.audience,
        "data_version": k.meta.data_version,
        "tool_version": __version__,
        "disclaimer": k.meta.patient_disclaimer if result.audience == "patient" else k.meta.disclaimer,
    }


def search(k: Knowledge, query: str, hits: Sequence[Tuple[str, str, str]]) -> Dict[str, Any]:
    return envelope(k, query=query, matches=[{"where": w, "snippet": s, "section": sec} for w, s, sec in hits])


def side_effects(k: Knowledge, groups: Sequence[str]) -> Dict[str, Any]:
    chosen = [s for s in k.side_effects if not groups or set(groups) & set(s.groups)]
    return envelope(k, groups=list(groups), side_effects=to_plain(chosen))




# ---------------------------------------------------------------- pages
# Twins of the page functions in ``views``: same names, same arguments.

def overview_page(k: Knowledge) -> Dict[str, Any]:
    return overview(k, OVERVIEW_WARNINGS)


def all_page(k: Knowledge) -> Dict[str, Any]:
    return everything(k)


def section_page(k: Knowledge, section_id: str) -> Dict[str, Any]:
    return envelope(k, section=section(k, section_id))


def sections_page(k: Knowledge) -> Dict[str, Any]:
    return envelope(k, sections=[{"id": s.id, "title": s.title, "aliases": list(s.aliases), "summary": s.summary}
                                 for s in k.sections])


def side_effects_page(k: Knowledge, groups: Sequence[str]) -> Dict[str, Any]:
    return side_effects(k, groups)


def interactions_page(k: Knowledge) -> Dict[str, Any]:
    return envelope(k, interactions=to_plain(k.interactions))


def class_page(k: Knowledge, class_id: str, audience: str) -> Dict[str, Any]:
    return envelope(k, interaction=to_plain(k.classes_by_id[class_id]))


def cautions_page(k: Knowledge, audience: str) -> Dict[str, Any]:
    return envelope(k, cautions=to_plain(k.cautions))


def dose_page(k: Knowledge) -> Dict[str, Any]:
    return envelope(k, dosing=to_plain(k.dosing))


def faq_page(k: Knowledge) -> Dict[str, Any]:
    return envelope(k, faq=to_plain(k.faq))


def sources_page(k: Knowledge) -> Dict[str, Any]:
    return envelope(k, sources=to_plain(k.sources), reviewed=k.meta.reviewed)


def search_page(k: Knowledge, query: str, hits: Sequence[Tuple[str, str, str]]) -> Dict[str, Any]:
    return search(k, query, hits)


def check_page(k: Knowledge, result: CheckResult) -> Dict[str, Any]:
    return check_result(k, result)


def screen_page(k: Knowledge, summary: Any, flagged: Sequence[Any], source: str) -> Dict[str, Any]:
    """The summary, and the flagged rows shown (the most severe first, with their ids)."""
    rows = [{"line": o.row.number, "id": o.row.id, "highest_severity": o.result.highest_severity,
             "findings": [{"id": f.id, "severity": f.severity, "title": f.title} for f in o.result.findings],
             "unrecognized": list(o.result.unrecognized)} for o in flagged]
    return envelope(k, source=source, summary=summary.as_dict(), flagged_rows=rows)
