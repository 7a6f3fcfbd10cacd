"""Where a process's CPU goes: py-spy samples of a running server, summed over rounds and
written as the top frames by self and by total time, in CPU milliseconds per message.

`py-spy` must be installed (`.venv/bin/pip install py-spy`) and allowed to read the target's
memory (root, or ptrace rights). Sampling is non-blocking (the process runs as it would) and
counts the thread holding the GIL (`--gil`: without it py-spy took threads waiting in epoll or
on a queue for running). Samples / rate overstates CPU time (up to twice, for the simulator),
so each frame's share of the samples is also given in CPU ms per message as measured
(`harness.cpu_seconds`), when the caller passes that figure.

    python loadtests/sampling.py RAW [RAW...] --messages N   # summarise collapsed stacks
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

RATE = 250  # samples per second: 4 ms apart, a few thousand samples over a round
TOP = 25  # frames by self time
TOP_TOTAL = 60  # by total time, deeper: the event loop's own frames come first


@dataclass
class Sampler:
    """py-spy on each of `pids` (by name) during each `round()`; summaries into `folder`
    (`write`); no sampling when `folder` is None."""

    pids: dict[str, int]
    folder: Path | None
    messages: int = 0
    raws: dict[str, list[Path]] = field(default_factory=dict)
    scratch: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="py-spy-")))

    @contextlib.contextmanager
    def round(self) -> Iterator[None]:
        if self.folder is None:
            yield
            return
        spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        running = []
        for name, pid in self.pids.items():
            raw = self.scratch / f"{name}.{len(self.raws.get(name, []))}.raw"
            self.raws.setdefault(name, []).append(raw)
            command = [spy, "record", "--pid", str(pid), "--rate", str(RATE), "--format", "raw"]
            command += ["--function", "--threads", "--gil", "--nonblocking", "--output", str(raw)]
            running.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))
        time.sleep(0.5)  # py-spy attaches before the round starts
        try:
            yield
        finally:
            for spy_process in running:
                spy_process.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
            for spy_process in running:
                spy_process.wait(30)

    def write(self, label: str, measured: dict[str, float] | None = None) -> None:
        """`label`_NAME.txt in the folder for each sampled process; `measured`: CPU ms per
        message by process name."""
        if self.folder is None:
            return
        for name, raws in self.raws.items():
            cpu = (measured or {}).get(name)
            text = summary(_stacks(raws), self.messages, f"{label} {name}", cpu)
            (self.folder / f"{label}_{name.replace(' ', '_')}.txt").write_text(text)
        shutil.rmtree(self.scratch, ignore_errors=True)


def _stacks(raws: list[Path]) -> Counter[tuple[str, ...]]:
    """Collapsed stacks ("a;b;c 12" per line, root first) summed over the files."""
    stacks: Counter[tuple[str, ...]] = Counter()
    for raw in raws:
        if not raw.exists():
            continue
        for line in raw.read_text().splitlines():
            frames, _, count = line.rpartition(" ")
            if frames:
                stacks[tuple(frames.split(";"))] += int(count)
    return stacks


def summary(
    stacks: Counter[tuple[str, ...]], messages: int, title: str, measured: float | None = None
) -> str:
    """The top frames by self time (the frame running) and by total time (the frame anywhere
    on the stack), with threads apart, in CPU ms per message: the measured figure shared out
    by samples when given, else samples / rate."""
    samples = sum(stacks.values())
    sampled = samples * 1000 / RATE / max(1, messages)
    per_message = (measured if measured is not None else sampled) / max(1, samples)
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    for stack, count in stacks.items():
        threads[stack[0]] += count
        own[stack[-1]] += count
        for frame in set(stack[1:]):
            total[frame] += count
    scale = "" if measured is None else f"; measured {measured:.3f}, which the ms below share out"
    lines = [
        f"{title}: {samples} samples at {RATE}/s over {messages} messages = "
        f"{sampled:.3f} CPU ms per message sampled{scale}",
        "",
        "by thread:",
    ]
    lines += [f"  {n * per_message:7.3f} ms  {name}" for name, n in threads.most_common()]
    for heading, counter, top in (("self", own, TOP), ("total", total, TOP_TOTAL)):
        lines += ["", f"top {top} by {heading} time (ms per message, share):"]
        lines += [
            f"  {n * per_message:7.3f} ms {n / samples:6.1%}  {frame}"
            for frame, n in counter.most_common(top)
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("raws", nargs="+", type=Path)
    parser.add_argument("--messages", type=int, required=True)
    args = parser.parse_args()
    print(summary(_stacks(args.raws), args.messages, ", ".join(map(str, args.raws))), end="")


if __name__ == "__main__":
    main()
