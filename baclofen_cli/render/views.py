"""What each command shows, as documents (see ``blocks``); the same for Rich and plain text."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from baclofen_cli.check import (
    NO_KNOWN_CAUTION,
    NO_KNOWN_INTERACTION,
    NOT_CHECKED,
    PATIENT,
    PROFESSIONAL,
    CheckResult,
    renal_text,
    summary_line,
)
from baclofen_cli.knowledge.model import GRADES, Entry, Knowledge, status_words
from baclofen_cli.render import OVERVIEW_WARNINGS, pages
from baclofen_cli.render.blocks import Bars, Block, Heading, Para, Spacer, Table

MAX_SHOWN_CHARS = 200
"""Terminal and text output shorten longer user items (JSON keeps them whole)."""



PATIENT_GRADES = {"contraindicated": "Must not be used", "major": "Serious", "moderate": "Take care",
                  "minor": "Good to know"}
"""Grade headings in plain words, for patients."""


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


def section(k: Knowledge, section_id: str, country: Optional[str] = None) -> List[Block]:
    s = next(s for s in k.sections if s.id == section_id)
    blocks: List[Block] = [Heading(s.title)]
    if section_id == "dosing":
        blocks.extend(dosing(k, country))
        return blocks
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


_SOURCE_COUNTRY = {"us-label": "US", "uk-smpc": "UK", "ca-monograph": "Canada"}


def _patient_uses(k: Knowledge) -> List[Block]:
    """What it is used for, in plain words: the uses a label approves (and where), then others."""
    approved: List[Block] = []
    other: List[str] = []
    not_for: List[str] = []
    for u in k.uses:
        where = [_SOURCE_COUNTRY.get(ls.source.split()[0], "") for ls in u.labelled if ls.status == "labelled"]
        where = [w for w in dict.fromkeys(where) if w]
        if where:
            places = "" if len(where) > 1 else f" (approved in the {where[0]})" if where[0] in ("US", "UK") \
                else f" (approved in {where[0]})"
            approved.append(Para(f"{u.patient_name or u.name}{places}", bullet=True, sources=u.sources))
        elif u.kind == "off-label":
            other.append(u.patient_name or u.name)
        else:
            not_for.append(u.patient_name or u.name)
    blocks: List[Block] = [Para("Baclofen eases muscle stiffness and spasms (spasticity). It is approved for "
                                "spasticity caused by:")]
    blocks.extend(approved)
    if other:
        blocks.append(Para("Doctors sometimes prescribe it for other problems too. These uses are not approved in "
                           "the US, UK or Canada: " + "; ".join(n[0].lower() + n[1:] for n in other) + ".",
                           style="dim"))
    if not_for:
        blocks.append(Para("It has not been shown to help, or is not meant for: "
                           + "; ".join(n[0].lower() + n[1:] if not n.startswith("Parkinson") else n for n in not_for)
                           + ".", style="dim"))
    return blocks


def uses(k: Knowledge) -> List[Block]:
    blocks: List[Block] = []
    for kind, title in (("primary", "Primary uses"), ("off-label", "Off-label uses")):
        chosen = [u for u in k.uses if u.kind == kind]
        if not chosen:
            continue
        rows = []
        for u in chosen:
            status = "; ".join(f"{status_words(ls.status)} ({ls.source})" for ls in u.labelled) or "-"
            rows.append((u.name, status, "yes" if u.in_article else "", "; ".join(u.sources)))
        blocks.append(Table(("Use", "Labelled status", "In article", "Sources"), tuple(rows), title=title))
        for u in chosen:
            notes = [ls for ls in u.labelled if ls.note]
            for ls in notes:
                blocks.append(Para(ls.note or "", label=f"{u.name} ({ls.source})", style="note"))
            if u.evidence:
                blocks.append(Para(u.evidence, label=f"{u.name}, evidence", style="note"))
    return blocks


COUNTRY_NAMES = {"us": "US", "ca": "Canada", "uk": "UK"}


def _country_maximum(k: Knowledge, country: Optional[str]) -> Any:
    """The named country's maximum (a ``CountryMaximum``), or None (no country, or none recorded)."""
    return next((m for m in k.dosing.by_country if m.country == country), None) if country else None


def _others(k: Knowledge, country: Optional[str]) -> str:
    return ", ".join(f"{COUNTRY_NAMES.get(m.country, m.country.upper())} {m.max_daily_mg:g} mg"
                     for m in k.dosing.by_country if m.country != country)


def maximum_para(k: Knowledge, country: Optional[str], patient: bool = False) -> Para:
    """The maximum daily dose: the named country's first, the others beside it; with no country, each country's."""
    d = k.dosing
    if not d.by_country:
        return Para(f"{d.max_daily_mg:g} mg per day", label="Labelled maximum", sources=d.sources)
    refs = tuple(dict.fromkeys(r for m in d.by_country for r in m.sources))
    mine = _country_maximum(k, country)
    if mine is not None:
        where = COUNTRY_NAMES.get(mine.country, mine.country.upper())
        if patient:
            text = (f"In the {where}, the most in one day is {mine.max_daily_mg:g} mg"
                    f"{' (outside hospital)' if mine.setting else ''}. Other countries set other limits.")
            return Para(text, label="The most in one day", sources=refs, bullet=True)
        setting = f" ({mine.setting})" if mine.setting else ""
        text = f"{mine.max_daily_mg:g} mg per day{setting}. Other countries differ: {_others(k, mine.country)} per day."
        return Para(text, label=f"Maximum ({where})", sources=refs)
    figures = "; ".join(
        f"{COUNTRY_NAMES.get(m.country, m.country.upper())} {m.max_daily_mg:g} mg"
        + (f" ({m.setting})" if m.setting else "") for m in d.by_country)
    if patient:
        text = ("The most in one day depends on the country's rules: "
                + ", ".join(f"{m.max_daily_mg:g} mg in the {COUNTRY_NAMES.get(m.country, m.country.upper())}"
                            for m in d.by_country) + ".")
        return Para(text, label="The most in one day", sources=refs, bullet=True)
    return Para(f"{figures} per day. Name a country with --country or BACLO_COUNTRY.",
                label="Labelled maximum by country", sources=refs)


