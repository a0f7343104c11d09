"""Type sizes for a wall read from across the room.

Legibility at distance: a character needs about 20 arc-minutes to be read comfortably from
a distance (ANSI/HFES 100 and ISO 9241-303 ask for 16–24'); at 5 m that is ~29 mm of
cap-to-descender height. A 65" 4K wall is ~0.81 m tall over 2160 px, so 29 mm ≈ 78 px of
line height, i.e. a body size of about 42 px (we use 49: CJK strokes need the margin) — the brief's "≥ 40 px at 4K". Sizes are a
share of the screen height so 1080p walls (usually watched closer) get half.
"""

from __future__ import annotations

from dataclasses import dataclass

BODY_SHARE = 0.0225  # 49 px at 2160, 24 px at 1080
TITLE_SHARE = 0.038  # 82 px at 2160
FIGURE_SHARE = 0.075  # the big numbers: 162 px at 2160
SMALL_SHARE = 0.0190  # axis labels: 41 px at 4K, still over the 40 px floor


@dataclass(frozen=True)
class WallScale:
    """Pixel sizes for one screen height."""

    height: int

    def px(self, share: float) -> int:
        return max(10, round(self.height * share))

    @property
    def body(self) -> int:
        return self.px(BODY_SHARE)

    @property
    def title(self) -> int:
        return self.px(TITLE_SHARE)

    @property
    def figure(self) -> int:
        return self.px(FIGURE_SHARE)

    @property
    def small(self) -> int:
        return self.px(SMALL_SHARE)

    @property
    def gap(self) -> int:
        return self.px(0.012)
