"""The one input record every way in produces, and what could not be read from it.

``--with/--history`` options, a FHIR resource or Bundle, and a row of a screening
file each become a ``Record`` (see ``baclofen_cli.inputs``); ``baclofen_cli.api.check_record``
checks any of them the same way. A record keeps everything it was given: text it
could not read is carried in ``unreadable`` and shown as not checked, and anything
deliberately left out (a stopped medicine, a refuted condition) is carried in
``skipped`` with the reason. Nothing is dropped silently.
"""

from __future__ import annotations

from typing import Optional, Tuple

from baclofen_cli._records import NamedTuple

INPUT_KIND = "input"
"""``Unreadable.kind`` for what the input says about itself: the list may be incomplete."""


class Unreadable(NamedTuple):
    """Part of the input that could not be read as a medicine or condition: never clear."""

    where: str
    """Where it came from: ``MedicationRequest/42``, ``row 7, column medications``."""
    text: str
    """What was there (a code, raw text), shown to the user."""
    reason: str
    kind: str = "with"
    """``with`` when it stood for a medicine, ``history`` for a condition, allergy or measurement, ``input``
    (``INPUT_KIND``) for neither: what the input says about itself (a sender's OperationOutcome, one page of a
    search), never listed as a medicine or condition given."""


class Skipped(NamedTuple):
    """An input deliberately not checked, with the reason (FHIR status stopped, refuted...)."""

    where: str
    text: str
    reason: str


MAX_KIDNEY_FUNCTION = 200
"""The highest kidney function (mL/min) graded: --egfr and --crcl refuse more, and a FHIR Observation above it is
not checked. No one measures more (900 is a typo for 90), so it is never graded as normal."""


class RenalFunction(NamedTuple):
    """A measured kidney function, in mL/min (eGFR per 1.73 m2, or creatinine clearance)."""

    measure: str
    """``egfr`` or ``crcl``."""
    value: float
    source: str
    """Where it came from: ``--egfr``, ``Observation/7``."""
    comparator: Optional[str] = None
    """``<``, ``<=``, ``>`` or ``>=`` when the value was given as a limit (``eGFR <30``). A value below a
    limit may be anywhere under it, so it is graded at the worst band it allows (``graded``)."""

    @property
    def graded(self) -> float:
        """The value a dose is graded at: the worst case it allows. ``<30`` may be below 15 (0 here:
        the lowest band); ``>60`` is graded at 60, its lower bound, like a plain value."""
        return 0.0 if self.comparator in ("<", "<=") else self.value

    @property
    def shown(self) -> str:
        """``eGFR <30 mL/min``."""
        label = "eGFR" if self.measure == "egfr" else "creatinine clearance"
        return f"{label} {self.comparator or ''}{self.value:g} mL/min"


class Allergy(NamedTuple):
    """An allergy whose substance must be looked up before it can be called "not baclofen".

    Its names (text and each coding's display) are resolved when the record is checked
    (``baclofen_cli.api.check_record``): a name that is baclofen makes it the baclofen
    allergy; names that are all known medicines other than baclofen skip it with that
    reason; anything else (a misspelling such as "baclofeno", a substance baclo does not
    know) is not checked, because it might be baclofen.
    """

    where: str
    names: Tuple[str, ...]


class Dosage(NamedTuple):
    """What one medicine resource says about how much is taken (FHIR ``dosage``/``dosageInstruction``).

    It is used only when the medicine is oral baclofen (looked up when the record is checked,
    ``baclofen_cli.api.check_record``): then ``daily_mg`` feeds the dose check, ``text`` is read
    with the medicine's name by the line reader, and ``problem`` makes the dose not checked.
    """

    where: str
    names: Tuple[str, ...]
    """Every name the resource gives its medicine (items of ``Record.medications``)."""
    daily_mg: Optional[float] = None
    """The daily dose the structured dosage states, when it states one for certain."""
    text: Optional[str] = None
    """A dosage given only as text (``Take 2 tablets by mouth 4 times daily``)."""
    problem: Optional[str] = None
    """Why the dosage cannot be turned into a certain daily dose (``as needed``, ``frequencyMax``)."""
    once: bool = False
    """A MedicationAdministration: one dose given, not a daily dose (used only when nothing else states one)."""
    max_daily_mg: Optional[float] = None
    """The most the order allows in a day (``maxDosePerPeriod``), checked against the maximum too."""


class Record(NamedTuple):
    """Everything to check for one patient."""

    medications: Tuple[str, ...] = ()
    conditions: Tuple[str, ...] = ()
    daily_dose_mg: Optional[float] = None
    renal: Tuple[RenalFunction, ...] = ()
    patient_id: Optional[str] = None
    unreadable: Tuple[Unreadable, ...] = ()
    skipped: Tuple[Skipped, ...] = ()
    allergies: Tuple[Allergy, ...] = ()
    """Allergies still to be looked up (see ``Allergy``)."""
    origins: Tuple[Tuple[str, str], ...] = ()
    """(medicine or condition, where it came from: ``MedicationStatement/3``) for items read from a file."""
    dosages: Tuple[Dosage, ...] = ()
    """The dosage of each medicine resource that gives one (see ``Dosage``)."""

    @property
    def empty(self) -> bool:
        """Nothing to check and nothing unreadable: such a record is "nothing to check", never clean."""
        return not (self.medications or self.conditions or self.daily_dose_mg is not None
                    or self.renal or self.unreadable or self.allergies)
