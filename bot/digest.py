"""When a server's daily digest is due. Pure functions on aware datetimes; no Discord.

The rule: a digest is due once the server's local wall-clock time has reached
its HH:MM on a local date it has not yet posted for. So a bot that was down at
digest time posts when it comes back the same day; a restart after posting
does not post again; and a daylight-saving jump neither skips a day (a time
that does not exist that day is reached when the clock jumps past it) nor
doubles one (the local date, not the hour, is what is recorded).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .storage.store import DigestConfig


def parse_hhmm(text: str) -> time:
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes))


def local_date(config: DigestConfig, now: datetime) -> date:
    return now.astimezone(ZoneInfo(config.timezone)).date()


def due_date(config: DigestConfig, now: datetime) -> str | None:
    """The local date (ISO) whose digest is due at ``now``, or None when nothing is due."""
    if config.channel_id is None:
        return None
    local = now.astimezone(ZoneInfo(config.timezone))
    if local.time().replace(tzinfo=None) < parse_hhmm(config.post_time):
        return None
    today = local.date().isoformat()
    if config.last_date is not None and config.last_date >= today:
        return None
    return today


def next_run(config: DigestConfig, now: datetime) -> datetime:
    """The next moment (aware, in the server's zone) the digest will be posted."""
    zone = ZoneInfo(config.timezone)
    local = now.astimezone(zone)
    at = parse_hhmm(config.post_time)
    day = local.date()
    if due_date(config, now) is None and (
        local.time().replace(tzinfo=None) >= at or (config.last_date or "") >= day.isoformat()
    ):
        day += timedelta(days=1)
    candidate = datetime.combine(day, at, tzinfo=zone)
    # A wall time skipped by a daylight-saving jump: it happens when the clock jumps.
    roundtrip = candidate.astimezone(ZoneInfo("UTC")).astimezone(zone)
    if roundtrip.replace(tzinfo=None) != candidate.replace(tzinfo=None):
        candidate = roundtrip
    return max(candidate, local)
