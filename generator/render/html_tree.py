"""The print HTML handed to WeasyPrint, parsed by the standard library's tokenizer instead of
tinyhtml5: a tenth of the time, twice per PDF (each layout parses its HTML).

This HTML is ours: the templates close every element they open, and prose comes out of a
sanitiser that serialises a tree. So it needs none of HTML5's error recovery, and the tree is the
one tinyhtml5 builds (tests/test_html_tree.py compares the two on every form we render). Anything
this builder would get wrong (an end tag that does not close the open element, a row outside a
row group, a block inside a paragraph, markup before <html>) makes it give up and hand the
document to tinyhtml5.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
# Elements whose start tag closes an open <p> in HTML5: a tree with one inside a <p> is not ours.
_CLOSES_P = frozenset({
    "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset", "figcaption", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "menu", "nav", "ol", "p",
    "pre", "section", "table", "ul",
})
# What HTML5 would insert or move (an implied row group, raw text elements, foreign content).
_PARENTS = {"tr": {"tbody", "thead", "tfoot"}, "td": {"tr"}, "th": {"tr"}, "col": {"colgroup"}, "li": {"ul", "ol"}}
_REFUSED = frozenset({"script", "style", "textarea", "svg", "math", "template", "select", "noscript", "plaintext", "xmp"})


class _NotOurs(Exception):
    pass


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tree = ET.TreeBuilder()
        self.open: list[str] = []
        self.sections: list[str] = []

    def handle_starttag(self, tag, attrs):
        parent = self.open[-1] if self.open else None
        if (parent is None) != (tag == "html") or (parent == "p" and tag in _CLOSES_P):
            raise _NotOurs(tag)
        if parent == "html":  # <head>, then <body>: HTML5 would imply a missing one
            self.sections.append(tag)
            if self.sections not in (["head"], ["head", "body"]):
                raise _NotOurs(tag)
        if tag in _PARENTS and parent not in _PARENTS[tag] or tag in _REFUSED:
            raise _NotOurs(tag)
        self.tree.start(tag, {name: value or "" for name, value in attrs})
        if tag in VOID:
            self.tree.end(tag)
        else:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        if tag not in VOID:
            raise _NotOurs(tag)
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            raise _NotOurs(tag)
        self.open.pop()
        self.tree.end(tag)

    def handle_data(self, data):
        if not self.open:
            if data.strip():
                raise _NotOurs("text outside <html>")
            return  # white space around <html>: HTML5 drops it too
        self.tree.data(data)

    def handle_comment(self, data):
        pass  # WeasyPrint ignores comments

    def handle_decl(self, decl):
        if decl.lower() != "doctype html":
            raise _NotOurs(decl)

    def unknown_decl(self, data):
        raise _NotOurs(data)

    def handle_pi(self, data):
        raise _NotOurs(data)


def parse(html: str) -> ET.Element | None:
    """The <html> element of `html` as tinyhtml5 would build it, or None when `html` needs HTML5's
    error recovery."""
    if "\0" in html:
        return None  # HTML5 drops it here, replaces it there
    builder = _Builder()
    try:
        builder.feed(html.replace("\r\n", "\n").replace("\r", "\n"))  # as HTML5 preprocesses input
        builder.close()
    except _NotOurs:
        return None
    if builder.open or builder.sections != ["head", "body"]:
        return None
    root = builder.tree.close()
    # HTML5 keeps no text directly in <html>, and none after </body>.
    root.text = None
    for child in root:
        child.tail = None
    return root


def weasyprint_html(html: str, base_url: str, user_agent=None):
    """A WeasyPrint HTML document of `html`, parsed here when it can be; `user_agent`, a CSS
    stylesheet, replaces WeasyPrint's user-agent stylesheet."""
    import cssselect2
    from weasyprint import HTML

    root = parse(html)
    if root is None:
        document = HTML(string=html, base_url=base_url)
    else:
        document = HTML(string="<html></html>", base_url=base_url)
        document.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        document.etree_element = document.wrapper_element.etree_element
    if user_agent is not None:
        document._ua_stylesheets = lambda forms=False: [user_agent]
    return document
