"""The ground floor: accounts and roles, audit, two-step sign-in, security, shared model bases
and helpers. It imports none of our apps (tests/test_architecture.py)."""
