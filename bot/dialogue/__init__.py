"""Custom Rasa dialogue parts."""
