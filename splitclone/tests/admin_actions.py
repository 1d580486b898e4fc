from django.contrib.messages import get_messages
from django.urls import reverse


def run_action(client, action, *rows, **extra):
    """Posts `action` for `rows` from their admin list, as the action drop-down does, and
    follows the answer to the page the browser ends on."""
    opts = rows[0]._meta
    return client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        {"action": action, "_selected_action": [row.pk for row in rows], **extra},
        follow=True,
    )


def statuses(response):
    """Every status on the way to a followed response: [302, 200] for a redirect."""
    return [status for _, status in response.redirect_chain] + [response.status_code]


def messages_of(response):
    """The messages the page a followed response ends on shows."""
    return [str(message) for message in get_messages(response.wsgi_request)]
