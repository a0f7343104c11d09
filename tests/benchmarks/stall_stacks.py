"""Where the GUI thread is when it stalls: a sampler thread for the GUI benchmarks.

The watchdog of ``bench gui`` says how long the GUI thread was away, not what it was doing.
``StallSampler`` looks at the GUI thread's Python stack every ``every_ms`` while the watchdog
has not beaten for ``after_ms``, and counts the stacks (innermost ``depth`` frames of the
project's own code, with the innermost frame of any library). A stack seen in many samples is
where stalls spend their time. A GUI thread inside Qt (painting, or waiting for the GIL to
call a Python slot) shows only the event loop's frame: the other threads' innermost frames
seen in the same samples (``others``) then say who had the GIL.
"""

from __future__ import annotations

import collections
import sys
import threading
import time
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])


class StallSampler:
    def __init__(self, after_ms: float = 60.0, every_ms: float = 5.0, depth: int = 4):
        self.after_s, self.every_s, self.depth = after_ms / 1000, every_ms / 1000, depth
        self.gui = threading.get_ident()  # made on the GUI thread
        self.last_beat = time.perf_counter()
        self.counts: collections.Counter[tuple[str, ...]] = collections.Counter()
        self.others: collections.Counter[str] = collections.Counter()
        # per stall (keyed by the beat it followed): its samples' GUI stacks and the others'
        self.stalls: dict[float, list[tuple[tuple[str, ...], list[str]]]] = {}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stall-sampler", daemon=True)

    def start(self) -> StallSampler:
        self._thread.start()
        return self

    def beat(self) -> None:
        """The watchdog's beat (GUI thread)."""
        self.last_beat = time.perf_counter()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            if time.perf_counter() - self.last_beat < self.after_s:
                continue
            frames = sys._current_frames()
            frame = frames.pop(self.gui, None)
            if frame is None:
                continue
            gui = self._where(frame)
            self.counts[gui] += 1
            self.samples += 1
            me = threading.get_ident()
            busy = [
                " < ".join(self._where(other)[:2])
                for ident, other in frames.items()
                if ident != me and not _idle(other)
            ]
            self.others.update(busy)
            self.stalls.setdefault(self.last_beat, []).append((gui, busy))

    def _where(self, frame) -> tuple[str, ...]:
        out: list[str] = []
        innermost = f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno} {frame.f_code.co_name}"
        while frame is not None and len(out) < self.depth:
            name = frame.f_code.co_filename
            if name.startswith(ROOT) and "/.venv/" not in name:
                rel = name[len(ROOT) + 1 :]
                out.append(f"{rel}:{frame.f_lineno} {frame.f_code.co_name}")
            frame = frame.f_back
        if not out or not out[0].endswith(innermost.split(" ", 1)[1]):
            out.insert(0, f"[{innermost}]")
        return tuple(out)

    def report(self, top: int = 8) -> str:
        lines = [
            f"GUI thread stacks in stalls over {self.after_s * 1000:.0f} ms "
            f"({self.samples} samples every {self.every_s * 1000:.0f} ms):"
        ]
        for stack, n in self.counts.most_common(top):
            lines.append(f"  {n:5d}  " + "  <  ".join(stack))
        lines.append("other threads busy in those samples:")
        for where, n in self.others.most_common(top):
            lines.append(f"  {n:5d}  {where}")
        longest = sorted(self.stalls.values(), key=len, reverse=True)[:3]
        for samples in longest:
            lines.append(
                f"a stall of ~{(len(samples) * self.every_s + self.after_s) * 1000:.0f} ms:"
            )
            gui = collections.Counter(g for g, _ in samples).most_common(2)
            others = collections.Counter(o for _, b in samples for o in b).most_common(3)
            lines += [f"  {n:5d}  GUI  " + "  <  ".join(g[:3]) for g, n in gui]
            lines += [f"  {n:5d}  other  {o}" for o, n in others]
        return "\n".join(lines)


IDLE = {
    "wait", "_wait_for_tstate_lock", "select", "get", "_worker", "sleep", "accept", "poll",
    "readinto",
}  # fmt: skip


def _idle(frame) -> bool:
    """A thread parked in a wait, a queue or a selector (not using the GIL)."""
    return frame.f_code.co_name in IDLE
