"""Typed, immutable records of the knowledge file.

NamedTuples rather than frozen dataclasses: a process builds a few thousand of
them at start-up, and tuple construction is several times cheaper.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple, TypeVar

from baclofen_cli._records import NamedTuple

GRADES: Tuple[str, ...] = ("contraindicated", "major", "moderate", "minor")
"""Most severe first."""

GRADE_RANK: Mapping[str, int] = MappingProxyType(
    {grade: len(GRADES) - i for i, grade in enumerate(GRADES)}
)
"""Higher is more severe: contraindicated 4 ... minor 1."""

SIDE_EFFECT_GROUPS: Tuple[str, ...] = ("common", "serious", "rare")
USE_KINDS: Tuple[str, ...] = ("primary", "off-label")
LABEL_STATUSES: Tuple[str, ...] = ("labelled", "not-established", "not-labelled", "approved-elsewhere")
_LABEL_STATUS_WORDS = {"not-established": "not established", "not-labelled": "not a labelled use",
                       "approved-elsewhere": "approved in another country"}


def status_words(status: str) -> str:
    """A label status as words for the text ("not established"), never its enum spelling."""
    return _LABEL_STATUS_WORDS.get(status, status)
EFFECTS: Tuple[str, ...] = (
    "cns-depressant", "sedating", "lowers-blood-pressure", "blood-glucose", "kidney",
    "seizure-threshold", "confusion", "opioid",
)
"""The baclofen-relevant effects a co-medication is described by (see docs/knowledge-file.md).

cns-depressant: adds to baclofen's CNS and breathing depression; sedating: causes drowsiness;
lowers-blood-pressure; blood-glucose: changes blood glucose; kidney: reduces kidney function or
renal clearance; seizure-threshold: lowers it; confusion: confusion, psychosis or encephalopathy;
opioid: an opioid acting in the brain (the FDA 2016 rule)."""
COUNTRIES: Tuple[str, ...] = ("us", "ca", "uk")
SOURCE_KINDS: Tuple[str, ...] = (
    "article", "label", "monograph", "regulator", "database", "study", "reference", "inference",
)

V = TypeVar("V")

Refs = Tuple[str, ...]
"""Source references such as ``("us-label 5.3", "article")``: a tag, then an optional locator."""


def ref_tag(ref: str) -> str:
    """The source tag of a reference: ``"us-label 5.3"`` -> ``"us-label"``."""
    return ref.split(" ", 1)[0]


class Source(NamedTuple):
    tag: str
    title: str
    citation: str
    kind: str
    note: Optional[str]
    url: Optional[str] = None
    """Where the cited version can be read (a label's page, a set id's address)."""
    date: Optional[str] = None
    """The date of the version cited (revision, publication or last update), as the source gives it."""
    version: Optional[str] = None
    """The source's own version label (a DailyMed version number, an SmPC revision)."""
    document: Optional[str] = None
    """The exact document read: product, holder and its official identifier (PL number, DIN, set id)."""
    checked: Optional[str] = None
    """The day (YYYY-MM-DD) the statements citing this source were last compared with that document."""


class Meta(NamedTuple):
    drug: str
    data_version: str
    reviewed: str
    disclaimer: str
    patient_disclaimer: str


class Entry(NamedTuple):
    text: str
    sources: Refs
    label: Optional[str] = None
    article_claim: Optional[str] = None
    note: Optional[str] = None
    patient_text: Optional[str] = None
    """The same statement in plain words, for ``--audience patient``."""
    patient_label: Optional[str] = None


class Section(NamedTuple):
    id: str
    title: str
    aliases: Tuple[str, ...]
    summary: str
    entries: Tuple[Entry, ...]
    patient_title: Optional[str] = None


class PkRow(NamedTuple):
    parameter: str
    reference: str
    article: Optional[str]
    sources: Refs
    note: Optional[str]


class LabelStatus(NamedTuple):
    source: str
    status: str
    note: Optional[str]


class Use(NamedTuple):
    name: str
    kind: str
    in_article: bool
    labelled: Tuple[LabelStatus, ...]
    evidence: Optional[str]
    sources: Refs
    patient_name: Optional[str] = None
    """The condition in plain words ("Multiple sclerosis"), shown to patients."""


class TitrationStep(NamedTuple):
    days: str
    dose: str
    daily_mg: float


