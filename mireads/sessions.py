"""Database sessions, read with one plain SQL statement.

Every signed-in request loads its session first. Django's database store builds an ORM query for
it, which costs several times what the database takes to answer (in process about 0.35 ms of a
0.4 ms lookup); this store asks the same question in plain SQL and is otherwise Django's own:
sessions are written, expired, cycled and deleted exactly as before, in the same table.
"""

import datetime as dt

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone
from django.utils.dateparse import parse_datetime

# The table of django.contrib.sessions.models.Session.
SESSION_SQL = "SELECT session_data, expire_date FROM django_session WHERE session_key = %s"


def _aware(value) -> dt.datetime:
    """expire_date as the database gives it to a plain cursor: a datetime (PostgreSQL), or the
    text SQLite keeps, in UTC as Django writes it there."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key) -> bool:
        """Django's keys are 32 lowercase letters and digits. Anything else is no session, asked
        of no database: a cookie holding a quoted NUL ("\\000") was a 500 on PostgreSQL."""
        return bool(key) and 8 <= len(key) <= 40 and key.isascii() and key.isalnum()

    def _get_session_from_db(self):
        key = self.session_key  # None when the cookie's key is not a valid one
        found = None
        if key:
            with connections[router.db_for_read(self.model)].cursor() as cursor:
                cursor.execute(SESSION_SQL, [key])
                found = cursor.fetchone()
        if found is None or _aware(found[1]) <= timezone.now():
            self._session_key = None  # as Django's store: a missing or expired session is new
            return None
        return self.model(session_key=key, session_data=found[0], expire_date=_aware(found[1]))
