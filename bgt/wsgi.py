import os

from django.core.wsgi import get_wsgi_application

from bgt.collector import tune_after_start_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bgt.settings")

application = get_wsgi_application()

# Everything loaded so far lives as long as the process: out of the collector's reach, and
# the collector runs less often (bgt/collector.py says why and what it measured).
tune_after_start_up()
