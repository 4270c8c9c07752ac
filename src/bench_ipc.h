/*
 * bench_ipc.h - the IPC part of `benchtop bench`: items/s through each
 * prodcons queue and ops/s of each shdict backend, each measured side by
 * side in one run with a bare loop of the same mechanism in the same binary,
 * and with the tutorial's Python Queue and Manager when python3 is on PATH.
 */
#ifndef BENCHTOP_BENCH_IPC_H
#define BENCHTOP_BENCH_IPC_H

#include <stdio.h>

/* Run the IPC micro-benchmarks (about half a minute) and print figures and
 * ratios to out. Dies (fatalx) when a run does not verify. */
void bench_ipc(FILE *out);

#endif
