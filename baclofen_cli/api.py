"""The Python API: load the knowledge, build a ``Record``, check it.

    >>> from baclofen_cli.api import load_knowledge, Record, check_record
    >>> k = load_knowledge()
    >>> result = check_record(k, Record(medications=("oxycodone",), conditions=("CKD stage 4",)))
    >>> [f.severity for f in result.findings]

Every way into baclo (options, FHIR, a screening row) builds a ``Record`` and ends here.
"""

from typing import Dict, List, Optional, Set, Tuple

from baclofen_cli.check import PATIENT, PROFESSIONAL, CheckResult, Finding, check, exit_status, with_order_maximum
from baclofen_cli.knowledge import Knowledge, load_knowledge
from baclofen_cli.record import INPUT_KIND, Allergy, Dosage, Record, RenalFunction, Skipped, Unreadable
from baclofen_cli.resolve import HISTORY, WITH, Resolution, Resolver

__all__ = [
    "PATIENT", "PROFESSIONAL", "Allergy", "CheckResult", "Finding", "Knowledge", "Record", "RenalFunction", "Resolver",
    "Skipped", "Unreadable", "check_record", "exit_status", "load_knowledge", "with_allergies_looked_up",
]


def check_record(knowledge: Knowledge, record: Record, *, audience: str = PROFESSIONAL,
                 country: Optional[str] = None, resolver: Optional[Resolver] = None) -> CheckResult:
    """Resolve and check one record. Unreadable parts become items that are not checked, never dropped."""
    resolver = resolver or Resolver(knowledge)
    record = with_allergies_looked_up(knowledge, record, resolver)
    medications = resolver.resolve_all(record.medications, WITH)
    medications, dose_unread, dose_elsewhere, dose_origins = _with_dosages(resolver, record, medications)
    resolutions = medications + resolver.resolve_all(record.conditions, HISTORY)
    # an unreadable part keeps its kind: "input" (the list may be incomplete) is neither a medicine nor a condition
    resolutions += [Resolution(f"{u.text} ({u.where})", u.kind if u.kind in (HISTORY, INPUT_KIND) else WITH, (), "",
                               hint=u.reason) for u in record.unreadable]
    renal = record.renal + _limits_stated(record.conditions)
    result = check(knowledge, resolutions, record.daily_dose_mg, audience, renal=renal, country=country,
                   dose_unread=dose_unread, dose_elsewhere=dose_elsewhere)
    # an unreadable part's text already says where it was: "" keeps it from being labelled as an option
    origins = record.origins + dose_origins + tuple(
        (r.text, "") for r in resolutions[len(resolutions) - len(record.unreadable):])
    result = with_order_maximum(knowledge, result, _order_maxima(record, medications), country)
    return result._replace(skipped=record.skipped, patient_id=record.patient_id, renal=renal,
                           origins=origins)


_LIMIT_WORDS = ("<", "\u2264", "less", "under", "below")


def _limits_stated(conditions: Tuple[str, ...]) -> Tuple[RenalFunction, ...]:
    """Kidney values a condition gives only as "less than" (``CrCl <30``): the condition's own entry is
    the stage below the limit, and the value itself is graded at the worst band it allows (it may be
    below 15 mL/min), as a measured value is."""
    from baclofen_cli.resolve import renal_from_condition

    found = []
    for text in conditions:
        if any(w in text.lower() for w in _LIMIT_WORDS):
            renal = renal_from_condition(text)
            if renal is not None and renal.comparator in ("<", "<="):
                found.append(renal)
    return tuple(found)


def _order_maxima(record: Record, meds: List[Resolution]) -> List[Tuple[str, float, str]]:
    """(item text, mg a day, where) for each oral baclofen resource whose dosage sets an allowed
    maximum (``maxDosePerPeriod``, see ``Dosage.max_daily_mg``)."""
    if not record.dosages:
        return []
    index = {" ".join(t.split()).casefold(): i for i, t in enumerate(record.medications)}
    orders = []
    for dosage in record.dosages:
        if dosage.max_daily_mg is None:
            continue
        items = [index[k] for k in (" ".join(n.split()).casefold() for n in dosage.names)
                 if k in index and _oral_baclofen(meds[index[k]])]
        if items:
            orders.append((meds[items[0]].text, dosage.max_daily_mg, dosage.where))
    return orders


BACLOFEN_ALLERGY = "baclofen allergy"


def _oral_baclofen(res: Resolution) -> bool:
    return any(t.kind == "baclofen" and t.ref == "oral" for t in res.targets)


