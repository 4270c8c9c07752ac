/*
 * measure.h - pure statistics on samples (no I/O, no state).
 */
#ifndef BENCHTOP_MEASURE_H
#define BENCHTOP_MEASURE_H

#include <stddef.h>

/* Summary of n samples. stddev is the sample standard deviation (n - 1);
 * it is NAN when n < 2. Every field is NAN when n == 0. */
struct summary {
	size_t n;
	double mean, stddev, median, min, max;
};

/* Summarise x[0..n); x is not modified. */
void measure_summary(const double *x, size_t n, struct summary *out);

/* The p-th percentile (0..100) of x[0..n) with linear interpolation between
 * closest ranks (numpy's default); NAN when n == 0. x is not modified. */
double measure_percentile(const double *x, size_t n, double p);

/* Mean of x[0..n); NAN when n == 0. */
double measure_mean(const double *x, size_t n);

/* Speedup of t against a baseline time: base / t; NAN when either is not a
 * positive finite number. */
double measure_speedup(double base, double t);

/* Parallel efficiency: speedup / workers; NAN when speedup is NAN or
 * workers is 0. */
double measure_efficiency(double speedup, unsigned workers);

#endif
