"""Helpers shared by the tests of every folder: fake Slack servers, signed requests, plan builders, CLI drivers.

One package (on pytest's ``pythonpath`` as ``tests``) rather than loose modules beside the tests, so a
helper is imported by one name from anywhere and a new platform's tests find them in one place.
"""