class DoseMessage(NamedTuple):
    """What ``check --daily-dose`` says about a dose above the labelled maximum.

    ``{dose}`` and ``{limit}`` in the texts are replaced by the figures in mg/day.
    """

    grade: str
    title: str
    text: str
    advice: str
    patient_text: str
    patient_advice: str
    sources: Refs


class CountryMaximum(NamedTuple):
    country: str
    max_daily_mg: float
    setting: Optional[str]
    sources: Refs


class RenalBand(NamedTuple):
    """A band of kidney function (eGFR or CrCl, mL/min) with its dosing guidance."""

    id: str
    name: str
    below: float
    """The band covers values below this ..."""
    at_least: float
    """... and at or above this."""
    grade: str
    max_mg_per_day: Optional[float]
    text: str
    advice: str
    patient_text: str
    patient_advice: str
    sources: Refs
    within_grade: Optional[str] = None
    """The grade when a dose is given and is at or below ``max_mg_per_day`` (else ``grade``)."""



class Dosing(NamedTuple):
    max_daily_mg: float
    sources: Refs
    titration: Tuple[TitrationStep, ...]
    notes: Tuple[Entry, ...]
    above_maximum: DoseMessage
    by_country: Tuple[CountryMaximum, ...] = ()
    renal_bands: Tuple[RenalBand, ...] = ()


class SideEffect(NamedTuple):
    name: str
    patient_name: Optional[str]
    groups: Tuple[str, ...]
    frequency: Optional[str]
    in_article: bool
    sources: Refs


Effects = Tuple[Tuple[str, Refs], ...]
"""Effect name -> the references that show it, in file order."""


class Wording(NamedTuple):
    """A member's own finding text, replacing its class's where the class text does not fit it."""

    effect: str
    advice: str
    patient_effect: str
    patient_advice: str
    sources: Refs


class Member(NamedTuple):
    name: str
    brands: Tuple[str, ...]
    aliases: Tuple[str, ...]
    grade: Optional[str]
    note: Optional[str]
    effects: Optional[Effects] = None
    """The member's own effects, replacing the class defaults; None: the class's apply."""
    wording: Optional[Wording] = None


class InteractionClass(NamedTuple):
    id: str
    name: str
    aliases: Tuple[str, ...]
    grade: str
    effects: Effects
    effect: str
    advice: str
    patient_effect: str
    patient_advice: str
    sources: Refs
    members: Tuple[Member, ...]
    patient_name: Optional[str] = None
    """A plain name for patients ("Sleeping pills" for sedative-hypnotics)."""
    short: Optional[str] = None
    """A short "what happens" written to be short (the overview's column), when the first sentence of
    ``effect`` is too long; never a truncation."""
    patient_short: Optional[str] = None
    patient_examples: Tuple[str, ...] = ()
    """Everyday examples for the patient overview ("beer, wine, spirits" rather than "ethanol"); each is a
    member of the class or one of its brands or aliases, so it carries the member's sources."""

    @property
    def tags(self) -> Tuple[str, ...]:
        """The class's default effect names."""
        return tuple(name for name, _ in self.effects)


def member_effects(cls: InteractionClass, member: Optional[Member]) -> Tuple[str, ...]:
    """The effect names that apply to a member (its own, else the class defaults)."""
    if member is not None and member.effects is not None:
        return tuple(name for name, _ in member.effects)
    return cls.tags


class Review(NamedTuple):
    """The record that a harmless entry's label was read for every effect and shows none."""

    label: str
    """A source reference naming the label read (``product-labels Lipitor``)."""
    none_of: Tuple[str, ...]
    """The effects checked and found absent from the label."""
    judged: Tuple[Tuple[str, str], ...] = ()
    """Effects the label mentions that were judged not to add to baclofen, each with the reason.
    ``none_of`` and ``judged`` together name every effect in ``EFFECTS``."""


class KnownDrug(NamedTuple):
    name: str
    brands: Tuple[str, ...]
    aliases: Tuple[str, ...]
    use: Optional[str]
    reviewed: Optional[Review] = None


class ClassWord(NamedTuple):
    """A vague word (``antidepressants``) that can mean several classes: graded as the strictest."""

    name: str
    aliases: Tuple[str, ...]
    classes: Tuple[str, ...]
    note: str
    patient_note: str


