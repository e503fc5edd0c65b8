"""The published lägesbild for residents: /<lang>/lagesbild/ (see docs/lagesbild.md)."""
