"""Typed, immutable records of the knowledge file.

NamedTuples rather than frozen dataclasses: a process builds a few thousand of
them at start-up, and tuple construction is several times cheaper.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, NamedTuple, Optional, Sequence, Tuple

GRADES: Tuple[str, ...] = ("contraindicated", "major", "moderate", "minor")
"""Most severe first."""

GRADE_RANK: Mapping[str, int] = MappingProxyType(
    {grade: len(GRADES) - i for i, grade in enumerate(GRADES)}
)
"""Higher is more severe: contraindicated 4 ... minor 1."""

SIDE_EFFECT_GROUPS: Tuple[str, ...] = ("common", "serious", "rare")
USE_KINDS: Tuple[str, ...] = ("primary", "off-label")
LABEL_STATUSES: Tuple[str, ...] = ("labelled", "not-established", "not-labelled", "approved-elsewhere")
SOURCE_KINDS: Tuple[str, ...] = (
    "article", "label", "monograph", "regulator", "database", "study", "reference", "inference",
)

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


class Section(NamedTuple):
    id: str
    title: str
    aliases: Tuple[str, ...]
    summary: str
    entries: Tuple[Entry, ...]


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


class Dosing(NamedTuple):
    max_daily_mg: float
    sources: Refs
    titration: Tuple[TitrationStep, ...]
    notes: Tuple[Entry, ...]
    above_maximum: DoseMessage


class SideEffect(NamedTuple):
    name: str
    patient_name: Optional[str]
    groups: Tuple[str, ...]
    frequency: Optional[str]
    in_article: bool
    sources: Refs


class Member(NamedTuple):
    name: str
    brands: Tuple[str, ...]
    aliases: Tuple[str, ...]
    grade: Optional[str]
    note: Optional[str]


class InteractionClass(NamedTuple):
    id: str
    name: str
    aliases: Tuple[str, ...]
    grade: str
    tags: Tuple[str, ...]
    effect: str
    advice: str
    patient_effect: str
    patient_advice: str
    sources: Refs
    members: Tuple[Member, ...]


class KnownDrug(NamedTuple):
    name: str
    brands: Tuple[str, ...]
    aliases: Tuple[str, ...]
    use: Optional[str]


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
    """One condition of a combination rule: a co-medication tag or a history tag."""

    with_tag: Optional[str]
    history_tag: Optional[str]


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


class Faq(NamedTuple):
    question: str
    answer: str
    sources: Refs


class Target(NamedTuple):
    """What a name points at. ``kind`` is class, drug, product, caution or known-condition."""

    kind: str
    ref: str
    display: str


@dataclass(frozen=True, repr=False)
class Knowledge:
    """Everything the tool knows, plus the name indexes and lookup tables built from it."""

    path: str
    digest: str
    """BLAKE2 hash of the file's bytes."""
    meta: Meta
    sources: Mapping[str, Source]
    sections: Tuple[Section, ...]
    pharmacokinetics: Tuple[PkRow, ...]
    uses: Tuple[Use, ...]
    dosing: Dosing
    side_effects: Tuple[SideEffect, ...]
    interactions: Tuple[InteractionClass, ...]
    no_known_interaction: NoKnownInteraction
    products: Tuple[Product, ...]
    cautions: Tuple[Caution, ...]
    no_known_caution: NoKnownCaution
    combinations: Tuple[Combination, ...]
    faq: Tuple[Faq, ...]
    medication_names: Mapping[str, Sequence[str]]
    """Normalized co-medication name -> what it names, as the fields of a ``Target``.

    Kept as plain sequences so that a process reading the compiled cache turns only
    the names it looks up into ``Target`` records, not all of them.
    """
    condition_names: Mapping[str, Sequence[str]]
    """Normalized condition name -> what it names, as the fields of a ``Target``."""
    classes_by_id: Mapping[str, InteractionClass] = field(init=False, repr=False)
    cautions_by_id: Mapping[str, Caution] = field(init=False, repr=False)
    products_by_name: Mapping[str, Product] = field(init=False, repr=False)
    members_by_name: Mapping[str, Tuple[InteractionClass, Member]] = field(init=False, repr=False)
    """Generic name -> its class and member record."""
    known_drugs_by_name: Mapping[str, KnownDrug] = field(init=False, repr=False)

    def __repr__(self) -> str:
        return f"Knowledge(path={self.path!r}, data_version={self.meta.data_version!r})"

    def __post_init__(self) -> None:
        members = {m.name: (c, m) for c in self.interactions for m in c.members}
        derived: dict[str, Mapping[str, object]] = {
            "classes_by_id": {c.id: c for c in self.interactions},
            "cautions_by_id": {c.id: c for c in self.cautions},
            "products_by_name": {p.name: p for p in self.products},
            "members_by_name": members,
            "known_drugs_by_name": {d.name: d for d in self.no_known_interaction.drugs},
        }
        for name, table in derived.items():
            object.__setattr__(self, name, MappingProxyType(table))
