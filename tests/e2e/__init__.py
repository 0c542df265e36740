"""Real-browser end-to-end tests.

A package, so that its conftest.py does not shadow tests/conftest.py for the unit tests.
"""
