"""Django's and allauth's authentication backends, loading the signed-in person with a query
compiled once (AUTHENTICATION_BACKENDS).

Every signed-in request loads its person from the id in the session (`get_user`). The backends
do it through the ORM, which builds and compiles the same query each time: some 0.2 ms of CPU,
more than the database takes to answer it. Here the ORM compiles it once per database; the row
comes back as the same User, checked the same way. Logging in stays the backends' own.
"""

import functools

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends
from django.db import connections, router

from accounts.models import User

# Sessions signed in before these backends replaced them name the backends they subclass; the
# session store reads those names as these (splitclone.sessions), so nobody is logged out.
FORMER_PATHS = {
    "django.contrib.auth.backends.ModelBackend": f"{__name__}.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": f"{__name__}.AuthenticationBackend",
}


@functools.cache
def compiled_user_query(alias):
    """(compiler, SQL, converters, field names) of `User.objects.filter(pk=…)` on database
    ``alias``: the SQL takes the id as its one parameter; the names are its columns' fields."""
    compiler = User._default_manager.filter(pk=0).query.get_compiler(alias)
    sql, params = compiler.as_sql()
    if len(params) != 1:
        raise ValueError(f"The user query takes {params!r}, not just the id: {sql}")
    columns = [expression for expression, _, _ in compiler.select]
    names = [column.target.attname for column in columns]
    return compiler, sql, compiler.get_converters(columns), names


def user_with_id(user_id):
    """The User whose primary key is ``user_id``, or None."""
    alias = router.db_for_read(User)
    compiler, sql, converters, names = compiled_user_query(alias)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, [User._meta.pk.get_db_prep_value(user_id, connection)])
        row = cursor.fetchone()
    if row is None:
        return None
    if converters:
        row = next(compiler.apply_converters([row], converters))
    return User.from_db(alias, names, row)


class CompiledUserLookup:
    def get_user(self, user_id):
        user = user_with_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(CompiledUserLookup, django_backends.ModelBackend):
    pass


class AuthenticationBackend(CompiledUserLookup, allauth_backends.AuthenticationBackend):
    pass
