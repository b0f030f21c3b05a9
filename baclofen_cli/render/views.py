"""What each command shows, as documents (see ``blocks``); the same for Rich and plain text."""

from __future__ import annotations

from typing import Any, Iterable, List, Sequence, Tuple

from baclofen_cli.check import (
    NO_KNOWN_CAUTION,
    NO_KNOWN_INTERACTION,
    NOT_CHECKED,
    PATIENT,
    CheckResult,
    renal_text,
    summary_line,
)
from baclofen_cli.knowledge.model import GRADES, Entry, Knowledge
from baclofen_cli.render import OVERVIEW_WARNINGS
from baclofen_cli.render.blocks import Bars, Block, Heading, Para, Spacer, Table

MAX_SHOWN_CHARS = 200
"""Terminal and text output shorten longer user items (JSON keeps them whole)."""



def shown(text: str) -> str:
    if len(text) <= MAX_SHOWN_CHARS:
        return text
    return f"{text[:MAX_SHOWN_CHARS]}… ({len(text):,} characters)"


def _entries(entries: Iterable[Entry]) -> List[Block]:
    blocks: List[Block] = []
    for e in entries:
        blocks.append(Para(e.text, label=e.label, sources=e.sources, bullet=True))
        if e.article_claim:
            blocks.append(Para(e.article_claim, label="The article says", indent=1, style="warning"))
        if e.note:
            blocks.append(Para(e.note, label="Note", indent=1, style="note"))
    return blocks


def disclaimer(k: Knowledge, audience: str = "professional") -> List[Block]:
    text = k.meta.patient_disclaimer if audience == PATIENT else k.meta.disclaimer
    return [Spacer(), Para(text, style="dim")]


def section(k: Knowledge, section_id: str) -> List[Block]:
    s = next(s for s in k.sections if s.id == section_id)
    blocks: List[Block] = [Heading(s.title)]
    builder = _STRUCTURED.get(section_id)
    blocks.extend(builder(k) if builder else _entries(s.entries))
    return blocks


def pharmacokinetics(k: Knowledge) -> List[Block]:
    rows = tuple((r.parameter, r.reference, r.article or "-", "; ".join(r.sources)) for r in k.pharmacokinetics)
    blocks: List[Block] = [Table(("Parameter", "Reference value", "Article", "Sources"), rows)]
    for r in k.pharmacokinetics:
        if r.note:
            blocks.append(Para(r.note, label=r.parameter, style="note"))
    return blocks


def uses(k: Knowledge) -> List[Block]:
    blocks: List[Block] = []
    for kind, title in (("primary", "Primary uses"), ("off-label", "Off-label uses")):
        chosen = [u for u in k.uses if u.kind == kind]
        if not chosen:
            continue
        rows = []
        for u in chosen:
            status = "; ".join(f"{ls.status} ({ls.source})" for ls in u.labelled) or "-"
            rows.append((u.name, status, "yes" if u.in_article else "", "; ".join(u.sources)))
        blocks.append(Table(("Use", "Labelled status", "In article", "Sources"), tuple(rows), title=title))
        for u in chosen:
            notes = [ls for ls in u.labelled if ls.note]
            for ls in notes:
                blocks.append(Para(ls.note or "", label=f"{u.name} ({ls.source})", style="note"))
            if u.evidence:
                blocks.append(Para(u.evidence, label=f"{u.name}, evidence", style="note"))
    return blocks


def dosing(k: Knowledge) -> List[Block]:
    d = k.dosing
    rows = tuple((s.days, s.dose, f"{s.daily_mg:g} mg") for s in d.titration)
    blocks: List[Block] = [
        Table(("Days", "Dose", "Per day"), rows, title="Titration (adults, by mouth)"),
        Bars(tuple((f"days {s.days}", s.daily_mg, s.dose) for s in d.titration)
               + (("maximum", d.max_daily_mg, "never more than this per day"),),
               d.max_daily_mg, "mg/day"),
        Para(f"{d.max_daily_mg:g} mg per day", label="Labelled maximum", sources=d.sources),
    ]
    blocks.extend(_entries(d.notes))
    return blocks


def side_effects(k: Knowledge, groups: Sequence[str] = ()) -> List[Block]:
    chosen = [s for s in k.side_effects if not groups or set(groups) & set(s.groups)]
    rows = tuple(
        (s.name if not s.patient_name else f"{s.name} ({s.patient_name})", ", ".join(s.groups),
         s.frequency or "-", "yes" if s.in_article else "", "; ".join(s.sources))
        for s in chosen
    )
    title = "Side effects" + (f": {', '.join(groups)}" if groups else "")
    return [Table(("Side effect", "Group", "Frequency", "In article", "Sources"), rows, title=title)]


