"""Test helpers that are not fixtures: the replaying Hub server."""
