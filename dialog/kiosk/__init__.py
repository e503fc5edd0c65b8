"""Kiosk mode: a shared computer at the service desk where one resident after another answers.

Nothing of one person may be seen by the next: every start is a new response, and the screen
is cleared after the survey or after inactivity.
"""