def dosing(k: Knowledge, country: Optional[str] = None) -> List[Block]:
    d = k.dosing
    rows = tuple((s.days, s.dose, f"{s.daily_mg:g} mg") for s in d.titration)
    mine = _country_maximum(k, country)
    top: Tuple[Tuple[str, float, str], ...]
    if mine is not None:
        where = COUNTRY_NAMES.get(mine.country, mine.country.upper())
        top = ((f"maximum ({where})", mine.max_daily_mg, f"the most per day in the {where}"),)
    elif d.by_country:
        top = tuple((f"maximum ({COUNTRY_NAMES.get(m.country, m.country.upper())})", m.max_daily_mg,
                     m.setting or "the labelled maximum there") for m in d.by_country)
    else:
        top = (("maximum", d.max_daily_mg, "never more than this per day"),)
    blocks: List[Block] = [Table(("Days", "Dose", "Per day"), rows, title="Titration (adults, by mouth)")]
    if mine is not None:
        blocks.append(maximum_para(k, country))
    blocks.append(Bars(tuple((f"days {s.days}", s.daily_mg, s.dose) for s in d.titration) + top,
                       max(t[1] for t in top), "mg/day"))
    if mine is None:
        blocks.append(maximum_para(k, None))
    blocks.extend(_entries(d.notes))
    return blocks


def side_effects(k: Knowledge, groups: Sequence[str] = ()) -> List[Block]:
    chosen = [s for s in k.side_effects if not groups or set(groups) & set(s.groups)]
    rows = tuple(
        (s.name if not s.patient_name else f"{s.name} ({s.patient_name})", ", ".join(group_order(s.groups)),
         s.frequency or "-", "yes" if s.in_article else "", "; ".join(s.sources))
        for s in chosen
    )
    return [Table(("Side effect", "Group", "Frequency", "In article", "Sources"), rows, weights=(3, 0, 0, 0, 1),
                  no_wrap=(1, 2, 3), max_widths=((4, 26),), main=0)]


GROUP_ORDER = ("common", "rare", "serious")
"""Side-effect groups in one order everywhere: how often, then how serious ("rare, serious")."""


def group_order(groups: Sequence[str]) -> List[str]:
    """``groups`` in GROUP_ORDER (any other group after, as given): the same row always reads the same."""
    rank = {g: i for i, g in enumerate(GROUP_ORDER)}
    return sorted(groups, key=lambda g: rank.get(g, len(rank)))


def source_tags(refs: Sequence[str]) -> str:
    """Sources in a table cell, compact: each source's tag once ("drug-labels; uk-smpc"); the
    sections and labels cited are on the class's own page (``baclo interactions CLASS``) and in JSON."""
    return "; ".join(dict.fromkeys(r.split()[0] for r in refs if r.split()))


def interactions(k: Knowledge) -> List[Block]:
    rows = []
    styles = []
    for c in k.interactions:
        examples = ", ".join(m.name for m in c.members[:4]) + (" ..." if len(c.members) > 4 else "")
        rows.append((c.name, c.grade, examples, source_tags(c.sources)))
        styles.append(c.grade)
    return [
        Table(("Class", "Grade", "Examples", "Sources"), tuple(rows), row_styles=tuple(styles), inline=(1,),
              weights=(2, 0, 3, 0), no_wrap=(1,), max_widths=((3, 14),), main=2),
        Para("Show one class with its members, effect, advice and the sections cited: baclo interactions CLASS", style="dim"),
    ]


def shlex_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def interaction_class(k: Knowledge, class_id: str, audience: str = "professional",
                      members: bool = True) -> List[Block]:
    """One class: what happens, what to do, its members (``members=False`` when the question was about one
    medicine or product: the list is one command away instead of burying the answer)."""
    c = k.classes_by_id[class_id]
    patient = audience == PATIENT
    blocks: List[Block] = [
        Heading(f"{class_name(c, patient)} ({PATIENT_GRADES[c.grade].lower() if patient else c.grade})", style=c.grade),
        Para(c.patient_effect if patient else c.effect, label="What happens", sources=c.sources),
        Para(c.patient_advice if patient else c.advice, label="What to do"),
    ]
    if c.aliases and not patient:
        blocks.append(Para(", ".join(c.aliases), label="Also called", style="dim"))
    if not members:
        blocks.append(Para(f"{len(c.members)} medicines of this kind"
                           + (f": baclo interactions {shlex_quote(class_name(c, False))}" if not patient else ""),
                           style="dim"))
        return blocks
    if patient:
        names = ", ".join(m.name + (f" ({', '.join(m.brands)})" if m.brands else "") for m in c.members)
        blocks.append(Para(names, label="Medicines of this kind", style="dim"))
        return blocks
    rows = tuple((m.name, ", ".join(m.brands) or "-", m.grade or c.grade, m.note or "") for m in c.members)
    blocks.append(Table(("Member", "Brands", "Grade", "Note"), rows, title=f"Members ({len(rows)})", inline=(2,)))
    products = [p for p in k.products if any(i in {m.name for m in c.members} for i in p.ingredients)]
    if products:
        blocks.append(Para(", ".join(f"{p.name} ({' + '.join(p.ingredients)})" for p in products),
                           label="Products containing a member", style="dim"))
    return blocks


ALSO_CALLED_SHOWN = 12
"""How many other names of a condition ``baclo cautions`` shows before "and K more" (--all-names: all)."""


def also_called(aliases: Sequence[str], all_names: bool = False) -> str:
    """The other names of a condition, the first ALSO_CALLED_SHOWN of a long list and how many more."""
    if all_names or len(aliases) <= ALSO_CALLED_SHOWN + 2:  # "and 1 more" would save nothing
        return ", ".join(aliases)
    more = len(aliases) - ALSO_CALLED_SHOWN
    return (", ".join(aliases[:ALSO_CALLED_SHOWN])
            + f", and {more} more (baclo cautions --all-names, or --json, lists them all)")


def cautions(k: Knowledge, audience: str = "professional", all_names: bool = False) -> List[Block]:
    patient = audience == PATIENT
    blocks: List[Block] = []
    for grade in GRADES:
        chosen = [c for c in k.cautions if c.grade == grade]
        if not chosen:
            continue
        blocks.append(Heading(PATIENT_GRADES[grade] if patient else grade.upper(), level=2, style=grade))
        for c in chosen:
            name = (c.patient_name or c.name) if patient else c.name
            blocks.append(Para(c.patient_why if patient else c.why, label=name, sources=c.sources, bullet=True))
            blocks.append(Para(c.patient_advice if patient else c.advice, label="What to do", indent=1))
            if c.aliases and not patient:
                blocks.append(Para(also_called(c.aliases, all_names), label="Also called", indent=1, style="dim"))
    return blocks


def faq(k: Knowledge, patient: bool = False) -> List[Block]:
    blocks: List[Block] = []
    for i, item in enumerate(k.faq, 1):
        answer = (item.patient_answer or item.answer) if patient else item.answer
        blocks.append(Para(item.question, label=f"Q{i}", style=None))
        blocks.append(Para(answer, label="A", sources=item.sources, indent=1))
    return blocks


