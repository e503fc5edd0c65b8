"""The staff area at /staff: accounts, survey rounds, paper entry, free-text review, exports."""
