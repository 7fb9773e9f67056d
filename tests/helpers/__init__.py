"""Helpers shared by the tests: plain functions, classes and constants, imported by test modules
and conftests alike. Fixtures stay in the conftest.py files; nothing here is a fixture."""
