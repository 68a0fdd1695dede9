"""What clients send, for tests that answer them as the server does."""

# What a browser asks for (Chromium's Accept): a page, before anything else.
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
