"""Billing data in FOCUS shape: readers for FOCUS, AWS CUR, Azure and GCP exports, and the breakdown SQL."""
