"""When a digest is due: once per local day, catching up the same day, across DST changes."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from bot.digest import due_date, next_run
from bot.storage.store import DigestConfig


def config(**kw: object) -> DigestConfig:
    base: dict[str, object] = {"guild_id": 1, "channel_id": 2, "post_time": "09:00", "timezone": "UTC"}
    base.update(kw)
    return DigestConfig(**base)  # type: ignore[arg-type]


def test_not_due_before_the_local_time() -> None:
    assert due_date(config(), datetime(2026, 5, 1, 8, 59, tzinfo=UTC)) is None


def test_due_at_the_local_time_for_that_local_date() -> None:
    assert due_date(config(), datetime(2026, 5, 1, 9, 0, tzinfo=UTC)) == "2026-05-01"


def test_not_due_again_the_same_day_after_posting() -> None:
    posted = config(last_date="2026-05-01")
    assert due_date(posted, datetime(2026, 5, 1, 23, 0, tzinfo=UTC)) is None
    assert due_date(posted, datetime(2026, 5, 2, 9, 0, tzinfo=UTC)) == "2026-05-02"


def test_a_bot_down_at_digest_time_posts_later_the_same_day() -> None:
    assert due_date(config(last_date="2026-04-30"), datetime(2026, 5, 1, 17, 30, tzinfo=UTC)) == "2026-05-01"


def test_digest_off_is_never_due() -> None:
    assert due_date(config(channel_id=None), datetime(2026, 5, 1, 12, 0, tzinfo=UTC)) is None


def test_local_date_follows_the_servers_time_zone() -> None:
    tokyo = config(timezone="Asia/Tokyo", post_time="07:00")
    # 22:30 UTC on May 1 is 07:30 on May 2 in Tokyo
    assert due_date(tokyo, datetime(2026, 5, 1, 22, 30, tzinfo=UTC)) == "2026-05-02"


def test_spring_forward_skipped_time_still_posts_that_day() -> None:
    # Europe/Paris jumps from 02:00 to 03:00 on 2026-03-29: 02:30 never happens.
    paris = config(timezone="Europe/Paris", post_time="02:30", last_date="2026-03-28")
    assert due_date(paris, datetime(2026, 3, 29, 0, 59, tzinfo=UTC)) is None  # 01:59 local
    assert due_date(paris, datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == "2026-03-29"  # 03:00 local
    when = next_run(config(timezone="Europe/Paris", post_time="02:30", last_date="2026-03-28"),
                    datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    assert when.date().isoformat() == "2026-03-29" and when.hour == 3


def test_fall_back_repeated_hour_posts_once() -> None:
    # Europe/Paris repeats 02:00-03:00 on 2026-10-25.
    paris = config(timezone="Europe/Paris", post_time="02:30")
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    assert due_date(paris, first) == "2026-10-25"
    posted = config(timezone="Europe/Paris", post_time="02:30", last_date="2026-10-25")
    assert due_date(posted, datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) is None  # 02:30 CET, again


def test_every_day_of_a_year_posts_exactly_once_across_dst() -> None:
    cfg = config(timezone="America/New_York", post_time="02:30")
    last: str | None = None
    posted: list[str] = []
    minute = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    end = datetime(2027, 1, 1, 0, 0, tzinfo=UTC)
    while minute < end:
        day = due_date(config(timezone=cfg.timezone, post_time=cfg.post_time, last_date=last), minute)
        if day is not None:
            posted.append(day)
            last = day
        minute += timedelta(minutes=15)
    # New York's 2025-12-31 is still running at 00:00 UTC; then every day once, none skipped.
    days = [date.fromisoformat(d) for d in posted]
    assert days[0] == date(2025, 12, 31) and days[-1] == date(2026, 12, 31)
    assert all(b - a == timedelta(days=1) for a, b in itertools.pairwise(days))


def test_next_run_is_today_before_the_time_and_tomorrow_after_posting() -> None:
    now = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    assert next_run(config(), now) == datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    assert next_run(config(last_date="2026-05-01"), datetime(2026, 5, 1, 10, 0, tzinfo=UTC)) == datetime(
        2026, 5, 2, 9, 0, tzinfo=UTC
    )
