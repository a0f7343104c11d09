"""China Standard Time, the one time zone of the district.

Case numbers, working hours, the work calendar, SLA deadlines and every time a person reads or
types are Hangzhou clock time: UTC+8 all year (China has kept no daylight saving time since
1991), so a fixed offset is exact and needs no tz database on the operator's machine.
"""

from __future__ import annotations

from datetime import timedelta, timezone

CST = timezone(timedelta(hours=8))
