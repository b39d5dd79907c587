"""AWS EC2 prices from the public Price List bulk offer files: no account, no credentials.

Why: ``costopt catalog refresh --provider aws`` should work for anyone; the Price List Query
API needs credentials, the bulk offer files do not. Files read (documented at
https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-ppslong.html):

- ``<host>/offers/v1.0/aws/AmazonEC2/current/region_index.json``: ``{"publicationDate": ...,
  "regions": {"us-east-1": {"regionCode": ..., "currentVersionUrl": "/offers/.../index.json"}}}``;
- the region's offer file in its CSV form (``index.csv`` next to ``index.json``): five metadata
  rows (``"FormatVersion"``, ``"Disclaimer"``, ``"Publication Date"``, ``"Version"``,
  ``"OfferCode"``), then a header row starting ``"SKU"`` and one row per SKU x term x price
  dimension (``TermType`` OnDemand / Reserved, ``Unit`` Hrs / Quantity, ``PricePerUnit``, ...).

Kept: Compute Instance rows, shared tenancy, capacity status Used, for every operating system
and licence the adapter prices (``Operating System`` x ``Pre Installed S/W`` x ``License Model``
as in :data:`costopt.providers.aws.platform.PLATFORMS`: Linux, Windows, Windows BYOL, RHEL, RHEL
with HA, SUSE, Ubuntu Pro, SQL Server Standard / Enterprise / Web on Windows or Linux), each under
the catalog's OS key; on-demand per hour and standard all-upfront Reserved Instances amortised per
hour (upfront / term hours + hourly), each dated with the file's publication date. So after a
refresh a Windows, RHEL, SUSE or SQL Server instance is priced from AWS's own list price, not
from the licence-fee estimate (:mod:`costopt.catalog.licence`). Streamed row by row (the
us-east-1 file is gigabytes). Spot prices need an account (DescribeSpotPriceHistory): they stay
what the bundle has.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import requests

from costopt.errors import ProviderError
from costopt.providers.aws.platform import NO_LICENCE, PLATFORMS, USAGE_OPERATIONS

PRICE_LIST_HOST = "https://pricing.us-east-1.amazonaws.com"
REGION_INDEX = "/offers/v1.0/aws/AmazonEC2/current/region_index.json"
SOURCE = "aws-price-list-bulk"
SOURCE_DETAIL = ("AWS Price List bulk offer file (public, no credentials), EC2 shared tenancy, per operating "
                 "system and licence")
TERM_HOURS = {"1yr": 8760.0, "3yr": 26280.0}
KEEP = {"Product Family": "Compute Instance", "Tenancy": "Shared", "CapacityStatus": "Used"}
PLATFORM_COLUMNS = ("Operating System", "Pre Installed S/W", "License Model")
# (Operating System, Pre Installed S/W, License Model) of an offer row -> the catalog's OS key.
OFFER_OS = {(p.operating_system, p.pre_installed_sw, p.license_model): p.os for p in PLATFORMS.values() if not p.note}
# The row's ``operation`` (billing code, e.g. RunInstances:0002) names the platform exactly; files
# have spelt Windows' licence model both "No License required" and (older) "License Included".
OPERATION_OS = {code: PLATFORMS[details].os for code, details in USAGE_OPERATIONS.items()
                if not PLATFORMS[details].note}
LICENCE_SPELLINGS = {"License Included": NO_LICENCE}
FIX = "check the network or proxy (HTTPS_PROXY), or pass --profile to use the Price List API with credentials"


def _get(http: Any, url: str, *, stream: bool = False) -> Any:
    try:
        response = http.get(url, timeout=120, stream=stream)
    except requests.RequestException as exc:
        raise ProviderError(f"cannot read the AWS price list {url} ({type(exc).__name__}); {FIX}") from None
    if response.status_code != 200:
        raise ProviderError(f"the AWS price list {url} answered HTTP {response.status_code}; {FIX}")
    return response


def offer_csv_urls(http: Any, regions: Iterable[str], host: str = PRICE_LIST_HOST) -> dict[str, str]:
    """Region -> URL of its current EC2 offer file in CSV form, from the region index."""
    try:
        index = _get(http, host + REGION_INDEX).json()
        known = index["regions"]
    except (ValueError, KeyError, TypeError):
        raise ProviderError(f"the AWS region index {host + REGION_INDEX} is not the documented JSON "
                            "(regions -> currentVersionUrl)") from None
    out = {}
    for region in regions:
        entry = known.get(region)
        if not entry or not entry.get("currentVersionUrl"):
            close = difflib.get_close_matches(region, list(known), n=3, cutoff=0.5)
            raise ProviderError(f"AWS publishes no EC2 price list for region {region!r}"
                                + (f"; nearest: {', '.join(close)}" if close else ""))
        out[region] = host + entry["currentVersionUrl"].rsplit(".", 1)[0] + ".csv"
    return out


def parse_offer_csv(lines: Iterable[str]) -> tuple[str, dict[tuple[str, str], dict[str, float]]]:
    """(publication date, (type, catalog OS key) -> {model: hourly USD}) of one region's EC2 offer CSV."""
    rows = csv.reader(lines)
    published = ""
    header: list[str] | None = None
    for row in rows:
        if row and row[0] == "Publication Date" and len(row) > 1:
            published = row[1][:10]
        if row and row[0] == "SKU":
            header = row
            break
    if header is None:
        raise ProviderError("the AWS offer file has no header row starting with \"SKU\" (not the documented CSV)")
    col = {name: i for i, name in enumerate(header)}
    needed = ("TermType", "Unit", "PricePerUnit", "Instance Type", "OfferTermCode", *KEEP, *PLATFORM_COLUMNS)
    missing = [c for c in needed if c not in col]
    if missing:
        raise ProviderError(f"the AWS offer file lacks the column(s) {', '.join(missing)}")
    prices: dict[tuple[str, str], dict[str, float]] = {}
    reserved: dict[tuple[str, str, str, str], list[float]] = {}  # (type, os, term code, length) -> [upfront, hourly]
    for row in _kept(rows, col):
        type_, os = row[col["Instance Type"]], _os_of(row, col)
        unit, amount = row[col["Unit"]], _float(row[col["PricePerUnit"]])
        if amount is None or not type_ or os is None:
            continue  # a platform the adapter never asks for (e.g. RHEL BYOL rows priced as Linux)
        if row[col["TermType"]] == "OnDemand" and unit == "Hrs" and amount > 0:
            prices.setdefault((type_, os), {})["on_demand"] = amount
        elif row[col["TermType"]] == "Reserved" and _standard_all_upfront(row, col):
            length = row[col["LeaseContractLength"]]
            parts = reserved.setdefault((type_, os, row[col["OfferTermCode"]], length), [0.0, 0.0])
            parts[0 if unit == "Quantity" else 1] += amount
    for (type_, os, _, length), (upfront, hourly) in reserved.items():
        if length in TERM_HOURS and upfront + hourly > 0:
            prices.setdefault((type_, os), {})["commit_" + length[0] + "y"] = upfront / TERM_HOURS[length] + hourly
    return published, prices


