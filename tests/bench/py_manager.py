#!/usr/bin/env python3
"""The tutorial's Manager experiment, timed: writer processes each put their
keys into one Manager().dict() (d[k] = k * 10) and append them to one
Manager().list(); every access is a round trip to the manager's server
process. Keys are split over the writers as in benchtop's shdict workload.

Prints one line: "py_manager writers=W keys=K seconds=S ops_per_s=R" where an
op is one key (its d[k] = v and its l.append(k)), as benchtop counts them.
Usage: py_manager.py [keys] [writers]   (defaults 20000 and 2: ~1 s)
"""
import multiprocessing as mp
import sys
import time


def writer(d, l, lo, hi, start):
    start.wait()
    for k in range(lo, hi):
        d[k] = k * 10
        l.append(k)


def main():
    keys = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    writers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    with mp.Manager() as m:
        d = m.dict()
        l = m.list()
        start = mp.Barrier(writers + 1)
        procs = [mp.Process(target=writer,
                            args=(d, l, keys * w // writers, keys * (w + 1) // writers, start))
                 for w in range(writers)]
        for p in procs:
            p.start()
        start.wait()            # every writer is up: time only the writes
        t0 = time.perf_counter()
        for p in procs:
            p.join()
        secs = time.perf_counter() - t0
        ok = len(d) == keys and len(l) == keys and sum(d.values()) == 10 * keys * (keys - 1) // 2
        if not ok or any(p.exitcode != 0 for p in procs):
            print("py_manager: wrong result", file=sys.stderr)
            return 1
    print(f"py_manager writers={writers} keys={keys} seconds={secs:.6f} "
          f"ops_per_s={keys / secs:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
