#!/usr/bin/env python3
"""The tutorial's Queue experiment, timed: a producer puts items on a
multiprocessing Queue and then a None sentinel; a consumer gets items until
it sees the sentinel.

Prints one line: "py_queue items=N seconds=S items_per_s=R".
Usage: py_queue.py [items]   (default 200000: ~1 s)
"""
import multiprocessing as mp
import sys
import time


def producer(q, n, start):
    start.wait()
    for i in range(n):
        q.put(i)
    q.put(None)


def consumer(q, n, start, out):
    start.wait()
    count = total = 0
    while True:
        item = q.get()
        if item is None:
            break
        count += 1
        total += item
    out.put((count, total))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    q = mp.Queue()
    out = mp.Queue()
    start = mp.Barrier(3)
    procs = [mp.Process(target=producer, args=(q, n, start)),
             mp.Process(target=consumer, args=(q, n, start, out))]
    for p in procs:
        p.start()
    start.wait()                # both are up: time only the transfer
    t0 = time.perf_counter()
    count, total = out.get()
    secs = time.perf_counter() - t0
    for p in procs:
        p.join()
    if count != n or total != n * (n - 1) // 2:
        print("py_queue: wrong result", file=sys.stderr)
        return 1
    print(f"py_queue items={n} seconds={secs:.6f} items_per_s={n / secs:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
