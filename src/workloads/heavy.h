/*
 * heavy.h - the heavy workload's kernel, exported for `benchtop bench`.
 */
#ifndef BENCHTOP_HEAVY_H
#define BENCHTOP_HEAVY_H

#include <stdint.h>

/* s + sum of i * x for i in [from, to), modulo 2^64, by really looping. */
uint64_t heavy_kernel(uint64_t from, uint64_t to, uint64_t x, uint64_t s);
/* x * iters * (iters - 1) / 2 modulo 2^64: heavy(x) in closed form. */
uint64_t heavy_formula(uint64_t iters, uint64_t x);

#endif