def interactions(k: Knowledge) -> List[Block]:
    rows = []
    styles = []
    for c in k.interactions:
        examples = ", ".join(m.name for m in c.members[:4]) + (" ..." if len(c.members) > 4 else "")
        rows.append((c.name, c.grade, examples, "; ".join(c.sources)))
        styles.append(c.grade)
    return [
        Table(("Class", "Grade", "Examples", "Sources"), tuple(rows), row_styles=tuple(styles)),
        Para("Show one class with its members, effect and advice: baclo interactions CLASS", style="dim"),
    ]


def interaction_class(k: Knowledge, class_id: str, audience: str = "professional") -> List[Block]:
    c = k.classes_by_id[class_id]
    patient = audience == PATIENT
    blocks: List[Block] = [
        Heading(f"{c.name} ({c.grade})", style=c.grade),
        Para(c.patient_effect if patient else c.effect, label="What happens"),
        Para(c.patient_advice if patient else c.advice, label="What to do"),
        Para("; ".join(c.sources), label="Sources", style="dim"),
    ]
    if c.aliases:
        blocks.append(Para(", ".join(c.aliases), label="Also called", style="dim"))
    rows = tuple((m.name, ", ".join(m.brands) or "-", m.grade or c.grade, m.note or "") for m in c.members)
    blocks.append(Table(("Member", "Brands", "Grade", "Note"), rows, title=f"Members ({len(rows)})"))
    products = [p for p in k.products if any(i in {m.name for m in c.members} for i in p.ingredients)]
    if products:
        blocks.append(Para(", ".join(f"{p.name} ({' + '.join(p.ingredients)})" for p in products),
                           label="Products containing a member", style="dim"))
    return blocks


def cautions(k: Knowledge, audience: str = "professional") -> List[Block]:
    patient = audience == PATIENT
    blocks: List[Block] = []
    for grade in GRADES:
        chosen = [c for c in k.cautions if c.grade == grade]
        if not chosen:
            continue
        blocks.append(Heading(grade.upper(), level=2, style=grade))
        for c in chosen:
            blocks.append(Para(c.patient_why if patient else c.why, label=c.name, sources=c.sources, bullet=True))
            blocks.append(Para(c.patient_advice if patient else c.advice, label="What to do", indent=1))
            if c.aliases:
                blocks.append(Para(", ".join(c.aliases), label="Also called", indent=1, style="dim"))
    return blocks


def faq(k: Knowledge) -> List[Block]:
    blocks: List[Block] = []
    for i, item in enumerate(k.faq, 1):
        blocks.append(Para(item.question, label=f"Q{i}", style=None))
        blocks.append(Para(item.answer, label="A", sources=item.sources, indent=1))
    return blocks


def sources(k: Knowledge) -> List[Block]:
    rows = tuple((s.tag, s.kind, s.title, s.citation) for s in k.sources.values())
    blocks: List[Block] = [Heading("Sources"), Table(("Tag", "Kind", "Title", "Citation"), rows)]
    for s in k.sources.values():
        if s.note:
            blocks.append(Para(s.note, label=s.tag, style="note"))
    return blocks


def discrepancies(k: Knowledge) -> List[Block]:
    """Every place where the article and the reference sources disagree, derived from the data."""
    blocks: List[Block] = []
    for s in k.sections:
        for e in s.entries:
            if e.article_claim:
                blocks.append(Para(e.text, label=f"{s.title}: reference", sources=e.sources, bullet=True))
                blocks.append(Para(e.article_claim, label="The article says", indent=1, style="warning"))
                if e.note:
                    blocks.append(Para(e.note, label="Note", indent=1, style="note"))
    for r in k.pharmacokinetics:
        if r.article:
            blocks.append(Para(r.reference, label=f"{r.parameter}: reference", sources=r.sources, bullet=True))
            blocks.append(Para(r.article, label="The article says", indent=1, style="warning"))
    return blocks


_STRUCTURED = {
    "pharmacokinetics": pharmacokinetics,
    "uses": uses,
    "dosing": dosing,
    "side-effects": side_effects,
    "interactions": interactions,
    "cautions": cautions,
    "faq": faq,
}


