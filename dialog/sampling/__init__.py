"""Sampled rounds: the sample from the population register, codes, letters, dispositions."""
