"""Turn database rows into the plain records that ``surveys`` and ``analysis`` accept."""
