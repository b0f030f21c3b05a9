"""``interactions NAME`` when NAME is baclofen itself (Lioresal, Ozobax, intrathecal baclofen).

Not an interaction, and never "no known interaction": it is the medicine being checked, and the
answer says what ``check`` says about it. A second oral baclofen product is duplicate therapy
(``check``'s "More than one oral baclofen line"); a form with a grade of its own (intrathecal
baclofen) is that finding. Shared by the text and JSON formats.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

from baclofen_cli.check import (
    MORE_THAN_ONE_ADVICE,
    MORE_THAN_ONE_EFFECT,
    MORE_THAN_ONE_PATIENT_ADVICE,
    MORE_THAN_ONE_PATIENT_EFFECT,
    MORE_THAN_ONE_TITLE,
)

PATIENT_DUPLICATE_TITLE = "Baclofen named more than once"


def heading(names: Sequence[str], form_id: str) -> str:
    """"Lioresal is baclofen, the medicine being checked"."""
    listed = ", ".join(names)
    if [n.casefold() for n in names] == ["baclofen"]:
        return "Baclofen is the medicine being checked"
    verb = "is" if len(names) == 1 else "are"
    how = " (by pump into the spinal fluid)" if form_id == "intrathecal" else ""
    text = f"{listed} {verb} baclofen{how}, the medicine being checked"
    return text[:1].upper() + text[1:]  # a heading: "Intrathecal baclofen is baclofen ..."


def notes(k: Any, itself: Sequence[Tuple[str, str]], patient: bool) -> List[Dict[str, Any]]:
    """One note per baclofen form named: its names, what it is, and the finding ``check`` gives."""
    out: List[Dict[str, Any]] = []
    for form_id in dict.fromkeys(f for _, f in itself):
        form = k.baclofen_by_id[form_id]
        names = list(dict.fromkeys(n for n, f in itself if f == form_id))
        if form.grade is None:  # oral baclofen: a second product or line is duplicate therapy
            statement = ("This is baclofen itself, the medicine these pages are about. It is not an interaction."
                         if patient else
                         "Oral baclofen is the medicine being checked, not an interaction. Named with another "
                         "baclofen product or line, it is duplicate therapy, which 'baclo check' flags.")
            finding = {"severity": "moderate", "title": PATIENT_DUPLICATE_TITLE if patient else MORE_THAN_ONE_TITLE,
                       "when": "with another baclofen product or line",
                       "effect": MORE_THAN_ONE_PATIENT_EFFECT if patient else MORE_THAN_ONE_EFFECT,
                       "advice": MORE_THAN_ONE_PATIENT_ADVICE if patient else MORE_THAN_ONE_ADVICE}
        else:  # a form with a grade of its own: 'check' gives this finding whenever it is listed
            statement = ("This is baclofen given by a pump into the spine, the medicine these pages are about."
                         if patient else
                         f"{form.name[:1].upper()}{form.name[1:]} is baclofen itself, not an interaction; "
                         "'baclo check' grades it on its own.")
            finding = {"severity": form.grade, "title": form.title or form.name, "when": "whenever it is listed",
                       "effect": (form.patient_effect if patient else form.effect) or "",
                       "advice": (form.patient_advice if patient else form.advice) or ""}
        out.append({"names": names, "form": form.id, "is_baclofen": True, "heading": heading(names, form.id),
                    "statement": statement, "finding": {**finding, "sources": list(form.sources)},
                    "sources": list(form.sources)})
    return out
