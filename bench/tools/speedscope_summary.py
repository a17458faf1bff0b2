#!/usr/bin/env python3
"""Summarise a speedscope file written by `dotnet-trace collect --format Speedscope`.

Counts only on-CPU managed time (the stacks dotnet-trace ends in a CPU_TIME pseudo-frame), over all threads, and
prints the top functions by self time and the engine functions by inclusive time.
Usage: speedscope_summary.py FILE.speedscope.json [TOP]
"""
import collections
import json
import sys


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    frames = doc["shared"]["frames"]

    def name(i):
        return frames[i]["name"]

    own, inclusive, threads = collections.Counter(), collections.Counter(), collections.Counter()
    total = 0.0
    for profile in doc["profiles"]:
        stack, last = [], None
        for event in profile["events"]:
            at = event["at"]
            if stack and last is not None and at > last and name(stack[-1]) == "CPU_TIME":
                dt = at - last
                total += dt
                threads[profile["name"]] += dt
                own[stack[-2] if len(stack) > 1 else stack[-1]] += dt
                for frame in set(stack):
                    inclusive[frame] += dt
            if event["type"] == "O":
                stack.append(event["frame"])
            elif stack:
                stack.pop()
            last = at
    print(f"on-CPU managed time: {total:.0f} ms")
    for thread, ms in threads.most_common(8):
        print(f"  thread {thread}: {ms:.0f} ms")
    print("self time:")
    for frame, ms in own.most_common(top):
        print(f"  {100 * ms / total:6.2f}%  {name(frame)[:170]}")
    print("inclusive time (engine, thread pool):")
    for frame, ms in inclusive.most_common(120):
        n = name(frame)
        if any(k in n for k in ("RnnGpu!", "Parallel!", "SpinWait", "Semaphore")):
            print(f"  {100 * ms / total:6.2f}%  {n[:170]}")


if __name__ == "__main__":
    main()
