"""`python -m bot.runtime [rasa run options]`: start the Rasa server (see bot/runtime/launcher.py)."""

from bot.runtime.launcher import main

main()
