"""An uploaded file, kept between its preview and its import.

The preview page cannot send the file back (browsers never refill a file field), and up to
5 MB belongs neither in the session nor in a hidden field. So the upload is written to the
default storage under a random name, and the preview carries a token signed with SECRET_KEY
that names the file, the person who uploaded it and where it is to go (a new group, or one
group): nobody else can use it, nor can it be used for another group or after `MAX_AGE`. The
import deletes the file; the next upload removes those whose previews nobody confirmed.
"""

import secrets
from datetime import timedelta

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext_lazy

from imports.detect import MAX_BYTES

FOLDER = "imports/pending"
MAX_AGE = timedelta(hours=1)
SALT = "imports.pending"


class UploadGone(Exception):
    """The token is forged, expired, someone else's or for another group, or the file is gone."""

    message = gettext_lazy("This preview has expired. Choose the file again.")


def keep(data, *, user, scope):
    """Stores the upload; returns the token the preview sends back. `scope`: "new" or a
    group's id."""
    sweep()
    name = default_storage.save(f"{FOLDER}/{secrets.token_hex(16)}.upload", ContentFile(data))
    return signing.dumps({"file": name, "user": user.pk, "scope": scope}, salt=SALT)


def _name(token, user, scope):
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise UploadGone() from None
    if payload.get("user") != user.pk or payload.get("scope") != scope:
        raise UploadGone()
    return payload["file"]


def load(token, *, user, scope):
    """The bytes of the upload the token names, or `UploadGone`."""
    try:
        with default_storage.open(_name(token, user, scope)) as upload:
            return upload.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise UploadGone() from None


def discard(token, *, user, scope):
    default_storage.delete(_name(token, user, scope))


def sweep():
    """Deletes the uploads older than a token lives: previews that were never confirmed."""
    try:
        _, names = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - MAX_AGE
    for name in names:
        path = f"{FOLDER}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
