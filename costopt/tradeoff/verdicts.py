"""Which verdicts a change may be selected with, shared by selection and the frontier.

On a workload that declares a latency or accuracy target, only a change whose verdict is
``ok`` (or ``n/a``: it cannot touch serving) is verified; ``unknown`` is not (strict mode
fails closed on it). A change on a workload without targets is held only to "no breach".
"""

from __future__ import annotations

from costopt.model import Recommendation

VERIFIED = ("ok", "n/a")


def targeted(rec: Recommendation) -> bool:
    """Whether the change's workload declares a latency or accuracy target."""
    return rec.impacts.targeted


def verified(rec: Recommendation) -> bool:
    """Whether the verdict vouches for the change: ok / n/a, or no breach when untargeted."""
    if rec.slo.status == "breach":
        return False
    return rec.slo.status in VERIFIED or not targeted(rec)
