"""The plan as an iCalendar feed (RFC 5545), written by hand: it is a few lines of text.

Times carry the reader's TZID with a VTIMEZONE giving that zone's offsets over the feed's span,
as RFC 5545 §3.6.5 asks. Lines end in CRLF and are folded at 75 octets (§3.1).
"""

import datetime as dt
import re
import uuid
from collections.abc import Callable

FEED_WEEKS = 12
# Event UIDs (RFC 7986 §5.3: a UUID) are derived from the plan's secret token and the day, so
# they are stable across fetches and name no database row.
EVENT_NAMESPACE = uuid.UUID("5d0b1f0e-8c39-4d55-9a43-1c1f5a0c7e21")
# Any line break a curator can type (CR LF, a bare CR, a bare LF, NEL, U+2028/9) becomes one \n:
# a bare CR passed through would let a parser that splits on it see lines we never wrote.
LINE_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
# TEXT allows no control character but tab (§3.3.11, TSAFE-CHAR); C1 controls go too.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape(text: str) -> str:
    """A TEXT value (§3.3.11): backslash, semicolon and comma escaped, every line break as \\n,
    other control characters dropped."""
    text = CONTROLS.sub("", LINE_BREAKS.sub("\n", text))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def escape_uri(uri: str) -> str:
    """A URI value takes no escapes (§3.3.13); it must still carry no control character."""
    return CONTROLS.sub("", LINE_BREAKS.sub("", uri))


def event_uid(plan, day: dt.date) -> str:
    """The event's UID: a UUID from the plan's token and the day, never a database id."""
    return str(uuid.uuid5(EVENT_NAMESPACE, f"{plan.calendar_token}/{day:%Y%m%d}"))


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, never inside a UTF-8 character."""
    pieces, current, size, limit = [], "", 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    pieces.append(current)
    return "\r\n".join(pieces)


def _local(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _offset(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def vtimezone(zone, start: dt.date, end: dt.date) -> list[str]:
    """The zone's offsets from `start` to `end`: one observance, then one per change."""

    def offset_at(day: dt.date, hour: int = 12) -> dt.timedelta:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=zone).utcoffset()

    first = offset_at(start)
    observances = [(dt.datetime.combine(start, dt.time(0)), first, first)]
    day, previous = start, first
    while day < end:
        day += dt.timedelta(days=1)
        now = offset_at(day)
        if now != previous:  # the change happened overnight; midnight is close enough here
            observances.append((dt.datetime.combine(day, dt.time(0)), previous, now))
            previous = now
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone.key}"]
    for start_at, before, after in observances:
        kind = "DAYLIGHT" if after > before else "STANDARD"
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{_local(start_at)}",
            f"TZOFFSETFROM:{_offset(before)}",
            f"TZOFFSETTO:{_offset(after)}",
            f"END:{kind}",
        ]
    return [*lines, "END:VTIMEZONE"]


def feed(plan, sessions, *, absolute: Callable[[str], str], stamp: dt.datetime) -> str:
    """One VEVENT per planned session, listing its entries and parts with links."""
    zone = plan.zone
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//mireads//reading plan//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:mireads reading plan",
        f"X-WR-TIMEZONE:{zone.key}",
    ]
    if sessions:
        lines += vtimezone(zone, sessions[0].date, sessions[-1].date)
    for session in sessions:
        names = session.names
        description = []
        for item in session.items:
            link = item.advice.deep_link if item.advice and item.advice.deep_link else ""
            page = absolute(item.paper.get_absolute_url())
            description.append(f"{item.paper.name}: {item.label} — {page}")
            if link:
                description.append(f"  {link}")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event_uid(plan, session.date)}",
            f"DTSTAMP:{stamp.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
            f"DTSTART;TZID={zone.key}:{_local(session.starts)}",
            f"DTEND;TZID={zone.key}:{_local(session.ends)}",
            f"SUMMARY:{escape('Reading: ' + ', '.join(names))}",
            f"DESCRIPTION:{escape(chr(10).join(description))}",
            f"URL:{escape_uri(absolute(session.items[0].paper.get_absolute_url()))}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
