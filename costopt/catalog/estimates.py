"""Labelled estimates where no real price exists, derived from a real price and a typical ratio.

Why: the public price tables have AWS on-demand prices for us-east-1 (plus GovCloud and
cn-north-1) only, no Azure spot or reservation prices, no AWS spot or commitment prices, and
no SageMaker prices newer than the project's 2025 snapshot. Rather than leave most of the
world unpriced, the catalog derives a figure -- and says so: the Price has ``estimate=True``,
its ``source`` reads ``estimate:<ratio> x <base source>`` and its ``as_of`` is the base price's.

Order of derivation (the first that applies, each from a real price when one exists):

1. spot / commit_1y / commit_3y: the same type's on-demand price x ``TYPICAL_RATIO`` (SageMaker
   ``ml.*``: x ``SAGEMAKER_RATIO``, spot meaning managed spot training);
2. SageMaker ``ml.X`` on-demand: EC2 ``X`` on-demand in the region x ``SAGEMAKER_PREMIUM``;
3. AWS on-demand in a region of ``AWS_M5_LARGE``: the us-east-1 price x the region's m5.large ratio
   (a public region without one, ``AWS_NEIGHBOUR``: its nearest neighbour's ratio).

How to fix an estimate: refresh the provider (``costopt catalog refresh``) or regenerate the
bundle from newer public tables; a real price always wins over an estimate.
"""

from __future__ import annotations

from collections.abc import Callable

from costopt.catalog.defaults import AWS_BASE_REGION, SAGEMAKER_PREMIUM, SAGEMAKER_RATIO, TYPICAL_RATIO, aws_region_ratio
from costopt.catalog.model import Price

Lookup = Callable[[str, str, str, str], "Price | None"]  # (provider, region, type, model), lower-cased keys

ESTIMATE_SOURCES = {
    "estimate:typical-ratio": "Estimate: the type's on-demand price x a typical discount ratio "
                              "(costopt.catalog.defaults.TYPICAL_RATIO); not a quoted price",
    "estimate:sagemaker-premium": "Estimate: the EC2 type's on-demand price x the typical SageMaker premium "
                                  "(costopt.catalog.defaults.SAGEMAKER_PREMIUM); not a quoted price",
    "estimate:aws-region-ratio": "Estimate: the us-east-1 price x (m5.large list price in the region / in "
                                 "us-east-1) (costopt.catalog.defaults.AWS_M5_LARGE); not a quoted price",
    "estimate:aws-neighbour-ratio": "Estimate: the us-east-1 price x the m5.large ratio of the nearest region "
                                    "with a known m5.large price (costopt.catalog.defaults.AWS_NEIGHBOUR); not a quoted price",
    "estimate:azure-region-ratio": "Estimate: the eastus price x (Standard_D2s_v5 Linux price in the region / in "
                                   "eastus, azure-karpenter-2026); not a quoted price",
    "estimate:previous-generation-band": "Estimate: a spot interruption rate from the previous generation of the "
                                         "family's band (scripts/build_catalog.py PREDECESSOR); not a published rate",
    "estimate:licence-fee": "Estimate: the Linux price + the published per-vCPU-hour licence fees of the OS "
                            "(Windows, SQL Server, RHEL; costopt.catalog.defaults.LICENCE_COMPONENTS, each with "
                            "its source and date); not a quoted price",
    "estimate:licence-unknown": "Lower bound: the Linux price; the licence fee of the OS (SUSE, RHEL HA, Ubuntu "
                                "Pro, Windows BYOL) is not known to costopt, so the real price is higher; not a "
                                "quoted price",
    "estimate:gcp-base-region": "Estimate: the project's us-central1 (Americas) or europe-west4 (elsewhere) "
                                "inter-region egress price; not a quoted price",
}


def _derived(base: Price, ratio: float, ratio_id: str) -> Price:
    return Price(base.amount * ratio, base.unit, base.currency, f"{ratio_id} x {base.source}", base.as_of,
                 estimate=True)


def estimate(lookup: Lookup, provider: str, region: str, type_: str, model: str) -> Price | None:
    """A labelled estimate for a price ``lookup`` does not know, or None when none can be derived.

    ``lookup`` is the catalog's own price function (real prices, composites and estimates), so
    estimates chain: ml.g6.xlarge commit_1y in ap-southeast-2 = g6.xlarge us-east-1 x region
    ratio x SageMaker premium x SageMaker commitment ratio.
    """
    if ":" in type_ and "+" not in type_:
        return None  # resource keys (ebs:gp3, vpc:nat_gateway) are not instance types
    sagemaker = provider == "aws" and type_.startswith("ml.")
    if model != "on_demand":
        ratio = SAGEMAKER_RATIO.get(model) if sagemaker else TYPICAL_RATIO.get((provider, model))
        base = lookup(provider, region, type_, "on_demand") if ratio is not None else None
        return _derived(base, ratio, "estimate:typical-ratio") if base is not None and base.unit == "hour" else None
    if sagemaker:
        base = lookup(provider, region, type_[3:], "on_demand")
        return _derived(base, SAGEMAKER_PREMIUM, "estimate:sagemaker-premium") if base is not None else None
    ratio = aws_region_ratio(region) if provider == "aws" and region != AWS_BASE_REGION else None
    if ratio is not None:
        base = lookup(provider, AWS_BASE_REGION, type_, "on_demand")
        if base is not None and base.unit == "hour":
            return _derived(base, *ratio)
    return None
