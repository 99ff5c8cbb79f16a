"""gzip for dynamic responses (JSON, HTML, CSV) when the client accepts it; WhiteNoise
already serves static files compressed.

BREACH (a secret in a compressed body, beside text an attacker controls, guessed from the
sizes of many responses) is answered three ways: Django masks the CSRF token anew on every
response, so it never repeats for a guess to converge on; Django's GZipMiddleware pads each
body with 0-100 random bytes ("Heal the BREACH"); and the responses that show a one-time
secret -- a new device upload secret or access token -- are marked ``Cache-Control:
no-store`` by their views and are never compressed here, nor are the health-data downloads
marked the same way. Session cookies and API credentials travel in headers, which gzip
does not touch.
"""

from django.middleware.gzip import GZipMiddleware


class CompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if "no-store" in response.get("Cache-Control", ""):
            return response
        return super().process_response(request, response)
