"""The forms of a page as a browser would submit them: shared by the locustfile and page_cpu.py."""

from html.parser import HTMLParser


class Forms(HTMLParser):
    """Each <form>'s action and the values a browser would submit for it unchanged."""

    def __init__(self, html):
        super().__init__()
        self.forms, self.form, self.select, self.textarea = [], None, None, None
        self.feed(html)

    def handle_starttag(self, name, attributes):
        attrs = dict(attributes)
        if name == "form":
            self.form = {"action": attrs.get("action") or "", "fields": {}, "options": {}}
            self.forms.append(self.form)
        elif name == "option" and self.select and self.form is not None:
            value = attrs.get("value", "")
            self.form["options"][self.select].append(value)
            if "selected" in attrs or self.select not in self.form["fields"]:
                self.form["fields"][self.select] = value
        elif self.form is None or not attrs.get("name"):
            return
        elif name == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file"):
                default = "on" if kind in ("checkbox", "radio") else ""
                self.form["fields"][attrs["name"]] = attrs.get("value", default)
        elif name == "select":
            self.select = attrs["name"]
            self.form["options"][self.select] = []
        elif name == "textarea":
            self.textarea = attrs["name"]
            self.form["fields"][self.textarea] = ""

    def handle_endtag(self, name):
        if name == "form":
            self.form = None
        elif name == "select":
            self.select = None
        elif name == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea and self.form is not None:
            self.form["fields"][self.textarea] += data


def form_with(html, field, action=""):
    """The first form that has `field` and whose action contains `action`."""
    forms = Forms(html).forms
    return next((f for f in forms if field in f["fields"] and action in f["action"]), None)
