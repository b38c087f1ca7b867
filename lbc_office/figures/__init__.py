"""Counted figures per school and day, stored for the reports that a city's register makes too
slow to count on each request (see lbc_office.reports.figures, which counts and reads them)."""
