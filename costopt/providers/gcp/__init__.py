"""GCP adapter: BigQuery billing export, Cloud Billing Catalog prices, Compute/Storage inventory, Monitoring."""
