/*
 * test_workloads.c - unit tests for the fib and heavy kernels and their
 * workload descriptors: results against independent references, closed
 * forms including wrap-around modulo 2^64, progress publishing, and a
 * sanity bound that the heavy loop really runs (time grows with iters).
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "params.h"
#include "shm.h"
#include "workload.h"
#include "workloads/fib.h"
#include "workloads/heavy.h"

/* Calls of the recursive definition, counted by recursion (n small). */
static uint64_t twl_count_calls(uint64_t n)
{
	return n < 2 ? 1 : 1 + twl_count_calls(n - 1) + twl_count_calls(n - 2);
}

/* sum of i * x for i < iters, modulo 2^64, from the exact 128-bit product. */
static uint64_t twl_heavy_ref(uint64_t iters, uint64_t x)
{
	unsigned __int128 tri = (unsigned __int128)iters * (iters - (iters > 0)) / 2;

	if (iters == 0)
		return 0;
	return (uint64_t)tri * x;
}

/* A workload's default configuration, caller-freed. */
static void *twl_defaults(const struct workload *wl)
{
	void *cfg = calloc(1, wl->cfg_size);

	cr_assert_not_null(cfg);
	params_defaults(wl->params, cfg);
	return cfg;
}

/* Set one parameter or fail. */
static void twl_set(const struct workload *wl, void *cfg, const char *name, const char *value)
{
	char err[256];

	cr_assert_eq(params_set(wl->params, cfg, "test", name, value, err, sizeof err), 0, "%s", err);
}

/* CLOCK_MONOTONIC seconds. */
static double twl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(fib, known_values)
{
	static const uint64_t first[] = { 0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89 };

	for (uint64_t n = 0; n < sizeof first / sizeof first[0]; n++) {
		cr_assert_eq(fib_iterative(n), first[n], "fib_iterative(%llu)", (unsigned long long)n);
		cr_assert_eq(fib_recursive(n), first[n], "fib_recursive(%llu)", (unsigned long long)n);
	}
	cr_assert_eq(fib_iterative(20), 6765);
	cr_assert_eq(fib_iterative(26), 121393);
	cr_assert_eq(fib_iterative(50), 12586269025ull);
	cr_assert_eq(fib_iterative(93), 12200160415121876738ull);   /* the last that fits */
	/* past 93 it wraps modulo 2^64 but keeps the recurrence */
	for (uint64_t n = 90; n < 100; n++)
		cr_assert_eq(fib_iterative(n + 2), fib_iterative(n + 1) + fib_iterative(n));
}

Test(fib, recursive_equals_iterative)
{
	for (uint64_t n = 0; n <= 30; n++)
		cr_assert_eq(fib_recursive(n), fib_iterative(n), "n = %llu", (unsigned long long)n);
}

Test(fib, calls)
{
	for (uint64_t n = 0; n <= 25; n++)
		cr_assert_eq(fib_calls(n), twl_count_calls(n), "n = %llu", (unsigned long long)n);
	cr_assert_eq(fib_calls(30), 2692537);
	/* the tutorial's list: calls add up as the throughput numerator */
	cr_assert_eq(fib_calls(20) + fib_calls(22) + fib_calls(24) + fib_calls(26), 622088);
}

Test(fib, workload_tasks)
{
	void *cfg = twl_defaults(&wl_fib);
	struct wl_progress pr;
	uint64_t sum = 0;

	memset(&pr, 0, sizeof pr);   /* slot NULL: publishing off */
	cr_assert_eq(wl_fib.kind, WL_MAP);
	cr_assert_eq(wl_fib.ntasks(cfg), 4);
	for (size_t i = 0; i < 4; i++) {
		uint64_t r = wl_fib.task(cfg, i, &pr);

		cr_assert_eq(r, wl_fib.expect(cfg, i), "task %zu", i);
		sum += r;
	}
	cr_assert_eq(sum, 192237);
	cr_assert_eq(wl_fib.task_ops(cfg, 3), fib_calls(26));
	twl_set(&wl_fib, cfg, "n", "0,1,30");
	cr_assert_eq(wl_fib.ntasks(cfg), 3);
	cr_assert_eq(wl_fib.task(cfg, 2, &pr), 832040);
	cr_assert_eq(wl_fib.expect(cfg, 2), 832040);
	cr_assert_eq(wl_fib.expect(cfg, 0), 0);
	free(cfg);
}

Test(heavy, kernel_equals_formula)
{
	static const uint64_t iters[] = { 1, 2, 3, 4, 5, 10, 11, 999, 1000, 65536, 65537, 1000000 };
	static const uint64_t xs[] = { 0, 1, 2, 3, 7, 1000003 };

	for (size_t i = 0; i < sizeof iters / sizeof iters[0]; i++) {
		for (size_t k = 0; k < sizeof xs / sizeof xs[0]; k++) {
			uint64_t n = iters[i], x = xs[k];
			uint64_t loop = heavy_kernel(0, n, x, 0);

			cr_assert_eq(loop, heavy_formula(n, x), "iters %llu x %llu",
				     (unsigned long long)n, (unsigned long long)x);
			cr_assert_eq(loop, twl_heavy_ref(n, x), "iters %llu x %llu",
				     (unsigned long long)n, (unsigned long long)x);
		}
	}
	cr_assert_eq(heavy_formula(1000000, 1), 499999500000ull);
	cr_assert_eq(heavy_formula(1, 12345), 0);
}

