/*
 * fib.h - the fib workload's kernels, exported for `benchtop bench`.
 */
#ifndef BENCHTOP_FIB_H
#define BENCHTOP_FIB_H

#include <stdint.h>

/* fib(n) by the recursive definition (exponential time, on purpose). */
uint64_t fib_recursive(uint64_t n);
/* fib(n) by iteration (the reference); wraps modulo 2^64 past n = 93. */
uint64_t fib_iterative(uint64_t n);
/* Number of calls fib_recursive(n) makes. */
uint64_t fib_calls(uint64_t n);

#endif
