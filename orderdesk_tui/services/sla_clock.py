"""The desk's SLA policy built from the `[sla]` settings: its calendar, holidays and tiers.

Public holidays come from the `holidays` package (maintained, offline tables for ~200 countries
and their subdivisions) when `holiday_country` is set; `holidays` in the settings adds the
desk's own closed days.
"""

from datetime import datetime, time, tzinfo
from zoneinfo import ZoneInfo

from orderdesk_tui.config import SlaSettings
from orderdesk_tui.domain.business_calendar import BusinessCalendar, weekday_numbers
from orderdesk_tui.domain.sla import SlaPolicy, TierTargets

_cache: dict[tuple[str, int], SlaPolicy] = {}


def desk_zone(sla: SlaSettings) -> tzinfo:
    """The configured zone, else this machine's local zone."""
    if sla.timezone:
        return ZoneInfo(sla.timezone)
    local = datetime.now().astimezone().tzinfo
    assert local is not None
    return local


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def business_calendar(sla: SlaSettings, years: range) -> BusinessCalendar:
    closed = set(sla.holidays)
    if sla.holiday_country:
        import holidays as public_holidays  # ~60 ms to import: only when a country is set

        found = public_holidays.country_holidays(
            sla.holiday_country, subdiv=sla.holiday_subdivision or None, years=years
        )
        closed.update(found.keys())
    return BusinessCalendar(
        tz=desk_zone(sla),
        work_days=weekday_numbers(sla.work_days),
        opens=_clock(sla.opens),
        closes=_clock(sla.closes),
        holidays=frozenset(closed),
    )


def sla_policy(sla: SlaSettings, now: datetime) -> SlaPolicy:
    """The policy for `now` (holidays of last, this and next year), built once per settings."""
    key = (sla.model_dump_json(), now.year)
    policy = _cache.get(key)
    if policy is None:
        calendar = business_calendar(sla, range(now.year - 1, now.year + 2))
        tiers = {
            name: TierTargets(int(t.entry_hours * 3600), int(t.ack_hours * 3600))
            for name, t in sla.tiers.items()
        }
        policy = SlaPolicy(
            calendar, tiers, warn_s=sla.warn_minutes * 60, rush_s=int(sla.rush_hours * 3600)
        )
        _cache[key] = policy
    return policy
