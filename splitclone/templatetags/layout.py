"""Parts of every page's layout (templates/base.html) worked out once, not on every page.

Each is a pure function of what it is keyed on, and the same on every page in that language:
cached for the life of the process, like Django's own URL resolver and compiled templates.
"""

import functools

from django import template
from django.conf import settings
from django.template.loader_tags import BlockNode
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import LazyObject, empty
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django_htmx.jinja import htmx_script

register = template.Library()


def _place(context):
    """(URL conf, script prefix, STATIC_URL): what the URLs this module writes depend on. The
    same for the whole page, so looked up once per page, kept in its render context."""
    shared = context.render_context.dicts[0]
    place = shared.get(_place)
    if place is None:
        place = shared[_place] = (
            get_urlconf() or settings.ROOT_URLCONF,
            get_script_prefix(),
            settings.STATIC_URL,
        )
    return place


@register.simple_tag(takes_context=True)
def fixed_url(context, name):
    """`{% fixed_url "home" %}`: `{% url "home" %}` for a URL that takes no arguments, reversed
    once per process rather than on each page (the `url` tag costs some 15 µs each time)."""
    urlconf, script_prefix, _ = _place(context)
    return _reversed(name, urlconf, script_prefix)


@functools.cache
def _reversed(name, urlconf, script_prefix):
    # The script prefix is read by reverse() itself; it is in the key because the URL depends
    # on it (an app served under a path).
    return reverse(name, urlconf=urlconf)


@register.simple_tag(takes_context=True)
def fixed_static(context, path):
    """`{% fixed_static "css/site.css" %}`: `{% static %}`, asked of the storage once per process
    (a file's URL, hashed from the manifest in production, is fixed until the next deploy)."""
    return _static(path, _place(context)[2])


@functools.cache
def _static(path, static_url):
    # STATIC_URL is in the key because the storage builds every URL on it.
    return static(path)


@register.simple_tag
def language_options():
    """The language switcher's <option>s with the page's language selected, each named in its
    own language as settings.LANGUAGES names it (and the account page's choice): someone who
    cannot read the page's language still finds their own."""
    return _language_options(get_language(), tuple(settings.LANGUAGES))


@functools.cache
def _language_options(current, languages):
    return format_html_join(
        "",
        '<option value="{}" lang="{}"{}>{}</option>',
        ((code, code, " selected" if code == current else "", name) for code, name in languages),
    )