_SOURCE_FIELDS = (("Document", "document"), ("Date", "date"), ("Version", "version"), ("Link", "url"),
                  ("Statements compared", "checked"))
"""What ``baclo sources`` shows of each source, in this order: what was read, which revision, where, and when."""


def sources(k: Knowledge) -> List[Block]:
    """Every source: tag, what it is, the document and revision read, its link, and when it was checked.

    A link, date or check a source does not record is named under "Not recorded" rather than
    left out silently (baclo's own inferences have none to record; where no document is
    named, the title is the document).
    """
    blocks: List[Block] = [Heading("Sources")]
    for s in k.sources.values():
        blocks.append(Para(s.title, label=s.tag, bullet=True))
        blocks.append(Para(s.citation, indent=1, style="dim"))
        missing = []
        for label, field in _SOURCE_FIELDS:
            value = getattr(s, field, None)
            if value:
                blocks.append(Para(str(value), label=label, indent=1))
            elif field in ("url", "date", "checked") and s.kind != "inference":
                missing.append(label.lower())
        if missing:
            blocks.append(Para(", ".join(missing), label="Not recorded", indent=1, style="dim"))
        if s.note:
            blocks.append(Para(s.note, label="Note", indent=1, style="note"))
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


def everything(k: Knowledge, country: Optional[str] = None) -> List[Block]:
    blocks: List[Block] = []
    for s in k.sections:
        blocks.extend(section(k, s.id, country))
    extra = discrepancies(k)
    if extra:
        blocks.append(Heading("Where the article and the reference sources disagree"))
        blocks.extend(extra)
    blocks.extend(sources(k))
    return blocks


def section_list(k: Knowledge) -> List[Block]:
    rows = tuple((s.id, s.title, ", ".join(s.aliases), s.summary) for s in k.sections)
    return [Table(("Section", "Title", "Also", "What it holds"), rows, title="Sections (baclo info SECTION)")]


def search_results(hits: Sequence[pages.Hit], query: str, typed: str = "") -> List[Block]:
    if not hits:
        return [Para(f"No entry mentions {query!r}. Try another word, or list the topics: baclo sections",
                     style="warning")]
    blocks: List[Block] = []
    if typed:
        blocks.append(Para(f"No entry mentions {typed!r}; showing what matches {query!r}.", style="warning"))
    blocks.append(Heading(f"{len(hits)} match{'es' if len(hits) != 1 else ''} for {query!r}", level=2))
    for where, snippet, _, command in hits:
        blocks.append(Para(snippet, label=where, bullet=True))
        blocks.append(Para(command, label="In full", indent=1, style="dim"))
    return blocks


def check_result(k: Knowledge, result: CheckResult) -> List[Block]:
    blocks: List[Block] = [Heading("Baclofen check")]
    blocks.extend(_inputs_line(result))
    by_grade = {g: [f for f in result.findings if f.severity == g] for g in GRADES}
    items_by_text = {i.text: i for i in result.items}
    for grade in GRADES:
        findings = by_grade[grade]
        if not findings:
            continue
        patient = result.audience == PATIENT
        heading = PATIENT_GRADES[grade] if patient else grade.upper()
        blocks.append(Heading(f"{heading} ({len(findings)})", level=2, style=grade))
        for f in findings:
            blocks.append(Para(finding_title(k, f, patient), label=None if patient else f.kind.capitalize(),
                               style=grade, bullet=True))
            if f.inputs:
                blocks.append(Para(_triggers(items_by_text, f, _plain_name(k, patient, result.country)),
                                   label="From", indent=1))
            blocks.append(Para(f.effect, label="What happens", indent=1))
            blocks.append(Para(f.advice, label="What to do", indent=1))
            for note in f.notes:
                blocks.append(Para(_patient_note(k, f, note) if patient else note, label="Note", indent=1,
                                   style="note"))
            blocks.append(Para("; ".join(f.sources), label="Sources", indent=1, style="dim"))
    not_checked = [i for i in result.items if i.status == NOT_CHECKED or i.resolution.unaccounted]
    if not_checked:
        why = ("we could not read all of it, so we cannot say it is safe" if result.audience == PATIENT
               else "not recognized or not fully read, so not known to be safe")
        blocks.append(Heading(f"NOT CHECKED ({len(not_checked)}): {why}", level=2, style="not-checked"))
        for item in not_checked:
            res = item.resolution
            detail = not_checked_detail(item, k, result.audience == PATIENT)
            origin = result.origin(item.text)  # a FHIR resource, or "" when the text already says where
            if origin is None:  # professionals see the option it came from, patients what it is
                if result.audience == PATIENT:
                    origin = "medicine" if res.kind == "with" else "condition"
                else:
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
            blocks.append(Para(_named(meds, _plain_name(k, False, result.country)), label="Medicines", bullet=True))
            nki = k.no_known_interaction
            blocks.append(Para(nki.patient_statement if patient else nki.statement, sources=nki.sources,
                               indent=1, style="dim"))
        if conds:
            blocks.append(Para(_named(conds), label="Conditions", bullet=True))
            nkc = k.no_known_caution
            blocks.append(Para(nkc.patient_statement if patient else nkc.statement, sources=nkc.sources,
                               indent=1, style="dim"))
    if result.skipped:
        blocks.append(Heading(f"Skipped ({len(result.skipped)}): not checked, each with its reason", level=2, style="dim"))
        for s in result.skipped:
            blocks.append(Para(f"{shown(s.text)}: {s.reason}", label=s.where, bullet=True, style="dim"))
    blocks.append(Spacer())
    blocks.append(Para(summary_text(result), style=summary_style(result)))
    blocks.extend(disclaimer(k, result.audience))
    return blocks


def summary_text(result: CheckResult) -> str:
    """The summary line; for patients, the grade words of the headings ("2 serious, 1 take care")."""
    import re

    text = summary_line(result)
    if result.audience != PATIENT:
        return text
    return re.sub(r"\b(\d+) (contraindicated|major|moderate|minor)\b",
                  lambda m: f"{m.group(1)} {PATIENT_GRADES[m.group(2)].lower()}", text)


def summary_style(result: CheckResult) -> str:
    """A summary with items not checked is a warning, unless a finding is graver (major or contraindicated)."""
    highest = result.highest_severity
    if result.unrecognized and highest not in ("contraindicated", "major"):
        return "not-checked"
    return highest or "ok"


def _no_options(text: str) -> str:
    """Patient wording keeps option names and source tags out of notes: "(name one with --country)" goes."""
    import re

    text = re.sub(r"\s*\([^()]*--[a-z][^()]*\)", "", text)
    return re.sub(r"\s*\[[a-z][a-z0-9-]*(?: [^\]]*)?\]", "", text)  # and source tags: --sources shows them


