"""Custom Rasa channels (SMS) and the web chat page (channels/web)."""
