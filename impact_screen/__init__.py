"""Shells over the core: the impact-screen command line."""
