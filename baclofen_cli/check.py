"""Grade resolved inputs into findings: pure functions, no I/O.

Every item the user gave ends in exactly one status: ``flagged`` (it triggers at
least one finding), ``no-known-interaction`` / ``no-known-caution`` (recognized
and listed as harmless), ``baclofen`` (the user's own oral baclofen line: the
medicine being checked, never "no known interaction"), or ``not-checked`` (not
recognized, or a baclofen line whose dose words could not be read). Nothing is dropped.
"""

from __future__ import annotations

import itertools
import re
from typing import AbstractSet, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from baclofen_cli._records import NamedTuple
from baclofen_cli.errors import EXIT_FLAGGED, EXIT_FLAGGED_AND_NOT_CHECKED, EXIT_NOT_RECOGNIZED, EXIT_OK
from baclofen_cli.knowledge.model import (
    GRADE_RANK,
    GRADES,
    Caution,
    Combination,
    InteractionClass,
    Knowledge,
    Refs,
    RenalBand,
    Wording,
    member_effects,
)
from baclofen_cli.names import normalize
from baclofen_cli.record import RenalFunction, Skipped
from baclofen_cli.resolve import WITH, Resolution

PROFESSIONAL = "professional"
PATIENT = "patient"

FLAGGED = "flagged"
NO_KNOWN_INTERACTION = "no-known-interaction"
NO_KNOWN_CAUTION = "no-known-caution"
NOT_CHECKED = "not-checked"
BACLOFEN_LINE = "baclofen"
"""The user's own oral baclofen line: the medicine being checked (its dose feeds the dose check)."""

DOSE_NOT_READ_HINT = ("baclofen recognized, but the dose on this line was not read, so it was not checked; "
                      "give the total with --daily-dose")
_DOSE_WORDS = re.compile(
    r"\d|\b(?:mg|mgs|milligrams?|mcg|micrograms?|ml|half|one|two|three|four|"
    r"once|twice|thrice|daily|nightly|bid|tid|qid|tds|qds|bd|od|qd|qhs|hs|nocte|mane|prn|q\d*h|hourly|"
    r"every|times|morning|evening|night|bedtime|day|week)\b", re.IGNORECASE)
"""Words that state an amount or how often: a baclofen line with any of them states a dose."""

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
    renal: Tuple[RenalFunction, ...] = ()
    """The measured kidney function the dose bands were read against."""
    origins: Tuple[Tuple[str, str], ...] = ()
    """(item text, the resource it was read from) for items read from a FHIR file."""
    country: Optional[str] = None
    """The country named (--country): its own names for medicines are shown where the file has them."""

    def origin(self, text: str) -> Optional[str]:
        """Where an item came from (``MedicationStatement/3``), or None for an item given as an option."""
        return next((where for name, where in self.origins if name == text), None)

    @property
    def unrecognized(self) -> Tuple[str, ...]:
        return tuple(i.text for i in self.items if i.status == NOT_CHECKED or i.resolution.unaccounted)

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


COUNTRY_NAMES = {"us": "US", "ca": "Canada", "uk": "UK"}
BACLOFEN_ITSELF = "baclofen (the medicine being checked)"

MORE_THAN_ONE_TITLE = "More than one oral baclofen line"
MORE_THAN_ONE_EFFECT = ("Baclofen is named on more than one line: they are one medicine, and the daily dose is "
                        "their sum.")
MORE_THAN_ONE_ADVICE = "Check for a duplicate product or prescription; the daily dose is the sum of the lines."
MORE_THAN_ONE_PATIENT_EFFECT = "Your list names baclofen more than once. The amounts add up to one daily total."
MORE_THAN_ONE_PATIENT_ADVICE = "Ask your pharmacist to check whether both are meant to be taken."
"""The finding for two oral baclofen lines (``check``), also shown by ``interactions Lioresal``."""


class _Agent(NamedTuple):
    """One thing the user takes: a generic drug, or a whole class named as such."""

    identity: str
    drug: Optional[str]
    cls: Optional[InteractionClass]
    grade: Optional[str]
    note: Optional[str]
    item: int
    effects: Tuple[str, ...] = ()
    """The member's own effects (or the class defaults): what combination rules read."""
    wording: Optional[Wording] = None
    word: Optional[str] = None
    """The vague class word this agent stands for (``antidepressants``), if any."""


