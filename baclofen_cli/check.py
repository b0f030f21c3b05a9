"""Grade resolved inputs into findings: pure functions, no I/O.

Every item the user gave ends in exactly one status: ``flagged`` (it triggers at
least one finding), ``no-known-interaction`` / ``no-known-caution`` (recognized
and listed as harmless), or ``not-checked`` (not recognized). Nothing is dropped.
"""


import itertools
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from baclofen_cli.errors import EXIT_FLAGGED, EXIT_FLAGGED_AND_NOT_CHECKED, EXIT_NOT_RECOGNIZED, EXIT_OK
from baclofen_cli.knowledge.model import (
    GRADE_RANK,
    GRADES,
    Caution,
    InteractionClass,
    Knowledge,
    Refs,
)
from baclofen_cli.record import RenalFunction, Skipped
from baclofen_cli.resolve import WITH, Resolution

PROFESSIONAL = "professional"
PATIENT = "patient"

FLAGGED = "flagged"
NO_KNOWN_INTERACTION = "no-known-interaction"
NO_KNOWN_CAUTION = "no-known-caution"
NOT_CHECKED = "not-checked"

_KIND_ORDER = {"combination": 0, "interaction": 1, "caution": 2, "dose": 3}


class Finding(NamedTuple):
    kind: str
    """interaction, caution, combination or dose."""
    id: str
    """The class, caution or combination id it comes from (``dose-maximum`` / ``dose-<caution>`` for doses)."""
    severity: str
    title: str
    inputs: Tuple[str, ...]
    """The text of every user item that triggered it, in the order given."""
    matched: Tuple[str, ...]
    """What in those items matched: generic names, class or condition names."""
    effect: str
    advice: str
    sources: Refs
    notes: Tuple[str, ...] = ()


class ItemOutcome(NamedTuple):
    resolution: Resolution
    status: str
    resolved: Tuple[str, ...]
    """Canonical names: generic drug names, class ids for class names, caution ids or condition names."""

    @property
    def text(self) -> str:
        return self.resolution.text


class CheckResult(NamedTuple):
    items: Tuple[ItemOutcome, ...]
    findings: Tuple[Finding, ...]
    daily_dose_mg: Optional[float]
    audience: str
    skipped: Tuple[Skipped, ...] = ()
    """Inputs deliberately not checked (a stopped medicine, a refuted condition), with the reason."""
    patient_id: Optional[str] = None

    @property
    def unrecognized(self) -> Tuple[str, ...]:
        return tuple(i.text for i in self.items if i.status == NOT_CHECKED)

    @property
    def highest_severity(self) -> Optional[str]:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=GRADE_RANK.__getitem__)

    def counts(self) -> Dict[str, int]:
        out: Dict[str, int] = {}
        for f in self.findings:
            out[f.severity] = out.get(f.severity, 0) + 1
        return out


class _Agent(NamedTuple):
    """One thing the user takes: a generic drug, or a whole class named as such."""

    identity: str
    drug: Optional[str]
    cls: Optional[InteractionClass]
    grade: Optional[str]
    note: Optional[str]
    item: int


def check(knowledge: Knowledge, resolutions: Sequence[Resolution],
          daily_dose_mg: Optional[float] = None, audience: str = PROFESSIONAL, *,
          renal: Sequence[RenalFunction] = (), country: Optional[str] = None) -> CheckResult:
    patient = audience == PATIENT
    agents: List[_Agent] = []
    cautions: List[Tuple[Caution, int]] = []
    outcomes: List[ItemOutcome] = []
    for index, res in enumerate(resolutions):
        if not res.recognized:
            outcomes.append(ItemOutcome(res, NOT_CHECKED, ()))
            continue
        if res.kind == WITH:
            item_agents = _agents_of(knowledge, res, index)
            agents.extend(item_agents)
            flagged = any(a.cls is not None for a in item_agents)
            resolved = tuple(dict.fromkeys(a.drug or (a.cls.id if a.cls else "") for a in item_agents))
            outcomes.append(ItemOutcome(res, FLAGGED if flagged else NO_KNOWN_INTERACTION, resolved))
        else:
            item_cautions = [knowledge.cautions_by_id[t.ref] for t in res.targets if t.kind == "caution"]
            cautions.extend((c, index) for c in item_cautions)
            resolved = tuple(dict.fromkeys(t.ref for t in res.targets))
            outcomes.append(ItemOutcome(res, FLAGGED if item_cautions else NO_KNOWN_CAUTION, resolved))

    texts = [r.text for r in resolutions]
    findings = _interaction_findings(agents, texts, patient)
    findings += _caution_findings(cautions, texts, patient)
    findings += _combination_findings(knowledge, agents, cautions, texts, patient)
    if daily_dose_mg is not None:
        findings += _dose_findings(knowledge, daily_dose_mg, cautions, texts, patient)
    findings.sort(key=lambda f: (-GRADE_RANK[f.severity], _KIND_ORDER[f.kind],
                                 min((texts.index(t) for t in f.inputs), default=-1)))
    return CheckResult(tuple(outcomes), tuple(findings), daily_dose_mg, audience)


