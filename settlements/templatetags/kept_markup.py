"""Markup of the settle-up page kept once rendered, and filled in on each page."""

from django import template
from django.template.base import token_kwargs
from django.utils.translation import get_language

from splitclone.templatetags.layout import CSRF_SLOT, filled_in

register = template.Library()

# The versions a `{% kept_for %}` block keeps. When full it starts over.
KEPT_VERSIONS = 500


@register.filter
def with_csrf_token(markup, token):
    """`{{ markup|with_csrf_token:csrf_token }}`: the page's token in place of the stand-in, as
    `{% csrf_token %}` writes it: the one token every form of the page carries, masked once."""
    return filled_in(markup, {CSRF_SLOT: token})


@register.tag
def kept_for(parser, token):
    """`{% kept_for people=settle_up.balances|length … %}…{% endkept_for %}`: markup that follows
    from the named values (numbers, names) and the language alone, such as sentences with a count,
    rendered once per process for each and kept: a `{% blocktranslate %}` costs some 30 µs. It is
    rendered with those values only, so nothing else about the page can be kept in it: any other
    variable inside renders empty, on every page."""
    bits = token.split_contents()
    remaining = bits[1:]
    values = token_kwargs(remaining, parser)
    if not values or remaining:
        raise template.TemplateSyntaxError(f"{bits[0]!r} takes name=value pairs only.")
    nodelist = parser.parse(("endkept_for",))
    parser.delete_first_token()
    return KeptNode(values, nodelist)


class KeptNode(template.Node):
    def __init__(self, values, nodelist):
        self.values = values
        self.nodelist = nodelist
        self.rendered = {}

    def render(self, context):
        values = {name: value.resolve(context) for name, value in self.values.items()}
        # The language can change within a page (`{% language %}`).
        key = (get_language(), *values.values())
        markup = self.rendered.get(key)
        if markup is None:
            if len(self.rendered) >= KEPT_VERSIONS:
                self.rendered.clear()
            markup = self.rendered[key] = self.nodelist.render(context.new(values))
        return markup
