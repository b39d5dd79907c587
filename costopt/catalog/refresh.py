"""Live price refresh from the providers' official pricing APIs into the cache.

- AWS: the Price List Query API (``pricing.get_products``, EC2 Linux shared tenancy: on-demand
  and standard all-upfront Reserved Instance terms) and ``ec2.describe_spot_price_history``
  (latest Linux/UNIX spot price per type, averaged over availability zones).
- GCP: the Cloud Billing Catalog API (``CloudCatalogClient.list_skus`` of Compute Engine):
  per-vCPU, per-GiB and per-GPU rates by family and usage type (OnDemand, Preemptible,
  Commit1Yr, Commit3Yr), applied to the machine shapes the catalog knows.
- Azure: the Retail Prices API (``https://prices.azure.com/api/retail/prices``, no auth):
  Linux consumption, Spot and 1/3-year reservation prices per ARM SKU.

Each ``refresh_*`` returns a cache document (see :mod:`costopt.catalog.cache`); the CLI writes
it with ``write_cache``. Interruption rates and storage/egress prices stay the bundled ones, except
AWS EBS/snapshot/public IPv4/NAT gateway prices and NAT data processing (see
:mod:`costopt.catalog.refresh_aws_resources`).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import boto3
import botocore.exceptions
import google.api_core.exceptions
import google.auth.exceptions
import requests

from costopt.catalog import bundled_catalog
from costopt.catalog.catalog import Catalog
from costopt.catalog.refresh_aws_resources import resource_rows
from costopt.errors import ProviderError

TERM_HOURS = {"1yr": 8760.0, "3yr": 26280.0}
AZURE_RETAIL_URL = "https://prices.azure.com/api/retail/prices"
GCP_COMPUTE_SERVICE = "services/6F81-5844-456A"
AWS_PRICING_REGION = "us-east-1"


def _now() -> tuple[str, str]:
    now = datetime.now(UTC).replace(microsecond=0)
    return now.isoformat().replace("+00:00", "Z"), now.date().isoformat()


def _doc(provider: str, sources: dict[str, str]) -> dict[str, Any]:
    fetched, _ = _now()
    return {"provider": provider, "fetched_at": fetched, "currency": "USD", "instances": [], "prices": [],
            "interruptions": [], "storage": [], "egress": [], "sources": sources}


# --- AWS ------------------------------------------------------------------------------------------

def _aws_filters(region: str) -> list[dict[str, str]]:
    pairs = {"regionCode": region, "operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA",
             "capacitystatus": "Used"}
    return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in pairs.items()]


def aws_product_prices(product: dict[str, Any]) -> dict[str, float]:
    """On-demand and all-upfront standard RI effective hourly rates of one price-list product."""
    out: dict[str, float] = {}
    terms = product.get("terms", {})
    for term in terms.get("OnDemand", {}).values():
        for dim in term.get("priceDimensions", {}).values():
            if dim.get("unit") == "Hrs":
                usd = float(dim["pricePerUnit"]["USD"])
                if usd > 0:
                    out["on_demand"] = usd
    for term in terms.get("Reserved", {}).values():
        attrs = term.get("termAttributes", {})
        length = attrs.get("LeaseContractLength")
        if attrs.get("PurchaseOption") != "All Upfront" or attrs.get("OfferingClass") != "standard" or length not in TERM_HOURS:
            continue
        upfront = hourly = 0.0
        for dim in term.get("priceDimensions", {}).values():
            usd = float(dim["pricePerUnit"]["USD"])
            if dim.get("unit") == "Quantity":
                upfront += usd
            elif dim.get("unit") == "Hrs":
                hourly += usd
        out["commit_" + length[0] + "y"] = upfront / TERM_HOURS[length] + hourly
    return out


def _gib(text: str) -> float:
    m = re.match(r"\s*([\d.,]+)\s*(GiB|GB|TiB)?", text or "")
    if not m:
        return 0.0
    value = float(m.group(1).replace(",", ""))
    return value * 1024 if m.group(2) == "TiB" else value


def refresh_aws(regions: Iterable[str], *, pricing_client: Any = None, ec2_client_for: Callable[[str], Any] | None = None,
                known: Catalog | None = None, resources: bool = True) -> dict[str, Any]:
    """Fetch EC2 on-demand, RI and spot prices for ``regions`` from the Price List Query API.

    With ``resources`` (default) also EBS volume/snapshot, public IPv4 and NAT gateway prices
    (:mod:`costopt.catalog.refresh_aws_resources`). Needs AWS credentials: missing or refused
    credentials are a one-line ProviderError naming the fix (or the public files, which need none).
    """
    try:
        return _refresh_aws(regions, pricing_client=pricing_client, ec2_client_for=ec2_client_for, known=known,
                            resources=resources)
    except botocore.exceptions.NoCredentialsError:
        raise ProviderError("no AWS credentials for the Price List API; run `costopt catalog refresh --provider aws` "
                            "without --source api to read the public price files, or configure credentials "
                            "(aws configure, AWS_PROFILE)") from None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ProviderError(f"AWS Price List API failed ({first}); check the credentials' pricing:GetProducts and "
                            "ec2:DescribeSpotPriceHistory permissions, or use --source public") from None


def aws_profile_clients(profile: str) -> tuple[Any, Callable[[str], Any]]:
    """(pricing client, region -> EC2 client) of a named AWS profile; an unknown profile is one line."""
    try:
        session = boto3.Session(profile_name=profile)
    except botocore.exceptions.ProfileNotFound:
        raise ProviderError(f"AWS profile {profile!r} is not in ~/.aws/config or ~/.aws/credentials; "
                            "name a configured profile, or drop --profile to read the public price files") from None
    return (session.client("pricing", region_name=AWS_PRICING_REGION),
            lambda region: session.client("ec2", region_name=region))


def _refresh_aws(regions: Iterable[str], *, pricing_client: Any, ec2_client_for: Callable[[str], Any] | None,
                 known: Catalog | None, resources: bool) -> dict[str, Any]:
    regions = list(regions)
    pricing = pricing_client or boto3.client("pricing", region_name=AWS_PRICING_REGION)
    ec2_for = ec2_client_for or (lambda region: boto3.client("ec2", region_name=region))
    _, today = _now()
    doc = _doc("aws", {"aws-pricing-api": "AWS Price List Query API (get_products), EC2 Linux shared tenancy",
                       "aws-spot-price-history": "EC2 DescribeSpotPriceHistory, latest Linux/UNIX price, AZ average"})
    seen: set[str] = set()
    for region in regions:
        types: list[str] = []
        paginator = pricing.get_paginator("get_products")
        for page in paginator.paginate(ServiceCode="AmazonEC2", Filters=_aws_filters(region), FormatVersion="aws_v1"):
            for raw in page.get("PriceList", []):
                product = json.loads(raw) if isinstance(raw, str) else raw
                attrs = product.get("product", {}).get("attributes", {})
                type_ = attrs.get("instanceType")
                if not type_:
                    continue
                for model, amount in aws_product_prices(product).items():
                    doc["prices"].append([region, type_, model, amount, "aws-pricing-api", today])
                types.append(type_)
                if type_ not in seen and (known is None or known.instance("aws", type_) is None):
                    seen.add(type_)
                    doc["instances"].append(_aws_spec(type_, attrs))
        if types:
            doc["prices"].extend(_aws_spot(ec2_for(region), region, sorted(set(types)), today))
    if not doc["prices"]:
        raise ProviderError("AWS pricing returned no EC2 prices for " + ", ".join(regions)
                            + "; check the region names and pricing:GetProducts permission")
    if resources:
        for region in regions:
            prices, egress = resource_rows(pricing, region, today)
            doc["prices"].extend(prices)
            doc["egress"].extend(egress)
    return doc


def _aws_spec(type_: str, attrs: dict[str, str]) -> dict[str, Any]:
    family, _, size = type_.partition(".")
    gen = re.search(r"\d", family)
    arch = "arm64" if "Graviton" in attrs.get("physicalProcessor", "") else "x86_64"
    return {"provider": "aws", "type": type_, "family": family, "size": size, "generation": int(gen.group()) if gen else 0,
            "vcpu": int(float(attrs.get("vcpu") or 0)), "memory_gib": _gib(attrs.get("memory", "")),
            "gpu_count": int(float(attrs.get("gpu") or 0)), "gpu_memory_gib": _gib(attrs.get("gpuMemory", "")),
            "architecture": arch}


def _aws_spot(ec2: Any, region: str, types: list[str], today: str) -> list[list[Any]]:
    latest: dict[tuple[str, str], float] = {}
    stamp: dict[tuple[str, str], Any] = {}
    paginator = ec2.get_paginator("describe_spot_price_history")
    for start in range(0, len(types), 100):
        for page in paginator.paginate(InstanceTypes=types[start:start + 100], ProductDescriptions=["Linux/UNIX"],
                                       StartTime=datetime.now(UTC)):
            for item in page.get("SpotPriceHistory", []):
                key = (item["InstanceType"], item.get("AvailabilityZone", ""))
                if key not in stamp or item["Timestamp"] > stamp[key]:
                    stamp[key], latest[key] = item["Timestamp"], float(item["SpotPrice"])
    by_type: dict[str, list[float]] = {}
    for (type_, _), price in latest.items():
        by_type.setdefault(type_, []).append(price)
    return [[region, t, "spot", sum(v) / len(v), "aws-spot-price-history", today] for t, v in sorted(by_type.items())]


# --- Azure ----------------------------------------------------------------------------------------

def refresh_azure(regions: Iterable[str], *, session: Any = None, max_pages: int = 2000) -> dict[str, Any]:
    """Fetch Linux VM consumption, Spot and reservation prices for ``regions``."""
    http = session or requests.Session()
    _, today = _now()
    doc = _doc("azure", {"azure-retail-prices-api": "Azure Retail Prices API, Linux VMs (consumption, spot, reservations)"})
    for region in regions:
        url = AZURE_RETAIL_URL
        params: dict[str, str] | None = {
            "$filter": f"serviceName eq 'Virtual Machines' and armRegionName eq '{region}'"}
        for _ in range(max_pages):
            try:
                response = http.get(url, params=params, timeout=60)
            except requests.RequestException as exc:
                raise ProviderError(f"cannot reach the Azure Retail Prices API ({type(exc).__name__}); check the "
                                    "network or proxy (HTTPS_PROXY) -- the API needs no account") from None
            if response.status_code != 200:
                raise ProviderError(f"Azure Retail Prices API answered HTTP {response.status_code} for {region}; "
                                    "retry later (HTTP 429: wait a minute)")
            try:
                page = response.json()
            except ValueError:
                raise ProviderError(f"Azure Retail Prices API sent a page that is not JSON for {region} ({url})") from None
            for item in page.get("Items", []):
                row = azure_item_price(item)
                if row is not None:
                    doc["prices"].append([region, row[0], row[1], row[2], "azure-retail-prices-api", today])
            url, params = page.get("NextPageLink"), None
            if not url:
                break
    if not doc["prices"]:
        raise ProviderError("Azure Retail Prices API returned no Linux VM prices for " + ", ".join(regions))
    return doc


def azure_item_price(item: dict[str, Any]) -> tuple[str, str, float] | None:
    """(ARM SKU, price model, hourly USD) of one Retail Prices item, or None when not a Linux VM rate."""
    product = item.get("productName", "")
    sku = item.get("armSkuName", "")
    if not sku or "Windows" in product or item.get("currencyCode", "USD") != "USD":
        return None
    name = item.get("skuName", "")
    kind = item.get("type")
    price = float(item.get("retailPrice") or item.get("unitPrice") or 0)
    if price <= 0 or "Low Priority" in name:
        return None
    if kind == "Consumption":
        return sku, ("spot" if name.endswith("Spot") else "on_demand"), price
    if kind == "Reservation":
        term = {"1 Year": "1yr", "3 Years": "3yr"}.get(item.get("reservationTerm", ""))
        if term is None:
            return None
        return sku, "commit_" + term[0] + "y", price / TERM_HOURS[term]
    return None


# --- GCP ------------------------------------------------------------------------------------------

GCP_FAMILY_PATTERNS = [
    (re.compile(r"^(?:spot preemptible |preemptible )?(n2d|n2|e2|a2|g2|n1 predefined) instance (core|ram)"), None),
    (re.compile(r"^(?:spot preemptible |preemptible )?compute optimized (core|ram)"), "c2"),
    (re.compile(r"^commitment v1: (n2d|n2|e2|a2|g2|n1|c2) (cpu|ram)"), None),
    (re.compile(r"^commitment v1: compute optimized (cpu|ram)"), "c2"),
]
GCP_GPU = {"nvidia tesla t4": "T4", "nvidia tesla v100": "V100", "nvidia tesla a100 80gb": "A100-80GB",
           "nvidia tesla a100": "A100", "nvidia l4": "L4"}
USAGE_MODEL = {"OnDemand": "on_demand", "Preemptible": "spot", "Commit1Yr": "commit_1y", "Commit3Yr": "commit_3y"}


def gcp_sku_rate(sku: Any) -> tuple[str, str, str, list[str], float] | None:
    """(family or gpu model, 'core'|'ram'|'gpu', price model, regions, USD per unit-hour) of one SKU."""
    desc = sku.description.lower()
    model = USAGE_MODEL.get(sku.category.usage_type)
    if model is None or not sku.pricing_info:
        return None
    rates = sku.pricing_info[0].pricing_expression.tiered_rates
    if not rates:
        return None
    money = rates[-1].unit_price
    amount = float(money.units) + money.nanos / 1e9
    regions = list(sku.service_regions)
    for pattern, fixed in GCP_FAMILY_PATTERNS:
        m = pattern.match(desc)
        if m:
            family = fixed or m.group(1).split()[0]
            part = m.group(m.lastindex)
            return family, "core" if part in ("core", "cpu") else "ram", model, regions, amount
    for key, gpu_model in GCP_GPU.items():
        if key + " gpu" in desc:
            return gpu_model, "gpu", model, regions, amount
    return None


def refresh_gcp(regions: Iterable[str], *, client: Any = None, known: Catalog | None = None,
                api_key: str | None = None) -> dict[str, Any]:
    """Fetch Compute Engine per-resource rates and price every machine shape the catalog knows.

    Authenticates with ``api_key`` (an API key allowed to call the Cloud Billing API) when given,
    else application default credentials; neither, or a refused call, is a one-line ProviderError.
    """
    from google.cloud import billing_v1  # the 'gcp' extra: only a GCP refresh needs it

    catalog = known or bundled_catalog()
    wanted = set(regions)
    _, today = _now()
    rates: dict[tuple[str, str, str, str], float] = {}
    # google-auth logs WARNINGs when its probe of the GCE metadata server fails; the missing
    # credentials are then said once, with the fix, by the ProviderError below.
    adc_logs = [logging.getLogger(n) for n in ("google.auth._default", "google.auth.compute_engine._metadata")]
    adc_levels = [log.level for log in adc_logs]
    for log in adc_logs:
        log.setLevel(max(log.level, logging.ERROR))
    try:
        api = client or billing_v1.CloudCatalogClient(client_options={"api_key": api_key} if api_key else None)
        for sku in api.list_skus(parent=GCP_COMPUTE_SERVICE):
            parsed = gcp_sku_rate(sku)
            if parsed is None:
                continue
            family, part, model, sku_regions, amount = parsed
            for region in wanted.intersection(sku_regions):
                rates.setdefault((region, family, part, model), amount)
    except google.auth.exceptions.DefaultCredentialsError:
        raise ProviderError("no Google credentials for the Cloud Billing Catalog API; pass --api-key KEY "
                            "(or set COSTOPT_GCP_API_KEY) or run `gcloud auth application-default login`") from None
    except (google.api_core.exceptions.GoogleAPIError, google.auth.exceptions.GoogleAuthError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ProviderError(f"Cloud Billing Catalog API failed ({first}); check the API key or credentials "
                            "and that the Cloud Billing API is enabled") from None
    finally:
        for log, level in zip(adc_logs, adc_levels, strict=True):
            log.setLevel(level)
    doc = _doc("gcp", {"gcp-billing-catalog-api": "Cloud Billing Catalog API (list_skus), Compute Engine rates x shape"})
    for region in sorted(wanted):
        for spec in catalog.instances("gcp"):
            if "+" in spec.type or (spec.family == "e2" and spec.size in ("micro", "small", "medium")):
                continue  # composites are priced from their parts; shared-core e2 bill fractional vCPUs
            for model in USAGE_MODEL.values():
                price = _gcp_shape_price(spec, region, model, rates)
                if price is not None:
                    doc["prices"].append([region, spec.type, model, price, "gcp-billing-catalog-api", today])
        for accel in catalog.accelerators("gcp"):
            for model in USAGE_MODEL.values():
                rate = rates.get((region, accel.gpu_model, "gpu", model))
                if rate is not None:
                    doc["prices"].append([region, accel.type, model, rate, "gcp-billing-catalog-api", today])
    if not doc["prices"]:
        raise ProviderError("Cloud Billing Catalog returned no Compute Engine rates for " + ", ".join(sorted(wanted)))
    return doc


def _gcp_shape_price(spec: Any, region: str, model: str, rates: dict) -> float | None:
    core = rates.get((region, spec.family, "core", model))
    ram = rates.get((region, spec.family, "ram", model))
    if core is None or ram is None:
        return None
    total = spec.vcpu * core + spec.memory_gib * ram
    if spec.gpu_count:
        gpu = rates.get((region, spec.gpu_model, "gpu", model))
        if gpu is None:
            return None
        total += spec.gpu_count * gpu
    return total