def check(knowledge: Knowledge, resolutions: Sequence[Resolution],
          daily_dose_mg: Optional[float] = None, audience: str = PROFESSIONAL, *,
          renal: Sequence[RenalFunction] = (), country: Optional[str] = None,
          dose_unread: Mapping[int, str] = {}, dose_elsewhere: AbstractSet[int] = frozenset()) -> CheckResult:
    """Grade the resolutions. ``dose_unread``: oral baclofen items (by index) whose dose a FHIR dosage
    states in a way not read (why); ``dose_elsewhere``: items whose dose another item carries."""
    patient = audience == PATIENT
    agents: List[_Agent] = []
    cautions: List[Tuple[Caution, int]] = []
    outcomes: List[ItemOutcome] = []
    baclofen_items: List[Tuple[str, int, Optional[float]]] = []
    unread: List[int] = []
    """Oral baclofen lines that state a dose nobody turned into mg a day."""
    for index, res in enumerate(resolutions):
        if not res.recognized:
            outcomes.append(ItemOutcome(res, NOT_CHECKED, ()))
            continue
        if res.kind == WITH:
            forms = [t.ref for t in res.targets if t.kind == "baclofen"]
            baclofen_items.extend((form, index, res.daily_mg) for form in forms)
            item_agents = _agents_of(knowledge, res, index)
            agents.extend(item_agents)
            # a condition named as the medicine's indication ("vitamin D for CKD stage 4") is checked too
            indicated = [knowledge.cautions_by_id[t.ref] for t in res.targets if t.kind == "caution"]
            cautions.extend((c, index) for c in indicated)
            flagged = any(a.cls is not None for a in item_agents) or any(
                knowledge.baclofen_by_id[f].grade is not None for f in forms) or bool(indicated)
            resolved = tuple(dict.fromkeys(a.drug or a.word or (a.cls.id if a.cls else "") for a in item_agents))
            resolved += tuple(BACLOFEN_ITSELF if f == "oral" else knowledge.baclofen_by_id[f].name for f in forms)
            resolved += tuple(c.id for c in indicated)
            status = FLAGGED if flagged else NO_KNOWN_INTERACTION
            if "oral" in forms and not flagged and not item_agents:
                status = BACLOFEN_LINE  # the medicine being checked: never "no known interaction"
            why = dose_unread.get(index)
            if "oral" in forms and (why is not None or (res.daily_mg is None and index not in dose_elsewhere
                                                        and (_DOSE_WORDS.search(res.text)
                                                             or _DOSE_WORDS.search(normalize(res.text))))):
                unread.append(index)
                # the line's dose was not read: the line is never vouched for, not even by a --daily-dose
                # (the line may say more than the figure given, or join two baclofen lines: clinical rounds F, G)
                if daily_dose_mg is None:
                    hint = DOSE_NOT_READ_HINT if why is None else (
                        f"baclofen recognized, but its {why}, so the dose was not checked; "
                        "give the total with --daily-dose")
                else:
                    hint = (f"baclofen recognized, but {'its ' + why if why else 'the dose on this line was not read'}"
                            f", so the --daily-dose given ({daily_dose_mg:g} mg) could not be compared with it"
                            + ("; the line names baclofen twice, so its doses may add up"
                               if _joins_two_baclofen_lines(res.text) else ""))
                status, res = NOT_CHECKED, res._replace(hint=hint)
            elif "oral" in forms and res.unaccounted:
                unread.append(index)  # a line not fully read: its dose may be misread, so no total is used
            if res.unaccounted and status != FLAGGED:
                # an item with words nobody understood is never clear (Tylenol РМ)
                status = NOT_CHECKED
            outcomes.append(ItemOutcome(res, status, resolved))
        else:
            item_cautions = [knowledge.cautions_by_id[t.ref] for t in res.targets if t.kind == "caution"]
            cautions.extend((c, index) for c in item_cautions)
            resolved = tuple(dict.fromkeys(t.ref for t in res.targets))
            harmless = NOT_CHECKED if res.unaccounted else NO_KNOWN_CAUTION
            outcomes.append(ItemOutcome(res, FLAGGED if item_cautions else harmless, resolved))

    # an item that names nothing but states an amount or a time ("plus 20 mg at night" on a line of its own,
    # a screening cell "baclofen 20 mg qid; 20 mg at night") may be the rest of a baclofen line: the list's
    # baclofen total is then not known, never the smaller figure (hostile round 6)
    fragments = [r.text for r in resolutions if r.kind == WITH and not r.recognized and not r.hint
                 and _DOSE_WORDS.search(r.text)]
    if fragments:
        for form, index, mg in baclofen_items:
            if form == "oral" and mg is not None and index not in unread:
                unread.append(index)
                outcome = outcomes[index]
                hint = (f"baclofen recognized, but its dose may go on in another item ({fragments[0]}), "
                        "so the dose was not checked; give the total with --daily-dose")
                outcomes[index] = outcome._replace(status=NOT_CHECKED, resolution=outcome.resolution._replace(
                    hint=hint))
    texts = [r.text for r in resolutions]
    findings = _interaction_findings(knowledge, agents, texts, patient)
    findings += _baclofen_findings(knowledge, baclofen_items, texts, patient,
                                   dose_given=daily_dose_mg is not None, all_read=not unread,
                                   elsewhere=dose_elsewhere)
    findings += _caution_findings(cautions, texts, patient)
    band, band_inputs, band_reason = _renal_band(knowledge, renal, cautions, texts)
    # a measured value in a major band (below 50 mL/min) counts as kidney disease for combination rules
    measured = band_reason if band is not None and not band_inputs and band.grade == "major" else None
    # a measured value below 60 mL/min (or "less than" one at most 60): what the Beers older-age rule reads
    below_60 = next((renal_text([r]) for r in renal if r.value < 60 or (r.comparator in ("<", "<=") and r.value <= 60)),
                    None)
    findings += _combination_findings(knowledge, agents, cautions, texts, patient, measured, below_60)
    dose, dose_findings = _effective_dose(daily_dose_mg, baclofen_items, texts, patient, unread)
    findings += dose_findings
    if dose is not None:
        from_lines = () if daily_dose_mg is not None and dose == daily_dose_mg else _unique(
            [texts[i] for f, i, mg in baclofen_items if f == "oral" and mg is not None])
        findings += _dose_findings(knowledge, dose, cautions, texts, patient, country, skip_kidney=band is not None,
                                   dose_inputs=from_lines)
    # with a baclofen line whose dose was not read, no figure is known to be the whole dose: the kidney band is
    # stated at its own grade, never as "within the reduced maximum" of a figure the list may exceed
    band_dose = dose if not unread else None
    if band is not None and (band_dose is not None or not band_inputs):  # a staged condition alone: its caution
        renal_finding = _renal_finding(band, band_inputs, band_reason, band_dose, patient)
        findings.append(renal_finding)
        if band_dose is not None and not band_inputs and renal_finding.severity != band.grade:
            # a dose within the band's reduced maximum never lowers the caution the measurement gives on its own
            findings.append(_renal_finding(band, band_inputs, band_reason, None, patient))
    findings = _with_us_children_note(knowledge, findings, country, patient)
    findings.sort(key=lambda f: (-GRADE_RANK[f.severity], _KIND_ORDER[f.kind],
                                 min((texts.index(t) for t in f.inputs), default=-1)))
    return CheckResult(tuple(outcomes), tuple(findings), dose, audience, country=country)


