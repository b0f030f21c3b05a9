"""The knowledge layer: the YAML file, checked and turned into typed, immutable records."""

from baclofen_cli.knowledge.loader import bundled_path, load_knowledge
from baclofen_cli.knowledge.model import GRADE_RANK, GRADES, Knowledge, ref_tag

__all__ = ["GRADES", "GRADE_RANK", "Knowledge", "bundled_path", "load_knowledge", "ref_tag"]
