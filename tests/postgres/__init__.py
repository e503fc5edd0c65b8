"""A throwaway PostgreSQL 15 cluster for tests and benchmarks."""
