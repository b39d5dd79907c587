"""ServiceCategory table and egress predicates (SQL and Python twins agree)."""

from __future__ import annotations

import duckdb
import pytest

from costopt.billing.readers.categories import CATEGORY_VALUES, aws_egress, azure_egress, category_for, category_sql, gcp_egress

FOCUS_12_CATEGORIES = {"AI and Machine Learning", "Analytics", "Business Applications", "Compute", "Databases",
                       "Developer Tools", "Multicloud", "Identity", "Integration", "Internet of Things",
                       "Management and Governance", "Media", "Migration", "Mobile", "Networking", "Security",
                       "Storage", "Web", "Other"}


@pytest.mark.parametrize("service,category", [
    ("Amazon SageMaker", "AI and Machine Learning"), ("Vertex AI", "AI and Machine Learning"),
    ("Azure OpenAI Service", "AI and Machine Learning"), ("Amazon Elastic Compute Cloud", "Compute"),
    ("Compute Engine", "Compute"), ("Virtual Machines", "Compute"), ("AWS Lambda", "Compute"),
    ("Amazon Simple Storage Service", "Storage"), ("Cloud Storage", "Storage"), ("Storage", "Storage"),
    ("Amazon Relational Database Service", "Databases"), ("SQL Managed Instance", "Databases"),
    ("Azure Database for MySQL", "Databases"), ("BigQuery", "Analytics"), ("Log Analytics", "Management and Governance"),
    ("AmazonCloudWatch", "Management and Governance"), ("Amazon EC2 Container Registry (ECR)", "Developer Tools"),
    ("Virtual Network", "Networking"), ("Bandwidth", "Networking"), ("Amazon CloudFront", "Networking"),
    ("Amazon Simple Queue Service", "Integration"), ("AWS Key Management Service", "Security"),
    ("Advanced Threat Protection", "Security"), ("Something Unheard Of", "Other"),
    ("Amazon Virtual Private Cloud", "Networking"), ("Azure Firewall", "Security"), ("Azure DNS", "Networking"),
    ("Amazon Elastic Container Service", "Compute"), ("AWS Step Functions", "Integration"),
    ("Cloud SQL", "Databases"), ("Kubernetes Engine", "Compute"), ("Azure Cosmos DB", "Databases"), ("", "Other"), (None, "Other"),
])
def test_category_sql_and_python_agree(service, category):
    assert category_for(service) == category
    got = duckdb.execute(f"SELECT {category_sql('s')} FROM (SELECT CAST(? AS VARCHAR) AS s)", [service]).fetchone()[0]
    assert got == category


def test_categories_are_focus_values():
    assert set(CATEGORY_VALUES) <= FOCUS_12_CATEGORIES


def _eval(expr: str, **cols):
    names = ", ".join(f"CAST(? AS VARCHAR) AS {k}" for k in cols)
    return duckdb.execute(f"SELECT {expr} FROM (SELECT {names})", list(cols.values())).fetchone()[0]


@pytest.mark.parametrize("usage,egress", [
    ("USE1-DataTransfer-Out-Bytes", True), ("DataTransfer-Out-Bytes", True), ("USE1-EUW1-AWS-Out-Bytes", True),
    ("USE1-DataTransfer-Regional-Bytes", True), ("USE1-DataTransfer-In-Bytes", False),
    ("USE1-NatGateway-Bytes", False), ("USE1-BoxUsage:p3.8xlarge", False), ("USE1-EUW1-AWS-In-Bytes", False),
])
def test_aws_egress_by_usage_type(usage, egress):
    assert _eval(aws_egress("u"), u=usage) is egress


@pytest.mark.parametrize("sku,egress", [
    ("Network Internet Egress from Americas to EMEA", True), ("Network Inter Region Egress from X to Y", True),
    ("Network Internet Ingress", False), ("N1 Predefined Instance Core", False),
])
def test_gcp_egress_by_sku(sku, egress):
    assert _eval(gcp_egress("d"), d=sku) is egress


@pytest.mark.parametrize("category,meter,egress", [
    ("Bandwidth", "Standard Data Transfer Out", True), ("Bandwidth", "Intra Continent Data Transfer Out", True),
    ("Bandwidth", "Standard Data Transfer In", False), ("Virtual Network", "Intra-Region Egress", True),
    ("Virtual Network", "Intra-Region Ingress", False), ("Virtual Machines", "D2 v3", False),
])
def test_azure_egress_by_meter(category, meter, egress):
    assert _eval(azure_egress("c", "m", None), c=category, m=meter) is egress