def finding_title(k: Knowledge, f: Any, patient: bool) -> str:
    """A finding's title; for patients, the plain title the knowledge file gives, when it gives one."""
    if not patient:
        return str(f.title)
    if f.kind == "interaction" and f.id in k.classes_by_id:
        return class_name(k.classes_by_id[f.id], True)
    if f.kind == "combination":
        rule = next((r for r in k.combinations if r.id == f.id), None)
        return str((getattr(rule, "patient_title", None) or f.title) if rule else f.title)
    if f.kind == "caution" and f.id in k.cautions_by_id:
        return str(k.cautions_by_id[f.id].patient_name or f.title)
    word = _class_word_of(k, f)
    if word is not None:
        return f"{word.name[:1].upper()}{word.name[1:]} (several kinds of medicine)"
    return str(f.title)


def _class_word_of(k: Knowledge, f: Any) -> Any:
    """The vague class word (``sleeping pills``) an interaction finding is about, if it is about one."""
    if f.kind != "interaction" or not str(f.id).startswith("word-"):
        return None
    return next((k.class_words_by_name[m] for m in f.matched if m in k.class_words_by_name), None)


def _patient_note(k: Knowledge, f: Any, note: str) -> str:
    word = _class_word_of(k, f)
    if word is not None and note.startswith(word.patient_note):
        return f"{word.patient_note} We go by the kind that needs the most care."
    return _no_options(note)


def _plain_name(k: Knowledge, patient: bool, country: Optional[str] = None) -> Any:
    """A resolved name as the reader should see it: a class or condition id becomes its (patient) name,
    and a generic the named country calls otherwise takes that country's name (paracetamol in the UK)."""
    from baclofen_cli.knowledge.regional import local_names

    by_name = {c.name.casefold(): c for c in k.cautions} if patient else {}
    local = local_names(k, country)

    def name(ref: str) -> str:
        if ref in local:
            return local[ref]
        if ref in k.classes_by_id:
            return class_name(k.classes_by_id[ref], patient)
        caution = k.cautions_by_id.get(ref) or by_name.get(ref.casefold())
        if caution is not None:
            return str((caution.patient_name or caution.name) if patient else caution.name)
        return ref
    return name


def _triggers(items_by_text: Dict[str, Any], f: Any, name: Any = str) -> str:
    """Each item that triggered a finding, with what in it matched: "Tylenol PM (diphenhydramine), wine (alcohol)"."""
    matched = {m.casefold(): m for m in f.matched}
    parts = []
    for text in f.inputs:
        item = items_by_text.get(text)
        own = text.casefold()
        inner: List[str] = []
        if item is not None:
            inner = [r for r in item.resolved if r.casefold() in matched and r.casefold() != own]
            if not inner:  # a class named as such, or a condition: its display name
                names = (n for t in item.resolution.targets for n in (t.ref, t.display))
                inner = [matched[n.casefold()] for n in names if n.casefold() in matched and n.casefold() != own]
        if not inner and len(f.inputs) == 1:  # one item: whatever matched is in it
            inner = [m for m in f.matched if m.casefold() != own]
        inner = list(dict.fromkeys(inner))
        inner = list(dict.fromkeys(name(n) for n in inner))
        parts.append(shown(text) + (f" ({', '.join(inner)})" if inner else ""))
    return ("; " if any("," in t for t in f.inputs) else ", ").join(parts)  # record lines hold commas


def _inputs_line(result: CheckResult) -> List[Block]:
    meds = [i.text for i in result.items if i.resolution.kind == "with"]
    conds = [i.text for i in result.items if i.resolution.kind == "history"]
    blocks: List[Block] = []
    if result.patient_id is not None:
        blocks.append(Para(shown(result.patient_id), label="Patient", style="dim"))
    for label, texts in (("Medicines", meds), ("History", conds)):
        if not texts:
            continue
        if _one_per_line(texts):  # pasted record lines ("oxycodone 5 mg, 1 tab q6h"): never run together
            blocks.append(Para(f"{label} ({len(texts)}):", style="dim"))
            blocks.extend(Para(shown(t), bullet=True, indent=1, style="dim") for t in texts[:LISTED_LIMIT])
            if len(texts) > LISTED_LIMIT:
                blocks.append(Para(f"... and {len(texts) - LISTED_LIMIT} more", indent=1, style="dim"))
        else:
            blocks.append(Para(_clip_list(texts), label=label, style="dim"))
    if result.daily_dose_mg is not None:
        blocks.append(Para(f"{result.daily_dose_mg:g} mg per day", label="Daily dose", style="dim"))
    if result.renal:
        blocks.append(Para(shown(renal_text(result.renal)), label="Kidney function", style="dim"))
    return blocks


LISTED_LIMIT = 30
"""The most items the header of ``check`` lists (the findings and the JSON name every one)."""
ONE_LINE_ITEMS = 6
"""More items than this, or any with a comma in it, are listed one per line."""


def _one_per_line(texts: Sequence[str]) -> bool:
    return len(texts) > ONE_LINE_ITEMS or any("," in t for t in texts)


def _clip_list(texts: Sequence[str], limit: int = LISTED_LIMIT) -> str:
    head = ", ".join(shown(t) for t in texts[:limit])
    return head + (f", ... ({len(texts) - limit} more)" if len(texts) > limit else "")


def _named(items: Sequence, name: Any = str) -> str:  # type: ignore[type-arg]
    parts = []
    for item in items:
        resolved = [name(r) for r in item.resolved]
        resolved = list(dict.fromkeys(r for r in resolved if r.lower() != item.text.lower()))
        parts.append(shown(item.text) + (f" ({', '.join(resolved)})" if resolved else ""))
    return ", ".join(parts)


# ---------------------------------------------------------------- pages
# One builder per page type (see ``pages``); ``write`` draws the document as plain text or with Rich.


def _patient(page: Any) -> bool:
    result = getattr(page, "result", None)
    audience = result.audience if result is not None else getattr(page, "audience", PROFESSIONAL)
    return bool(audience == PATIENT)


def _sources_shown(page: Any) -> bool:
    """Professionals always see source tags; patients only with --sources."""
    return not _patient(page) or bool(getattr(page, "show_sources", False))


def _strip_sources(blocks: List[Block]) -> List[Block]:
    """Patient pages keep their source tags out of the body (``--sources`` puts them back)."""
    return [b._replace(sources=()) if isinstance(b, Para) and b.sources else b for b in blocks
            if not (isinstance(b, Para) and b.label == "Sources")]


