"""Writes of the volunteers app: care (people, assignments, check-ins), the monthly cycle, and
notifications. Views, the admin, tasks and the demo all call these."""
