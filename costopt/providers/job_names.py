"""Training job families: the job name without its timestamp, counter or random suffix.

Clouds name each run of the same training code differently (SageMaker SDK:
``resnet-train-2026-11-03-10-22-33-123``; tuning trials ``xgb-search-017-4f3a9c21``). Rules judge
a family, not each run, so a weekly retrain is one finding whose id stays the same week after week.
"""

from __future__ import annotations

import re

# A trailing timestamp (-YYYY-MM-DD-HH-MM-SS-mmm), counter or random hex suffix.
_SUFFIX = re.compile(r"([-_](\d+|[0-9a-f]{8,}))+$")


def job_family(name: str) -> str:
    """``resnet-train-2026-11-03-10-22-33-123`` -> ``resnet-train`` (the name when nothing is left)."""
    return _SUFFIX.sub("", name) or name
