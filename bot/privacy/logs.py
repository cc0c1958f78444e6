"""Log records redacted on their way out of the process.

Rasa, the SDK, Sanic and aiohttp may put what a user typed into a log line (a
debug message, an access log's path, an exception's text). Every handler of
every logger gets a filter that passes the formatted message, and an
exception's text, through the redactor before the handler writes it.
"""

from __future__ import annotations

import logging

from bot.privacy.redaction import default_redactor


class RedactingFilter(logging.Filter):
    """Redacts a record's message and exception text in place; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact = default_redactor().redact
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken format string: logged as it is, redacted
            message = str(record.msg)
        redacted = redact(message)
        if redacted != message or record.args:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install_log_redaction() -> None:
    """Adds the filter to every handler configured so far (root, Rasa's, Sanic's, aiohttp's) and to
    the handler of last resort. Call it once logging is configured; calling it again adds handlers
    configured since."""
    loggers = [logging.getLogger(), *(logger for logger in list(logging.Logger.manager.loggerDict.values())
                                      if isinstance(logger, logging.Logger))]
    handlers = {handler for logger in loggers for handler in logger.handlers}
    if logging.lastResort is not None:
        handlers.add(logging.lastResort)
    for handler in handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
