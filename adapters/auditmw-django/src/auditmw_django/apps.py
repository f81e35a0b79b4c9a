"""``INSTALLED_APPS += ["auditmw_django"]``: at start, the trail is built from the
project's settings (bad config fails here, naming the key) and the GraphQL hook and the
auth signals are switched on. ``manage.py auditmw`` comes with the app."""

from __future__ import annotations

from django.apps import AppConfig


class AuditmwConfig(AppConfig):
    name = "auditmw_django"
    label = "auditmw_django"
    verbose_name = "auditmw audit trail"
    default = True

    def ready(self) -> None:
        from auditmw_django.conf import get_trail
        from auditmw_django.setup import activate

        trail = get_trail()
        if trail is not None:
            activate(trail)
