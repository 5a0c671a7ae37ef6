"""Reading a page's HTML in tests: elements by tag and attributes, with their text; the Thai text of a msgid."""
from html.parser import HTMLParser

from django.utils import translation
from django.utils.translation import gettext


class _Finder(HTMLParser):
    """Elements matching attributes, with their text (a tiny stand-in for an HTML library)."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "circle", "line", "path"}

    def __init__(self, match):
        super().__init__(convert_charrefs=True)
        self.match, self.found, self.open = match, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        hit = self.match(tag, attrs)
        if tag in self.VOID:
            if hit:
                self.found.append({"tag": tag, "attrs": attrs, "text": ""})
            return
        entry = {"tag": tag, "attrs": attrs, "text": ""} if hit else None
        if entry:
            self.found.append(entry)
        self.open.append((tag, entry))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.open:
            self.open.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                break

    def handle_data(self, data):
        for _tag, entry in self.open:
            if entry is not None:
                entry["text"] += data


def find_all(html, tag=None, **attrs):
    """Elements with this tag (any when None) whose attributes contain ``attrs`` (class: one of)."""
    def match(t, a):
        if tag and t != tag:
            return False
        for key, value in attrs.items():
            key = key.rstrip("_").replace("_", "-")
            if key == "class":
                if value not in (a.get("class") or "").split():
                    return False
            elif value is True:
                if key not in a:
                    return False
            elif a.get(key) != value:
                return False
        return True

    finder = _Finder(match)
    finder.feed(html)
    for e in finder.found:
        e["text"] = " ".join(e["text"].split())
    return finder.found


def find(html, tag=None, **attrs):
    found = find_all(html, tag, **attrs)
    assert found, f"no <{tag or '*'} {attrs}> in the page"
    return found[0]


def th(msgid, **values):
    """The text a page shows for a msgid (the site is Thai by default)."""
    with translation.override("th"):
        text = gettext(msgid)
    return text % values if values else text
