"""The application case register: who applied for what, and who may be told.

A backend module (`api.py`, mounted by bot/backend/app.py) over its own tables
(`models.py`): applicants, their applications, legal representatives, and the
verification state (one-time codes, tickets, lockouts) and audit log of the
status check. `verification.py` verifies identities (customer number, date of
birth and a code sent by SMS to the phone on record, or a channel-sealed login
identity), `status.py` says what a verified person may see (never asylum or
refugee travel document cases), `guard.py` holds the abuse limits and
`audit.py` records every attempt and disclosure. `client.py` is how the action
server calls it; `parsing.py` reads customer numbers, dates and codes as users
type them.
"""
