"""Everything that runs inside the Rasa server process, started by one launcher.

| module | what it does |
| --- | --- |
| `launcher.py` (`python -m bot.runtime`) | checks versions, installs patches, writes endpoints, runs Rasa |
| `patches.py` | the registry of every patch of library internals (named, switchable, version-guarded) |
| `versions.py` | the versions requirements.lock pins for the patched libraries |
| `speedups.py` | the replacement functions of the speed-up patches |
| `engineio_body.py` | the web server's engine.io body reader (a patch of the web process) |
| `endpoints.py` | the endpoints Rasa runs with (a shared lock store for several workers) |
| `tracker_store.py` | fail-loud wrapper and the resilient PostgreSQL tracker store |
| `tracker_cache.py` | recent conversations kept in memory between turns |
| `lock_store.py` | atomic Redis and SQLite lock stores |
| `connection_balance.py` | connections evened out between Rasa workers |
| `admission.py` | a few messages at a time per process, in arrival order |
| `webhook.py`, `notice.py` | what every custom channel shares: routes, worker listeners, the service notice |

The redacting tracker store itself is in bot/privacy/tracker_store.py.
Importing any of these modules patches nothing; only the launcher does.
"""
