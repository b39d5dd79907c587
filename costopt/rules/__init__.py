"""Recommendation rules: one module per family, registered in :mod:`costopt.rules.base`."""
