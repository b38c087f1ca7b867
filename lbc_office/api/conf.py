"""Django REST framework and drf-spectacular settings (``settings.REST_FRAMEWORK`` and
``settings.SPECTACULAR_SETTINGS`` are these). Plain data: importing it loads no Django app."""

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "lbc_office.api.auth.TokenAuthentication",  # first: anonymous answers 401
        "lbc_office.api.auth.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["lbc_office.api.auth.IsActiveUser"],
    "DEFAULT_THROTTLE_CLASSES": ["lbc_office.api.auth.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "lbc_office.api.errors.handle_exception",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LBC Office API",
    "VERSION": "1",
    "SERVE_PERMISSIONS": ["lbc_office.api.auth.IsActiveUser"],
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our own static files: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set (else the schema warns, and `check --deploy` fails on a warning).
    "ENUM_NAME_OVERRIDES": {
        "GuardianAbilityEnum": "programmes.models.contact.GuardianAbility",
        "ChildStatusEnum": "registry.models.ChildStatus",
        "CheckinStatusEnum": ["open", "done", "missed", "cancelled"],
    },
}