Test(heavy, kernel_composes)
{
	/* s carries over: two halves equal the whole, from any start */
	uint64_t x = 5, whole = heavy_kernel(0, 300000, x, 0);
	uint64_t half = heavy_kernel(0, 123457, x, 0);

	cr_assert_eq(heavy_kernel(123457, 300000, x, half), whole);
	cr_assert_eq(heavy_kernel(10, 10, x, 77), 77, "an empty range returns s");
	cr_assert_eq(heavy_kernel(10, 9, x, 77), 77, "a reversed range returns s");
	cr_assert_eq(heavy_kernel(7, 8, x, 1), 1 + 7 * x);
}

Test(heavy, wrap_around)
{
	/* iters = 2^33 + 1, x = 3: (2^33 + 1) * 2^32 * 3 = 3 * 2^65 + 3 * 2^32,
	 * which is 3 * 2^32 modulo 2^64 */
	uint64_t big = (1ull << 33) + 1;

	cr_assert_eq(heavy_formula(big, 3), 3ull << 32);
	cr_assert_eq(heavy_formula(big, 3), twl_heavy_ref(big, 3));
	/* the real loop over the last 1000 iterations, started from the closed
	 * form of the rest, lands on the closed form of the whole */
	uint64_t from = big - 1000;

	cr_assert_eq(heavy_kernel(from, big, 3, heavy_formula(from, 3)), heavy_formula(big, 3));
	/* even and odd iters, x near 2^64 */
	static const uint64_t its[] = { (1ull << 40), (1ull << 40) + 1, 1000000000000ull,
					1000000000001ull, UINT64_MAX / 3 };
	static const uint64_t xs[] = { 1, 3, UINT64_MAX, (1ull << 63) + 5 };

	for (size_t i = 0; i < sizeof its / sizeof its[0]; i++) {
		for (size_t k = 0; k < sizeof xs / sizeof xs[0]; k++) {
			uint64_t f = its[i] - 777;

			cr_assert_eq(heavy_formula(its[i], xs[k]), twl_heavy_ref(its[i], xs[k]),
				     "iters %llu x %llu", (unsigned long long)its[i],
				     (unsigned long long)xs[k]);
			cr_assert_eq(heavy_kernel(f, its[i], xs[k], heavy_formula(f, xs[k])),
				     heavy_formula(its[i], xs[k]));
		}
	}
}

Test(heavy, workload_tasks_and_progress)
{
	void *cfg = twl_defaults(&wl_heavy);
	struct shm_region r;
	struct slot_view v;
	char err[256];
	uint64_t sum = 0;

	cr_assert_eq(wl_heavy.ntasks(cfg), 4);
	for (size_t i = 0; i < 4; i++)
		sum += wl_heavy.expect(cfg, i);
	cr_assert_eq(sum, 2999997000000ull);

	/* a task crossing several publishing blocks publishes its progress */
	cr_assert_eq(shm_create_anon(&r, 1, err, sizeof err), 0, "%s", err);
	twl_set(&wl_heavy, cfg, "iters", "200005");
	twl_set(&wl_heavy, cfg, "data", "9,3");
	struct wl_progress pr = { .slot = &r.slots[0], .task = 1, .tasks_done = 5, .ops_base = 1000 };

	cr_assert_eq(wl_heavy.task(cfg, 1, &pr), heavy_formula(200005, 3));
	cr_assert_eq(wl_heavy.expect(cfg, 0), heavy_formula(200005, 9));
	cr_assert_eq(wl_heavy.task_ops(cfg, 0), 200005);
	shm_slot_read(&r, 0, &v);
	cr_assert_eq(v.task, 1);
	cr_assert_eq(v.tasks_done, 5);
	cr_assert_eq(v.ops_done, 1000 + 200005, "ops_done %llu", (unsigned long long)v.ops_done);
	cr_assert_gt(v.update_ns, 0);
	shm_close(&r);
	free(cfg);
}

/* Fastest of three timings of heavy_kernel over iters. */
static double twl_time_heavy(uint64_t iters, uint64_t *sink)
{
	double best = 1e9;

	for (int k = 0; k < 5; k++) {
		double t0 = twl_now();

		*sink += heavy_kernel(0, iters, 3 + (uint64_t)k, 0);
		double t = twl_now() - t0;

		if (t < best)
			best = t;
	}
	return best;
}

Test(heavy, loop_really_runs)
{
	uint64_t sink = 0;
	double t10 = twl_time_heavy(10000000, &sink);
	double t80 = twl_time_heavy(80000000, &sink);

	/* 8x the work, best of 5 each (a parallel test may steal the CPU): a
	 * generous bound that fails only when the loop was folded into a
	 * formula or vectorised away, which makes the times about equal */
	cr_assert_gt(t80, 3 * t10, "80M iterations took %.6f s, 10M took %.6f s", t80, t10);
	cr_assert_neq(sink, 0);
}
