"""`settle_plan`, through call_command."""

import io
import json

from django.core.management import call_command

from groups.tests.factories import GroupFactory
from settlements.tests.factories import record_payment


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_settle_plan_prints_who_pays_whom(four):
    output = run("settle_plan", "--group", str(four.group.pk))

    assert sorted(output.splitlines()) == ["Cem pays Ana 40.00 EUR", "Dan pays Ana 40.00 EUR"]


def test_settle_plan_as_json(four):
    record_payment(four.cem, four.ana, 1250)

    plan = json.loads(run("settle_plan", "--group", str(four.group.pk), "--json"))

    assert sorted(plan["payments"], key=lambda row: row["from"]) == [
        {"from": "Cem", "to": "Ana", "amount": "27.50", "currency": "EUR"},
        {"from": "Dan", "to": "Ana", "amount": "40.00", "currency": "EUR"},
    ]
    assert plan["proven_minimal"] is True


def test_settle_plan_says_when_the_search_stopped_early(crowd, no_time_to_search):
    group = str(crowd.group.pk)

    plan = json.loads(run("settle_plan", "--group", group, "--json"))
    text = run("settle_plan", "--group", group)

    assert plan["proven_minimal"] is False
    assert len(plan["payments"]) > 20
    assert text.endswith("The search stopped after 200 ms: a plan with fewer payments may exist.\n")


def test_settle_plan_for_a_settled_group(db):
    group = GroupFactory(name="Quiet")

    assert run("settle_plan", "--group", str(group.pk)) == "Everyone in Quiet is settled up.\n"
    assert json.loads(run("settle_plan", "--group", str(group.pk), "--json")) == {
        "payments": [],
        "proven_minimal": True,
    }
