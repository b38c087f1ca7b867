"""Casework's writes: each keyword-only, in one transaction, validated, audited."""