def exit_status(result: CheckResult, fail_on: str = "minor") -> int:
    """0 nothing flagged and every item checked; 1 a finding reaches ``fail_on``; 3 some item not
    checked and nothing flagged; 4 both (a script tells them apart from the status alone)."""
    return status_code(bool(result.unrecognized),
                       any(GRADE_RANK[f.severity] >= GRADE_RANK[fail_on] for f in result.findings))


def status_code(not_checked: bool, flagged: bool) -> int:
    """The exit status for a run that did or did not leave something unchecked and flag something."""
    if not_checked:
        return EXIT_FLAGGED_AND_NOT_CHECKED if flagged else EXIT_NOT_RECOGNIZED
    return EXIT_FLAGGED if flagged else EXIT_OK


def summary_line(result: CheckResult) -> str:
    counts = result.counts()
    n = len(result.findings)
    if n:
        detail = ", ".join(f"{counts[g]} {g}" for g in GRADES if g in counts)
        text = f"{n} finding{'s' if n != 1 else ''}: {detail}"
    else:
        text = "No findings"
    missing = len(result.unrecognized)
    if missing:
        text += f"; {missing} item{'s' if missing != 1 else ''} not checked"
    elif not n and result.items:
        text += f": every item recognized ({len(result.items)}), no known interaction or caution"
    return text


def _agents_of(knowledge: Knowledge, res: Resolution, index: int) -> List[_Agent]:
    agents = []
    for target in res.targets:
        if target.kind == "class":
            cls = knowledge.classes_by_id[target.ref]
            agents.append(_Agent("class:" + cls.id, None, cls, cls.grade, None, index))
            continue
        drugs = knowledge.products_by_name[target.ref].ingredients if target.kind == "product" else (target.ref,)
        for drug in drugs:
            membership = knowledge.members_by_name.get(drug)
            if membership is None:
                agents.append(_Agent(drug, drug, None, None, None, index))
            else:
                cls, member = membership
                agents.append(_Agent(drug, drug, cls, member.grade or cls.grade, member.note, index))
    return agents


def _unique(values: Sequence[str]) -> Tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _worst(grades: Sequence[str]) -> str:
    return max(grades, key=GRADE_RANK.__getitem__)


def _interaction_findings(agents: Sequence[_Agent], texts: Sequence[str], patient: bool) -> List[Finding]:
    by_class: Dict[str, List[_Agent]] = {}
    for agent in agents:
        if agent.cls is not None:
            by_class.setdefault(agent.cls.id, []).append(agent)
    findings = []
    for group in by_class.values():
        cls = group[0].cls
        assert cls is not None
        findings.append(Finding(
            kind="interaction",
            id=cls.id,
            severity=_worst([a.grade or cls.grade for a in group]),
            title=cls.name,
            inputs=_unique([texts[a.item] for a in group]),
            matched=_unique([a.drug or cls.name for a in group]),
            effect=cls.patient_effect if patient else cls.effect,
            advice=cls.patient_advice if patient else cls.advice,
            sources=cls.sources,
            notes=_unique([f"{a.drug}: {a.note}" for a in group if a.note]),
        ))
    return findings


