import os

from django.core.wsgi import get_wsgi_application

from portal.memory import freeze_loaded_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()
freeze_loaded_objects()
