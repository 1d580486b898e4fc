"""Locust scenarios for scripts/load-test: people using Splitclone through its pages.

`Everyday` is the realistic mix: people open their groups' pages far more often than they
write, and each write goes through the form a browser would post (read first, for its
submission id, version and CSRF token). `BusyGroup` has everyone write to one group, so every
request waits on that group's ledger lock: its write throughput is the ceiling for one group.

Read from the environment (scripts/load-test sets them): LOAD_PEOPLE (the JSON seed.py wrote),
LOAD_HOSTS (the app instances, comma separated; each simulated person sticks to one, as behind a
load balancer with sticky connections). The instances run the production settings: the requests
say they came through the load balancer over HTTPS (X-Forwarded-Proto and -For, as the ALB
sets them), each person from their own address, so per-address rate limits see people, not
Locust.
"""

import itertools
import json
import os
import random
import re

from html_forms import form_with
from locust import HttpUser, between, task
from requests.cookies import RequestsCookieJar

with open(os.environ["LOAD_PEOPLE"], encoding="utf-8") as people:
    PEOPLE = json.load(people)
HOSTS = os.environ["LOAD_HOSTS"].split(",")
turns = itertools.count()
ERROR = re.compile(r'class="(?:message message-error|errorlist)[^"]*"[^>]*>\s*(?:<li>)?([^<]*)')
EXPENSE_LINK = re.compile(r'href="/groups/(\d+)/expenses/(\d+)/"')


class TlsAtTheBalancer(RequestsCookieJar):
    """Keeps the app's Secure (`__Host-`) cookies as plain ones, so they go back over loopback
    HTTP: TLS ends at the load balancer, and Locust stands in for the balancer's side of it."""

    def set_cookie(self, cookie, *args, **kwargs):
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


class Person(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)

    def on_start(self):
        turn = next(turns)
        self.client.base_url = HOSTS[turn % len(HOSTS)]
        self.client.cookies = TlsAtTheBalancer()
        self.client.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": f"10.{turn // 65536 % 256}.{turn // 256 % 256}.{turn % 256}",
                # Django checks the Origin of every HTTPS form post against the host.
                "Origin": self.client.base_url.replace("http://", "https://"),
            }
        )
        self.person = self.choose(turn)
        # Signed in earlier (seed.py made the session): most visits start that way.
        self.client.cookies.set(PEOPLE["session_cookie"], self.person["session"])

    def log_in(self):
        """Signs in anew through allauth's form: a password hash, the costliest request."""
        self.client.cookies.clear()
        login = self.client.get("/accounts/login/", name="log in (form)")
        form = form_with(login.text, "csrfmiddlewaretoken") or {"fields": {}}
        fields = {
            **form["fields"],
            "login": self.person["email"],
            "password": PEOPLE["password"],
        }
        self.post("/accounts/login/", fields, name="log in")

    def post(self, path, fields, name):
        with self.client.post(
            path, data=fields, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code in (302, 303):
                response.success()
            else:
                # The app's own words: a stale plan, a concurrent edit, a field error.
                said = ERROR.search(response.text)
                response.failure(f"{response.status_code}: {said[1] if said else 'not saved'}")
            return response

    def group_path(self):
        return f"/groups/{random.choice(self.person['groups'])}/"

    def add_expense(self, group_path):
        page = self.client.get(group_path + "expenses/new/", name="expense form")
        form = form_with(page.text, "description")
        if form is None:
            return
        payers = [value for value in form["options"].get("paid_by", []) if value]
        fields = {
            **form["fields"],
            "description": random.choice(["Groceries", "Dinner", "Taxi", "Tickets", "Fuel"]),
            "amount": f"{random.randint(100, 20000) / 100:.2f}",
            "paid_by": random.choice(payers),
        }
        self.post(group_path + "expenses/new/", fields, name="add expense")

    def record_payment(self, group_path):
        page = self.client.get(group_path + "settle/", name="settle-up")
        # The first suggested payment: its form carries the amount and the plan's fingerprint.
        form = form_with(page.text, "fingerprint", "/settle/record/")
        if form is None or not form["fields"].get("amount"):
            return
        self.post(group_path + "settle/record/", form["fields"], name="record payment")


class Everyday(Person):
    """Many people over many groups: mostly reading, now and then writing."""

    def choose(self, turn):
        return PEOPLE["users"][turn % len(PEOPLE["users"])]

    @task(60)
    def group_page(self):
        self.client.get(self.group_path(), name="group page")

    @task(20)
    def expense_list(self):
        self.client.get(self.group_path() + "expenses/", name="expense list")

    @task(16)
    def settle_up(self):
        self.client.get(self.group_path() + "settle/", name="settle-up")

    @task(12)
    def who_owes_whom(self):
        self.client.get(self.group_path() + "who-owes-whom/", name="who owes whom")

    @task(10)
    def home(self):
        self.client.get("/home/", name="home")

    @task(8)
    def add(self):
        self.add_expense(self.group_path())

    @task(4)
    def edit_expense(self):
        group_path = self.group_path()
        page = self.client.get(group_path, name="group page")
        links = EXPENSE_LINK.findall(page.text)
        if not links:
            return
        group_id, expense_id = random.choice(links)
        edit_path = f"/groups/{group_id}/expenses/{expense_id}/edit/"
        form = form_with(self.client.get(edit_path, name="edit expense (form)").text, "version")
        if form is None:
            return
        # The version read with the form: a concurrent edit makes this one fail, as it should.
        fields = {**form["fields"], "amount": f"{random.randint(100, 20000) / 100:.2f}"}
        self.post(edit_path, fields, name="edit expense")

    @task(2)
    def pay(self):
        self.record_payment(self.group_path())

    @task(1)
    def sign_in_again(self):
        self.log_in()


class BusyGroup(Person):
    """Everyone in one group, writing: each save waits for that group's ledger lock."""

    wait_time = between(0.1, 0.5)

    def choose(self, turn):
        person = PEOPLE["users"][turn % PEOPLE["busy_members"]]
        return {**person, "groups": [PEOPLE["busy_group"]]}

    @task(4)
    def add(self):
        self.add_expense(self.group_path())

    @task(1)
    def pay(self):
        self.record_payment(self.group_path())
