"""``python manage.py up [ADDRPORT]``: migrate, add the demo users and a little data
(once), then ``runserver``. Users: admin (staff), alice, bob; password "inventory"."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Set up the example database and run the development server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true",
                            help="only set up the database")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0, interactive=False)
        seed()
        if not options["no_serve"]:
            call_command("runserver", options["addrport"])


def seed() -> dict[str, str]:
    """Create the demo users (and their DRF tokens) and data; their tokens by name."""
    from rest_framework.authtoken.models import Token

    from assets.models import Asset, AssetGroup, Scope

    users = get_user_model()._default_manager
    tokens: dict[str, str] = {}
    for name, staff in (("admin", True), ("alice", False), ("bob", False)):
        user = users.filter(username=name).first()
        if user is None:
            user = users.create_user(name, f"{name}@example.test", "inventory",
                                     is_staff=staff, is_superuser=staff,
                                     first_name=name.title())
        tokens[name] = Token.objects.get_or_create(user=user)[0].key
    if not Scope.objects.exists():
        Scope.objects.create(name="Headquarters")
        group = AssetGroup.objects.create(name="Servers")
        Asset.objects.create(name="db-1", ip="10.0.0.5", group=group)
    return tokens
