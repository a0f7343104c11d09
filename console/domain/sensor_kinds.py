"""The IoT sensor kinds (物联感知): what a reading means, when it is a breach, and the case a
breach files.

One row per kind says the unit, the threshold (a reading at or above it is a breach), the
readings a working sensor can report at all (anything outside is a broken sensor or a forged
post, refused with a 400, never stored), and the matter (事项) of GB/T 47678.5-2026 a breach
is filed under (``resources/categories.tsv``, kind ``event``; the row number is cited):

- 井盖倾斜 → 01023 不明井盖异常 (row 176). The tilt sensor knows the cover is displaced, not
  whose pipe it closes; the nearest 部件 within 30 m is attached at intake
  (``console.domain.components``) and routing follows its owner.
- 积水水位 → 01004 雨水箅子异常 (row 158). The scheme has no 积水 matter (only the legacy
  Beijing scheme's 0111 道路积水, row 515); standing water at a road sensor is cleared by
  unblocking the storm-drain grates there, which is that matter's work.
- 垃圾桶满溢 → 06042 垃圾站（箱）满溢 (row 348).
- 路灯故障 → 01037 路灯异常 (row 190).
- 噪声 → 06028 噪声扰民 (row 335).
- 扬尘 → 08004 工地扬尘 (row 369).
- 河道水位 → 01069 水域附属设施异常 (row 222). The scheme has no 河道高水位 matter; the work a
  high river level calls for is at the river's own facilities (闸, 泵站 that lower it), which is
  that matter's, and it routes to the river department.
- 溶解氧, 氨氮 → 06026 河道污染 (row 333).

Thresholds: tilt 15° and water 20 cm as the alert rules had them (a cover tilted that much is
displaced or open; water that deep stops traffic). Bin fill 90 %: the level a bin overflows
at the next drop-off, the centre's choice. Street light: the controller reports 1 for a fault
(lamp out, or on in daytime), 0 for normal. Noise 70 dB(A): GB 3096-2008 声环境质量标准,
Table 1, class 4a (both sides of a trunk road) daytime limit. Dust (PM10) 150 µg/m³:
GB 3095-2012 环境空气质量标准, Table 1, class 2 24-hour limit, applied to the sensor's
averaged reading. River level 50 cm over the segment's normal level (常水位): the centre's
warning level for the district's canals (a made-up but plausible value; the real 警戒水位 of
each river is the flood office's). Water quality against GB 3838-2002 地表水环境质量标准,
Table 1, class V (the worst class with a use; below it is 劣V, which Zhejiang's 剿灭劣V类水
campaign of 2017 set out to end): dissolved oxygen under 2 mg/L, ammonia nitrogen over
2.0 mg/L. Those two compare the other way (``compare``): oxygen is bad when low, and 2.0 mg/L
of ammonia is still class V.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

#: How a reading is compared with the threshold to be a breach, and the words a case says.
COMPARE: dict[str, tuple[Callable[[float, float], bool], str, str]] = {
    "ge": (operator.ge, "超过阈值", "at or over"),
    "gt": (operator.gt, "超过阈值", "over"),
    "lt": (operator.lt, "低于阈值", "under"),
}


@dataclass(frozen=True)
class SensorKind:
    kind: str
    name_zh: str
    unit: str
    #: A reading at or above it is a breach (or as ``compare`` says).
    threshold: float
    #: The readings a working sensor of this kind can report (inclusive).
    valid: tuple[float, float]
    #: The GB/T 47678.5-2026 matter a breach is filed under (module docstring).
    category_code: str
    #: The case's urgency (``resources/time_limits.json`` levels): an open cover or flooded
    #: road endangers people now, the others are nuisances.
    urgency: str = "normal"
    #: ``ge`` (at or over the threshold is a breach), ``gt`` (over) or ``lt`` (under).
    compare: str = "ge"


SENSOR_KINDS: dict[str, SensorKind] = {
    k.kind: k
    for k in (
        SensorKind("manhole_tilt", "井盖倾斜", "°", 15.0, (0.0, 180.0), "01023", "urgent"),
        SensorKind("water_level", "积水水位", "cm", 20.0, (0.0, 1000.0), "01004", "urgent"),
        SensorKind("bin_fill", "垃圾桶满溢", "%", 90.0, (0.0, 100.0), "06042"),
        SensorKind("light_fault", "路灯故障", "", 1.0, (0.0, 1.0), "01037"),
        SensorKind("noise", "噪声", "dB(A)", 70.0, (0.0, 200.0), "06028"),
        SensorKind("dust", "扬尘PM10", "µg/m³", 150.0, (0.0, 10000.0), "08004"),
        SensorKind("river_level", "河道水位", "cm", 50.0, (-500.0, 1000.0), "01069", "urgent"),
        SensorKind("dissolved_oxygen", "溶解氧", "mg/L", 2.0, (0.0, 20.0), "06026", compare="lt"),
        SensorKind("ammonia_nitrogen", "氨氮", "mg/L", 2.0, (0.0, 100.0), "06026", compare="gt"),
    )
}


def breached(kind: str, value: float) -> bool:
    """Whether a reading of a sensor of ``kind`` is over its threshold (unknown kinds never
    are: a sensor the rules do not know raises nothing)."""
    k = SENSOR_KINDS.get(kind)
    return k is not None and COMPARE[k.compare][0](value, k.threshold)


def reading_error(kind: str, value: object) -> str | None:
    """Why ``value`` is not a reading a sensor of ``kind`` can report, or None when it is."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "value must be a number"
    try:
        if not math.isfinite(value):
            return "value must be a finite number"
    except OverflowError:
        return "value must be a finite number"
    k = SENSOR_KINDS.get(kind)
    if k is not None and not k.valid[0] <= value <= k.valid[1]:
        return f"value {value:.6g} outside the range of a {kind} sensor {list(k.valid)}"
    return None


def breach_description(kind: str, sensor_id: str, sensor_name: str, value: float) -> str:
    """A case's description: which sensor, what it read and the threshold it crossed."""
    k = SENSOR_KINDS[kind]
    if kind == "light_fault":
        return f"物联感知：{sensor_name}（{sensor_id}）报告路灯故障"
    return (
        f"物联感知：{sensor_name}（{sensor_id}）{k.name_zh}读数 {value:g}{k.unit}，"
        f"{COMPARE[k.compare][1]} {k.threshold:g}{k.unit}"
    )


def back_to_normal_error(kind: str, sensor_id: str, value: float | None) -> str | None:
    """Why a sensor's case may not pass 核查 or close yet (its latest reading is still over the
    threshold), or None when it may."""
    if value is None or not breached(kind, value):
        return None
    k = SENSOR_KINDS[kind]
    return (
        f"sensor {sensor_id} still reads {value:g}{k.unit}, {COMPARE[k.compare][2]} its threshold "
        f"{k.threshold:g}{k.unit}: the work is not done"
    )
