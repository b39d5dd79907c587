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

SERVICE_CATEGORIES: tuple[tuple[str, str], ...] = (
    # AI and Machine Learning
    ("sagemaker", "AI and Machine Learning"), ("bedrock", "AI and Machine Learning"),
    ("machine learning", "AI and Machine Learning"), ("vertex ai", "AI and Machine Learning"),
    ("ai platform", "AI and Machine Learning"), ("automl", "AI and Machine Learning"),
    ("cognitive services", "AI and Machine Learning"), ("openai", "AI and Machine Learning"),
    ("azure ai", "AI and Machine Learning"), ("rekognition", "AI and Machine Learning"),
    ("comprehend", "AI and Machine Learning"), ("textract", "AI and Machine Learning"),
    ("transcribe", "AI and Machine Learning"), ("translate", "AI and Machine Learning"),
    ("polly", "AI and Machine Learning"), ("gemini", "AI and Machine Learning"),
    ("cloud tpu", "AI and Machine Learning"),
    # Management and Governance (before Analytics: "Log Analytics")
    ("log analytics", "Management and Governance"), ("cloudwatch", "Management and Governance"),
    ("cloudtrail", "Management and Governance"), ("aws config", "Management and Governance"),
    ("systems manager", "Management and Governance"), ("cloud logging", "Management and Governance"),
    ("cloud monitoring", "Management and Governance"), ("azure monitor", "Management and Governance"),
    ("cost management", "Management and Governance"), ("automation", "Management and Governance"),
    ("control tower", "Management and Governance"), ("organizations", "Management and Governance"),
    # Databases
    ("database", "Databases"), ("relational database", "Databases"), ("dynamodb", "Databases"), ("sql", "Databases"),
    ("cosmos", "Databases"), ("spanner", "Databases"), ("bigtable", "Databases"),
    ("firestore", "Databases"), ("elasticache", "Databases"), ("documentdb", "Databases"),
    ("neptune", "Databases"), ("redis", "Databases"), ("memorystore", "Databases"),
    # Analytics
    ("bigquery", "Analytics"), ("athena", "Analytics"), ("redshift", "Analytics"), ("glue", "Analytics"),
    ("emr", "Analytics"), ("elastic mapreduce", "Analytics"), ("kinesis", "Analytics"),
    ("dataflow", "Analytics"), ("dataproc", "Analytics"), ("data factory", "Analytics"),
    ("synapse", "Analytics"), ("databricks", "Analytics"), ("quicksight", "Analytics"),
    ("analytics", "Analytics"), ("opensearch", "Analytics"), ("elasticsearch", "Analytics"),
    # Developer Tools (before Compute/Storage: "EC2 Container Registry")
    ("container registry", "Developer Tools"), ("artifact registry", "Developer Tools"),
    ("codebuild", "Developer Tools"), ("codecommit", "Developer Tools"), ("codepipeline", "Developer Tools"),
    ("cloud build", "Developer Tools"), ("devops", "Developer Tools"),
    # Integration
    ("simple queue", "Integration"), ("simple notification", "Integration"),
    ("eventbridge", "Integration"), ("step functions", "Integration"),
    ("event hubs", "Integration"), ("event grid", "Integration"), ("service bus", "Integration"),
    ("pub/sub", "Integration"), ("logic apps", "Integration"), ("amazon mq", "Integration"),
    # Identity and Security
    ("cognito", "Identity"), ("entra", "Identity"), ("active directory", "Identity"),
    ("identity", "Identity"),
    ("guardduty", "Security"), ("key management", "Security"), ("kms", "Security"),
    ("secrets manager", "Security"), ("key vault", "Security"), ("waf", "Security"),
    ("shield", "Security"), ("threat protection", "Security"), ("defender", "Security"),
    ("security", "Security"), ("sentinel", "Security"), ("inspector", "Security"), ("macie", "Security"),
    ("certificate", "Security"), ("firewall", "Security"),
    # Networking
    ("virtual network", "Networking"), ("virtual private cloud", "Networking"), ("vpc", "Networking"),
    ("dns", "Networking"), ("cloudfront", "Networking"),
    ("route 53", "Networking"), ("route53", "Networking"), ("load balanc", "Networking"),
    ("bandwidth", "Networking"), ("cdn", "Networking"), ("cloud dns", "Networking"),
    ("networking", "Networking"), ("network", "Networking"), ("direct connect", "Networking"),
    ("api gateway", "Networking"), ("nat gateway", "Networking"), ("data transfer", "Networking"),
    ("ip address", "Networking"), ("global accelerator", "Networking"), ("front door", "Networking"),
    ("application gateway", "Networking"), ("vpn", "Networking"), ("expressroute", "Networking"),
    # Storage
    ("simple storage", "Storage"), ("s3", "Storage"), ("glacier", "Storage"), ("elastic block", "Storage"),
    ("elastic file", "Storage"), ("fsx", "Storage"), ("backup", "Storage"),
    ("cloud storage", "Storage"), ("filestore", "Storage"), ("storage", "Storage"), ("disk", "Storage"),
    # Compute
    ("elastic compute", "Compute"), ("ec2", "Compute"), ("lambda", "Compute"), ("virtual machine", "Compute"),
    ("compute engine", "Compute"), ("fargate", "Compute"), ("kubernetes", "Compute"),
    ("container", "Compute"), ("cloud run", "Compute"), ("app service", "Compute"),
    ("functions", "Compute"), ("batch", "Compute"), ("lightsail", "Compute"), ("app engine", "Compute"),
    ("compute", "Compute"),
    # Web / Other
    ("amplify", "Web"), ("support", "Other"),
)
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
