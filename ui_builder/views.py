"""Page views: each one gathers what its template needs from services, nothing more."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    return render(request, "ui_builder/home.html", {"tenant": request.tenant})


def platform_home(request):
    return render(request, "ui_builder/platform_home.html", {"base_domain": settings.TESSERA_BASE_DOMAIN})