def _caution_findings(cautions: Sequence[Tuple[Caution, int]], texts: Sequence[str],
                      patient: bool) -> List[Finding]:
    by_id: Dict[str, List[Tuple[Caution, int]]] = {}
    for caution, item in cautions:
        by_id.setdefault(caution.id, []).append((caution, item))
    findings = []
    for group in by_id.values():
        c = group[0][0]
        findings.append(Finding(
            kind="caution", id=c.id, severity=c.grade, title=c.name,
            inputs=_unique([texts[i] for _, i in group]), matched=(c.name,),
            effect=c.patient_why if patient else c.why,
            advice=c.patient_advice if patient else c.advice,
            sources=c.sources,
        ))
    return findings


def _combination_findings(knowledge: Knowledge, agents: Sequence[_Agent],
                          cautions: Sequence[Tuple[Caution, int]], texts: Sequence[str],
                          patient: bool) -> List[Finding]:
    # one participant per distinct drug (or class named as a class) and per distinct condition
    with_parts: Dict[str, Tuple[Tuple[str, ...], List[int], str]] = {}
    for a in agents:
        if a.cls is not None:
            tags, items, label = with_parts.setdefault(a.identity, (a.cls.tags, [], a.drug or a.cls.name))
            items.append(a.item)
    history_parts: Dict[str, Tuple[Tuple[str, ...], List[int], str]] = {}
    for c, item in cautions:
        history_parts.setdefault("condition:" + c.id, (c.tags, [], c.name))[1].append(item)

    fired: Dict[str, Finding] = {}
    for rule in knowledge.combinations:
        candidates = []
        for clause in rule.when:
            parts, tag = (with_parts, clause.with_tag) if clause.with_tag else (history_parts, clause.history_tag)
            candidates.append([pid for pid, (tags, _, _) in parts.items() if tag in tags])
        if not any(len(set(choice)) == len(choice) for choice in itertools.product(*candidates)):
            continue
        involved = _unique([pid for group in candidates for pid in group])
        items = sorted({i for pid in involved for i in {**with_parts, **history_parts}[pid][1]})
        fired[rule.id] = Finding(
            kind="combination", id=rule.id, severity=rule.grade, title=rule.title,
            inputs=_unique([texts[i] for i in items]),
            matched=tuple({**with_parts, **history_parts}[pid][2] for pid in involved),
            effect=rule.patient_why if patient else rule.why,
            advice=rule.patient_advice if patient else rule.advice,
            sources=rule.sources,
        )
    rules = {r.id: r for r in knowledge.combinations}
    return [f for rid, f in fired.items() if not any(s in fired for s in rules[rid].suppressed_by)]


def _fill(template: str, dose: float, limit: Optional[float]) -> str:
    # plain replacement, not str.format: the template comes from a data file
    text = template.replace("{dose}", f"{dose:g}")
    return text.replace("{limit}", f"{limit:g}") if limit is not None else text


def _dose_findings(knowledge: Knowledge, dose: float, cautions: Sequence[Tuple[Caution, int]],
                   texts: Sequence[str], patient: bool) -> List[Finding]:
    findings = []
    dosing = knowledge.dosing
    above = dosing.above_maximum
    if dose > dosing.max_daily_mg:
        findings.append(Finding(
            kind="dose", id="dose-maximum", severity=above.grade,
            title=_fill(above.title, dose, dosing.max_daily_mg), inputs=(), matched=(f"{dose:g} mg/day",),
            effect=_fill(above.patient_text if patient else above.text, dose, dosing.max_daily_mg),
            advice=_fill(above.patient_advice if patient else above.advice, dose, dosing.max_daily_mg),
            sources=above.sources,
        ))
    seen = set()
    for caution, _ in cautions:
        limit = caution.dose_limit
        if limit is None or caution.id in seen:
            continue
        seen.add(caution.id)
        if limit.max_mg_per_day is not None and dose <= limit.max_mg_per_day:
            continue
        findings.append(Finding(
            kind="dose", id=f"dose-{caution.id}", severity=limit.grade,
            title=f"Daily dose of {dose:g} mg with {caution.name.lower()}",
            inputs=_unique([texts[i] for c, i in cautions if c.id == caution.id]),
            matched=(f"{dose:g} mg/day", caution.name),
            effect=_fill(limit.patient_text if patient else limit.text, dose, limit.max_mg_per_day),
            advice=_fill(caution.patient_advice if patient else caution.advice, dose, limit.max_mg_per_day),
            sources=limit.sources,
        ))
    return findings
