"""The Rasa SDK action server: thin actions per feature, calling into `bot/`.

Each call carries the tracker's whole state (slots, latest message, active form)
but only the current turn's events, from the user's latest message on; the forms'
validation actions get the domain without its responses (bot/runtime/speedups.py).
actions/current_turn.py says what an action may read of the conversation.
"""

from bot.gc_tuning import freeze_startup_objects
from bot.knowledge.render import default_renderer
from bot.privacy.logs import install_log_redaction

# What every action needs is loaded now rather than on the first message, and then,
# with the libraries, kept out of the garbage collector's walks for good.
default_renderer()
install_log_redaction()  # the SDK has configured logging before it imports the actions
from actions import booking, booking_access, faq, forms, session, status  # noqa: E402, F401

freeze_startup_objects()
