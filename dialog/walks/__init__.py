"""Trygghetsvandringar: walks, their stops, observations and photos (docs/trygghetsvandring.md)."""
