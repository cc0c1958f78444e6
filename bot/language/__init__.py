"""Language handling: detecting a message's language and explicit switch requests."""