_CHILD_AGE_IDS = ("child-under-8", "child-8-to-17")
"""The caution entries an age under 18 resolves to: their limits are the UK's (uk-smpc 4.2)."""


def _with_us_children_note(knowledge: Knowledge, findings: List[Finding], country: Optional[str],
                           patient: bool) -> List[Finding]:
    """With the US named or no country named, a finding for a child's age also says what the US label
    says of children (not established under 12 years, us-label 8.4): the UK figures are not the only word."""
    if country not in (None, "us") or not any(f.id.endswith(_CHILD_AGE_IDS) for f in findings):
        return findings  # (only an id ending in a child's caution id is changed below)
    note = next((n for n in knowledge.dosing.notes if "us-label 8.4" in n.sources), None)
    if note is None:
        return findings
    said = (note.patient_text or note.text) if patient else note.text
    said = said if said.startswith("US") else f"US: {said}"
    out = []
    for f in findings:
        if re.sub(r"^dose-(?:order-)?", "", f.id) in _CHILD_AGE_IDS and said not in f.notes:
            f = f._replace(notes=f.notes + (said,), sources=_unique([*f.sources, *note.sources]))
        out.append(f)
    return out


def _joins_two_baclofen_lines(text: str) -> bool:
    from baclofen_cli.lines import names_baclofen_twice  # deferred: only an unread baclofen line needs it

    return names_baclofen_twice(text)


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
        own = sum(1 for i in result.items if i.status == BACLOFEN_LINE)
        others = len(result.items) - own
        if others:
            text += f": every item recognized ({len(result.items)}), no known interaction or caution"
            if own:
                text += " (baclofen itself is the medicine being checked)"
        else:
            text += ": only baclofen itself was given (the medicine being checked)"
        if own:
            text += ("; daily dose checked" if result.daily_dose_mg is not None
                     else "; no daily dose was given, so none was checked")
    if not n and result.renal and not any(f.id.startswith("renal-") for f in result.findings):
        # say what was checked: a kidney function alone is never a silent "No findings"
        text += ("; " if result.items or missing else ": ") + f"kidney function {renal_text(result.renal)}: " \
            "in no band that calls for a lower baclofen dose"
    return text


def renal_text(renal: Sequence[RenalFunction]) -> str:
    """``eGFR 80 mL/min (Observation/7)``, for each value."""
    return "; ".join(f"{r.shown} ({r.source})" for r in renal)


