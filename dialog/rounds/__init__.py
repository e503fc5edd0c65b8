"""Survey rounds at /staff: the overview, uploads and previews of definitions, the schedule
and the population table."""
