"""The Flask application: SPARQL endpoint, conformance API and web pages."""

from openness.server.app import create_app

__all__ = ["create_app"]