def _agents_of(knowledge: Knowledge, res: Resolution, index: int) -> List[_Agent]:
    agents = []
    for target in res.targets:
        if target.kind in ("baclofen", "caution"):
            continue
        if target.kind == "class":
            cls = knowledge.classes_by_id[target.ref]
            agents.append(_Agent("class:" + cls.id, None, cls, cls.grade, None, index, cls.tags))
            continue
        if target.kind == "class-word":
            word = knowledge.class_words_by_name[target.ref]
            classes = [knowledge.classes_by_id[c] for c in word.classes]
            strictest = max(classes, key=lambda c: GRADE_RANK[c.grade])
            effects = tuple(dict.fromkeys(t for c in classes for t in c.tags))
            agents.append(_Agent("word:" + word.name, None, strictest, strictest.grade, None, index,
                                 effects, word=word.name))
            continue
        drugs = knowledge.products_by_name[target.ref].ingredients if target.kind == "product" else (target.ref,)
        for drug in drugs:
            membership = knowledge.members_by_name.get(drug)
            if membership is None:
                agents.append(_Agent(drug, drug, None, None, None, index))
            else:
                cls, member = membership
                agents.append(_Agent(drug, drug, cls, member.grade or cls.grade, member.note, index,
                                     member_effects(cls, member), member.wording))
    return agents


def _unique(values: Sequence[str]) -> Tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _worst(grades: Sequence[str]) -> str:
    return max(grades, key=GRADE_RANK.__getitem__)


def _interaction_findings(knowledge: Knowledge, agents: Sequence[_Agent], texts: Sequence[str],
                          patient: bool) -> List[Finding]:
    # one finding per class; a member with wording of its own, or a vague class word, gets its own
    by_key: Dict[str, List[_Agent]] = {}
    for agent in agents:
        if agent.cls is not None:
            key = agent.cls.id
            if agent.word is not None:
                key = "word:" + agent.word
            elif agent.wording is not None:
                key = f"{agent.cls.id}:{agent.drug}"
            by_key.setdefault(key, []).append(agent)
    findings = []
    for key, group in by_key.items():
        first = group[0]
        cls = first.cls
        assert cls is not None
        effect, advice = (cls.patient_effect, cls.patient_advice) if patient else (cls.effect, cls.advice)
        sources, title, notes = cls.sources, cls.name, [f"{a.drug}: {a.note}" for a in group if a.note]
        if first.wording is not None and first.word is None:
            w = first.wording
            effect, advice = (w.patient_effect, w.patient_advice) if patient else (w.effect, w.advice)
            sources, title = w.sources, f"{first.drug} ({cls.name.lower()})"
        if first.word is not None:
            word = knowledge.class_words_by_name[first.word]
            names = [knowledge.classes_by_id[c].name for c in word.classes]
            title = f"{first.word} (could mean: {'; '.join(names)})"
            notes.insert(0, (word.patient_note if patient else word.note)
                         + f" Graded as the strictest of them ({cls.grade}: {cls.name}).")
        findings.append(Finding(
            kind="interaction",
            id=key.replace(":", "-").replace(" ", "-"),
            severity=_worst([a.grade or cls.grade for a in group]),
            title=title,
            inputs=_unique([texts[a.item] for a in group]),
            matched=_unique([a.drug or a.word or cls.name for a in group]),
            effect=effect,
            advice=advice,
            sources=sources,
            notes=_unique(notes),
        ))
    return findings


def _baclofen_findings(knowledge: Knowledge, items: Sequence[Tuple[str, int, Optional[float]]],
                       texts: Sequence[str], patient: bool, dose_given: bool = False,
                       all_read: bool = True, elsewhere: AbstractSet[int] = frozenset()) -> List[Finding]:
    """Baclofen in the user's own list: graded forms (intrathecal) and more than one oral product.
    ``elsewhere``: another name of a resource already counted (one resource is one line)."""
    findings = []
    for form_id in dict.fromkeys(f for f, _, _ in items):
        form = knowledge.baclofen_by_id[form_id]
        if form.grade is None:
            continue
        findings.append(Finding(
            kind="interaction", id=f"baclofen-{form.id}", severity=form.grade, title=form.title or form.name,
            inputs=_unique([texts[i] for f, i, _ in items if f == form_id]), matched=(form.name,),
            effect=(form.patient_effect if patient else form.effect) or "",
            advice=(form.patient_advice if patient else form.advice) or "", sources=form.sources,
        ))
    oral = [(i, mg) for f, i, mg in items if f == "oral" and i not in elsewhere]
    if len(oral) > 1:  # two identical lines are two lines (a duplicate order), never merged
        form = knowledge.baclofen_by_id["oral"]
        findings.append(Finding(
            kind="dose", id="baclofen-more-than-one", severity="moderate",
            title=MORE_THAN_ONE_TITLE,
            inputs=_unique([texts[i] for i, _ in oral]), matched=(form.name,),
            effect=MORE_THAN_ONE_PATIENT_EFFECT if patient else MORE_THAN_ONE_EFFECT,
            advice=_more_than_one_advice(oral, dose_given, all_read, patient),
            sources=form.sources,
        ))
    return findings