def overview(k: Knowledge) -> List[Block]:
    by_id = {s.id: s for s in k.sections}
    blocks: List[Block] = [Heading(f"{k.meta.drug.capitalize()}: overview")]
    for sid in ("overview", "key-points"):
        if sid in by_id:
            if sid != "overview":
                blocks.append(Heading(by_id[sid].title, level=2))
            blocks.extend(_entries(by_id[sid].entries))
    blocks.append(Heading("Pharmacokinetics", level=2))
    blocks.extend(pharmacokinetics(k)[:1])
    if "warnings" in by_id:
        blocks.append(Heading("Most important warnings", level=2))
        blocks.extend(_entries(by_id["warnings"].entries[:OVERVIEW_WARNINGS]))
    blocks.append(Para("More: baclo sections, baclo info SECTION, baclo info --all, baclo check --help",
                       style="dim"))
    return blocks


def everything(k: Knowledge) -> List[Block]:
    blocks: List[Block] = []
    for s in k.sections:
        blocks.extend(section(k, s.id))
    extra = discrepancies(k)
    if extra:
        blocks.append(Heading("Where the article and the reference sources disagree"))
        blocks.extend(extra)
    blocks.extend(sources(k))
    return blocks


def section_list(k: Knowledge) -> List[Block]:
    rows = tuple((s.id, s.title, ", ".join(s.aliases), s.summary) for s in k.sections)
    return [Table(("Section", "Title", "Also", "What it holds"), rows, title="Sections (baclo info SECTION)")]


def search_results(hits: Sequence[Tuple[str, str, str]], query: str) -> List[Block]:
    if not hits:
        return [Para(f"No entry mentions {query!r}.", style="warning")]
    blocks: List[Block] = [Heading(f"{len(hits)} match{'es' if len(hits) != 1 else ''} for {query!r}", level=2)]
    for where, snippet, _ in hits:
        blocks.append(Para(snippet, label=where, bullet=True))
    return blocks


def check_result(k: Knowledge, result: CheckResult) -> List[Block]:
    blocks: List[Block] = [Heading("Baclofen check")]
    blocks.extend(_inputs_line(result))
    by_grade = {g: [f for f in result.findings if f.severity == g] for g in GRADES}
    for grade in GRADES:
        findings = by_grade[grade]
        if not findings:
            continue
        blocks.append(Heading(f"{grade.upper()} ({len(findings)})", level=2, style=grade))
        for f in findings:
            blocks.append(Para(f.title, label=f.kind.capitalize(), style=grade, bullet=True))
            if f.inputs:
                trigger = ", ".join(shown(t) for t in f.inputs)
                given = {t.casefold() for t in f.inputs}
                matched = ", ".join(m for m in f.matched if m.casefold() not in given)
                blocks.append(Para(trigger + (f" ({matched})" if matched else ""), label="From", indent=1))
            blocks.append(Para(f.effect, label="What happens", indent=1))
            blocks.append(Para(f.advice, label="What to do", indent=1))
            for note in f.notes:
                blocks.append(Para(note, label="Note", indent=1, style="note"))
            blocks.append(Para("; ".join(f.sources), label="Sources", indent=1, style="dim"))
    not_checked = [i for i in result.items if i.status == NOT_CHECKED or i.resolution.unaccounted]
    if not_checked:
        blocks.append(Heading(f"NOT CHECKED ({len(not_checked)}): not recognized, so not known to be safe",
                              level=2, style="not-checked"))
        for item in not_checked:
            res = item.resolution
            detail = "not recognized"
            if res.unaccounted:
                detail = ("partly checked" + (f" as {', '.join(item.resolved)}" if item.resolved else "")
                          + "; not understood: " + ", ".join(shown(w) for w in res.unaccounted))
            if res.hint:
                detail += f"; {res.hint}"
            if res.suggestions:
                detail += "; did you mean: " + ", ".join(res.suggestions) + "?"
            origin = result.origin(item.text)  # a FHIR resource, or "" when the text already says where
            if origin is None:
                origin = "--" + res.kind
            label = f"{shown(item.text)} ({origin})" if origin else shown(item.text)
            blocks.append(Para(detail, label=label, bullet=True, style="not-checked"))
    harmless = [i for i in result.items if i.status in (NO_KNOWN_INTERACTION, NO_KNOWN_CAUTION)]
    if harmless:
        blocks.append(Heading(f"No known interaction or caution ({len(harmless)})", level=2, style="ok"))
        meds = [i for i in harmless if i.status == NO_KNOWN_INTERACTION]
        conds = [i for i in harmless if i.status == NO_KNOWN_CAUTION]
        patient = result.audience == PATIENT
        if meds:
            blocks.append(Para(_named(meds), label="Medicines", bullet=True))
            nki = k.no_known_interaction
            blocks.append(Para(nki.patient_statement if patient else nki.statement, sources=nki.sources,
                               indent=1, style="dim"))
        if conds:
            blocks.append(Para(_named(conds), label="Conditions", bullet=True))
            nkc = k.no_known_caution
            blocks.append(Para(nkc.patient_statement if patient else nkc.statement, sources=nkc.sources,
                               indent=1, style="dim"))
    if result.skipped:
        blocks.append(Heading(f"Skipped ({len(result.skipped)}): not current, so not checked", level=2, style="dim"))
        for s in result.skipped:
            blocks.append(Para(f"{shown(s.text)}: {s.reason}", label=s.where, bullet=True, style="dim"))
    blocks.append(Spacer())
    blocks.append(Para(summary_line(result), style=result.highest_severity or ("not-checked" if not_checked else "ok")))
    blocks.extend(disclaimer(k, result.audience))
    return blocks


