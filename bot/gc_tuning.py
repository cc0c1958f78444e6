"""Keeps Python's garbage collector from pausing a server for long under load.

A full collection walks every tracked object. In the Rasa server those are
mostly the model, TensorFlow and the libraries, which live as long as the
process: measured under bench/load, full collections stopped a worker for
90-550 ms, and every conversation it served waited. Moving the objects that
exist once the server has started into the permanent generation
(`gc.freeze`) leaves collections only the objects made since.
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_objects(*_: object) -> None:
    """Call once the server is ready to serve (a Sanic listener takes it as is); later calls do nothing."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    # No collection first: it took 0.6 s, and a Rasa worker already takes messages while its
    # after_server_start listeners run. The little garbage left since the last automatic
    # collection stays for good.
    gc.freeze()