def _with_dosages(resolver: Resolver, record: Record, meds: List[Resolution]) -> Tuple[
        List[Resolution], Dict[int, str], Set[int], Tuple[Tuple[str, str], ...]]:
    """Oral baclofen items with the daily dose their resources' dosage states (``Record.dosages``).

    Returns the medicine resolutions (a read dose set as ``daily_mg``; a dosage given only as
    text read with the name by the line reader), the items whose dose is not read (with why:
    their dose is not checked), the items whose dose another name of the same resource carries,
    and the origins of items whose text changed. Dosages of other medicines are not used.
    """
    meds = list(meds)
    if not record.dosages:  # nothing to read: no dose unread, elsewhere or from another text
        return meds, {}, set(), ()
    unread: Dict[int, str] = {}
    elsewhere: Set[int] = set()
    origins: List[Tuple[str, str]] = []
    index = {" ".join(t.split()).casefold(): i for i, t in enumerate(record.medications)}
    per_item: Dict[int, List[Dosage]] = {}
    for dosage in record.dosages:
        items = list(dict.fromkeys(index[k] for k in (" ".join(n.split()).casefold() for n in dosage.names)
                                   if k in index and _oral_baclofen(meds[index[k]])))
        if not items:
            continue
        per_item.setdefault(items[0], []).append(dosage)
        elsewhere.update(items[1:])
    for i in elsewhere - set(per_item):
        meds[i] = meds[i]._replace(daily_mg=None)  # its resource's dose is counted once, on its first name
    for i, dosages in per_item.items():
        stated = [d for d in dosages if not d.once] or dosages
        resources = list(dict.fromkeys(d.where for d in stated))
        kinds = [w.split(" ", 1)[0].split("/", 1)[0] for w in resources]
        if len(set(kinds)) < len(kinds):
            # two resources of one kind with the same text (two MedicationStatements, two orders): each may be
            # its own line, so their doses may add up; never counted once. An order and a statement that
            # agree are one regimen (checked below: they must give the same dose).
            unread[i] = (f"dosage not read ({len(resources)} resources name it: " + "; ".join(resources)
                         + "; their doses may add up)")
            continue
        stated = [d for d in stated if d.daily_mg is not None or d.text or d.problem]
        if not stated:
            continue  # the resource states no dosage: the name is read as written
        problems = [d for d in stated if d.problem]
        texts = [d for d in stated if d.text]
        doses = {round(d.daily_mg, 6) for d in stated if d.daily_mg is not None}
        if problems:
            d = problems[0]
            unread[i] = f"dosage not read ({d.where}: {d.problem})"
        elif texts:
            if len(texts) > 1 or doses:
                unread[i] = "dosage not read (the resources give it in different ways: " + \
                    "; ".join(d.where for d in stated) + ")"
                continue
            d = texts[0]
            combined = resolver.resolve(f"{meds[i].text}, {d.text}", WITH)
            meds[i] = combined
            origins.append((combined.text, d.where))
            if _oral_baclofen(combined) and combined.daily_mg is None:
                unread[i] = f"dosage not read ({d.where}: the text {d.text!r})"
        elif len(doses) == 1:
            mg = doses.pop()
            own = meds[i].daily_mg
            if own is not None and abs(own - mg) > 1e-6:
                unread[i] = f"dosage not read (the name says {own:g} mg a day, {stated[0].where} {mg:g} mg)"
            else:
                meds[i] = meds[i]._replace(daily_mg=mg)
        else:
            unread[i] = "dosage not read (the resources give different daily doses: " + "; ".join(
                f"{d.daily_mg:g} mg ({d.where})" for d in stated if d.daily_mg is not None) + ")"
    return meds, unread, elsewhere - set(per_item), tuple(origins)


def with_allergies_looked_up(knowledge: Knowledge, record: Record, resolver: Optional[Resolver] = None) -> Record:
    """The record with each allergy (``Record.allergies``) turned into what it is.

    A name that resolves to baclofen makes it the condition "baclofen allergy"; when
    every name resolves to a medicine baclo knows that is not baclofen, the allergy is
    skipped with that reason; otherwise (a misspelling, a substance baclo does not know)
    it is not checked: it might be an allergy to baclofen.
    """
    if not record.allergies:
        return record
    resolver = resolver or Resolver(knowledge)
    conditions, skipped, unreadable = list(record.conditions), list(record.skipped), list(record.unreadable)
    origins = list(record.origins)
    for allergy in record.allergies:
        shown = "; ".join(allergy.names)
        known, unknown, baclofen = [], [], False
        for name in allergy.names:
            res = resolver.resolve(name, WITH)
            if not res.recognized:
                unknown.append(name)
            elif any(t.kind == "baclofen" or (t.kind == "product" and "baclofen" in
                                                knowledge.products_by_name[t.ref].ingredients)
                     for t in res.targets):
                baclofen = True
            else:
                known.append(f"{name} ({', '.join(dict.fromkeys(t.display for t in res.targets))})"
                             if any(t.display.casefold() != name.casefold() for t in res.targets) else name)
        if baclofen:
            if BACLOFEN_ALLERGY not in conditions:
                conditions.append(BACLOFEN_ALLERGY)
                origins.append((BACLOFEN_ALLERGY, allergy.where))
        elif unknown:
            unreadable.append(Unreadable(
                allergy.where, f"allergy: {shown}",
                f"cannot tell whether this allergy is to baclofen: {'; '.join(unknown)} is not a medicine baclo knows",
                HISTORY))
        else:
            skipped.append(Skipped(allergy.where, f"allergy: {shown}",
                                   f"an allergy to a medicine other than baclofen: {'; '.join(known)}"))
    return record._replace(conditions=tuple(conditions), skipped=tuple(skipped), unreadable=tuple(unreadable),
                           origins=tuple(origins), allergies=())
