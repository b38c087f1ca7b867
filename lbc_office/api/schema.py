"""How the schema describes our authentication (drf-spectacular needs one extension per class;
without them it warns, and ``check --deploy`` fails on a warning). Loaded by ``ApiConfig``."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "lbc_office.api.auth.TokenAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer lbc_…"}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "lbc_office.api.auth.SessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
