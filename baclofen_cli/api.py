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
from baclofen_cli.record import Record, RenalFunction, Skipped, Unreadable
from baclofen_cli.resolve import HISTORY, WITH, Resolution, Resolver

__all__ = [
    "PATIENT", "PROFESSIONAL", "CheckResult", "Finding", "Knowledge", "Record", "RenalFunction", "Resolver",
    "Skipped", "Unreadable", "check_record", "exit_status", "load_knowledge",
]


def check_record(knowledge: Knowledge, record: Record, *, audience: str = PROFESSIONAL,
                 country: Optional[str] = None, resolver: Optional[Resolver] = None) -> CheckResult:
    """Resolve and check one record. Unreadable parts become items that are not checked, never dropped."""
    resolver = resolver or Resolver(knowledge)
    resolutions = (resolver.resolve_all(record.medications, WITH)
                   + resolver.resolve_all(record.conditions, HISTORY))
    resolutions += [Resolution(f"{u.text} ({u.where})", HISTORY if u.kind == HISTORY else WITH, (), "", hint=u.reason)
                    for u in record.unreadable]
    result = check(knowledge, resolutions, record.daily_dose_mg, audience, renal=record.renal, country=country)
    return result._replace(skipped=record.skipped, patient_id=record.patient_id)
