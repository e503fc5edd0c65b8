"""Pages about the service itself, such as the accessibility statement."""
