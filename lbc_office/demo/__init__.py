"""Roof: the demo county (``seed_demo``), made through the apps' services."""
