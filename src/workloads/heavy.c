/*
 * heavy.c - the tutorial's timed experiment: heavy(x) = sum of i * x for i in
 * range(iters), over x in data. Each x is one task. The loop must really run:
 * an empty asm statement makes s opaque to the optimiser each iteration, so
 * the compiler can neither vectorise it nor replace it by the closed formula,
 * and its time grows linearly with iters. The result is verified against
 * that formula.
 */
#include <stddef.h>

#include "heavy.h"
#include "workload.h"

/* Iterations between progress publications (~20 us of work). */
#define HEAVY_BLOCK 65536u

struct heavy_cfg {
	uint64_t iters;
	struct u64_list data;
};

static const struct param_desc heavy_params[] = {
	{ .name = "iters", .type = PT_U64, .offset = offsetof(struct heavy_cfg, iters),
	  .def = "1000000", .min = 1, .max = 1000000000000ull,
	  .help = "loop iterations per task" },
	{ .name = "data", .type = PT_RANGE, .offset = offsetof(struct heavy_cfg, data),
	  .def = "4", .min = 0, .max = 1000000,
	  .help = "x values: N means 0..N-1, or a list a,b,c" },
	{ .name = NULL }
};

/* The loop itself. */
uint64_t heavy_kernel(uint64_t from, uint64_t to, uint64_t x, uint64_t s)
{
	for (uint64_t i = from; i < to; i++) {
		s += i * x;
		__asm__ volatile("" : "+r"(s));
	}
	return s;
}

/* Closed form, halving the even factor first so nothing overflows early. */
uint64_t heavy_formula(uint64_t iters, uint64_t x)
{
	uint64_t a = iters, b = iters - 1;

	if (a % 2 == 0)
		a /= 2;
	else
		b /= 2;
	return a * b * x;
}

/* One task per x. */
static size_t heavy_ntasks(const void *cfg)
{
	return ((const struct heavy_cfg *)cfg)->data.n;
}

/* Run heavy(x) in blocks, publishing progress between blocks. */
static uint64_t heavy_task(const void *cfg, size_t i, const struct wl_progress *pr)
{
	const struct heavy_cfg *c = cfg;
	uint64_t x = c->data.v[i], s = 0;

	for (uint64_t from = 0; from < c->iters; from += HEAVY_BLOCK) {
		uint64_t to = c->iters - from > HEAVY_BLOCK ? from + HEAVY_BLOCK : c->iters;

		s = heavy_kernel(from, to, x, s);
		wl_publish(pr, to);
	}
	return s;
}

/* The closed-form result of task i. */
static uint64_t heavy_expect(const void *cfg, size_t i)
{
	const struct heavy_cfg *c = cfg;

	return heavy_formula(c->iters, c->data.v[i]);
}

/* Iterations in task i. */
static uint64_t heavy_task_ops(const void *cfg, size_t i)
{
	(void)i;
	return ((const struct heavy_cfg *)cfg)->iters;
}

const struct workload wl_heavy = {
	.name = "heavy",
	.summary = "heavy(x) = sum of i*x over range(iters), x in data (single vs pool)",
	.kind = WL_MAP,
	.params = heavy_params,
	.cfg_size = sizeof(struct heavy_cfg),
	.unit = "iters/s",
	.ntasks = heavy_ntasks,
	.task = heavy_task,
	.expect = heavy_expect,
	.task_ops = heavy_task_ops,
};