def _inputs_line(result: CheckResult) -> List[Block]:
    meds = [i.text for i in result.items if i.resolution.kind == "with"]
    conds = [i.text for i in result.items if i.resolution.kind == "history"]
    blocks: List[Block] = []
    if result.patient_id is not None:
        blocks.append(Para(shown(result.patient_id), label="Patient", style="dim"))
    if meds:
        blocks.append(Para(_clip_list(meds), label="Medicines", style="dim"))
    if conds:
        blocks.append(Para(_clip_list(conds), label="History", style="dim"))
    if result.daily_dose_mg is not None:
        blocks.append(Para(f"{result.daily_dose_mg:g} mg per day", label="Daily dose", style="dim"))
    if result.renal:
        blocks.append(Para(shown(renal_text(result.renal)), label="Kidney function", style="dim"))
    return blocks


def _clip_list(texts: Sequence[str], limit: int = 30) -> str:
    head = ", ".join(shown(t) for t in texts[:limit])
    return head + (f", ... ({len(texts) - limit} more)" if len(texts) > limit else "")


def _named(items: Sequence) -> str:  # type: ignore[type-arg]
    parts = []
    for item in items:
        resolved = [r for r in item.resolved if r.lower() != item.text.lower()]
        parts.append(shown(item.text) + (f" ({', '.join(resolved)})" if resolved else ""))
    return ", ".join(parts)


# ---------------------------------------------------------------- pages
# One function per command output, named like its twin in ``json_out``, so the CLI
# picks a page by name and imports only the module of the format it writes.


def overview_page(k: Knowledge) -> List[Block]:
    return overview(k) + disclaimer(k)


def all_page(k: Knowledge) -> List[Block]:
    return everything(k) + disclaimer(k)


def section_page(k: Knowledge, section_id: str) -> List[Block]:
    return section(k, section_id) + disclaimer(k)


def sections_page(k: Knowledge) -> List[Block]:
    return section_list(k)


def side_effects_page(k: Knowledge, groups: Sequence[str]) -> List[Block]:
    return side_effects(k, groups) + disclaimer(k)


def interactions_page(k: Knowledge) -> List[Block]:
    return interactions(k) + disclaimer(k)


def class_page(k: Knowledge, class_id: str, audience: str) -> List[Block]:
    return interaction_class(k, class_id, audience) + disclaimer(k, audience)


def cautions_page(k: Knowledge, audience: str) -> List[Block]:
    return cautions(k, audience) + disclaimer(k, audience)


def dose_page(k: Knowledge) -> List[Block]:
    return section(k, "dosing") + disclaimer(k)


def faq_page(k: Knowledge) -> List[Block]:
    return section(k, "faq") + disclaimer(k)


def sources_page(k: Knowledge) -> List[Block]:
    return sources(k)


def search_page(k: Knowledge, query: str, hits: Sequence[Tuple[str, str, str]]) -> List[Block]:
    return search_results(hits, query)


def check_page(k: Knowledge, result: CheckResult) -> List[Block]:
    return check_result(k, result)


def _lines(numbers: Sequence[int]) -> str:
    return f"line{'' if len(numbers) == 1 else 's'} {', '.join(str(n) for n in numbers)}"


def _rows(n: int) -> str:
    return f"{n:,} row{'' if n == 1 else 's'}"


