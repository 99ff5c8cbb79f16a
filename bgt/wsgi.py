import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bgt.settings")

application = get_wsgi_application()

# Everything loaded so far lives as long as the process: move it out of the collector's
# reach, so that requests that allocate many objects (a quarter of CGM readings) do not pay
# for rescanning Django itself. With gunicorn's preload this also keeps pages shared.
gc.collect()
gc.freeze()
