"""What the district reports: a seeded plan of cases (when, what, where, through whom).

Category weights follow the shape of published 数字城管 monthly reports (e.g. district
digital-urban-management bulletins): exposed garbage, illegal small ads and street vending /
shop-front business dominate, followed by piled sundries, disorderly parking of
non-motor vehicles, dirty roads and overflowing bins; facility defects (manhole covers,
street lights, damaged roads) are a small share. The numbers are rounded proportions, not a
specific month's counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from console.domain.china_time import CST
from console.geo.grid import UnitGrid

CATEGORY_WEIGHTS = {
    "06010": 18,  # 暴露垃圾
    "07001": 16,  # 非法小广告
    "09005": 9,  # 店外经营
    "09006": 9,  # 占道经营
    "09001": 7,  # 无照经营游商
    "06036": 7,  # 乱堆杂物
    "09010": 6,  # 非机动车乱停放
    "06012": 5,  # 道路不洁
    "06042": 4,  # 垃圾站（箱）满溢
    "06013": 3,  # 道路破损
    "01002": 2,  # 污水井盖异常
    "01003": 1,  # 雨水井盖异常
    "08006": 2,  # 施工物料乱堆放
    "06017": 2,  # 绿地脏乱
    "01037": 2,  # 路灯异常
    "06007": 2,  # 沿街晾挂
    "07003": 1,  # 违规户外广告
    "06014": 1,  # 道路遗撒
    "09011": 3,  # 共享单车乱象
    # Facilities by owner, so every utility receives its share (issue 11): each names an
    # actual component of the inventory (see district.py ``_component_near``).
    "01005": 1,  # 电力井盖异常
    "01007": 1,  # 通信井盖异常
    "01001": 1,  # 供水井盖异常
    "01013": 1,  # 消防设施异常
    "03005": 2,  # 垃圾箱异常
    "06027": 1,  # 油烟污染
    "06026": 1,  # 河道污染
}

#: Who reports (source, channel) with what share: supervisors find most problems.
SOURCE_WEIGHTS = {
    ("supervisor", "app"): 70,
    ("public", "open311"): 12,
    ("public", "hotline"): 8,
    ("video", "analytics"): 6,
    ("leader", "assigned"): 2,
    ("media", "press"): 2,
}

#: Relative reporting intensity by hour (CST): field work peaks in the working day.
HOURLY = np.array(
    [
        0.1,
        0.05,
        0.05,
        0.05,
        0.1,
        0.2,
        0.5,
        0.9,
        1.3,
        1.5,
        1.5,
        1.3,
        0.8,
        0.9,
        1.4,
        1.5,
        1.4,
        1.2,
        0.8,
        0.6,
        0.5,
        0.4,
        0.3,
        0.2,
    ]
)


@dataclass(frozen=True)
class PlannedReport:
    t: float  # epoch seconds, district time
    source: str
    channel: str
    category_code: str
    lon: float
    lat: float
    street_code: str
    urgent: bool


def report_plan(
    seed: int, start: datetime, hours: float, cases_per_hour: float, grid: UnitGrid
) -> list[PlannedReport]:
    """A reproducible list of reports for ``hours`` from ``start`` (thinned Poisson process)."""
    rng = np.random.default_rng([seed, 1])
    peak = cases_per_hour * HOURLY.max() / HOURLY.mean()
    n = rng.poisson(peak * hours)
    ts = np.sort(rng.uniform(0, hours * 3600, n)) + start.timestamp()
    hour = np.array([datetime.fromtimestamp(t, CST).hour for t in ts], dtype=int)
    keep = rng.random(n) < HOURLY[hour] / HOURLY.max()
    ts = ts[keep]
    m = len(ts)
    codes = list(CATEGORY_WEIGHTS)
    w = np.array([CATEGORY_WEIGHTS[c] for c in codes], dtype=float)
    cats = rng.choice(len(codes), size=m, p=w / w.sum())
    sources = list(SOURCE_WEIGHTS)
    sw = np.array([SOURCE_WEIGHTS[s] for s in sources], dtype=float)
    src = rng.choice(len(sources), size=m, p=sw / sw.sum())
    lon, lat = grid.random_points(m, rng)
    cells = grid.lookup(lon, lat)
    urgent = rng.random(m) < 0.05
    out = []
    for i in range(m):
        street = grid.streets[int(grid.street_idx[cells[i]])].code
        s, ch = sources[src[i]]
        out.append(
            PlannedReport(
                float(ts[i]),
                s,
                ch,
                codes[cats[i]],
                float(lon[i]),
                float(lat[i]),
                street,
                bool(urgent[i]),
            )
        )
    return out


def delay_minutes(rng: np.random.Generator, lo: float, hi: float) -> float:
    """A human reaction time in minutes, log-uniform in [lo, hi]: mostly quick, some slow."""
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
