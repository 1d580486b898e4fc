"""The API's group history: the English line as it was written, and the line in the language
the request asks for."""

from django.utils import translation

from api.tests.conftest import token
from splitclone.templatetags.money import money


def test_the_activity_reads_in_the_requests_language_beside_the_english(api, world):
    with translation.override("de"):
        response = api.get(
            f"/groups/{world.group.pk}/activity",
            token=token(world.owner),
            headers={"accept-language": "de"},
        )
        amount = money(500, "EUR")

    assert response.status_code == 200
    [payment, expense] = response.json()["items"][:2]
    assert payment["summary"] == "recorded that Max Member paid Olivia Owner 5.00 EUR"
    assert payment["text"] == f"hat erfasst, dass Max Member Olivia Owner {amount} gezahlt hat"
    assert expense["summary"] == "added “Dinner” (30.00 EUR)"
    assert expense["text"].startswith("hat „Dinner“")
