from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from . import signin, views

urlpatterns = [
    path("", views.home, name="home"),
    path("app/", include("ui_builder.app.urls")),
    path("setup/", include("ui_builder.setup.urls")),
    path("login/", signin.LoginView.as_view(), name="login"),
    path("login/two-factor/", signin.two_factor, name="two_factor"),
    path("login/two-factor/set-up/", signin.two_factor_setup, name="two_factor_setup"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", signin.password_reset, name="password_reset"),
    path("password-reset/<uidb64>/<token>/", signin.PasswordResetConfirm.as_view(), name="password_reset_confirm"),
    path("invitation/", views.accept_invitation, name="accept_invitation"),
    path("i18n/setlang/", set_language, name="set_language"),
]
