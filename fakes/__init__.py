"""Fake external servers on loopback that speak the real APIs: tests and the demo use them."""
