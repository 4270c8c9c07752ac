/*
 * nop.c - trivial tasks, to measure the machinery itself: process start,
 * task dispatch and result collection (stress-ng's nop, for a pool). Each
 * task returns a hash of its index, verified against the same hash.
 */
#include <stddef.h>

#include "workload.h"

struct nop_cfg {
	uint64_t tasks;
};

static const struct param_desc nop_params[] = {
	{ .name = "tasks", .type = PT_U64, .offset = offsetof(struct nop_cfg, tasks),
	  .def = "1000", .min = 0, .max = 100000000,
	  .help = "number of trivial tasks" },
	{ .name = NULL }
};

/* splitmix64's finaliser: cheap, and not something the compiler can skip. */
static uint64_t nop_hash(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* As many tasks as asked for. */
static size_t nop_ntasks(const void *cfg)
{
	return (size_t)((const struct nop_cfg *)cfg)->tasks;
}

/* The task: hash the index. */
static uint64_t nop_task(const void *cfg, size_t i, const struct wl_progress *pr)
{
	(void)cfg;
	(void)pr;
	return nop_hash(i);
}

/* The expected result, computed by the parent. */
static uint64_t nop_expect(const void *cfg, size_t i)
{
	(void)cfg;
	return nop_hash(i);
}

/* One operation per task. */
static uint64_t nop_task_ops(const void *cfg, size_t i)
{
	(void)cfg;
	(void)i;
	return 1;
}

const struct workload wl_nop = {
	.name = "nop",
	.summary = "trivial tasks: the cost of process start and task dispatch",
	.kind = WL_MAP,
	.params = nop_params,
	.cfg_size = sizeof(struct nop_cfg),
	.unit = "tasks/s",
	.ntasks = nop_ntasks,
	.task = nop_task,
	.expect = nop_expect,
	.task_ops = nop_task_ops,
};