class BaclofenForm(NamedTuple):
    """Baclofen itself in the user's list: the medicine being checked, not an interaction."""

    id: str
    """``oral`` or ``intrathecal``."""
    name: str
    brands: Tuple[str, ...]
    aliases: Tuple[str, ...]
    grade: Optional[str]
    """None for oral (the drug being checked); a grade for a form that gives a finding of its own."""
    title: Optional[str]
    effect: Optional[str]
    advice: Optional[str]
    patient_effect: Optional[str]
    patient_advice: Optional[str]
    sources: Refs


class NoKnownInteraction(NamedTuple):
    statement: str
    patient_statement: str
    sources: Refs
    drugs: Tuple[KnownDrug, ...]


class Product(NamedTuple):
    name: str
    aliases: Tuple[str, ...]
    ingredients: Tuple[str, ...]
    sources: Refs


class DoseLimit(NamedTuple):
    max_mg_per_day: Optional[float]
    grade: str
    text: str
    patient_text: str
    sources: Refs


class Caution(NamedTuple):
    id: str
    name: str
    aliases: Tuple[str, ...]
    grade: str
    tags: Tuple[str, ...]
    why: str
    advice: str
    patient_why: str
    patient_advice: str
    sources: Refs
    dose_limit: Optional[DoseLimit]
    icd10: Tuple[str, ...] = ()
    """ICD-10-CM codes or code prefixes (``N18``, ``Z99.2``) recognized as this condition."""
    renal_band: Optional[str] = None
    """The ``dosing.renal_bands`` id this condition implies (``CKD stage 4`` -> the band below 30)."""
    patient_name: Optional[str] = None
    """A plain name for patients ("Kidney problems")."""


class KnownCondition(NamedTuple):
    name: str
    aliases: Tuple[str, ...]
    icd10: Tuple[str, ...] = ()


class NoKnownCaution(NamedTuple):
    statement: str
    patient_statement: str
    sources: Refs
    conditions: Tuple[KnownCondition, ...]


class Clause(NamedTuple):
    """One condition of a combination rule: a co-medication effect or a history tag.

    ``min_grade``: only a co-medication whose own grade reaches it takes part."""

    with_tag: Optional[str]
    history_tag: Optional[str]
    min_grade: Optional[str] = None


class Combination(NamedTuple):
    id: str
    title: str
    grade: str
    when: Tuple[Clause, ...]
    suppressed_by: Tuple[str, ...]
    why: str
    advice: str
    patient_why: str
    patient_advice: str
    sources: Refs
    patient_title: Optional[str] = None


class Faq(NamedTuple):
    question: str
    answer: str
    sources: Refs
    patient_answer: Optional[str] = None


class Target(NamedTuple):
    """What a name points at. ``kind`` is class, class-word, drug, product, baclofen, caution or known-condition."""

    kind: str
    ref: str
    display: str


