"""The Python API: load the knowledge, build a ``Record``, check it.

    >>> from baclofen_cli.api import load_knowledge, Record, check_record
    >>> k = load_knowledge()
    >>> result = check_record(k, Record(medications=("oxycodone",), conditions=("CKD stage 4",)))
    >>> [f.severity for f in result.findings]

Every way into baclo (options, FHIR, a screening row) builds a ``Record`` and ends here.
"""

from typing import Optional

from baclofen_cli.check import PATIENT, PROFESSIONAL, CheckResult, Finding, check, exit_status
from baclofen_cli.knowledge import Knowledge, load_knowledge
from baclofen_cli.record import Allergy, Record, RenalFunction, Skipped, Unreadable
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
    resolutions = (resolver.resolve_all(record.medications, WITH)
                   + resolver.resolve_all(record.conditions, HISTORY))
    resolutions += [Resolution(f"{u.text} ({u.where})", HISTORY if u.kind == HISTORY else WITH, (), "", hint=u.reason)
                    for u in record.unreadable]
    result = check(knowledge, resolutions, record.daily_dose_mg, audience, renal=record.renal, country=country)
    # an unreadable part's text already says where it was: "" keeps it from being labelled as an option
    origins = record.origins + tuple((r.text, "") for r in resolutions[len(resolutions) - len(record.unreadable):])
    return result._replace(skipped=record.skipped, patient_id=record.patient_id, renal=record.renal,
                           origins=origins)


BACLOFEN_ALLERGY = "baclofen allergy"


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
