"""The Rasa SDK action server: thin actions per feature, calling into `bot/`."""
