"""Residents answer surveys here: no account, no personal data, resumable."""