def _more_than_one_advice(oral: Sequence[Tuple[int, Optional[float]]], dose_given: bool, all_read: bool,
                          patient: bool) -> str:
    """Say what the dose check did with several oral lines, never claiming one that did not run."""
    if patient:
        return MORE_THAN_ONE_PATIENT_ADVICE
    text = "Check for a duplicate product or prescription; "
    if dose_given:
        return text + "the dose check used the daily dose given, not these lines."
    stated = [mg for _, mg in oral if mg is not None]
    if all_read and stated:
        return text + f"the dose check used their total ({sum(stated):g} mg a day)."
    if not all_read:
        return text + "their doses were not all read, so no total was checked (give it with --daily-dose)."
    return text + "no dose is stated on them, so no total was checked (give it with --daily-dose)."


def _effective_dose(given: Optional[float], items: Sequence[Tuple[str, int, Optional[float]]],
                    texts: Sequence[str], patient: bool,
                    unread: Sequence[int] = ()) -> Tuple[Optional[float], List[Finding]]:
    """The daily dose to check: ``--daily-dose`` if given, else the sum stated by the oral baclofen
    lines, only when every line that states a dose was read (a part sum would understate it)."""
    stated = [(i, mg) for f, i, mg in items if f == "oral" and mg is not None]
    if not stated or (given is None and unread):
        return given, []
    total = sum(mg for _, mg in stated)
    inputs = _unique([texts[i] for i, _ in stated])
    if given is None:
        return total, []
    if abs(given - total) < 1e-9:
        return given, []
    # the two disagree: grade the higher figure (the worst case), so a lower figure never hides a high dose
    higher = max(given, total)
    which = ("the medication list's total" if total > given else "the daily dose given")
    return higher, [Finding(
        kind="dose", id="dose-disagreement", severity="minor",
        title=f"Daily dose given ({given:g} mg) differs from the medication list ({total:g} mg)",
        inputs=inputs, matched=(f"{total:g} mg/day",),
        effect=(f"The daily amount you gave ({given:g} mg) is not what your medicine list adds up to ({total:g} mg). "
                f"The checks here use the higher amount ({higher:g} mg a day)."
                if patient else
                f"The baclofen line(s) add up to {total:g} mg a day; the dose given is {given:g} mg a day. "
                f"The maximum and kidney checks use the higher figure ({higher:g} mg a day, {which})."),
        advice=("Check with your pharmacist which amount is right." if patient
                else "Confirm the current baclofen dose; recheck with the right figure."),
        sources=("us-label 2.1",),
    )]


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
                          patient: bool, measured_renal: Optional[str] = None,
                          measured_below_60: Optional[str] = None) -> List[Finding]:
    # one participant per distinct drug (or class named as a class) and per distinct condition
    # a co-medication takes part through its own effects and its own grade, never its class's
    with_parts: Dict[str, Tuple[Tuple[str, ...], List[int], str]] = {}
    with_grade: Dict[str, str] = {}
    for a in agents:
        if a.cls is not None:
            tags, items, label = with_parts.setdefault(a.identity, (a.effects, [], a.drug or a.word or a.cls.name))
            items.append(a.item)
            with_grade[a.identity] = a.grade or a.cls.grade
    history_parts: Dict[str, Tuple[Tuple[str, ...], List[int], str]] = {}
    for c, item in cautions:
        history_parts.setdefault("condition:" + c.id, (c.tags, [], c.name))[1].append(item)
    if measured_renal is not None:  # a measured eGFR or CrCl in a reduced band counts as kidney disease
        history_parts["measured:renal"] = (("renal", "renal-below-60"), [], measured_renal)
    elif measured_below_60 is not None:
        history_parts["measured:renal-below-60"] = (("renal-below-60",), [], measured_below_60)

    # a rule with a clause no participant can meet cannot fire (its product of candidates is empty): skipped
    with_tags = {tag for tags, _, _ in with_parts.values() for tag in tags}
    history_tags = {tag for tags, _, _ in history_parts.values() for tag in tags}
    fired: Dict[str, Finding] = {}
    for rule, needs_with, needs_history in _rule_tags(knowledge):
        if not (needs_with <= with_tags and needs_history <= history_tags):
            continue
        candidates = []
        for clause in rule.when:
            if clause.with_tag:
                floor = GRADE_RANK[clause.min_grade or "minor"]
                candidates.append([pid for pid, (tags, _, _) in with_parts.items()
                                   if clause.with_tag in tags and GRADE_RANK[with_grade[pid]] >= floor])
            else:
                candidates.append([pid for pid, (tags, _, _) in history_parts.items()
                                   if clause.history_tag in tags])
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
    # a rule is redundant only when a rule that suppresses it fired over every item it names: "diazepam, lithium"
    # in an older person keeps the sedating rule for diazepam beside the confusion rule for lithium
    return [f for rid, f in fired.items()
            if not any(s in fired and set(f.inputs) <= set(fired[s].inputs) for s in rules[rid].suppressed_by)]


