"""Turning what people type into comparable keys.

Shared by the knowledge loader (to refuse two entries claiming one name) and by
name resolution (to look user text up), so both agree on what "the same name" means.
"""


import re

_APOSTROPHES = re.compile(r"['\u2019\u2018`\u00b4]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NON_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Fold case, accents, apostrophes and punctuation: ``"St. John's-Wort"`` -> ``"st johns wort"``.

    Letters that do not fold to Latin are kept (casefolded), never deleted: ``"Tylenol РМ"``
    -> ``"tylenol рм"``, which matches no name, so such a word is never silently dropped.
    """
    if text.isascii():
        folded = text.lower()
    else:
        import unicodedata  # deferred: most names are plain ASCII

        decomposed = unicodedata.normalize("NFKD", text)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    folded = _APOSTROPHES.sub("", folded.replace("&", " and "))
    if folded.isascii():
        return _NON_ALNUM.sub(" ", folded).strip()
    return _NON_WORD.sub(" ", folded).strip()


def number_variants(key: str) -> list[str]:
    """Singular and plural variants of a normalized key's last word, singulars first."""
    head, _, last = key.rpartition(" ")
    if not last or last[-1].isdigit():
        return []
    prefix = head + " " if head else ""
    plurals = [prefix + last + "s", prefix + last + "es"]
    if last.endswith("y") and len(last) > 2:
        plurals.append(prefix + last[:-1] + "ies")
    return singular_forms(key) + plurals


def singular_forms(key: str) -> list[str]:
    """Plausible singulars of a normalized key, changing only its last word."""
    head, _, last = key.rpartition(" ")
    prefix = head + " " if head else ""
    forms = []
    if len(last) > 4 and last.endswith("ies"):
        forms.append(prefix + last[:-3] + "y")
    if len(last) > 3 and last.endswith("es"):
        forms.append(prefix + last[:-2])
    if len(last) > 2 and last.endswith("s") and not last.endswith("ss"):
        forms.append(prefix + last[:-1])
    return forms