def screen_page(k: Knowledge, summary: Any, flagged: Sequence[Any], source: str) -> List[Block]:
    """The screening summary: counts, a chart by grade, frequent findings, the flagged rows.

    Every number here comes from ``summary.as_dict()``, the same dictionary the JSON shows,
    so text, chart and JSON agree.
    """
    data = summary.as_dict()
    blocks: List[Block] = [Heading(f"Baclofen screen: {source}")]
    flagged_n = data["flagged"]
    also = data["flagged_not_fully_checked"]
    rows = (
        ("Rows read", f"{data['rows']:,}", None),
        ("Flagged", f"{flagged_n:,}" + (f" ({also:,} of them also with items not checked)" if also else ""),
         "major" if flagged_n else None),
        ("Clean", f"{data['clean']:,}", None),
        ("Not fully checked", f"{data['not_fully_checked']:,}", "not-checked" if data["not_fully_checked"] else None),
        ("Nothing to check", f"{data['nothing_to_check']:,}", "not-checked" if data["nothing_to_check"] else None),
        ("Malformed", f"{data['malformed']:,}", "warning" if data["malformed"] else None),
    )
    blocks.append(Table(("", "Rows"), tuple(r[:2] for r in rows), row_styles=tuple(r[2] for r in rows)))
    if data["rows_with_something_not_checked"]:
        blocks.append(Para(f"{_rows(data['rows_with_something_not_checked'])} with something not checked: "
                           "these rows are not known to be safe.", style="not-checked"))
    by_grade = data["flagged_by_highest_severity"]
    if any(by_grade.values()):
        blocks.append(Heading(f"Flagged rows by highest grade ({_rows(flagged_n)})", level=2))
        peak = max(by_grade.values())
        chart = tuple((g, "█" * max(1, round(24 * n / peak)) if n else "", _rows(n)) for g, n in by_grade.items())
        blocks.append(Table(("Grade", "", "Rows"), chart, row_styles=tuple(g if n else None for g, n in by_grade.items())))
    if data["top_findings"]:
        blocks.append(Heading("Most frequent findings (and every major or contraindicated one)", level=2))
        blocks.append(Table(("Grade", "Finding", "Rows"),
                            tuple((f["severity"], f["title"], f"{f['rows']:,}") for f in data["top_findings"]),
                            row_styles=tuple(f["severity"] for f in data["top_findings"])))
    if data["top_unrecognized"]:
        blocks.append(Heading("Not recognized (these rows are not fully checked)", level=2, style="not-checked"))
        if any(u["suggestions"] for u in data["top_unrecognized"]):
            blocks.append(Table(("Item", "Rows", "Did you mean"),
                                tuple((shown(u["text"]), f"{u['rows']:,}", ", ".join(u["suggestions"]))
                                      for u in data["top_unrecognized"])))
        else:
            blocks.append(Table(("Item", "Rows"), tuple((shown(u["text"]), f"{u['rows']:,}")
                                                        for u in data["top_unrecognized"])))
    if data["malformed_rows"]:
        blocks.append(Heading("Malformed rows (kept in the output, counted as not checked)", level=2, style="warning"))
        for m in data["malformed_rows"]:
            blocks.append(Para(shown(m["error"]), label=f"line {m['line']}", bullet=True))
    notes = []
    if data["empty_ids"]["rows"]:
        notes.append(f"{_rows(data['empty_ids']['rows'])} with an empty patient id ({_lines(data['empty_ids']['lines'])})")
    if data["duplicate_ids"]["ids"]:
        shown_ids = "; ".join(f"{shown(d['id'])!r} in {d['rows']} rows (among them {_lines(d['lines'])})"
                              for d in data["duplicate_ids"]["first"])
        n = data["duplicate_ids"]["ids"]
        notes.append(f"{n:,} patient id{'' if n == 1 else 's'} used by more than one row: {shown_ids}")
    if data["rows_with_fields_spanning_lines"]:
        notes.append(f"{_rows(data['rows_with_fields_spanning_lines'])} with a quoted field spanning lines")
    if data["columns_not_read"]:
        notes.append(f"columns not read: {', '.join(shown(c) for c in data['columns_not_read'])}")
    if notes:
        blocks.append(Heading("Notes", level=2, style="warning"))
        blocks.extend(Para(n, bullet=True) for n in notes)
    if flagged:
        title = (f"Flagged rows (all {flagged_n:,})" if len(flagged) == flagged_n
                 else f"Flagged rows (the {len(flagged):,} most severe of {flagged_n:,}; --out lists every row)")
        blocks.append(Heading(title, level=2))
        table_rows = []
        for outcome in flagged:
            result = outcome.result
            titles = "; ".join(f"{f.severity}: {f.title}" for f in result.findings)
            if result.unrecognized:
                titles += f" | not checked: {', '.join(shown(t) for t in result.unrecognized)}"
            table_rows.append((str(outcome.row.number), shown(outcome.row.id), result.highest_severity or "", titles))
        blocks.append(Table(("Line", "Id", "Highest", "Findings"), tuple(table_rows),
                            row_styles=tuple(r[2] for r in table_rows)))
    blocks.extend(disclaimer(k))
    return blocks
