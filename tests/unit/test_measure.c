/*
 * test_measure.c - statistics against known values (numpy / Python's
 * statistics module).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "measure.h"

#define EPS 1e-12

Test(measure, summary_of_four)
{
	const double x[] = { 4, 1, 3, 2 };
	struct summary s;

	measure_summary(x, 4, &s);
	cr_assert_eq(s.n, 4);
	cr_assert_float_eq(s.mean, 2.5, EPS);
	/* statistics.stdev([1, 2, 3, 4]) */
	cr_assert_float_eq(s.stddev, 1.2909944487358056, EPS);
	cr_assert_float_eq(s.median, 2.5, EPS);
	cr_assert_float_eq(s.min, 1.0, EPS);
	cr_assert_float_eq(s.max, 4.0, EPS);
}

Test(measure, summary_odd_count)
{
	const double x[] = { 0.25, 9.5, -3, 7, 1 };
	struct summary s;

	measure_summary(x, 5, &s);
	cr_assert_float_eq(s.mean, 2.95, EPS);
	cr_assert_float_eq(s.median, 1.0, EPS);
	cr_assert_float_eq(s.min, -3.0, EPS);
	cr_assert_float_eq(s.max, 9.5, EPS);
	/* statistics.stdev([0.25, 9.5, -3, 7, 1]) */
	cr_assert_float_eq(s.stddev, 5.142956348249516, 1e-12);
}

Test(measure, summary_of_one_has_no_stddev)
{
	const double x[] = { 5 };
	struct summary s;

	measure_summary(x, 1, &s);
	cr_assert_eq(s.n, 1);
	cr_assert(isnan(s.stddev));
	cr_assert_float_eq(s.mean, 5.0, EPS);
	cr_assert_float_eq(s.median, 5.0, EPS);
	cr_assert_float_eq(s.min, 5.0, EPS);
	cr_assert_float_eq(s.max, 5.0, EPS);
}

Test(measure, summary_of_none_is_nan)
{
	struct summary s;

	memset(&s, 0, sizeof s);
	measure_summary(NULL, 0, &s);
	cr_assert_eq(s.n, 0);
	cr_assert(isnan(s.mean) && isnan(s.stddev) && isnan(s.median));
	cr_assert(isnan(s.min) && isnan(s.max));
}

Test(measure, equal_samples_have_zero_stddev)
{
	const double x[] = { 0.1, 0.1, 0.1 };
	struct summary s;

	measure_summary(x, 3, &s);
	cr_assert_float_eq(s.stddev, 0.0, 1e-15);
}

Test(measure, input_is_not_modified)
{
	const double orig[] = { 3, 1, 2, 9, -4, 0.5 };
	double x[6];
	struct summary s;

	memcpy(x, orig, sizeof x);
	measure_summary(x, 6, &s);
	cr_assert_arr_eq(x, orig, sizeof x);
	(void)measure_percentile(x, 6, 90);
	cr_assert_arr_eq(x, orig, sizeof x);
	cr_assert_float_eq(s.median, 1.5, EPS);
}

Test(measure, percentiles_of_1_to_100)
{
	double x[100];

	/* descending, to make sure the function sorts */
	for (int i = 0; i < 100; i++)
		x[i] = 100 - i;
	/* numpy.percentile(range(1, 101), [50, 99, 0, 100, 25, 90]) */
	cr_assert_float_eq(measure_percentile(x, 100, 50), 50.5, EPS);
	cr_assert_float_eq(measure_percentile(x, 100, 99), 99.01, EPS);
	cr_assert_float_eq(measure_percentile(x, 100, 0), 1.0, EPS);
	cr_assert_float_eq(measure_percentile(x, 100, 100), 100.0, EPS);
	cr_assert_float_eq(measure_percentile(x, 100, 25), 25.75, EPS);
	cr_assert_float_eq(measure_percentile(x, 100, 90), 90.1, EPS);
	cr_assert_eq(x[0], 100.0);
	cr_assert_eq(x[99], 1.0);
}

Test(measure, percentile_edge_cases)
{
	const double one[] = { 7 };
	const double two[] = { 10, 20 };

	cr_assert(isnan(measure_percentile(NULL, 0, 50)));
	cr_assert_float_eq(measure_percentile(one, 1, 0), 7.0, EPS);
	cr_assert_float_eq(measure_percentile(one, 1, 99), 7.0, EPS);
	cr_assert_float_eq(measure_percentile(two, 2, 30), 13.0, EPS);
	cr_assert_float_eq(measure_percentile(two, 2, 75), 17.5, EPS);
	/* out-of-range p is clamped */
	cr_assert_float_eq(measure_percentile(two, 2, -5), 10.0, EPS);
	cr_assert_float_eq(measure_percentile(two, 2, 250), 20.0, EPS);
	cr_assert(isnan(measure_percentile(two, 2, NAN)));
}

Test(measure, mean)
{
	const double x[] = { 1e-3, 2e-3, 6e-3 };

	cr_assert_float_eq(measure_mean(x, 3), 3e-3, 1e-15);
	cr_assert(isnan(measure_mean(NULL, 0)));
}

Test(measure, speedup_and_efficiency)
{
	cr_assert_float_eq(measure_speedup(2.0, 0.5), 4.0, EPS);
	cr_assert_float_eq(measure_speedup(1.0, 2.0), 0.5, EPS);
	cr_assert(isnan(measure_speedup(0, 1)));
	cr_assert(isnan(measure_speedup(1, 0)));
	cr_assert(isnan(measure_speedup(-1, 1)));
	cr_assert(isnan(measure_speedup(NAN, 1)));
	cr_assert(isnan(measure_speedup(1, INFINITY)));
	cr_assert(isnan(measure_speedup(INFINITY, 1)));

	cr_assert_float_eq(measure_efficiency(1.8, 2), 0.9, EPS);
	cr_assert_float_eq(measure_efficiency(3.0, 4), 0.75, EPS);
	cr_assert(isnan(measure_efficiency(NAN, 2)));
	cr_assert(isnan(measure_efficiency(2.0, 0)));
}
