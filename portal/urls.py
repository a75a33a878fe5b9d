from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from portal import passkeys, two_factor, views
from portal.forms import ChangePasswordForm, ChoosePasswordForm, ResetRequestForm
from portal.sessions import fresh_sign_in_required

# After a password is set from a link, the patient is logged in with the portal's backend
# (the lockout backend only guards logins with a password).
LINK_LOGIN_BACKEND = "portal.auth.PortalBackend"

# A failing dependency is a 503 with Retry-After; anything else a 500 (portal/unavailable.py).
handler500 = "portal.unavailable.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/confirm/", views.confirm_sign_in, name="confirm-sign-in"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor.verify, name="two-factor-verify"),
    path("accounts/two-factor/setup/", two_factor.setup, name="two-factor-setup"),
    path("accounts/two-factor/enrol/<str:token>/", two_factor.enrol, name="two-factor-enrol"),
    path("accounts/passkeys/", passkeys.page, name="passkeys"),
    path("accounts/passkeys/<int:pk>/rename/", passkeys.rename, name="passkey-rename"),
    path("accounts/passkeys/<int:pk>/remove/", passkeys.remove, name="passkey-remove"),
    path("accounts/passkeys/add/options/", passkeys.adding_options, name="passkey-add-options"),
    path("accounts/passkeys/add/", passkeys.add, name="passkey-add"),
    path(
        "accounts/passkeys/sign-in/options/",
        passkeys.sign_in_options,
        name="passkey-sign-in-options",
    ),
    path("accounts/passkeys/sign-in/", passkeys.sign_in, name="passkey-sign-in"),
    path(
        "accounts/welcome/<uidb64>/<token>/",
        views.WelcomeView.as_view(
            template_name="registration/welcome.html",
            form_class=ChoosePasswordForm,
            post_reset_login=True,
            post_reset_login_backend=LINK_LOGIN_BACKEND,
            success_url=reverse_lazy("home"),
        ),
        name="welcome",
    ),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(form_class=ResetRequestForm),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=ChoosePasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/password/",
        fresh_sign_in_required(
            auth_views.PasswordChangeView.as_view(form_class=ChangePasswordForm)
        ),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("exercises/", include("exercises.urls")),
    path("", include("patients.urls")),
    path("admin/", admin.site.urls),
]

# The library's uploads while developing (`make run`); in production the proxy serves
# MEDIA_ROOT, or the pictures live in an object store (README, "Pictures and video").
if not settings.PORTAL_MEDIA.elsewhere:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