_RuleTags = List[Tuple[Combination, FrozenSet[Optional[str]], FrozenSet[Optional[str]]]]
_RULE_TAGS: Dict[int, Tuple[Tuple[Combination, ...], _RuleTags]] = {}


def _rule_tags(knowledge: Knowledge) -> _RuleTags:
    """Each combination rule with the tags its clauses need from the medicines and from the conditions
    (a clause naming neither needs ``None``, which no participant has: the rule never fires, as before)."""
    rules = knowledge.combinations
    cached = _RULE_TAGS.get(id(knowledge))
    if cached is not None and cached[0] is rules:
        return cached[1]
    table: _RuleTags = [(rule, frozenset(c.with_tag for c in rule.when if c.with_tag),
                         frozenset(c.history_tag for c in rule.when if not c.with_tag)) for rule in rules]
    _RULE_TAGS.clear()  # one knowledge at a time
    _RULE_TAGS[id(knowledge)] = (rules, table)
    return table


def _fill(template: str, dose: float, limit: Optional[float]) -> str:
    # plain replacement, not str.format: the template comes from a data file
    text = template.replace("{dose}", f"{dose:g}")
    return text.replace("{limit}", f"{limit:g}") if limit is not None else text


def country_maximum(knowledge: Knowledge, country: Optional[str]) -> Tuple[float, Refs, Tuple[str, ...]]:
    """The maximum daily dose to grade against: the named country's, else the strictest; with one
    note per country giving its figure and source."""
    dosing = knowledge.dosing
    if not dosing.by_country:
        return dosing.max_daily_mg, dosing.sources, ()
    notes = tuple(f"{COUNTRY_NAMES.get(m.country, m.country)}: {m.max_daily_mg:g} mg a day"
                  + (f" ({m.setting})" if m.setting else "") + f" [{'; '.join(m.sources)}]"
                  for m in dosing.by_country)
    chosen = [m for m in dosing.by_country if m.country == country]
    if chosen:
        pick = chosen[0]
        notes = (f"Graded against the {COUNTRY_NAMES.get(pick.country, pick.country)} figure.",) + notes
    else:
        pick = min(dosing.by_country, key=lambda m: m.max_daily_mg)
        notes = ("Labels differ between countries; graded against the strictest figure "
                 "(name one with --country).",) + notes
    return pick.max_daily_mg, pick.sources, notes


def _dose_findings(knowledge: Knowledge, dose: float, cautions: Sequence[Tuple[Caution, int]],
                   texts: Sequence[str], patient: bool, country: Optional[str] = None,
                   skip_kidney: bool = False, dose_inputs: Tuple[str, ...] = ()) -> List[Finding]:
    findings = []
    above = knowledge.dosing.above_maximum
    limit_mg, limit_sources, notes = country_maximum(knowledge, country)
    if dose > limit_mg:
        findings.append(Finding(
            kind="dose", id="dose-maximum", severity=above.grade,
            title=_fill(above.title, dose, limit_mg), inputs=dose_inputs, matched=(f"{dose:g} mg/day",),
            effect=_fill(above.patient_text if patient else above.text, dose, limit_mg),
            advice=_fill(above.patient_advice if patient else above.advice, dose, limit_mg),
            sources=_unique([*limit_sources, *above.sources]), notes=notes,
        ))
    seen = set()
    for caution, _ in cautions:
        limit = caution.dose_limit
        if limit is None or caution.id in seen:
            continue
        if skip_kidney and caution.dose_limit is not None and caution.dose_limit.max_mg_per_day is None \
                and "renal" in caution.tags:
            continue  # the renal band finding grades this dose by kidney function
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


