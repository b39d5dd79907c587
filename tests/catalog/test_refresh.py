"""Live refresh, offline: AWS via botocore Stubber on the real clients, Azure via `responses`,
GCP via the real REST transport against a local HTTP server. Then the cache overlays the bundle."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
import responses
from botocore.stub import ANY, Stubber
from click.testing import CliRunner

from costopt.catalog import bundled_catalog, load_catalog
from costopt.catalog.cache import write_cache
from costopt.catalog.refresh import AZURE_RETAIL_URL, aws_product_prices, azure_item_price, refresh_aws, refresh_azure, refresh_gcp
from costopt.errors import ProviderError
from tests.local_http import QuietHandler, local_server


def _aws_product(type_: str, od: str, upfront_1y: str, upfront_3y: str, vcpu: str = "2", memory: str = "8 GiB") -> str:
    def reserved(length: str, upfront: str, option: str = "All Upfront", offering: str = "standard") -> dict:
        return {"termAttributes": {"LeaseContractLength": length, "OfferingClass": offering, "PurchaseOption": option},
                "priceDimensions": {"a": {"unit": "Quantity", "pricePerUnit": {"USD": upfront}},
                                    "b": {"unit": "Hrs", "pricePerUnit": {"USD": "0.0000000000"}}}}
    return json.dumps({
        "product": {"attributes": {"instanceType": type_, "vcpu": vcpu, "memory": memory,
                                   "physicalProcessor": "Intel Xeon Platinum 8175"}},
        "terms": {"OnDemand": {"X.JRTCKXETXF": {"priceDimensions": {"X.6YS6EN2CT7": {
                      "unit": "Hrs", "pricePerUnit": {"USD": od}}}}},
                  "Reserved": {"R1": reserved("1yr", upfront_1y), "R3": reserved("3yr", upfront_3y),
                               "R1p": reserved("1yr", "1.0", option="Partial Upfront"),
                               "R1c": reserved("1yr", "1.0", offering="convertible")}}})


def test_aws_refresh_with_stubbed_pricing_and_ec2():
    pricing = boto3.client("pricing", region_name="us-east-1")
    ec2 = boto3.client("ec2", region_name="us-east-1")
    products = [_aws_product("m5.large", "0.1000000000", "500", "1100"),
                _aws_product("x9z.large", "0.2000000000", "1000", "2000", vcpu="2", memory="16 GiB")]
    with Stubber(pricing) as sp, Stubber(ec2) as se:
        sp.add_response("get_products", {"PriceList": products, "FormatVersion": "aws_v1"}, {
            "ServiceCode": "AmazonEC2", "FormatVersion": "aws_v1",
            "Filters": [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": "us-east-1"},
                        {"Type": "TERM_MATCH", "Field": "operatingSystem", "Value": "Linux"},
                        {"Type": "TERM_MATCH", "Field": "tenancy", "Value": "Shared"},
                        {"Type": "TERM_MATCH", "Field": "preInstalledSw", "Value": "NA"},
                        {"Type": "TERM_MATCH", "Field": "capacitystatus", "Value": "Used"}]})
        now = datetime(2026, 11, 27, tzinfo=UTC)
        se.add_response("describe_spot_price_history", {"SpotPriceHistory": [
            {"InstanceType": "m5.large", "AvailabilityZone": "us-east-1a", "SpotPrice": "0.040", "Timestamp": now,
             "ProductDescription": "Linux/UNIX"},
            {"InstanceType": "m5.large", "AvailabilityZone": "us-east-1b", "SpotPrice": "0.050", "Timestamp": now,
             "ProductDescription": "Linux/UNIX"}]},
            {"InstanceTypes": ["m5.large", "x9z.large"], "ProductDescriptions": ["Linux/UNIX"], "StartTime": ANY})
        doc = refresh_aws(["us-east-1"], pricing_client=pricing, ec2_client_for=lambda region: ec2,
                          known=bundled_catalog(), resources=False)  # resources: test_resource_prices.py
        sp.assert_no_pending_responses()
        se.assert_no_pending_responses()
    prices = {(r[1], r[2]): r[3] for r in doc["prices"]}
    assert prices[("m5.large", "on_demand")] == pytest.approx(0.1)
    assert prices[("m5.large", "commit_1y")] == pytest.approx(500 / 8760)
    assert prices[("m5.large", "commit_3y")] == pytest.approx(1100 / 26280)
    assert prices[("m5.large", "spot")] == pytest.approx(0.045)
    assert [i["type"] for i in doc["instances"]] == ["x9z.large"]  # only types the bundle lacks
    assert doc["instances"][0]["memory_gib"] == 16.0

    write_cache(doc)
    catalog = load_catalog()
    assert catalog.price("aws", "us-east-1", "m5.large").source == "aws-pricing-api"
    assert catalog.price("aws", "us-east-1", "m5.large", "spot").amount == pytest.approx(0.045)
    assert catalog.instance("aws", "x9z.large").vcpu == 2
    assert catalog.price("aws", "eu-west-1", "m5.large").source == "aws-ec2-list-price"  # untouched region


def test_aws_product_parser_ignores_other_terms():
    rates = aws_product_prices(json.loads(_aws_product("m5.large", "0.096", "500", "1100")))
    assert set(rates) == {"on_demand", "commit_1y", "commit_3y"}


def test_aws_refresh_without_prices_is_a_provider_error():
    pricing = boto3.client("pricing", region_name="us-east-1")
    with Stubber(pricing) as sp:
        sp.add_response("get_products", {"PriceList": [], "FormatVersion": "aws_v1"}, None)
        with pytest.raises(ProviderError, match="no EC2 prices"):
            refresh_aws(["mars-1"], pricing_client=pricing, ec2_client_for=lambda r: None)


def _az(sku, name, kind, price, product="Virtual Machines Dsv5 Series", term=None):
    item = {"currencyCode": "USD", "retailPrice": price, "unitPrice": price, "armRegionName": "eastus",
            "armSkuName": sku, "skuName": name, "productName": product, "type": kind, "unitOfMeasure": "1 Hour"}
    if term:
        item["reservationTerm"] = term
    return item


@responses.activate
def test_azure_refresh_follows_pages_and_reads_each_price_kind():
    next_link = AZURE_RETAIL_URL + "?$skip=100"
    responses.get(next_link, json={"Items": [_az("Standard_D2s_v5", "D2s v5", "Reservation", 500.0, term="1 Year"),
                                             _az("Standard_D2s_v5", "D2s v5", "Reservation", 1000.0, term="3 Years")],
                                   "NextPageLink": None})
    responses.get(AZURE_RETAIL_URL, json={"Items": [
        _az("Standard_D2s_v5", "D2s v5", "Consumption", 0.1),
        _az("Standard_D2s_v5", "D2s v5 Spot", "Consumption", 0.02),
        _az("Standard_D2s_v5", "D2s v5 Low Priority", "Consumption", 0.019),
        _az("Standard_D2s_v5", "D2s v5", "Consumption", 0.2, product="Virtual Machines Dsv5 Series Windows"),
        _az("Standard_D2s_v5", "D2s v5", "DevTestConsumption", 0.05)], "NextPageLink": next_link})
    doc = refresh_azure(["eastus"])
    prices = {(r[1], r[2]): r[3] for r in doc["prices"]}
    assert prices == {("Standard_D2s_v5", "on_demand"): 0.1, ("Standard_D2s_v5", "spot"): 0.02,
                      ("Standard_D2s_v5", "commit_1y"): pytest.approx(500 / 8760),
                      ("Standard_D2s_v5", "commit_3y"): pytest.approx(1000 / 26280)}
    first = responses.calls[0].request
    assert "armRegionName eq 'eastus'" in parse_qs(urlparse(first.url).query)["$filter"][0]
    write_cache(doc)
    assert load_catalog().price("azure", "eastus", "standard_d2s_v5").amount == 0.1


@responses.activate
def test_azure_http_error_is_a_provider_error():
    responses.get(AZURE_RETAIL_URL, status=503)
    with pytest.raises(ProviderError, match="HTTP 503"):
        refresh_azure(["eastus"])


def test_azure_item_price_rejects_non_linux_and_unknown_terms():
    assert azure_item_price(_az("Standard_D2s_v5", "D2s v5", "Reservation", 5.0, term="5 Years")) is None
    assert azure_item_price(_az("", "D2s v5", "Consumption", 5.0)) is None


# --- GCP: the real client, REST transport, a local HTTP server ------------------------------

def _sku(desc, usage, regions, units, nanos, unit="h"):
    return {"name": "services/6F81-5844-456A/skus/X", "skuId": "X", "description": desc,
            "category": {"serviceDisplayName": "Compute Engine", "resourceFamily": "Compute",
                         "resourceGroup": "N2Standard", "usageType": usage},
            "serviceRegions": regions,
            "pricingInfo": [{"pricingExpression": {"usageUnit": unit, "tieredRates": [
                {"startUsageAmount": 0, "unitPrice": {"currencyCode": "USD", "units": str(units), "nanos": nanos}}]}}]}


GCP_PAGES = {
    "": {"skus": [_sku("N2 Instance Core running in Americas", "OnDemand", ["us-central1"], 0, 32000000),
                  _sku("N2 Instance Ram running in Americas", "OnDemand", ["us-central1"], 0, 4000000, "GiBy.h"),
                  _sku("Spot Preemptible N2 Instance Core running in Americas", "Preemptible", ["us-central1"], 0, 8000000)],
         "nextPageToken": "p2"},
    "p2": {"skus": [_sku("Spot Preemptible N2 Instance Ram running in Americas", "Preemptible", ["us-central1"], 0, 1000000),
                    _sku("Commitment v1: N2 Cpu in Americas for 1 Year", "Commit1Yr", ["us-central1"], 0, 20000000),
                    _sku("Commitment v1: N2 Ram in Americas for 1 Year", "Commit1Yr", ["us-central1"], 0, 2500000),
                    _sku("Nvidia Tesla T4 GPU running in Americas", "OnDemand", ["us-central1"], 0, 350000000),
                    _sku("N1 Predefined Instance Core running in Americas", "OnDemand", ["us-central1"], 0, 31611000),
                    _sku("N1 Predefined Instance Ram running in Americas", "OnDemand", ["us-central1"], 0, 4237000),
                    _sku("N2 Instance Core running in EMEA", "OnDemand", ["europe-west1"], 1, 0)],
           "nextPageToken": ""},
}


@pytest.fixture
def gcp_server():
    seen = []

    class Handler(QuietHandler):
        def do_GET(self):  # noqa: N802
            url = urlparse(self.path)
            seen.append(url.path)
            token = parse_qs(url.query).get("pageToken", [""])[0]
            body = json.dumps(GCP_PAGES[token]).encode() if url.path.endswith("/services/6F81-5844-456A/skus") else b"{}"
            self.send_body(body)

    with local_server(Handler) as url:
        yield url, seen


def test_gcp_refresh_via_rest_transport(gcp_server):
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import billing_v1

    endpoint, seen = gcp_server
    client = billing_v1.CloudCatalogClient(credentials=AnonymousCredentials(), transport="rest",
                                           client_options=ClientOptions(api_endpoint=endpoint))
    doc = refresh_gcp(["us-central1"], client=client)
    assert seen == ["/v1/services/6F81-5844-456A/skus"] * 2
    prices = {(r[1], r[2]): r[3] for r in doc["prices"]}
    assert prices[("n2-standard-4", "on_demand")] == pytest.approx(4 * 0.032 + 16 * 0.004)
    assert prices[("n2-standard-4", "spot")] == pytest.approx(4 * 0.008 + 16 * 0.001)
    assert prices[("n2-highmem-8", "commit_1y")] == pytest.approx(8 * 0.020 + 64 * 0.0025)
    assert ("n2-standard-4", "commit_3y") not in prices  # no 3y SKU served -> no price, never a guess
    assert prices[("nvidia-tesla-t4", "on_demand")] == pytest.approx(0.35)
    assert ("e2-standard-4", "on_demand") not in prices
    write_cache(doc)
    catalog = load_catalog()
    assert catalog.price("gcp", "us-central1", "n1-standard-8+nvidia-tesla-t4:1").amount == pytest.approx(
        8 * 0.031611 + 30 * 0.004237 + 0.35)
    assert catalog.price("gcp", "us-central1", "n2-standard-4").source == "gcp-billing-catalog-api"


def test_cli_refresh_writes_the_cache(monkeypatch):
    """`costopt catalog refresh --provider azure` through the CLI, wire faked with responses."""
    from costopt.cli import cli

    with responses.RequestsMock() as mock:
        mock.get(AZURE_RETAIL_URL, json={"Items": [_az("Standard_D4s_v5", "D4s v5", "Consumption", 0.3)],
                                         "NextPageLink": None})
        result = CliRunner().invoke(cli, ["catalog", "refresh", "--provider", "azure", "--regions", "eastus"])
        one_flag = CliRunner().invoke(cli, ["catalog", "refresh", "--provider", "azure", "--region", "eastus"])
    assert result.exit_code == 0, result.output
    # --region is the same option; the output differs only in the refresh timestamp it reports
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
    assert one_flag.exit_code == 0 and stamp.sub("T", one_flag.output) == stamp.sub("T", result.output)
    assert "1 azure prices" in result.output
    shown = CliRunner().invoke(cli, ["catalog", "show", "Standard_D4s_v5", "--region", "eastus"])
    assert "0.3000 USD/hour  azure-retail-prices-api" in shown.output
