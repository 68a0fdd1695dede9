"""Ingesters: each turns one source into RDF in that source's named graph."""
