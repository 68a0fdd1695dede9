"""Openness Graph: is this AI model open — by which definition, and why not?"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("openness-graph")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
