"""Bundled data (illustrative defaults and public reference tables); see README.md here."""
