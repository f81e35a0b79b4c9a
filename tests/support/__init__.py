"""Helpers shared by several test modules: apps under test, real servers, seed data.

Nothing here is collected as a test (no ``test_*.py`` file lives in this folder); a test
module imports what it needs as ``from support.NAME import ...`` (pytest puts ``tests/``
on ``sys.path``).
"""