def _renal_band(knowledge: Knowledge, renal: Sequence[RenalFunction], cautions: Sequence[Tuple[Caution, int]],
                texts: Sequence[str]) -> Tuple[Optional[RenalBand], Tuple[str, ...], str]:
    """The most severe kidney-function band shown by a measured value or a staged condition."""
    bands = knowledge.dosing.renal_bands
    if not bands:
        return None, (), ""
    best: Optional[RenalBand] = None
    inputs: Tuple[str, ...] = ()
    reason = ""
    for value in renal:
        for band in bands:
            # a "less than" value is graded at the worst band it allows (eGFR <30 may be below 15)
            if band.at_least <= value.graded < band.below and (best is None or band.below <= best.below):
                best, inputs, reason = band, (), f"{value.shown} ({value.source})"
    by_id = {b.id: b for b in bands}
    for caution, item in cautions:
        if caution.renal_band is not None:
            band = by_id[caution.renal_band]
            if best is None or band.below < best.below:
                best, inputs, reason = band, (texts[item],), caution.name
    return best, inputs, reason


def _renal_finding(band: RenalBand, inputs: Tuple[str, ...], reason: str, dose: Optional[float],
                   patient: bool) -> Finding:
    text = band.patient_text if patient else band.text
    advice = band.patient_advice if patient else band.advice
    severity = band.grade
    if dose is not None:
        title = f"Daily dose of {dose:g} mg with kidney function {band.name}"
        above = band.max_mg_per_day is not None and dose > band.max_mg_per_day
        text = _fill(text, dose, band.max_mg_per_day)
        if above:
            text += (f" {dose:g} mg a day is above about {band.max_mg_per_day:g} mg a day."
                     if not patient else f" {dose:g} mg a day is more than about {band.max_mg_per_day:g} mg.")
        elif band.max_mg_per_day is not None:
            # at or below the band's reduced maximum: still said, at the band's lower grade
            severity = band.within_grade or severity
            text += (f" {dose:g} mg a day is within the reduced maximum of about {band.max_mg_per_day:g} mg a day "
                     "(an upper limit, not a usual dose)."
                     if not patient else f" {dose:g} mg a day is below the upper limit baclo uses. "
                     "Many people need much less.")
    else:
        title = f"Kidney function {band.name}: baclofen dose reduction"
        text = text.replace("{dose} mg a day", "the dose").replace("{dose}", "the dose")
        text = _fill(text, 0, band.max_mg_per_day)
    return Finding(kind="dose" if dose is not None else "caution", id=f"renal-{band.id}", severity=severity,
                   title=title, inputs=inputs, matched=(reason,), effect=text, advice=advice,
                   sources=band.sources, notes=_renal_notes(reason, inputs, patient))


_LESS_THAN = r"^(?:eGFR|creatinine clearance) (<=?)(\d+(?:\.\d+)?) mL/min"
"""A measured value given as "less than" (``RenalFunction.shown``); compiled on first use (re's cache)."""


def _renal_notes(reason: str, inputs: Tuple[str, ...], patient: bool = False) -> Tuple[str, ...]:
    notes: Tuple[str, ...] = () if inputs else (f"From: {reason}",)
    less = re.match(_LESS_THAN, reason) if not inputs else None
    if less is not None:
        limit = f"{'less than' if less.group(1) == '<' else 'at most'} {less.group(2)}"
        notes += ((f"Your kidney result was given only as {limit}, so baclo checked the dose against "
                   "the lowest level it could be.",) if patient else
                  (f"Given only as {less.group(1)}{less.group(2)} mL/min: the value may be anywhere below it, so it "
                   "is graded at the worst band it allows; a measured value gives a check by that value.",))
    if reason.startswith("eGFR"):  # the bands come from creatinine clearance studies
        notes += ("The bands are creatinine clearance figures; an eGFR is used as an approximation "
                  "(it can differ, notably at extremes of body size).",)
    return notes


def with_order_maximum(knowledge: Knowledge, result: CheckResult, orders: Sequence[Tuple[str, float, str]],
                       country: Optional[str] = None) -> CheckResult:
    """The result with a finding for each baclofen order whose allowed maximum (FHIR ``maxDosePerPeriod``,
    as mg a day) is above the maximum: ``orders`` is (item text, mg a day, where it was read)."""
    if not orders:  # every finding below is about an order
        return result
    above = knowledge.dosing.above_maximum
    limit_mg, limit_sources, notes = country_maximum(knowledge, country)
    patient = result.audience == PATIENT
    added = []
    for text, mg, where in orders:
        if mg <= limit_mg:
            continue
        said = (f"This prescription allows up to {mg:g} mg a day. " if patient else
                f"The order's allowed maximum ({where}, maxDosePerPeriod) is {mg:g} mg a day, not the dose taken. ")
        added.append(Finding(
            kind="dose", id="dose-order-maximum", severity=above.grade,
            title=f"Order allows up to {mg:g} mg a day, above the maximum", inputs=(text,),
            matched=(f"{mg:g} mg/day allowed",),
            effect=said + _fill(above.patient_text if patient else above.text, mg, limit_mg),
            advice=_fill(above.patient_advice if patient else above.advice, mg, limit_mg),
            sources=_unique([*limit_sources, *above.sources]), notes=notes,
        ))
    added += _order_kidney_findings(knowledge, result, orders, patient)
    added += _with_us_children_note(knowledge, _order_child_findings(knowledge, result, orders, patient), country,
                                    patient)
    if not added:
        return result
    texts = [i.resolution.text for i in result.items]
    findings = sorted(result.findings + tuple(added), key=lambda f: (
        -GRADE_RANK[f.severity], _KIND_ORDER[f.kind], min((texts.index(t) for t in f.inputs if t in texts), default=-1)))
    return result._replace(findings=tuple(findings))


