"""The staff area at /staff: accounts, survey rounds, paper entry, free-text review, exports.

The blueprint lives in ``routes.py``; this package file stays empty so that ``dialog.auth`` can
import the staff tables without pulling in the views."""
