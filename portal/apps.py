from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from portal.sessions import stamp_session_start

        user_logged_in.connect(stamp_session_start, dispatch_uid="portal-session-start")
