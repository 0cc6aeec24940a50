"""Portfolio core: risk model, allocation, benchmarks (built in later issues)."""
