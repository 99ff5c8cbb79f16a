"""Serve single files that ship inside Python packages as static files.

plotly.js comes with the plotly package (plotly/package_data/plotly.min.js), so it is
served from there, the same version as the Python library, rather than from a CDN or a copy
in this repository.
"""

from importlib.util import find_spec
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage


def _package_dir(package: str) -> Path:
    """Where an installed package lives, without importing it."""
    return Path(find_spec(package).submodule_search_locations[0])


# static path -> (package, file inside the package)
PACKAGE_FILES = {
    "vendor/plotly.min.js": ("plotly", "package_data/plotly.min.js"),
}


class PackageFileFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.files = {
            static_path: _package_dir(package) / inner
            for static_path, (package, inner) in PACKAGE_FILES.items()
        }

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        # Like Django's own finders, "not found" is an empty list whatever find_all says:
        # staticfiles.finders.find() would hand a None on to whitenoise as a match.
        found = self.files.get(path)
        if found is None or not found.is_file():
            return []
        return [str(found)] if find_all else str(found)

    def list(self, ignore_patterns):
        for static_path, source in self.files.items():
            prefix, _, name = static_path.rpartition("/")
            storage = FileSystemStorage(location=source.parent)
            storage.prefix = prefix
            yield name, storage
