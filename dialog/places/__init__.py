"""Places: map tiles through the app's own origin and what the place question's map needs."""
