"""Catalog defaults in one place: when a price is stale, and the typical ratios behind estimates.

Why: where no real price exists (AWS regions other than those in the public tables, spot and
commitment prices the tables lack, SageMaker types newer than the 2025 snapshot) the catalog
derives an *estimate* from a real on-demand price and one of the ratios below. Every such price
is flagged ``estimate=True`` and names the ratio in its source, and a recommendation resting on
it never gets more than "low" confidence (:func:`costopt.catalog.staleness.price_confidence`).
Change a ratio here, nowhere else.
"""

from __future__ import annotations

# A price older than this many days (from its ``as_of`` to the analysis date) is stale.
STALE_AFTER_DAYS = 90

# Price under a model / on-demand price of the same type and region: the medians of the
# ratios the project's 2025 snapshot applied (Spot Advisor bands, standard all-upfront RI,
# GCP resource CUD, Azure reservations). Typical discounts, not quotes.
TYPICAL_RATIO: dict[tuple[str, str], float] = {
    ("aws", "spot"): 0.40, ("aws", "commit_1y"): 0.60, ("aws", "commit_3y"): 0.39,
    ("gcp", "spot"): 0.30, ("gcp", "commit_1y"): 0.63, ("gcp", "commit_3y"): 0.45,
    ("azure", "spot"): 0.20, ("azure", "commit_1y"): 0.62, ("azure", "commit_3y"): 0.40,
}

# SageMaker ``ml.X`` on-demand / EC2 ``X`` on-demand: median of the 2025 snapshot's pairs (1.15-1.4).
SAGEMAKER_PREMIUM = 1.20
# SageMaker managed spot training and Savings Plans effective rates / SageMaker on-demand (2025 snapshot).
SAGEMAKER_RATIO: dict[str, float] = {"spot": 0.40, "commit_1y": 0.64, "commit_3y": 0.48}

# AWS regions without a public 2026 table: EC2 Linux on-demand list price of m5.large there
# (USD/hour, AWS EC2 pricing page). An estimate for type X in region R is X's us-east-1 price
# x (m5.large in R / m5.large in us-east-1). GPU types vary more by region than m5 does.
AWS_BASE_REGION = "us-east-1"
AWS_M5_LARGE: dict[str, float] = {
    "us-east-1": 0.096, "us-east-2": 0.096, "us-west-1": 0.112, "us-west-2": 0.096,
    "ca-central-1": 0.107, "eu-west-1": 0.107, "eu-west-2": 0.111, "eu-west-3": 0.112,
    "eu-central-1": 0.115, "eu-north-1": 0.102, "eu-south-1": 0.112, "ap-south-1": 0.101,
    "ap-southeast-1": 0.12, "ap-southeast-2": 0.12, "ap-northeast-1": 0.124, "ap-northeast-2": 0.118,
    "ap-northeast-3": 0.124, "ap-east-1": 0.132, "sa-east-1": 0.153, "me-south-1": 0.118,
    "af-south-1": 0.127,
}

# Public AWS regions (botocore's endpoints.json, partition "aws") with no m5.large price above:
# their estimates use the ratio of the geographically nearest region that has one. A guess on a
# guess, labelled ``estimate:aws-neighbour-ratio`` wherever it is used.
AWS_NEIGHBOUR: dict[str, str] = {
    "ap-east-2": "ap-east-1", "ap-south-2": "ap-south-1", "ap-southeast-3": "ap-southeast-1",
    "ap-southeast-4": "ap-southeast-2", "ap-southeast-5": "ap-southeast-1", "ap-southeast-6": "ap-southeast-2",
    "ap-southeast-7": "ap-southeast-1", "ca-west-1": "ca-central-1", "eu-central-2": "eu-central-1",
    "eu-south-2": "eu-south-1", "il-central-1": "eu-central-1", "me-central-1": "me-south-1",
    "mx-central-1": "us-east-2",
}


