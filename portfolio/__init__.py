"""Portfolio core: the risk model, the allocation and its diagnosis, the benchmarks and the
comparison, and the one typed `RunResult` of a run."""
