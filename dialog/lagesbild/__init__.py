"""Indicators from other sources and the monthly lägesbild (see docs/lagesbild.md)."""