def patient_text(e: Any) -> Optional[str]:
    """An entry's wording for patients, when the knowledge file has one."""
    return getattr(e, "patient_text", None)


def _patient_entries(entries: Iterable[Entry]) -> List[Block]:
    blocks: List[Block] = []
    for e in entries:
        text = patient_text(e)
        if text:
            label = getattr(e, "patient_label", None) or e.label
            blocks.append(Para(text, label=label, sources=e.sources, bullet=True))
    return blocks


PROFESSIONALS_ONLY = ("This part is written for health professionals. Your doctor or pharmacist can explain what it "
                      "means for you.")


def dosing_summary(k: Knowledge, patient: bool = False, country: Optional[str] = None) -> List[Block]:
    """How baclofen is dosed, in a few short lines: start, how it goes up, the maximum, a missed dose
    (and, for patients, stopping: professionals read it among the warnings just above)."""
    wanted = ("Start", "Titration", "Maximum") if not patient else (
        "Start", "Titration", "Maximum", "Stopping", "Missed dose")
    notes = {e.label: e for e in k.dosing.notes if e.label in wanted}
    blocks: List[Block] = []
    for label in wanted:
        e = notes.get(label)
        if label == "Maximum" and _country_maximum(k, country) is not None:
            blocks.append(maximum_para(k, country, patient)._replace(bullet=True))
            continue
        if e is None:
            continue
        text = patient_text(e) if patient else e.text
        if text:
            shown_label = (getattr(e, "patient_label", None) or label) if patient else label
            blocks.append(Para(text, label=shown_label, sources=e.sources, bullet=True))
    return blocks


def overview_document(k: Knowledge, patient: bool, country: Optional[str] = None) -> List[Block]:
    """``baclo info``: what it is, the warnings that matter most, how it is dosed; then where to go next.

    It fits one screen of 100 x 40: the long material (key points, pharmacokinetics, the
    article's conclusion) is one command away, named at the end.
    """
    by_id = {s.id: s for s in k.sections}
    drug = k.meta.drug.capitalize()
    blocks: List[Block] = [Heading(f"{drug}: what you need to know" if patient else f"{drug}: overview")]
    overview_entries = by_id["overview"].entries if "overview" in by_id else ()
    if patient:
        blocks.extend(_patient_entries(overview_entries)[:2])
    else:
        blocks.extend(_entries(e for e in overview_entries[:1]))
    if "warnings" in by_id:
        warnings = by_id["warnings"].entries
        every = _patient_entries(warnings) if patient else _entries(warnings)
        chosen: List[Block] = []
        chosen.extend(b for b in every if isinstance(b, Para) and b.bullet)
        del chosen[OVERVIEW_WARNINGS:]
        if chosen:
            blocks.append(Heading("Important" if patient else "Most important warnings", level=2, style="warning"))
            blocks.extend(chosen)
    dose = dosing_summary(k, patient, country)
    if dose:
        blocks.append(Heading("How it is taken" if patient else "How it is dosed (adults, by mouth)", level=2))
        blocks.extend(dose)
    blocks.append(Heading("More", level=2))
    blocks.extend(_more(patient))
    return blocks


def _more(patient: bool) -> List[Block]:
    audience = " --audience patient" if patient else ""
    rows = (
        ("Side effects", f"baclo side-effects{audience}"),
        ("Interactions", f"baclo interactions{audience}"),
        ("Check medicines and conditions", f"baclo check -w MEDICINES -H CONDITIONS{audience}"),
        ("Topics (pregnancy, kidney, overdose, missed dose)", f"baclo info TOPIC{audience}"),
        ("Everything", f"baclo sections, baclo info --all{audience}"),
    )
    return [Para(command, label=what, style="dim") for what, command in rows]


def write(page: Any, out: Any, options: Any) -> None:
    """Draw ``page`` on ``out``: plain text when ``options.plain``, else Rich."""
    builder = PAGES[type(page)]
    document = builder(page)
    if not _sources_shown(page):
        document = _strip_sources(document)
    from baclofen_cli.render import draw

    draw(document, out, options)


def _overview(p: Any) -> List[Block]:
    return overview_document(p.k, _patient(p), p.country) + disclaimer(p.k, p.audience)


def _everything(p: Any) -> List[Block]:
    if _patient(p):
        blocks: List[Block] = []
        for s in p.k.sections:
            blocks.extend(_patient_section(p.k, s.id, p.country))
        return blocks + disclaimer(p.k, p.audience)
    return everything(p.k, p.country) + disclaimer(p.k)


def _patient_section(k: Knowledge, section_id: str, country: Optional[str] = None) -> List[Block]:
    s = next(s for s in k.sections if s.id == section_id)
    title = getattr(s, "patient_title", None) or s.title
    blocks: List[Block] = [Heading(title)]
    structured = _PATIENT_STRUCTURED.get(section_id)
    if section_id == "dosing":
        body = _patient_dosing(k, country)
    else:
        body = structured(k) if structured else _patient_entries(s.entries)
    return blocks + (body or [Para(PROFESSIONALS_ONLY, style="dim")])


def _lines(numbers: Sequence[int]) -> str:
    return f"line{'' if len(numbers) == 1 else 's'} {', '.join(str(n) for n in numbers)}"


def _rows(n: int) -> str:
    return f"{n:,} row{'' if n == 1 else 's'}"


def _section(p: Any) -> List[Block]:
    if _patient(p):
        return _patient_section(p.k, p.section_id, p.country) + disclaimer(p.k, p.audience)
    return section(p.k, p.section_id, p.country) + disclaimer(p.k)


def _topic(p: Any) -> List[Block]:
    patient = _patient(p)
    first = p.k.cautions_by_id[p.caution_ids[0]] if p.caution_ids else None
    title = (first.patient_name or p.title) if patient and first is not None and first.name == p.title else p.title
    blocks: List[Block] = [Heading(title)]
    for caution_id in p.caution_ids:
        c = p.k.cautions_by_id[caution_id]
        if c.name != p.title or len(p.caution_ids) > 1:
            blocks.append(Heading((c.patient_name or c.name) if patient else c.name, level=2, style=c.grade))
        blocks.append(Para(c.patient_why if patient else c.why,
                           label=PATIENT_GRADES[c.grade] if patient else f"Caution ({c.grade})",
                           sources=c.sources, bullet=True))
        blocks.append(Para(c.patient_advice if patient else c.advice, label="What to do", indent=1))
    by_title: Dict[str, List[Entry]] = {}
    for title, entry in p.entries:
        by_title.setdefault(title, []).append(entry)
    for title, entries in by_title.items():
        body = _patient_entries(entries) if patient else _entries(entries)
        if body and (p.caution_ids or len(p.entries) > 1):
            blocks.append(Heading(f"From {title.lower()}" if not patient else title, level=2))
        blocks.extend(body)
    if len(blocks) == 1:
        blocks.append(Para(PROFESSIONALS_ONLY, style="dim"))
    return blocks + disclaimer(p.k, p.audience)


