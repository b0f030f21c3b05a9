"""Output: views turn knowledge and results into documents; backends draw them.

``views`` builds a small document model (``blocks``) once; ``plain`` writes it as
text with no escape codes (pipes, NO_COLOR, TERM=dumb) and ``terminal`` draws it
with Rich. ``json_out`` builds the documented JSON shapes straight from the model.
"""

OVERVIEW_WARNINGS = 4
"""How many warnings ``baclo info`` shows: the first ones, as the file lists them by importance."""
