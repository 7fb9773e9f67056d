"""drf-spectacular descriptions of Tessera's authentication classes (API tokens, sessions), so the
OpenAPI documents describe how to authenticate and the schema generation raises no warnings."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "tessera.security.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A personal API token: `Authorization: Token <key>` or `Bearer <key>`."}


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "tessera.security.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
