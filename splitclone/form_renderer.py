"""The form renderer of every form (settings.FORM_RENDERER).

Django renders a form field's group (`{{ field.as_field_group }}`, which `templates/_field.html`
shows for every field of the app) through three small templates of its own: the group, its
label, its error list, each with includes. They cost some 0.5 ms a field, a few milliseconds of
a page with a form. This renderer writes those templates' markup in Python, byte for byte,
from the same context: what goes in it (the label's suffix and `for`, the error list's id, the
field's aria-describedby, required and invalid attributes) is still worked out by Django's
BoundField and ErrorList. So are the common widgets' templates (inputs, selects, text areas),
from the context each widget's `get_context` builds; a select with groups of options and every
other template (other widgets, whole forms) are left to Django.
`splitclone/tests/test_form_renderer.py` renders every form of the app both ways.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape, format_html_join
from django.utils.safestring import SafeData
from django.utils.timezone import template_localtime


def shown(value):
    """`{{ value }}`: localized and escaped, as the template engine shows a variable."""
    return conditional_escape(localize(template_localtime(value)))


def formatted(value):
    """`{{ value|stringformat:'s' }}`: the value as text, escaped unless marked safe."""
    return value if isinstance(value, SafeData) else escape(str(value))


def attributes(attrs):
    """django/forms/attrs.html: ` name="value"` for each, ` name` for True, nothing for False."""
    if not attrs:
        return ""
    written = []
    for name, value in attrs.items():
        if value is True:
            written.append(f" {conditional_escape(name)}")
        elif value is not False:
            written.append(f' {conditional_escape(name)}="{formatted(value)}"')
    return "".join(written)


def label(context):
    """django/forms/label.html, as `BoundField.label_tag()` and `legend_tag()` fill it."""
    text = conditional_escape(context["label"])
    if not context["use_tag"]:
        return text
    tag = conditional_escape(context["tag"])
    return f"<{tag}{attributes(context['attrs'])}>{text}</{tag}>"


def error_list(context):
    """django/forms/errors/list/default.html (which includes ul.html): an ErrorList."""
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    return "{}{}>{}</ul>".format(
        f'<ul class="{conditional_escape(context["error_class"])}"',
        f' id="{conditional_escape(field_id)}_error"' if field_id else "",
        format_html_join("", "<li>{}</li>", ((error,) for error in errors)),
    )


def field_group(context):
    """django/forms/field.html: `BoundField.as_field_group()`, its line breaks included."""
    field = context["field"]
    if field.use_fieldset:
        described_by = field.aria_describedby
        opening = "\n  <fieldset{}>\n  {}\n".format(
            f' aria-describedby="{conditional_escape(described_by)}"' if described_by else "",
            field.legend_tag() if field.label else "",
        )
    else:
        opening = "\n  {}\n".format(field.label_tag() if field.label else "")
    help_text = ""
    if field.help_text:
        help_id = f' id="{conditional_escape(field.auto_id)}_helptext"' if field.auto_id else ""
        help_text = f'<div class="helptext"{help_id}>{field.help_text}</div>'
    return "{}\n{}\n{}\n{}{}\n".format(
        opening,
        help_text,
        conditional_escape(field.errors),
        conditional_escape(field),
        "</fieldset>" if field.use_fieldset else "",
    )


def input_tag(context):
    """django/forms/widgets/input.html, which the templates of `INPUTS` include."""
    widget = context["widget"]
    value = "" if widget["value"] is None else f' value="{formatted(widget["value"])}"'
    return '<input type="{}" name="{}"{}{}>'.format(
        shown(widget["type"]), shown(widget["name"]), value, attributes(widget["attrs"])
    )


def select(context):
    """django/forms/widgets/select.html and its select_option.html, or None for a select with
    groups of options."""
    widget = context["widget"]
    options = []
    for group_name, group_options, _ in widget["optgroups"]:
        if group_name:
            return None
        for option in group_options:
            options.append(
                '\n  <option value="{}"{}>{}</option>\n'.format(
                    formatted(option["value"]), attributes(option["attrs"]), shown(option["label"])
                )
            )
    return '<select name="{}"{}>{}\n</select>'.format(
        shown(widget["name"]), attributes(widget["attrs"]), "".join(options)
    )


def textarea(context):
    """django/forms/widgets/textarea.html."""
    widget = context["widget"]
    return '<textarea name="{}"{}>\n{}</textarea>'.format(
        shown(widget["name"]),
        attributes(widget["attrs"]),
        shown(widget["value"]) if widget["value"] else "",
    )


# The input widgets whose template only includes input.html.
INPUTS = ["text", "number", "email", "password", "hidden", "checkbox"]

WRITTEN = {
    **{f"django/forms/widgets/{kind}.html": input_tag for kind in INPUTS},
    "django/forms/widgets/select.html": select,
    "django/forms/widgets/textarea.html": textarea,
    "django/forms/field.html": field_group,
    "django/forms/label.html": label,
    "django/forms/errors/list/default.html": error_list,
}


class FormRenderer(DjangoTemplates):
    """Django's renderer, with the templates in `WRITTEN` written in Python."""

    def render(self, template_name, context, request=None):
        write = WRITTEN.get(template_name)
        written = None if write is None else write(context)
        if written is None:
            return super().render(template_name, context, request)
        # Stripped, as Django strips every template it renders for a form.
        return written.strip()
