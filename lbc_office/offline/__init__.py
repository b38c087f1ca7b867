"""The installable app that works with no signal (docs/OFFLINE.md): a web manifest, a service
worker at the site root, an offline page, the device's working set and the sync of records made
offline. In the roof: the sync hands a home visit or a call to ``programmes`` and a check-in to
``volunteers``, through the same forms and services as the pages.

- ``working_set`` — what a teacher's or a volunteer's phone keeps, and only that;
- ``sync`` — one record sent from the phone, checked and saved once (``keys.once``);
- ``views`` — the manifest, ``/sw.js``, the offline page, the working set and the sync endpoint.
"""
