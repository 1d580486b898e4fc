"""Two people ticking "I'd rather not receive payments" at the same instant, over HTTP against
gunicorn: the group lock lets one of them in, so somebody is always left to be paid."""

import os
import threading

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from groups.models import Member, Role
from groups.tests.factories import GroupFactory, MemberFactory
from splitclone.tests.gunicorn_server import is_postgres
from splitclone.tests.test_concurrency import Browser, server, sign_in  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.concurrency,
    pytest.mark.skipif(
        not is_postgres(os.environ.get("DATABASE_URL", "")),
        reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite serialises every write",
    ),
]

ROUNDS = 3


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_people_at_once_cannot_leave_nobody_to_be_paid(server, round_):  # noqa: F811
    ana = UserFactory(display_name="Ana")
    group = GroupFactory(created_by=ana)
    MemberFactory(group=group, user=ana, role=Role.OWNER, rather_not_receive=True)
    ben = MemberFactory(group=group, user=UserFactory(display_name="Ben"))
    cem = MemberFactory(group=group, user=UserFactory(display_name="Cem"))
    people = [ben, cem]
    browsers = [Browser(server, sign_in(m.user, server.env["SECRET_KEY"])) for m in people]
    start = threading.Barrier(len(people), timeout=30)
    answers = [None] * len(people)

    def tick(index):
        url = reverse("groups:wishes", args=[group.pk, people[index].pk])
        start.wait()
        answers[index] = browsers[index].post(url, {"rather_not_receive": "on"}).status

    threads = [threading.Thread(target=tick, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(answers) == [302, 422], server.logs()
    assert Member.objects.filter(group=group, rather_not_receive=False).count() == 1
