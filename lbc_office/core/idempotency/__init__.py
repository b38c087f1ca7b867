"""One-time keys for idempotent creation: ``keys.once()`` (the module says how)."""
