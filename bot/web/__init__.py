"""The project's web server: the chat page (and later the staff review tool)."""
