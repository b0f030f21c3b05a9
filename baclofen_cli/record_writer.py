"""`baclo screen --format fhir`: one FHIR Bundle line per row.

Each Bundle names its row and patient throughout (``render.fhir.row_bundle``), so it
is built per row. A row screened in a worker process (``baclofen_cli.parallel``)
arrives with its line already made there.
"""

from __future__ import annotations

from typing import Any, Optional

from baclofen_cli.knowledge.model import Knowledge


class FhirFormatter:
    """One FHIR Bundle per row, as a line of JSON ending in a newline."""

    def __init__(self, knowledge: Knowledge, ascii: bool = False) -> None:
        from baclofen_cli.render.fhir import bundle_line

        self.knowledge = knowledge
        self.ascii = ascii
        """For a stream that cannot carry every character (``render.safe.ascii_only``): \\u escapes."""
        self._bundle_line = bundle_line

    def line(self, outcome: Any) -> str:
        ready: Optional[str] = getattr(outcome.verdict, "fhir_line", None)
        if ready is not None:
            return ready
        return self._bundle_line(self.knowledge, outcome, self.ascii) + "\n"
