"""Plain text from the small HTML fragments platforms store posts as (Mastodon's `content`)."""

from __future__ import annotations

from html.parser import HTMLParser

_BREAKS = {"br", "p", "div", "li", "blockquote"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """ "<p>Hi <span class="h-card"><a href=..>@<span>ann</span></a></span></p>" -> "Hi @ann"."""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    return "\n".join(line for line in lines if line)
