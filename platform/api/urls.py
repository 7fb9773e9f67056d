"""The tenant API, `/api/v1/…`. Each area adds its routes here."""

urlpatterns: list = []
