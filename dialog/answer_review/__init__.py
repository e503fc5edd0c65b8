"""Reviewing a round's answers before analysis: free text with personal data, and likely
repeat answers."""
