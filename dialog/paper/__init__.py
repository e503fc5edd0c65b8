"""Paper questionnaires typed in by staff at /staff/surveys/<slug>/paper."""
