"""Operator work without web pages: backups while serving, restore, and retention (deleting
raw answers of closed rounds while keeping their counts)."""
