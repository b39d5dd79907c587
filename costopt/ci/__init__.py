"""Helpers for running costopt inside CI systems (the pull-request comment of the GitHub Action)."""
