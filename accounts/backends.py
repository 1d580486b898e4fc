"""Django's and allauth's authentication backends, loading the signed-in person with a query
compiled once (AUTHENTICATION_BACKENDS).

Every signed-in request loads its person from the id in the session (`get_user`). The backends
do it through the ORM, which builds and compiles the same query each time: some 0.2 ms of CPU,
more than the database takes to answer it. Here it is a `CompiledQuery`, compiled once per
database; the row comes back as the same User, checked the same way. Logging in stays the
backends' own.
"""

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends

from accounts.models import User
from splitclone.compiled import CompiledQuery

# Sessions signed in before these backends replaced them name the backends they subclass; the
# session store reads those names as these (splitclone.sessions), so nobody is logged out.
FORMER_PATHS = {
    "django.contrib.auth.backends.ModelBackend": f"{__name__}.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": f"{__name__}.AuthenticationBackend",
}

USER_WITH_ID = CompiledQuery(
    lambda slot: User._default_manager.filter(pk=slot.user_id), user_id=int
)


class CompiledUserLookup:
    def get_user(self, user_id):
        found = USER_WITH_ID(user_id=User._meta.pk.to_python(user_id))
        return found[0] if found and self.user_can_authenticate(found[0]) else None


class ModelBackend(CompiledUserLookup, django_backends.ModelBackend):
    pass


class AuthenticationBackend(CompiledUserLookup, allauth_backends.AuthenticationBackend):
    pass
