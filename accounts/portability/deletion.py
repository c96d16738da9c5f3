"""A reader leaving: their account and everything in it removed."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.base_user import AbstractBaseUser

from groups import services as group_services
from progress.writes import writes_reader


@writes_reader()
def delete_account(*, reader: AbstractBaseUser) -> None:
    """Remove the reader and, through CASCADE, every status, event, tick, note and revision.

    Groups are left first, so a facilitator's groups pass the role on instead of losing it.
    The sign-in records kept for the lockout go too: they name the reader and say when and from
    where they signed in, which is their data, and a later account with the name must start clean.
    """
    group_services.leave_every_group(reader=reader)
    username = reader.get_username()
    for records in (AccessAttempt, AccessFailureLog, AccessLog):
        records.objects.filter(username__iexact=username).delete()
    reader.delete()