def _section_list(p: Any) -> List[Block]:
    return section_list(p.k)


def _side_effects(p: Any) -> List[Block]:
    heading: List[Block] = [Heading("Side effects" + (f": {', '.join(p.groups)}" if p.groups else ""))]
    if not _patient(p):
        return heading + side_effects(p.k, p.groups) + disclaimer(p.k)
    chosen = [s for s in p.k.side_effects if not p.groups or set(p.groups) & set(s.groups)]
    how_often = {"common": "common", "serious": "serious: get medical help", "rare": "rare"}
    rows = tuple((s.patient_name or s.name, ", ".join(how_often.get(g, g) for g in group_order(s.groups)))
                 for s in chosen)
    blocks: List[Block] = heading + [Table(("Side effect", "Kind"), rows, weights=(3, 1), no_wrap=(1,), main=0)]
    if p.show_sources:
        blocks.append(Para("; ".join(dict.fromkeys(r for s in chosen for r in s.sources)), label="Sources",
                           style="dim"))
    return blocks + disclaimer(p.k, p.audience)


SHORT_CHARS = 90
"""The longest "what happens" the overview shows; a longer first sentence has a short form in the file."""


def what_happens(c: Any, patient: bool) -> str:
    """A short "what happens" for a table cell: the class's short form, else the first sentence of its
    effect, whole. Never cut: a test keeps every one within SHORT_CHARS."""
    short = getattr(c, "patient_short" if patient else "short", None)
    if short:
        return str(short).rstrip(".")
    text = " ".join(str(c.patient_effect if patient else c.effect).split())
    at = text.find(". ")
    return (text[:at] if at > 0 else text).rstrip(".")


def sorted_classes(k: Knowledge) -> List[Any]:
    """Interaction classes, most severe grade first; the file's order within a grade."""
    rank = {g: i for i, g in enumerate(GRADES)}
    return sorted(k.interactions, key=lambda c: rank[c.grade])


def not_checked_detail(item: Any, k: Optional[Knowledge] = None, patient: bool = False) -> str:
    """Why an item was not (fully) checked: "not recognized", "partly checked as X; not understood: Y", ..."""
    res = item.resolution
    detail = "not recognized"
    if res.unaccounted and (item.resolved or res.targets):  # something was recognized: say what
        name = _plain_name(k, patient) if k is not None else str
        resolved = ", ".join(dict.fromkeys(name(r) for r in item.resolved))
        words = ", ".join(shown(w) for w in res.unaccounted)
        if patient:
            detail = ((f"read as {resolved}, " if resolved else "") + f"but we did not understand: {words}. "
                      "Ask your pharmacist to check it")
        else:
            detail = ("partly checked" + (f" as {resolved}" if resolved else "") + "; not understood: " + words)
    elif not patient and any(" (" in w or w.startswith("(") for w in res.unaccounted):
        # "previous pregnancy": nothing read, and the reader says why ("a past pregnancy ...": clinical round I)
        detail += "; " + ", ".join(shown(w[1:-1] if w.startswith("(") and w.endswith(")") else w)
                                   for w in res.unaccounted if " (" in w or w.startswith("("))
    if res.hint and res.hint.startswith("baclofen recognized"):  # recognized; its dose was not read
        detail = _patient_hint(res.hint) if patient else _dose_not_read(res.hint)
        if res.unaccounted:  # "..., 20 mg nocte, Butec": what else is in the line is named, never hidden by the dose
            words = ", ".join(shown(w) for w in res.unaccounted)
            detail += (f"; we also did not understand: {words}" if patient else f"; not understood: {words}")
    elif res.hint:
        detail += f"; {_patient_hint(res.hint) if patient else res.hint}"
    if res.suggestions:
        detail += "; did you mean: " + ", ".join(res.suggestions) + "?"
    return detail


def _patient_hint(hint: str) -> str:
    """A hint in plain words: no option names, no jargon (the professional text names the option to use)."""
    if hint.startswith("baclofen recognized"):
        return "we found baclofen, but we could not read its dose, so the dose was not checked"
    if hint.endswith("give it with --history"):
        return "this looks like a health condition, not a medicine: list it with your conditions"
    if hint.endswith("give it with --with"):
        return "this looks like a medicine, not a health condition: list it with your medicines"
    if " with --with to check " in hint:  # "methadone is a medicine: give it with --with to check it"
        names, _, _ = hint.partition(":")
        several = " are " in names
        return f"{names}: list {'them' if several else 'it'} with your medicines so {'they are' if several else 'it is'} checked"
    if hint.startswith("an error-prone abbreviation"):
        return "this short form can mean more than one medicine: write the medicine's full name"
    if hint.startswith("a negation or a stopped medicine"):
        return "it says the medicine is not taken or was stopped, so we did not check it"
    if "--" in hint:
        return "we could not check this"
    return hint


def _dose_not_read(hint: str) -> str:
    """``baclofen recognized; its dose was not read, ...``: never "not recognized" for a line that was."""
    return (hint.replace("baclofen recognized, but the dose on this line was not read", "baclofen recognized; its dose "
                         "was not read", 1).replace("baclofen recognized, but ", "baclofen recognized; ", 1))


def class_name(c: Any, patient: bool) -> str:
    return str((getattr(c, "patient_name", None) or c.name) if patient else c.name)


def _interaction_list(p: Any) -> List[Block]:
    patient = _patient(p)
    rows: List[Tuple[str, ...]] = []
    styles = []
    for c in sorted_classes(p.k):
        if patient and c.patient_examples:  # everyday names ("beer, wine, spirits", not "ethanol")
            examples = ", ".join(c.patient_examples) + (" …" if len(c.members) > len(c.patient_examples) else "")
        else:
            examples = ", ".join(m.name for m in c.members[:3]) + (" …" if len(c.members) > 3 else "")
        grade = PATIENT_GRADES[c.grade].lower() if patient else c.grade
        row: List[str] = [class_name(c, patient), grade, what_happens(c, patient), examples]
        if _sources_shown(p):
            row.append(source_tags(c.sources))
        rows.append(tuple(row))
        styles.append(c.grade)
    columns: Tuple[str, ...] = ("Medicines" if patient else "Class", "Grade", "What happens", "Examples")
    if _sources_shown(p):
        columns += ("Sources",)
    hint = ("More about one kind, or about one of your medicines: baclo interactions NAME --audience patient"
            if patient else "One class or medicine in full (members, effect, advice, the sections cited): "
            "baclo interactions NAME")
    title = "Medicines that can mix badly with baclofen" if patient else "Interactions with baclofen, most severe first"
    table = Table(columns, tuple(rows), row_styles=tuple(styles), inline=(1,), weights=(1, 0, 8, 1, 0),
                  no_wrap=(1,), max_widths=((0, 22), (3, 32), (4, 14)), main=2)
    blocks: List[Block] = [Heading(title), table, Para(hint, style="dim")]
    return blocks + disclaimer(p.k, p.audience)


