"""The spam history's bookkeeping per message, as the benchmark's carrier does it: judge, then
forget what is older than an hour (simulated), a message every 4 simulated seconds (about
250 messages/s at time_scale 1000), each with its own body, no filter in force.

    .venv/bin/python loadtests/micro/spam_history.py [--messages 20000]
"""

from __future__ import annotations

import argparse
import time

from simulator.engine.spam import SpamHistory


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20000)
    args = parser.parse_args()
    bodies = [f"bench {i}" for i in range(args.messages)]
    best = float("inf")
    for _ in range(5):
        history = SpamHistory()
        start = time.process_time()
        for i, body in enumerate(bodies):
            now = i * 4.0
            history.judge((), "+14155550100", body, now)
            history.forget_before(now - 3600.0)
        best = min(best, (time.process_time() - start) / args.messages)
    print(f"judge + forget_before: {best * 1e6:.2f} us a message (best of 5)")


if __name__ == "__main__":
    main()
