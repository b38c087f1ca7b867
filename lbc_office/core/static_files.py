"""Static files as the field's slow network needs them (issue 13).

whitenoise serves the collected files (``CompressedManifestStaticFilesStorage``: content-hashed
names, a ``.gz`` and a ``.br`` beside each text file, the ``brotli`` package making the second)
and picks the smallest the browser accepts. A hashed name never changes content, so it is cached
a year and marked ``immutable`` (no revalidation on reload); whitenoise's own default is ten
years, longer than the one year HTTP caches are asked to honour.
"""

from whitenoise.middleware import WhiteNoiseMiddleware

ONE_YEAR = 365 * 24 * 60 * 60


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    FOREVER = ONE_YEAR
