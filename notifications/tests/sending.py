from notifications import delivery, dispatch


def send_new(retry=None):
    """What the tasks do: dispatch the new history, then send each email it made. Returns the
    emails' ids."""
    email_ids = dispatch.dispatch_new_activity()
    for email_id in email_ids:
        delivery.deliver(email_id, retry=retry or (lambda *args: None))
    return email_ids