@register.tag
def fixed(parser, token):
    """`{% fixed %}…{% endfixed %}`: markup that is the same on every page in a language (words,
    fixed URLs and static files), rendered once per language and process. It is rendered without
    the page's variables, so nothing about the person or the request can be kept in it: a
    variable inside renders empty, on every page."""
    nodelist = parser.parse(("endfixed",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        # The first page's version of the block would be kept for every page.
        raise template.TemplateSyntaxError("A {% block %} cannot be inside {% fixed %}.")
    return FixedNode(nodelist)


class FixedNode(template.Node):
    # Not searched for nodes: it holds no block (see `fixed`), and every page extending the
    # layout searches the layout's nodes for its blocks (ExtendsNode.render).
    child_nodelists = ()

    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.rendered = {}

    def render(self, context):
        # What the markup inside may depend on: the language, which can change within a page
        # (`{% language %}`), and the place of the tags of this module.
        key = (get_language(), _place(context))
        markup = self.rendered.get(key)
        if markup is None:
            markup = self.rendered[key] = self.nodelist.render(context.new())
        return markup


@register.simple_tag(takes_context=True)
def resolve_lazy(context, *names):
    """`{% resolve_lazy "user" "csrf_token" "csp_nonce" %}`: puts each named value, if it is a
    lazy object (the context processors' SimpleLazyObjects), in the context as the object it
    stands for, so that the rest of the page reads it directly. Every use of a lazy object goes
    through LazyObject's proxy methods, several times per `{{ }}` (Variable looks up an
    attribute, then asks whether it is callable, then whether it may be called...). Only for
    values the page is going to evaluate anyway: evaluating the CSRF token sets its cookie."""
    for name in names:
        value = context.get(name)
        if isinstance(value, LazyObject):
            if value._wrapped is empty:
                value._setup()
            context[name] = value._wrapped
    return ""


@register.simple_tag(takes_context=True)
def fixed_htmx_script(context):
    """`{% htmx_script %}` (django-htmx's script element) with its URL asked of the storage
    once per process: only the page's CSP nonce changes from one page to the next."""
    nonce = context.get("csp_nonce")
    if nonce is None:
        return _htmx_script(None, settings.STATIC_URL, settings.DEBUG)
    markup = _htmx_script(NONCE_SLOT, settings.STATIC_URL, settings.DEBUG)
    return filled_in(markup, {NONCE_SLOT: nonce})


def filled_in(markup, values):
    """`markup` kept for every page, each stand-in of `values` it holds replaced by its page's
    value, escaped. They are filled in the order given, and a value put in is searched only for
    the stand-ins after it: what a person can write (a path, a name) goes last."""
    for slot, value in values.items():
        if slot in markup:
            markup = markup.replace(slot, conditional_escape(value))
    return mark_safe(markup)


# Stands for the nonce in the markup kept for every page: no nonce or URL contains it.
NONCE_SLOT = "\x00nonce\x00"


@functools.cache
def _htmx_script(nonce, static_url, debug):
    # The storage's STATIC_URL and DEBUG (a second, debugging script) are in the key because the
    # markup depends on them.
    return htmx_script(nonce=nonce)


@register.simple_tag(takes_context=True)
def kept(context, template_name):
    """`{% kept "_page_top.html" %}`: a part of the layout rendered once per language and process
    (rendering it with every page's values cost more than the rest of the layout), with
    stand-ins for what changes from page to page, which are put in on each page: the CSP nonce
    (`{{ csp_nonce }}`), the CSRF token (`{{ csrf_token }}`, `{% csrf_token %}`), the page's path
    (`{{ request.get_full_path }}`) and the person's name (`{{ user.display_name }}`). Nothing
    else in it may depend on the page or the person but whether they are signed in
    (`user.is_authenticated`) and on the home page (`on_home`). The newline that ends its file
    is not part of the page."""
    nonce = context.get("csp_nonce")
    csrf_token = context.get("csrf_token")
    has_csrf_token = bool(csrf_token) and csrf_token != "NOTPROVIDED"
    user = context.get("user")
    authenticated = getattr(user, "is_authenticated", False)
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    markup = _kept(
        context.template.engine,
        template_name,
        get_language(),
        _place(context),
        settings.DEBUG,
        # Without a value there is nothing to put in: the part is kept with what it writes then.
        NONCE_SLOT if nonce is not None else None,
        CSRF_SLOT if has_csrf_token else csrf_token,
        authenticated,
        getattr(match, "url_name", None) == "home",
    )
    # Neither the nonce nor the token can contain a stand-in; a path cannot either (its
    # control characters are %-encoded), and the name, which may, goes in last.
    values = {NONCE_SLOT: nonce, CSRF_SLOT: csrf_token if has_csrf_token else None}
    if PATH_SLOT in markup:
        values[PATH_SLOT] = request.get_full_path() if request else ""
    if NAME_SLOT in markup:
        values[NAME_SLOT] = user.display_name if authenticated else ""
    return filled_in(markup, values)


# Stand for the CSRF token, the page's path and the person's name in the markup kept for every
# page: no markup contains them.
CSRF_SLOT = "\x00csrf\x00"
PATH_SLOT = "\x00path\x00"
NAME_SLOT = "\x00name\x00"


@functools.cache
def _kept(engine, template_name, language, place, debug, nonce, csrf_token, authenticated, on_home):
    # DEBUG is in the key because the htmx script depends on it (see `_htmx_script`).
    markup = engine.get_template(template_name).render(
        template.Context(
            {
                "csp_nonce": nonce,
                "csrf_token": csrf_token,
                "request": {"get_full_path": PATH_SLOT},
                "user": {"is_authenticated": authenticated, "display_name": NAME_SLOT},
                "on_home": on_home,
            }
        )
    )
    return markup.removesuffix("\n")


@register.simple_tag(takes_context=True)
def messages_box(context):
    """`{% messages_box %}`: the page's _messages.html, kept once per process for a page without
    messages (most pages), with or without htmx."""
    # Read as the template's loop reads them: reading marks them shown.
    if list(context.get("messages", ())):
        return context.template.engine.get_template("_messages.html").render(context)
    request = context.get("request")
    return _no_messages(context.template.engine, bool(getattr(request, "htmx", False)))


@functools.cache
def _no_messages(engine, htmx):
    return engine.get_template("_messages.html").render(
        template.Context({"request": {"htmx": htmx}, "messages": ()})
    )
