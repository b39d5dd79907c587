"""costopt: ML-aware multi-cloud cost-optimization analyzer.

Providers collect spend and utilisation into a Snapshot, rules turn it into priced
recommendations, the trade-off step keeps the ones that still meet each model's
latency and accuracy targets, and reporters/gate turn the resulting Audit into
reports and CI exit codes. See DESIGN.md-style overview in the README.
"""

__version__ = "0.1.0"
