/*
 * bench.h - `benchtop bench` (make bench): benchtop's own speed, measured
 * side by side in one run: kernels inside benchtop against bare loops,
 * pool speedup against bare processes, the cost of stats publishing, of
 * process start and of pool dispatch.
 */
#ifndef BENCHTOP_BENCH_H
#define BENCHTOP_BENCH_H

/* Run the micro-benchmarks and print figures; returns the exit code. */
int bench_main(int argc, char **argv);

#endif
