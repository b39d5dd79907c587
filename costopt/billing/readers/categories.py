"""FOCUS ServiceCategory from a provider's service name, and egress from usage type / SKU.

The service table is costopt's own, short and ordered: the first substring (lower case) found
in the service name wins, so specific names ("log analytics", "container registry") sit above
general ones ("analytics", "container"). Anything unmatched is ``Other``. FOCUS 1.2 categories:
AI and Machine Learning, Analytics, Business Applications, Compute, Databases, Developer Tools,
Multicloud, Identity, Integration, Internet of Things, Management and Governance, Media,
Migration, Mobile, Networking, Security, Storage, Web, Other.

Egress is a property of the usage, never of the service (S3, EC2 and CloudFront all bill data
transfer out): see :func:`aws_egress`, :func:`gcp_egress`, :func:`azure_egress`.
"""

from __future__ import annotations

from costopt.billing.readers.sources import sql_str

# FOCUS category -> the substrings that select it, in the order they are tried (see the docstring).
NEEDLES: dict[str, tuple[str, ...]] = {
    "AI and Machine Learning": ("sagemaker", "bedrock", "machine learning", "vertex ai", "ai platform", "automl",
                                "cognitive services", "openai", "azure ai", "rekognition", "comprehend", "textract",
                                "transcribe", "translate", "polly", "gemini", "cloud tpu"),
    # before Analytics: "Log Analytics"
    "Management and Governance": ("log analytics", "cloudwatch", "cloudtrail", "aws config", "systems manager",
                                  "cloud logging", "cloud monitoring", "azure monitor", "cost management",
                                  "automation", "control tower", "organizations"),
    "Databases": ("database", "relational database", "dynamodb", "sql", "cosmos", "spanner", "bigtable",
                  "firestore", "elasticache", "documentdb", "neptune", "redis", "memorystore"),
    "Analytics": ("bigquery", "athena", "redshift", "glue", "emr", "elastic mapreduce", "kinesis", "dataflow",
                  "dataproc", "data factory", "synapse", "databricks", "quicksight", "analytics", "opensearch",
                  "elasticsearch"),
    # before Compute/Storage: "EC2 Container Registry"
    "Developer Tools": ("container registry", "artifact registry", "codebuild", "codecommit", "codepipeline",
                        "cloud build", "devops"),
    "Integration": ("simple queue", "simple notification", "eventbridge", "step functions", "event hubs",
                    "event grid", "service bus", "pub/sub", "logic apps", "amazon mq"),
    "Identity": ("cognito", "entra", "active directory", "identity"),
    "Security": ("guardduty", "key management", "kms", "secrets manager", "key vault", "waf", "shield",
                 "threat protection", "defender", "security", "sentinel", "inspector", "macie", "certificate",
                 "firewall"),
    "Networking": ("virtual network", "virtual private cloud", "vpc", "dns", "cloudfront", "route 53", "route53",
                   "load balanc", "bandwidth", "cdn", "cloud dns", "networking", "network", "direct connect",
                   "api gateway", "nat gateway", "data transfer", "ip address", "global accelerator", "front door",
                   "application gateway", "vpn", "expressroute"),
    "Storage": ("simple storage", "s3", "glacier", "elastic block", "elastic file", "fsx", "backup",
                "cloud storage", "filestore", "storage", "disk"),
    "Compute": ("elastic compute", "ec2", "lambda", "virtual machine", "compute engine", "fargate", "kubernetes",
                "container", "cloud run", "app service", "functions", "batch", "lightsail", "app engine", "compute"),
    "Web": ("amplify",),
    "Other": ("support",),
}
SERVICE_CATEGORIES: tuple[tuple[str, str], ...] = tuple(
    (needle, category) for category, needles in NEEDLES.items() for needle in needles)
CATEGORY_VALUES = tuple(sorted({c for _, c in SERVICE_CATEGORIES} | {"Other"}))


def category_for(service: str | None) -> str:
    """Python twin of :func:`category_sql` (used by tests and small callers)."""
    name = (service or "").lower()
    if not name:
        return "Other"
    for needle, category in SERVICE_CATEGORIES:
        if needle in name:
            return category
    return "Other"


def category_sql(service_expr: str | None) -> str | None:
    """A SQL CASE giving the FOCUS ServiceCategory of ``service_expr``."""
    if not service_expr:
        return None
    low = f"lower({service_expr})"
    whens = " ".join(f"WHEN contains({low}, {sql_str(needle)}) THEN {sql_str(cat)}" for needle, cat in SERVICE_CATEGORIES)
    return f"(CASE {whens} ELSE 'Other' END)"


def aws_egress(usage_type: str | None) -> str | None:
    """AWS data transfer out: internet (``*DataTransfer-Out-Bytes``), inter-region
    (``*-AWS-Out-Bytes``) and inter-AZ (``*DataTransfer-Regional-Bytes``)."""
    if not usage_type:
        return None
    return (f"(contains({usage_type}, 'DataTransfer-Out-Bytes') OR contains({usage_type}, '-AWS-Out-Bytes') "
            f"OR contains({usage_type}, 'DataTransfer-Regional-Bytes'))")


def gcp_egress(sku_description: str | None) -> str | None:
    if not sku_description:
        return None
    return f"contains(lower({sku_description}), 'egress')"


def azure_egress(meter_category: str | None, meter_name: str | None, meter_sub: str | None) -> str | None:
    """Bandwidth meters for data transfer out, and any ``... Egress`` meter (peering, inter-region)."""
    if not (meter_category and meter_name):
        return None
    parts = [f"(lower({meter_category}) = 'bandwidth' AND (contains(lower({meter_name}), 'data transfer out')"
             f" OR contains(lower({meter_name}), 'egress')))",
             f"contains(lower({meter_name}), 'egress')"]
    if meter_sub:
        parts.append(f"(lower({meter_category}) = 'bandwidth' AND contains(lower({meter_sub}), 'data transfer out'))")
    return "(" + " OR ".join(parts) + ")"
