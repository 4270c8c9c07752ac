/*
 * fib.c - the tutorial's Pool.map experiment: recursive Fibonacci over a
 * list of n. Each n is one task; the result is fib(n), verified against an
 * iterative computation.
 */
#include <stddef.h>

#include "fib.h"
#include "workload.h"

struct fib_cfg {
	struct u64_list n;
};

static const struct param_desc fib_params[] = {
	{ .name = "n", .type = PT_LIST, .offset = offsetof(struct fib_cfg, n),
	  .def = "20,22,24,26", .min = 0, .max = 70,
	  .help = "inputs mapped over, one task each" },
	{ .name = NULL }
};

/* The recursive definition, on purpose: CPU-bound, branchy work. */
uint64_t fib_recursive(uint64_t n)
{
	return n < 2 ? n : fib_recursive(n - 1) + fib_recursive(n - 2);
}

/* fib(n) by iteration: the independent reference. */
uint64_t fib_iterative(uint64_t n)
{
	uint64_t a = 0, b = 1;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t t = a + b;

		a = b;
		b = t;
	}
	return a;
}

/* Calls the recursive definition makes for n: 2 fib(n+1) - 1. */
uint64_t fib_calls(uint64_t n)
{
	return 2 * fib_iterative(n + 1) - 1;
}

/* One task per n. */
static size_t fib_ntasks(const void *cfg)
{
	return ((const struct fib_cfg *)cfg)->n.n;
}

/* Compute fib(n[i]) recursively. */
static uint64_t fib_task(const void *cfg, size_t i, const struct wl_progress *pr)
{
	uint64_t n = ((const struct fib_cfg *)cfg)->n.v[i];
	uint64_t r = fib_recursive(n);

	wl_publish(pr, fib_calls(n));
	return r;
}

/* The reference result of task i. */
static uint64_t fib_expect(const void *cfg, size_t i)
{
	return fib_iterative(((const struct fib_cfg *)cfg)->n.v[i]);
}

/* Calls made by task i. */
static uint64_t fib_task_ops(const void *cfg, size_t i)
{
	return fib_calls(((const struct fib_cfg *)cfg)->n.v[i]);
}

const struct workload wl_fib = {
	.name = "fib",
	.summary = "recursive fib(n) mapped over a list (the tutorial's Pool.map)",
	.kind = WL_MAP,
	.params = fib_params,
	.cfg_size = sizeof(struct fib_cfg),
	.unit = "calls/s",
	.ntasks = fib_ntasks,
	.task = fib_task,
	.expect = fib_expect,
	.task_ops = fib_task_ops,
};
