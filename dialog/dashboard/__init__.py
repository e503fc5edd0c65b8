"""The councillor dashboard at /dashboard/<slug>/: rankings, key figures and trends."""
