"""What clients send, for tests that answer them as the server does."""

from werkzeug.test import TestResponse

# What a browser asks for (Chromium's Accept): a page, before anything else.
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

# What the API says an error in (RFC 9457): its words are the ``detail``.
PROBLEM = "application/problem+json"


def in_words(answer: TestResponse) -> str:
    """An error's words as text ending in a newline: a text answer's body, or under the API
    its problem details' ``detail`` (a client naming no text gets them)."""
    if answer.mimetype == PROBLEM:
        return answer.json["detail"] + "\n"
    assert answer.mimetype == "text/plain", answer.mimetype
    return answer.text


def words_of(path: str) -> str:
    """The media type an error at ``path`` is said in to a client asking no text alone."""
    return PROBLEM if path.startswith("/api/") else "text/plain"