def aws_region_ratio(region: str) -> tuple[float, str] | None:
    """(m5.large price in ``region`` / in us-east-1, estimate label) or None for an unknown region."""
    if region in AWS_M5_LARGE:
        return AWS_M5_LARGE[region] / AWS_M5_LARGE[AWS_BASE_REGION], "estimate:aws-region-ratio"
    if region in AWS_NEIGHBOUR:
        return AWS_M5_LARGE[AWS_NEIGHBOUR[region]] / AWS_M5_LARGE[AWS_BASE_REGION], "estimate:aws-neighbour-ratio"
    return None

# AWS EC2 licence-included fees on top of the Linux price of the same type, region and pricing
# model, by component: component -> (vCPU tiers, minimum vCPUs billed, source, as_of). A tier is
# (largest vCPU count it covers, 0 = any; USD per vCPU-hour); the first tier covering the type's
# vCPUs applies to all of them. Fees are the same under spot and commitments (the licence is not
# discounted). Estimates: a list price for the OS, where the Price List API answers, always wins.
LICENCE_SOURCE_WINDOWS_SQL = ("AWS EC2 User Guide, 'Optimize CPUs for License-Included instances' (price per vCPU "
                              "hour: Windows Server $0.046, + SQL Server Standard $0.166, Enterprise $0.421, Web "
                              "$0.063; page mentions 2025-10-15); SQL Server is billed for at least 4 vCPUs "
                              "(Microsoft per-core licensing minimum of four per VM, AWS 'License Mobility: SQL "
                              "Server'; Price List: r5.large Windows+SQL Web eu-west-1 $0.301 = Windows $0.233 + "
                              "4 x $0.017)")
LICENCE_SOURCE_RHEL = ("Red Hat per-vCPU RHEL pricing on EC2 from 2024-07-01 (AWS EC2 pricing notice; AWS 'RHEL "
                       "pricing' FAQ examples: c5.xlarge 4 vCPU -$0.0024/h from $0.06 = $0.0576 = 4 x $0.0144, "
                       "c5.4xlarge 16 vCPU +$0.0428/h from $0.13 = $0.1728 = 16 x $0.0108; 12 vCPU and fewer got "
                       "cheaper). The tier edge between 4 and 12 vCPUs is assumed at 8; a cheaper tier for very "
                       "large instances may exist and is not modelled")
LICENCE_COMPONENTS: dict[str, tuple[tuple[tuple[int, float], ...], int, str, str]] = {
    "windows": (((0, 0.046),), 0, LICENCE_SOURCE_WINDOWS_SQL, "2025-10-15"),
    "sql_std": (((0, 0.120),), 4, LICENCE_SOURCE_WINDOWS_SQL, "2025-10-15"),
    "sql_ent": (((0, 0.375),), 4, LICENCE_SOURCE_WINDOWS_SQL, "2025-10-15"),
    "sql_web": (((0, 0.017),), 4, LICENCE_SOURCE_WINDOWS_SQL, "2025-10-15"),
    "rhel": (((8, 0.0144), (0, 0.0108)), 0, LICENCE_SOURCE_RHEL, "2024-07-01"),
}
# Catalog OS key (costopt.providers.aws.platform) -> the licence components it pays. SQL Server on
# Linux is assumed to pay the same SQL Server fee as on Windows (AWS publishes per-vCPU rates for
# the Windows combinations only).
OS_LICENCES: dict[str, tuple[str, ...]] = {
    "windows": ("windows",), "windows_sql_std": ("windows", "sql_std"), "windows_sql_ent": ("windows", "sql_ent"),
    "windows_sql_web": ("windows", "sql_web"), "linux_sql_std": ("sql_std",), "linux_sql_ent": ("sql_ent",),
    "linux_sql_web": ("sql_web",), "rhel": ("rhel",),
}
# OS keys whose licence fee costopt does not know (no trustworthy current published figure found:
# SUSE's per-size fee, RHEL with HA, Ubuntu Pro, Windows BYOL on shared tenancy): priced as the
# Linux price, labelled a lower bound (``estimate:licence-unknown``).
OS_FEE_UNKNOWN = ("suse", "rhel_ha", "ubuntu_pro", "windows_byol")
