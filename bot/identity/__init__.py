"""Verified identities: who a user is, known only from server-side checks."""