def _os_of(row: list[str], col: dict[str, int]) -> str | None:
    """The catalog OS key of an offer row: by its billing code when the file has one, else by its attributes."""
    if "operation" in col and row[col["operation"]] in OPERATION_OS:
        return OPERATION_OS[row[col["operation"]]]
    system, software, licence = (row[col[c]] for c in PLATFORM_COLUMNS)
    return OFFER_OS.get((system, software, LICENCE_SPELLINGS.get(licence, licence)))


def _kept(rows: Iterator[list[str]], col: dict[str, int]) -> Iterator[list[str]]:
    wanted = [(col[k], v) for k, v in KEEP.items()]
    for row in rows:
        if len(row) == len(col) and all(row[i] == v for i, v in wanted):
            yield row


def _standard_all_upfront(row: list[str], col: dict[str, int]) -> bool:
    def get(name: str) -> str:
        return row[col[name]] if name in col else ""
    return get("PurchaseOption") == "All Upfront" and get("OfferingClass") == "standard"


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def refresh_aws_public(regions: Iterable[str], *, session: Any = None, host: str = PRICE_LIST_HOST) -> dict[str, Any]:
    """A cache document (see :mod:`costopt.catalog.cache`) of EC2 prices from the public files."""
    http = session or requests.Session()
    regions = list(regions)
    fetched = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    doc: dict[str, Any] = {"provider": "aws", "fetched_at": fetched, "currency": "USD", "instances": [], "prices": [],
                           "interruptions": [], "storage": [], "egress": [], "sources": {SOURCE: SOURCE_DETAIL}}
    for region, url in offer_csv_urls(http, regions, host).items():
        response = _get(http, url, stream=True)
        try:
            published, prices = parse_offer_csv(response.iter_lines(decode_unicode=True))
        except requests.RequestException as exc:
            raise ProviderError(f"reading the AWS price list {url} failed ({type(exc).__name__}); {FIX}") from None
        as_of = published or fetched[:10]
        for (type_, os), models in sorted(prices.items()):
            for model, amount in sorted(models.items()):
                doc["prices"].append([region, type_, model, amount, SOURCE, as_of]
                                     + ([] if os == "linux" else ["hour", os]))
    if not doc["prices"]:
        raise ProviderError("the AWS price list had no EC2 shared-tenancy instance prices for " + ", ".join(regions))
    return doc
