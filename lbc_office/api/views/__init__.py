"""The API's views, by resource. Thin: fetch within scope (``visible_to``; 404 outside), the
screens' form to validate, the screens' service to save, one audit note per response."""
