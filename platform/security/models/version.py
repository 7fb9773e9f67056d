"""The security version: bumped by every change that can alter anyone's rights, so the per-process
cache of compiled rights (tessera.security.rights) never serves stale rights."""

from django.db import models


class SecurityVersion(models.Model):
    version = models.BigIntegerField(default=0)
    token = models.UUIDField()

    def __str__(self) -> str:
        return f"security version {self.version}"
