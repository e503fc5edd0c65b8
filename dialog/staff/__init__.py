"""Staff sign-in, accounts and the audit log at /staff (the rest of /staff: rounds, paper,
answer_review, exports)."""
