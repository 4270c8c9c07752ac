/*
 * measure.c - pure statistics on samples: summaries, percentiles, speedup.
 *
 * Every function works on a sorted copy when it needs order, so callers'
 * arrays are never modified.
 */
#include "measure.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* qsort() order for doubles: ascending, NaN last (a total order). */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	if (isnan(x) || isnan(y))
		return isnan(x) - isnan(y);
	return (x > y) - (x < y);
}

/* A caller-freed sorted copy of x[0..n). */
static double *sorted_copy(const double *x, size_t n)
{
	double *s = xmalloc(n * sizeof *s);

	memcpy(s, x, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	return s;
}

/*
 * Percentile of sorted s[0..n), n > 0. The interpolation is numpy's
 * (_lerp): from the lower neighbour below the midpoint and from the upper
 * one above it, so results match numpy.percentile bit for bit in most cases.
 */
static double percentile_sorted(const double *s, size_t n, double p)
{
	double rank, t, a, b;
	size_t lo;

	if (isnan(p))
		return NAN;
	if (p < 0)
		p = 0;
	if (p > 100)
		p = 100;
	rank = p / 100.0 * (double)(n - 1);
	lo = (size_t)floor(rank);
	if (lo >= n - 1)
		return s[n - 1];
	t = rank - (double)lo;
	a = s[lo];
	b = s[lo + 1];
	if (t >= 0.5)
		return b - (b - a) * (1.0 - t);
	return a + (b - a) * t;
}

/* Summarise x[0..n) into *out. */
void measure_summary(const double *x, size_t n, struct summary *out)
{
	double *s, sq = 0;

	out->n = n;
	if (n == 0) {
		out->mean = out->stddev = out->median = out->min = out->max = NAN;
		return;
	}
	s = sorted_copy(x, n);
	out->mean = measure_mean(x, n);
	for (size_t i = 0; i < n; i++)
		sq += (x[i] - out->mean) * (x[i] - out->mean);
	out->stddev = n < 2 ? NAN : sqrt(sq / (double)(n - 1));
	out->median = percentile_sorted(s, n, 50);
	out->min = s[0];
	out->max = s[n - 1];
	free(s);
}

/* The p-th percentile of x[0..n), numpy's linear interpolation. */
double measure_percentile(const double *x, size_t n, double p)
{
	double *s, v;

	if (n == 0)
		return NAN;
	s = sorted_copy(x, n);
	v = percentile_sorted(s, n, p);
	free(s);
	return v;
}

/* Arithmetic mean of x[0..n). */
double measure_mean(const double *x, size_t n)
{
	double sum = 0;

	if (n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	return sum / (double)n;
}

/* base / t when both are positive finite numbers. */
double measure_speedup(double base, double t)
{
	if (!isfinite(base) || !isfinite(t) || base <= 0 || t <= 0)
		return NAN;
	return base / t;
}

/* speedup / workers. */
double measure_efficiency(double speedup, unsigned workers)
{
	if (!isfinite(speedup) || workers == 0)
		return NAN;
	return speedup / (double)workers;
}
