from django import template

from splitclone import links

register = template.Library()


@register.simple_tag
def address(viewname, *ids):
    """`{% address "pages:stats" group.pk %}`: `{% url %}` for a view that takes only ids, from a
    link reversed once per process (`splitclone.links.address`) rather than on each page: the
    group page links a dozen of its own pages."""
    return links.address(viewname, *ids)
