"""Freezing the objects a server starts with, once."""

import gc

from bot import gc_tuning


def test_startup_objects_are_frozen_once(monkeypatch):
    monkeypatch.setattr(gc_tuning, "_frozen", False)
    calls = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    gc_tuning.freeze_startup_objects("app", "loop")  # as a Sanic listener calls it
    gc_tuning.freeze_startup_objects()
    assert calls == ["freeze"]
