"""The booking and case-register backend: one aiohttp service over SQL (SQLAlchemy).

`app.py` assembles the service from its modules (`bot.booking.api`,
`bot.cases.api`); `db.py`, `errors.py` and `ratelimit.py` are what they share;
`client.py` is how the action server talks to it over HTTP.
"""
