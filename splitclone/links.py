"""Addresses reversed once and filled in many times.

`reverse` costs some 15 µs: the pairwise who-owes-whom page of a 50-member group links 1,225
payments, the home page settles with 20 people. Used by `settlements.templatetags.covers`;
`address` and `link` keep a link for the life of the process, for the group page, the rows of
the expense lists and the home page.
"""

import copy
import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import escape

# Reversed in place of each id filled in later: more than a bigint holds, so no row's id, yet
# a run of 19 digits, which the `<id:...>` converter takes.
GAP = 9_999_999_999_999_999_999


class Link:
    """The address of `viewname` with `args`, those given as `None` filled in per call:
    `Link("settlements:covers", group.pk, None, None)(debtor.pk, creditor.pk)`."""

    def __init__(self, viewname, *args):
        url = reverse(viewname, args=[GAP if arg is None else arg for arg in args])
        self.pieces = url.split(str(GAP))

    def escaped(self):
        """The same link with its fixed pieces escaped, to write into HTML as it is: the ids
        filled in are digits, which need no escaping."""
        html = copy.copy(self)
        html.pieces = [escape(piece) for piece in self.pieces]
        return html

    def __call__(self, *ids):
        url = self.pieces[0]
        for value, piece in zip(ids, self.pieces[1:], strict=True):
            url += f"{int(value)}{piece}"
        return url


def address(viewname, *ids):
    """`reverse(viewname, args=ids)` for a view that takes only ids, from a `Link` reversed once
    per process for each URLconf and script prefix."""
    return link(viewname, len(ids))(*ids)


def link(viewname, arity):
    """The `Link` of `viewname` with `arity` ids all filled in per call, reversed once per
    process for each URLconf and script prefix."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _link(viewname, arity, urlconf, get_script_prefix())


@functools.cache
def _link(viewname, arity, urlconf, script_prefix):
    # The URLconf and script prefix are read by reverse() itself; they are in the key because
    # the address depends on them (an app served under a path).
    return Link(viewname, *[None] * arity)
