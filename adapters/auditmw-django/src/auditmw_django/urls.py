"""The audit server in a project's URLconf::

    urlpatterns = [..., path("audit/", include("auditmw_django.urls"))]

Every path below the include goes to the audit server (page, Data API, exports,
GraphQL, OpenAPI); see :mod:`auditmw_django.server` for sign-in (``server.host_auth``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt

from auditmw_django.conf import get_trail

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

app_name = "auditmw"


@csrf_exempt  # the audit server checks CSRF itself where a cookie could be trusted
def audit_server(request: HttpRequest, rest: str = "") -> HttpResponseBase:
    from django.http import HttpResponse

    from auditmw_django.server import pages_for

    trail = get_trail()
    if trail is None:
        return HttpResponse(b"auditmw is not running in this process", status=503,
                            content_type="text/plain")
    root = request.path[:len(request.path) - len(rest)].rstrip("/")
    return pages_for(trail).respond(request, root, "/" + rest)


urlpatterns = [
    re_path(r"^(?P<rest>.*)$", audit_server, name="server"),
]
