from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.i18n import set_language

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="ui_builder/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invitation/", views.accept_invitation, name="accept_invitation"),
    path("i18n/setlang/", set_language, name="set_language"),
]
