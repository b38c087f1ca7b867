"""Home visits, family-room calls, programmes and donations (issue: programmes). Empty so far."""
