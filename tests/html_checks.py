"""Parse rendered HTML and check that it is safe: only the elements and attributes the renderer writes."""

from __future__ import annotations

from html.parser import HTMLParser

# strings that would run script or inject markup if they were not escaped
HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '"><img src=x onerror=alert(3)>',
    "'><svg onload=alert(4)>",
    "</td></table></details></style><script>alert(5)</script>",
    "<b onmouseover=alert(6)>x</b>",
    "javascript:alert(7)",
)
ALLOWED_TAGS = {
    "html", "head", "body", "meta", "title", "style", "div", "span", "h1", "h2", "p", "nav", "a", "ul", "li",
    "table", "colgroup", "col", "thead", "tbody", "tr", "th", "td", "mark", "details", "summary", "pre",
    "input", "label",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "class", "id", "title", "data-kind", "lang", "style", "href", "for", "type", "name", "checked", "charset",
    "content", "open", "colspan",
}  # fmt: skip


class Parsed(HTMLParser):
    """Elements (tag, attributes), the text outside <style>, and each <mark> with its kind and the language
    of the cell it stands in."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.marks: list[tuple[str | None, str | None, str]] = []  # (cell lang, kind, marked text)
        self._stack: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag not in ("meta", "col", "input"):
            self._stack.append((tag, dict(attrs)))
        if tag == "mark":
            self.marks.append((self._lang(), dict(attrs).get("data-kind"), ""))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if any(tag == "style" for tag, _ in self._stack):
            return
        self.text.append(data)
        if any(tag == "mark" for tag, _ in self._stack):
            lang, kind, text = self.marks[-1]
            self.marks[-1] = (lang, kind, text + data)

    def _lang(self) -> str | None:
        for tag, attrs in reversed(self._stack):
            if tag == "td" and attrs.get("lang"):
                return attrs["lang"]
        return None

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def assert_safe(html: str) -> Parsed:
    """No element or attribute beyond those the renderer writes; no script, image, handler or js: link."""
    parsed = Parsed(html)
    tags = {tag for tag, _ in parsed.elements}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    for tag, attrs in parsed.elements:
        assert set(attrs) <= ALLOWED_ATTRIBUTES, (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not (attrs.get("href") or "").lower().startswith("javascript"), attrs
        if "style" in attrs:
            assert tag == "col", (tag, attrs)
    return parsed
