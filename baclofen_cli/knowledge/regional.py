"""The ``regional_names`` section: names used in other countries and in clinical shorthand.

Each entry is a name with either ``means`` (another name already in the file: a generic,
brand, product, class or condition) or ``ingredients`` (names of drugs already in the
file, for a product such as co-codamol), the countries that use it and its sources.
The entries add names only: everything said about a medicine or condition stays with
the entry the name points to.
An entry with ``generic: true`` is those countries' own generic name for what ``means`` names
(paracetamol for acetaminophen): ``check --country`` shows it in place of the file's name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Mapping, Optional, Tuple

from baclofen_cli._records import NamedTuple

if TYPE_CHECKING:
    from baclofen_cli.knowledge.model import Knowledge, Target
    from baclofen_cli.knowledge.schema import _Builder, _NameRegistry, _Node

COUNTRIES = ("us", "uk", "ie", "ca", "au", "nz")
REGIONAL = "regional"
"""The target kind of a regional name with several ingredients; the resolver expands it."""


class RegionalName(NamedTuple):
    name: str
    means: Optional[str]
    ingredients: Tuple[str, ...]
    countries: Tuple[str, ...]
    sources: Tuple[str, ...]
    note: Optional[str] = None
    generic: bool = False
    """The countries' own generic name for the medicine it means (paracetamol): shown instead of the file's
    name when one of those countries is named."""


def build_regional_names(root: _Node, b: _Builder) -> Tuple[RegionalName, ...]:
    return root.items("regional_names", lambda n: regional_name(n, b), required=False)


def regional_name(n: _Node, b: _Builder) -> RegionalName:
    from baclofen_cli.knowledge.schema import SchemaError

    means = n.opt_text("means")
    ingredients = n.texts("ingredients")
    countries = n.texts("countries", required=True)
    if not b.trusted:
        if (means is None) == (not ingredients):
            raise SchemaError(n.path, "a regional name gives exactly one of means or ingredients")
        if not countries:
            raise SchemaError(n.at("countries"), "at least one country is required")
        for i, c in enumerate(countries):
            if c not in COUNTRIES:
                raise SchemaError(f"{n.at('countries')}[{i}]", f"{c!r} is not one of {', '.join(COUNTRIES)}")
    generic = n.flag("generic")
    if generic and not b.trusted and means is None:
        raise SchemaError(n.at("generic"), "a generic regional name gives the name it stands for in means")
    return RegionalName(n.text("name"), means, ingredients, countries, b.refs(n), n.opt_text("note"), generic)


def add_regional_names(k: Knowledge, meds: _NameRegistry, conditions: _NameRegistry) -> None:
    """Register every regional name in the index of what it points to (after all other names)."""
    from baclofen_cli.knowledge.model import Target
    from baclofen_cli.knowledge.schema import SchemaError
    from baclofen_cli.names import normalize

    entries: Tuple[RegionalName, ...] = k.part("regional_names")
    for i, entry in enumerate(entries):
        path = f"regional_names[{i}]"
        if entry.means is not None:
            key = normalize(entry.means)
            if key in meds.index:
                meant = meds.index[key]
                existing = meds.index.get(normalize(entry.name))
                if entry.generic and existing is not None and tuple(existing[:2]) == tuple(meant[:2]):
                    continue  # already a name of the same medicine: the entry only says where it is the generic name
                meds.add(entry.name, Target(meant[0], meant[1], entry.name), f"{path}.name")
            elif key in conditions.index:
                meant = conditions.index[key]
                conditions.add(entry.name, Target(meant[0], meant[1], entry.name), f"{path}.name")
            else:
                raise SchemaError(f"{path}.means", f"{entry.means!r} is not a name in the file")
            continue
        refs = []
        for j, ingredient in enumerate(entry.ingredients):
            found = meds.index.get(normalize(ingredient))
            if found is None or found[0] != "drug":
                raise SchemaError(f"{path}.ingredients[{j}]", f"{ingredient!r} is not a drug named in the file")
            refs.append(found[1])
        if len(set(refs)) == 1:
            meds.add(entry.name, Target("drug", refs[0], entry.name), f"{path}.name")
        else:
            meds.add(entry.name, Target(REGIONAL, entry.name, entry.name), f"{path}.name")


def regional_ingredients(k: Knowledge) -> Mapping[str, Tuple[Target, ...]]:
    """Regional product name -> one drug target per ingredient (for names with several)."""
    from baclofen_cli.knowledge.model import Target
    from baclofen_cli.names import normalize

    table: Dict[str, Tuple[Target, ...]] = {}
    entries: Tuple[RegionalName, ...] = k.part("regional_names")
    for entry in entries:
        if entry.ingredients:
            targets = []
            for ingredient in entry.ingredients:
                found = k.medication_names.get(normalize(ingredient))
                if found is not None:
                    targets.append(Target("drug", found[1], entry.name))
            table[entry.name] = tuple(dict.fromkeys(targets))
    return table


def local_names(k: Knowledge, country: Optional[str]) -> Mapping[str, str]:
    """The file's generic name -> the named country's own generic name (acetaminophen -> paracetamol for uk)."""
    if not country:
        return {}
    entries: Tuple[RegionalName, ...] = k.part("regional_names")
    return {e.means: e.name for e in entries if e.generic and e.means and country in e.countries}
