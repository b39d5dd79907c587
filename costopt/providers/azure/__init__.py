"""Azure adapter: Cost Management query, Retail Prices, Compute/Network/Storage inventory, Monitor metrics."""