def _class_word(p: Any, patient: bool) -> List[Block]:
    """A vague word (``sleeping pills``): what it can mean, and that it is graded as the strictest."""
    word = p.k.class_words_by_name[p.word]
    first = p.k.classes_by_id[p.class_ids[0]]
    names = [class_name(p.k.classes_by_id[c], patient) for c in p.class_ids]
    if patient:
        grade = PATIENT_GRADES[first.grade].lower()
        return [Heading(f"{shown(p.asked)}: {grade}", style=first.grade),
                Para(word.patient_note),
                Para("; ".join(names), label="It can mean", style="dim"),
                Para("We go by the kind that needs the most care. Each kind is shown below, that one first.")]
    return [Heading(f"{shown(p.asked)}: {first.grade}, as the strictest class it can mean", style=first.grade),
            Para(word.note),
            Para("; ".join(names), label="Can mean", style="dim"),
            Para(f"Graded as the strictest of them ({first.grade}: {first.name}); each class follows, "
                 "strictest first. Name the medicine to check it exactly.")]


def _interaction_class(p: Any) -> List[Block]:
    blocks: List[Block] = []
    patient = _patient(p)
    if getattr(p, "word", None):
        blocks.extend(_class_word(p, patient))
    if p.asked and p.via:
        # "gabapentin 300 mg TID is read as gabapentin", not headed by the name a second time
        said = all(v.casefold().startswith(p.asked.casefold() + " ") for v in p.via)
        text = "; ".join(p.via)
        blocks.append(Para(_sentence(text), style="dim") if said else Para(text, label=shown(p.asked), style="dim"))
    if p.asked and len(p.class_ids) > 1 and len(p.via) > 1:
        # several medicines asked at once: each class is shown on its own, but what they do together (an opioid
        # with a benzodiazepine) is graded only by check (new-user round 4)
        import shlex

        if patient:
            blocks.append(Para("Each kind is shown on its own below. To look at these medicines together, and with "
                               "your health conditions, use baclo check and list them all.", style="warning"))
        else:
            blocks.append(Para(f"Each class is shown on its own below; what these do together (combination rules, "
                               f"doses, conditions) is graded by: baclo check -w {shlex.quote(shown(p.asked))}",
                               style="warning"))
    for f in getattr(p, "together", ()):  # what the medicines asked do together, as check grades it
        word = PATIENT_GRADES[f.severity].lower() if patient else f.severity
        blocks.append(Heading(f"Together: {f.title} ({word})", style=f.severity))
        blocks.append(Para(f.effect, label="What happens", sources=f.sources))
        blocks.append(Para(f.advice, label="What to do"))
    if getattr(p, "itself", ()):
        blocks.extend(_baclofen_itself(p))
    for drug in p.drugs:  # a member graded apart from its class: its own grade first, as check grades it
        membership = p.k.members_by_name.get(drug)
        if membership is None or not membership[1].grade or membership[1].grade == membership[0].grade:
            continue
        cls, grade = membership[0], membership[1].grade
        word = PATIENT_GRADES[grade].lower() if patient else grade
        blocks.append(Heading(f"{drug}: {word}", style=grade))
        blocks.append(Para(f"{drug} has its own grade ({word}); the group below, {class_name(cls, patient)}, "
                           f"is graded {PATIENT_GRADES[cls.grade].lower() if patient else cls.grade} as a whole."
                           if not patient else
                           f"For {drug} this is the level that applies; the group it belongs to, "
                           f"{class_name(cls, patient)}, is shown below.", style="dim"))
    for class_id in p.class_ids:
        shown_class = interaction_class(p.k, class_id, p.audience, members=not p.drugs)
        for drug in p.drugs:  # a member with its own wording: what it says for this medicine, after the class's
            membership = p.k.members_by_name.get(drug)
            wording = getattr(membership[1], "wording", None) if membership and membership[0].id == class_id else None
            if wording is not None:
                shown_class[3:3] = [
                    Para(wording.patient_effect if patient else wording.effect, label=f"For {drug}",
                         sources=wording.sources, style="warning"),
                    Para(wording.patient_advice if patient else wording.advice, label="What to do", indent=1)]
        blocks.extend(shown_class)
    return blocks + disclaimer(p.k, p.audience)


def _no_interaction(p: Any) -> List[Block]:
    nki = p.k.no_known_interaction
    patient = _patient(p)
    names = ", ".join(p.resolved)
    heading = f"{shown(p.asked)}: no known interaction with baclofen"
    blocks: List[Block] = [Heading(heading, style="ok")]
    if names and names.casefold() != p.asked.casefold():
        blocks.append(Para(names, label="Recognized as", style="dim"))
    blocks.append(Para(nki.patient_statement if patient else nki.statement, sources=nki.sources))
    return blocks + disclaimer(p.k, p.audience)


def _baclofen_itself(p: Any) -> List[Block]:
    """Names that are baclofen itself: what ``check`` says about them, never "no known interaction"."""
    from baclofen_cli.render.itself import notes

    patient = _patient(p)
    blocks: List[Block] = []
    for note in notes(p.k, p.itself, patient):
        finding = note["finding"]
        grade = finding["severity"]
        blocks.append(Heading(note["heading"], style="note"))
        blocks.append(Para(note["statement"], sources=tuple(note["sources"])))
        title = f"{finding['title']} ({PATIENT_GRADES[grade].lower() if patient else grade})"
        blocks.append(Heading(title, level=2, style=grade))
        blocks.append(Para(finding["effect"], label="What happens", indent=1))
        blocks.append(Para(finding["advice"], label="What to do", indent=1))
    return blocks


def _baclofen_itself_page(p: Any) -> List[Block]:
    blocks = _baclofen_itself(p)
    if p.others:
        nki = p.k.no_known_interaction
        blocks += [Heading(f"{', '.join(p.others)}: no known interaction with baclofen", style="ok"),
                   Para(nki.patient_statement if _patient(p) else nki.statement, sources=nki.sources)]
    return blocks + disclaimer(p.k, p.audience)


