"""HTML to PDF on the server with WeasyPrint, fetching nothing from the network.

WeasyPrint lays out the very template the browser prints (reports/agp_report.html and
static/css/report.css, CSS Paged Media: @page size and margin boxes, page breaks), draws
inline SVG as vectors and embeds subsets of the local fonts (fontconfig; Debian's
fonts-dejavu). Its URL fetcher is replaced: a static file of the site is read from disk,
``data:`` URIs (the charts) are decoded, and every other URL (http, https, file) is
refused, so rendering never touches the network or files outside the static folders.
"""

from __future__ import annotations

import logging
import mimetypes
import os
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

# WeasyPrint reports each layout step at INFO: one line per page of every report.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# A base URL of our own for relative links in the document: nothing resolves to the web.
BASE_URL = "https://bgt-report.invalid/"


class RefusedURL(ValueError):
    pass


def static_path(url: str) -> str | None:
    """The file on disk behind a static URL of this site (``/static/css/report.css``,
    relative to BASE_URL), or None."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL:
        return None
    path = unquote(parts.path)
    if not path.startswith(settings.STATIC_URL) or ".." in path:
        return None
    name = path.removeprefix(settings.STATIC_URL)
    found = finders.find(name)
    if found:
        return found
    try:  # collected, fingerprinted files (ManifestStaticFilesStorage)
        collected = staticfiles_storage.path(name)
    except NotImplementedError:
        return None
    return collected if os.path.isfile(collected) else None


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document whose links are site-relative (``{% static %}``)."""
    # Imported here: WeasyPrint's start-up (Pango, fonts) is paid by the first report only,
    # not by every process that loads the URL configuration.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        """A static file of the site, read from disk; any other URL is refused."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):  # the charts: decoded by urllib, no network
                return super().fetch(url, headers)
            path = static_path(url)
            if path is None:
                raise RefusedURL(f"not fetched while rendering a report: {url[:80]}")
            with open(path, "rb") as handle:
                body = handle.read()
            kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": kind})

    fetcher = StaticOnly(allowed_protocols=("data",))  # the parent may only decode data:
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
