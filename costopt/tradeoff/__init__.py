"""Trade-off: predicted latency/accuracy impact of each candidate and SLO-aware selection."""
