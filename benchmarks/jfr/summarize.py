#!/usr/bin/env python3
# Copyright 2026 the pg-arrow-cdc authors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
"""Summarizes the CPU samples (jdk.ExecutionSample) of a JFR recording, per thread group.

    python3 benchmarks/jfr/summarize.py RECORDING.jfr [--top 25] [--match dev.pgarrowcdc]

For each group of threads (the thread name without its trailing numbers) it prints the share of
all samples, then the methods with the most samples on top of the stack (self) and the methods
with the most samples anywhere in the stack (total, each counted once per sample). --match keeps
in the total list only frames whose method contains that text (besides the top ones).
"""
import collections
import re
import subprocess
import sys


def samples(path):
    out = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "96",
                          path], check=True, capture_output=True, text=True).stdout
    thread, frames, in_stack = None, [], False
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("sampledThread = "):
            thread = re.sub(r'^sampledThread = "(.*)" \(.*$', r"\1", line)
        elif line == "stackTrace = [":
            frames, in_stack = [], True
        elif in_stack and line == "]":
            in_stack = False
            yield thread, frames
        elif in_stack and line != "...":
            frames.append(re.sub(r"\s+line:.*$", "", line))


def group(thread):
    return re.sub(r"[\s#-]*\(?\d+(/\d+)?\)?(\s*\(.*\))?$", "", thread or "?")


def main():
    args = sys.argv[1:]
    top = int(args[args.index("--top") + 1]) if "--top" in args else 25
    match = args[args.index("--match") + 1] if "--match" in args else None
    by_group = collections.defaultdict(list)
    for thread, frames in samples(args[0]):
        by_group[group(thread)].append(frames)
    total = sum(len(v) for v in by_group.values())
    print(f"{total} samples")
    for g, stacks in sorted(by_group.items(), key=lambda kv: -len(kv[1])):
        if len(stacks) < total * 0.02:
            continue
        print(f"\n== {g}: {len(stacks)} samples, {100 * len(stacks) / total:.1f}% of all")
        self_count = collections.Counter(s[0] for s in stacks if s)
        incl = collections.Counter()
        for s in stacks:
            incl.update(set(s))
        print("  self:")
        for m, n in self_count.most_common(top):
            print(f"    {100 * n / len(stacks):5.1f}%  {m}")
        print("  total:")
        shown = 0
        for m, n in incl.most_common():
            if match and match not in m:
                continue
            print(f"    {100 * n / len(stacks):5.1f}%  {m}")
            shown += 1
            if shown >= top:
                break


if __name__ == "__main__":
    main()
