"""Every rule parameter default, in one place.

Each rule declares its parameters as one frozen dataclass here; config overrides any field
under ``[rules."<rule id>"]`` (see ``costopt rules explain ID``). Keep one section per family,
the dataclass named after the rule, and a comment naming the source of any published number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- shared -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Common:
    """Parameters many rules share (not a rule of its own)."""

    min_monthly_savings: float = 1.0  # below this a finding is noise


# --- billing-only rules (commitments from hourly usage, egress hot spots, anomalies) ----------

# --- idle -------------------------------------------------------------------------------------

# --- rightsizing ------------------------------------------------------------------------------

# --- spot -------------------------------------------------------------------------------------

# --- commitments ------------------------------------------------------------------------------

# --- storage ----------------------------------------------------------------------------------

# --- autoscaling ------------------------------------------------------------------------------

# --- egress -----------------------------------------------------------------------------------

# --- model (variant switches) -----------------------------------------------------------------
