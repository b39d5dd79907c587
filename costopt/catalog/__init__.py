"""Instance specs and prices (on-demand, spot, commitments), storage tiers and egress prices."""


def load_catalog(settings=None):
    """Return the price catalog (bundled snapshot + cache). Filled in by the catalog module."""
    return None