def _cautions(p: Any) -> List[Block]:
    return cautions(p.k, p.audience, getattr(p, "all_names", False)) + disclaimer(p.k, p.audience)


def _dose(p: Any) -> List[Block]:
    if _patient(p):
        return _patient_section(p.k, "dosing", p.country) + disclaimer(p.k, p.audience)
    return section(p.k, "dosing", p.country) + disclaimer(p.k)


def _faq(p: Any) -> List[Block]:
    if _patient(p):
        return _patient_section(p.k, "faq") + disclaimer(p.k, p.audience)
    return section(p.k, "faq") + disclaimer(p.k, p.audience)


def _sources(p: Any) -> List[Block]:
    return sources(p.k)


def _search(p: Any) -> List[Block]:
    return search_results(p.hits, p.query, p.typed)


def _check(p: Any) -> List[Block]:
    return check_brief(p.k, p.result) if p.brief else check_result(p.k, p.result)


def _screen(p: Any) -> List[Block]:
    return screen_document(p.k, p.summary, p.flagged, p.source)


def _sentence(text: str) -> str:
    """``text`` with its first letter a capital, as a line that starts a sentence should be."""
    return text[:1].upper() + text[1:]


def _says(title: str, name: str) -> bool:
    """Whether ``title`` already names ``name`` as whole words ("Gabapentinoids" does not name gabapentin)."""
    import re

    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", title, re.IGNORECASE) is not None


def check_brief(k: Knowledge, result: CheckResult) -> List[Block]:
    """``check --brief``: one line per finding, then the items not checked and the summary."""
    blocks: List[Block] = []
    patient = result.audience == PATIENT
    plain_names = {c.name: c.patient_name or c.name for c in k.cautions} if patient else {}
    for f in result.findings:  # every triggering item, by the short name it resolved to (not its whole text)
        title = finding_title(k, f, patient)
        names = list(dict.fromkeys(n for n in (plain_names.get(m, m) for m in f.matched) if not _says(title, n)))
        trigger = ", ".join(names) if names else ", ".join(shown(t) for t in f.inputs if not _says(title, t))
        label = PATIENT_GRADES[f.severity] if patient else f.severity.upper()
        blocks.append(Para(title + (f" ({trigger})" if trigger else ""), label=label, style=f.severity))
    for item in result.items:  # every item not fully checked, one line each, as the full report lists them
        if item.status == NOT_CHECKED or item.resolution.unaccounted:
            detail = not_checked_detail(item, k, result.audience == PATIENT)
            blocks.append(Para(f"{shown(item.text)}: {detail}", label="NOT CHECKED", style="not-checked"))
    blocks.append(Para(summary_text(result), style=summary_style(result)))
    return blocks


def _screen_title(title: str) -> str:
    """A dose finding counted over rows (each with its own dose): no "N mg" placeholder in the title shown."""
    if title.startswith("Daily dose of N mg with "):
        return f"Daily dose with {title[len('Daily dose of N mg with '):]} (graded by each row's dose)"
    return title.replace("of N mg", "(each row's own)", 1)


def screen_document(k: Knowledge, summary: Any, flagged: Sequence[Any], source: str) -> List[Block]:
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
                            tuple((f["severity"], _screen_title(f["title"]), f"{f['rows']:,}")
                                  for f in data["top_findings"]),
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
        title = (("The flagged row" if flagged_n == 1 else f"Flagged rows (all {flagged_n:,})")
                 if len(flagged) == flagged_n
                 else f"Flagged rows (the {len(flagged):,} most severe of {flagged_n:,}; --out lists every row)")
        blocks.append(Heading(title, level=2))
        table_rows = []
        for outcome in flagged:
            result = outcome.result
            titles = "; ".join(f"{f.severity}: {f.title}" for f in result.findings)
            if result.unrecognized:
                titles += f" | not checked: {', '.join(shown(t) for t in result.unrecognized)}"
            # "line 2", never a bare number: stacked rows are headed by this cell
            table_rows.append((f"line {outcome.row.number}", shown(outcome.row.id), result.highest_severity or "",
                               titles))
        blocks.append(Table(("Where", "Id", "Highest", "Findings"), tuple(table_rows),
                            row_styles=tuple(r[2] for r in table_rows)))
    blocks.extend(disclaimer(k))
    return blocks


def _patient_dosing(k: Knowledge, country: Optional[str] = None) -> List[Block]:
    d = k.dosing
    rows = tuple((s.days, s.dose, f"{s.daily_mg:g} mg") for s in d.titration)
    blocks: List[Block] = [Table(("Days", "Dose", "Each day"), rows, title="A usual way to start (adults)")]
    mine = _country_maximum(k, country) is not None
    notes = _patient_entries(e for e in d.notes if not (mine and e.label == "Maximum"))
    if mine or not any(e.label == "Maximum" and patient_text(e) for e in d.notes):
        blocks.append(maximum_para(k, country, patient=True))
    blocks.extend(notes)
    return blocks


def _patient_side_effects(k: Knowledge) -> List[Block]:
    return _side_effects(pages.SideEffects(k, (), PATIENT))[1:2]


def _patient_interactions(k: Knowledge) -> List[Block]:
    return _interaction_list(pages.InteractionList(k, PATIENT))[1:3]  # the table and its hint (the section has a title)


def _patient_cautions(k: Knowledge) -> List[Block]:
    return cautions(k, PATIENT)


def _patient_faq(k: Knowledge) -> List[Block]:
    return faq(k, patient=True)


_PATIENT_STRUCTURED = {
    "uses": _patient_uses,
    "dosing": _patient_dosing,
    "side-effects": _patient_side_effects,
    "interactions": _patient_interactions,
    "cautions": _patient_cautions,
    "faq": _patient_faq,
}


PAGES: Dict[type, Callable[[Any], List[Block]]] = {
    pages.Overview: _overview,
    pages.Everything: _everything,
    pages.SectionPage: _section,
    pages.TopicPage: _topic,
    pages.SectionList: _section_list,
    pages.SideEffects: _side_effects,
    pages.InteractionList: _interaction_list,
    pages.InteractionClassPage: _interaction_class,
    pages.NoInteractionPage: _no_interaction,
    pages.BaclofenItselfPage: _baclofen_itself_page,
    pages.CautionsPage: _cautions,
    pages.DosePage: _dose,
    pages.FaqPage: _faq,
    pages.SourcesPage: _sources,
    pages.SearchPage: _search,
    pages.CheckPage: _check,
    pages.ScreenPage: _screen,
}
"""Page type -> its document (the ``text`` format)."""