class Knowledge:
    """Everything the tool knows, plus the name indexes and lookup tables built from it.

    Read-only. Each part is built from the checked content the first time it is
    used: a command that only checks a medication list never builds the side-effect
    table or the prose sections, which keeps start-up short.
    """

    __slots__ = ("path", "digest", "medication_names", "condition_names", "_parts", "_built", "_fallback")

    def __init__(self, path: str, digest: str, parts: Mapping[str, Callable[[], Any]],
                 medication_names: Mapping[str, Sequence[str]],
                 condition_names: Mapping[str, Sequence[str]]) -> None:
        self.path = path
        self.digest = digest
        """BLAKE2 hash of the file's bytes."""
        self.medication_names = medication_names
        """Normalized co-medication name -> what it names, as the fields of a ``Target``.

        Plain sequences, so that a process reading the compiled cache turns only the
        names it looks up into ``Target`` records, not all of them.
        """
        self.condition_names = condition_names
        """Normalized condition name -> what it names, as the fields of a ``Target``."""
        self._parts = parts
        self._built: Dict[str, Any] = {}
        self._fallback: Optional[Callable[[], Knowledge]] = None

    def __repr__(self) -> str:
        return f"Knowledge(path={self.path!r}, data_version={self.meta.data_version!r})"

    def with_names(self, medication_names: Mapping[str, Sequence[str]],
                   condition_names: Mapping[str, Sequence[str]]) -> Knowledge:
        """The same knowledge (parts already built are shared) with its name indexes."""
        other = Knowledge(self.path, self.digest, self._parts, medication_names, condition_names)
        other._built = self._built
        return other

    def guard(self, fallback: Callable[[], Knowledge]) -> Knowledge:
        """Build parts with ``fallback`` ready: content from the compiled cache that fails to build,
        whatever the exception, is replaced by the knowledge ``fallback`` builds (from the YAML)."""
        self._fallback = fallback
        return self

    def part(self, name: str) -> Any:
        """A part by its knowledge-file key, built on first use."""
        try:
            return self._built[name]
        except KeyError:
            pass
        try:
            value = self._parts[name]()
        except Exception:
            fallback, self._fallback = self._fallback, None
            if fallback is None:
                raise
            fresh = fallback()  # everything from the checked YAML: parts, tables and name indexes
            self._parts, self._built = fresh._parts, fresh._built
            self.medication_names, self.condition_names = fresh.medication_names, fresh.condition_names
            return fresh.part(name)
        self._built[name] = value
        return value

    @property
    def meta(self) -> Meta:
        return self.part("meta")  # type: ignore[no-any-return]

    @property
    def sources(self) -> Mapping[str, Source]:
        return self.part("sources")  # type: ignore[no-any-return]

    @property
    def sections(self) -> Tuple[Section, ...]:
        return self.part("sections")  # type: ignore[no-any-return]

    @property
    def pharmacokinetics(self) -> Tuple[PkRow, ...]:
        return self.part("pharmacokinetics")  # type: ignore[no-any-return]

    @property
    def uses(self) -> Tuple[Use, ...]:
        return self.part("uses")  # type: ignore[no-any-return]

    @property
    def dosing(self) -> Dosing:
        return self.part("dosing")  # type: ignore[no-any-return]

    @property
    def side_effects(self) -> Tuple[SideEffect, ...]:
        return self.part("side_effects")  # type: ignore[no-any-return]

    @property
    def interactions(self) -> Tuple[InteractionClass, ...]:
        return self.part("interactions")  # type: ignore[no-any-return]

    @property
    def no_known_interaction(self) -> NoKnownInteraction:
        return self.part("no_known_interaction")  # type: ignore[no-any-return]

    @property
    def products(self) -> Tuple[Product, ...]:
        return self.part("products")  # type: ignore[no-any-return]

    @property
    def class_words(self) -> Tuple[ClassWord, ...]:
        return self.part("class_words")  # type: ignore[no-any-return]

    @property
    def baclofen_itself(self) -> Tuple[BaclofenForm, ...]:
        return self.part("baclofen_itself")  # type: ignore[no-any-return]

    @property
    def cautions(self) -> Tuple[Caution, ...]:
        return self.part("cautions")  # type: ignore[no-any-return]

    @property
    def no_known_caution(self) -> NoKnownCaution:
        return self.part("no_known_caution")  # type: ignore[no-any-return]

    @property
    def combinations(self) -> Tuple[Combination, ...]:
        return self.part("combinations")  # type: ignore[no-any-return]

    @property
    def faq(self) -> Tuple[Faq, ...]:
        return self.part("faq")  # type: ignore[no-any-return]

    # lookup tables derived from the parts, also built on first use

    @property
    def classes_by_id(self) -> Mapping[str, InteractionClass]:
        return self._derived("classes_by_id", lambda: {c.id: c for c in self.interactions})

    @property
    def cautions_by_id(self) -> Mapping[str, Caution]:
        return self._derived("cautions_by_id", lambda: {c.id: c for c in self.cautions})

    @property
    def class_words_by_name(self) -> Mapping[str, ClassWord]:
        return self._derived("class_words_by_name", lambda: {w.name: w for w in self.class_words})

    @property
    def baclofen_by_id(self) -> Mapping[str, BaclofenForm]:
        return self._derived("baclofen_by_id", lambda: {b.id: b for b in self.baclofen_itself})

    @property
    def products_by_name(self) -> Mapping[str, Product]:
        return self._derived("products_by_name", lambda: {p.name: p for p in self.products})

    @property
    def members_by_name(self) -> Mapping[str, Tuple[InteractionClass, Member]]:
        """Generic name -> its class and member record."""
        return self._derived("members_by_name",
                             lambda: {m.name: (c, m) for c in self.interactions for m in c.members})

    def _derived(self, name: str, build: Callable[[], Dict[str, V]]) -> Mapping[str, V]:
        table: Optional[Mapping[str, V]] = self._built.get(name)
        if table is None:
            table = self._built[name] = MappingProxyType(build())
        return table
