"""API plumbing views."""

from django.urls import Resolver404, resolve
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class ApiNotFoundView(APIView):
    """A JSON 404 for any path under /api/ that no endpoint serves."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    schema = None  # not an endpoint

    def handle(self, request, *args, **kwargs):
        detail = "No API endpoint at this address."
        if not request.path.endswith("/"):
            try:
                match = resolve(request.path + "/")
            except Resolver404:
                match = None
            if match is not None and getattr(match.func, "view_class", None) is not type(self):
                detail += f" Did you mean {request.path}/ ?"
        return Response({"detail": detail}, status=status.HTTP_404_NOT_FOUND)

    get = post = put = patch = delete = head = options = handle
