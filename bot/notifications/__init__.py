"""Messages to applicants (booking confirmations, reminders, one-time codes) by SMS and e-mail.

Producers call `outbox.enqueue()` inside their own transaction, so a message
exists exactly when the change it reports was committed; a dispatcher in the
backend sends what is due through pluggable senders.
"""
