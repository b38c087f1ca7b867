"""``manage.py issue_api_token USERNAME [--days N] [--name TEXT]``: print a new API token."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lbc_office.api import services


class Command(BaseCommand):
    help = "Make an API token for USERNAME and print it (shown once; only its hash is kept)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=None)
        parser.add_argument("--name", default="manage.py issue_api_token")

    def handle(self, *args, username, days, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        try:
            # The account acts on itself: the command runs with the server's own rights.
            issued = services.issue_token(user=user, by=user, name=name, days=days)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(issued.secret)