def _order_child_findings(knowledge: Knowledge, result: CheckResult, orders: Sequence[Tuple[str, float, str]],
                          patient: bool) -> List[Finding]:
    """An order's allowed maximum above a child's age limit (UK SmPC 4.2), as for a dose taken."""
    found: List[Finding] = []
    children = {ref for item in result.items for ref in item.resolved if ref.startswith("child")}
    for ref in sorted(children):
        caution = knowledge.cautions_by_id.get(ref)
        limit = caution.dose_limit if caution is not None else None
        if caution is None or limit is None or limit.max_mg_per_day is None:
            continue
        for text, mg, where in orders:
            if mg <= limit.max_mg_per_day:
                continue
            said = (f"This prescription allows up to {mg:g} mg a day. " if patient else
                    f"The order's allowed maximum ({where}, maxDosePerPeriod) is {mg:g} mg a day. ")
            found.append(Finding(
                kind="dose", id=f"dose-order-{caution.id}", severity=limit.grade,
                title=f"Order allows up to {mg:g} mg a day, above the limit for {caution.name.lower()}",
                inputs=(text,), matched=(f"{mg:g} mg/day allowed", caution.name),
                effect=said + _fill(limit.patient_text if patient else limit.text, mg, limit.max_mg_per_day),
                advice=caution.patient_advice if patient else caution.advice,
                sources=limit.sources,
            ))
    return found


def _kidney_limits(knowledge: Knowledge, result: CheckResult) -> List[Tuple[float, str, str, Refs]]:
    """(mg a day, grade, what set it, sources) for each kidney dose limit the result shows: a measured
    band (a ``renal-`` finding) or a staged kidney condition in the list (its band or its own limit)."""
    bands = {b.id: b for b in knowledge.dosing.renal_bands}
    limits = []
    for f in result.findings:
        band = bands.get(f.id[len("renal-"):]) if f.id.startswith("renal-") else None
        if band is not None and band.max_mg_per_day is not None:
            limits.append((band.max_mg_per_day, band.grade, f"kidney function {band.name}", band.sources))
    for item in result.items:
        for ref in item.resolved:
            caution = knowledge.cautions_by_id.get(ref)
            if caution is None or ("renal" not in caution.tags and caution.renal_band is None):
                continue  # a staged condition (CKD stage 2) carries its band's limit without the kidney-disease tag
            band = bands.get(caution.renal_band) if caution.renal_band else None
            if band is not None and band.max_mg_per_day is not None:
                limits.append((band.max_mg_per_day, band.grade, f"{caution.name.lower()} ({band.name})", band.sources))
            elif caution.dose_limit is not None and caution.dose_limit.max_mg_per_day is not None:
                limits.append((caution.dose_limit.max_mg_per_day, caution.dose_limit.grade, caution.name.lower(),
                               caution.dose_limit.sources))
    return limits


def _order_kidney_findings(knowledge: Knowledge, result: CheckResult, orders: Sequence[Tuple[str, float, str]],
                           patient: bool) -> List[Finding]:
    """An order's allowed maximum graded against the kidney limit, as a taken dose would be."""
    limits = _kidney_limits(knowledge, result)
    if not limits:
        return []
    limit, grade, why, sources = min(limits, key=lambda x: x[0])
    added = []
    for text, mg, where in orders:
        if mg <= limit:
            continue
        added.append(Finding(
            kind="dose", id="dose-order-kidney", severity=grade,
            title=f"Order allows up to {mg:g} mg a day, above the kidney limit of about {limit:g} mg",
            inputs=(text,), matched=(f"{mg:g} mg/day allowed", why),
            effect=(f"This prescription allows up to {mg:g} mg a day. With your kidney results, baclo's upper limit "
                    f"is about {limit:g} mg a day." if patient else
                    f"The order's allowed maximum ({where}, maxDosePerPeriod) is {mg:g} mg a day, above the reduced "
                    f"maximum of about {limit:g} mg a day for {why}; a dose up to the allowed maximum would exceed it."),
            advice=("Ask your prescriber or pharmacist to check the most you may take in a day." if patient else
                    "Confirm the order's maximum allows for kidney function."),
            sources=sources,
        ))
    return added
