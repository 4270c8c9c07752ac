/*
 * workload.h - the workload interface and the registry of workloads.
 *
 * Owns: what a workload is. Each workload lives in workloads/NAME.c and
 * exports one `const struct workload wl_NAME` filled with designated
 * initialisers; WORKLOADS() below lists them once.
 *
 * Two kinds:
 * - WL_MAP workloads (fib, heavy) are a list of independent tasks; the
 *   engine maps them in single, process or pool mode and verifies every
 *   task's result against an independent reference.
 * - WL_GROUP workloads (prodcons, shdict) are a set of cooperating processes
 *   sharing a region the engine maps before fork; the workload runs each
 *   process and verifies the whole.
 *
 * Every function here runs in the parent unless it says "in the worker".
 * Workers never touch stdio or curses and report failure by exit code.
 */
#ifndef BENCHTOP_WORKLOAD_H
#define BENCHTOP_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "params.h"
#include "shm.h"

enum wl_kind { WL_MAP, WL_GROUP };

/* Modes of running a workload (DESIGN.md "Modes"). */
enum bt_mode { MODE_SINGLE = 0, MODE_PROCESS, MODE_POOL, MODE_COUNT };

/* What a worker process of a WL_GROUP workload is given. */
struct wl_env {
	const void *cfg;        /* parsed parameters (the worker's inherited copy) */
	void *shared;           /* the workload's MAP_SHARED area, mapped before fork */
	struct shm_slot *slot;  /* this process's stats slot; NULL = publishing off */
	unsigned index;         /* process index, 0..nprocs-1 */
	unsigned nprocs;        /* processes in the run */
	unsigned workers;       /* the configuration's worker count */
	enum bt_mode mode;
	uint64_t *done;         /* where wl_group_finish() leaves this process's items or
				   ops for the per-worker figures; may be NULL */
};

/* The last word of a group process: publish its final count (items or ops
 * it did) and leave it for the engine's per-worker figures. */
static inline void wl_group_finish(const struct wl_env *env, uint64_t ops)
{
	if (env->done != NULL)
		*env->done = ops;
	shm_slot_progress(env->slot, 0, 1, ops);
}

/* Where a map task publishes its progress (engine-owned). */
struct wl_progress {
	struct shm_slot *slot;  /* NULL: stats publishing off */
	uint64_t task;          /* task index */
	uint64_t tasks_done;    /* tasks this worker finished before this one */
	uint64_t ops_base;      /* ops this worker did before this task */
};

/* Publish progress of the current task: ops done within it so far. */
static inline void wl_publish(const struct wl_progress *pr, uint64_t ops_in_task)
{
	if (pr->slot != NULL)
		shm_slot_progress(pr->slot, pr->task, pr->tasks_done, pr->ops_base + ops_in_task);
}

/* Extra named figures a workload reports, e.g. latency percentiles. */
#define WL_MAX_METRICS 6
struct wl_metric {
	const char *name;       /* JSON key, e.g. "latency_p50" (static string) */
	double value;           /* NAN when not measured */
	const char *unit;       /* "s", "items" (static string) */
};

/* The outcome of one run of a WL_GROUP workload. */
struct wl_outcome {
	uint64_t checksum;      /* what the run produced */
	uint64_t expected;      /* what it should have produced */
	uint64_t ops;           /* operations done (throughput numerator) */
	bool verified;
	char msg[200];          /* why verification failed */
	unsigned nmetrics;
	struct wl_metric metrics[WL_MAX_METRICS];
};

/* Add a metric to an outcome (dropped beyond WL_MAX_METRICS). */
static inline void wl_add_metric(struct wl_outcome *out, const char *name, double v,
				 const char *unit)
{
	if (out->nmetrics < WL_MAX_METRICS)
		out->metrics[out->nmetrics++] = (struct wl_metric){ name, v, unit };
}

struct workload {
	const char *name;
	const char *summary;
	enum wl_kind kind;
	const struct param_desc *params;  /* terminated by an entry with name NULL */
	size_t cfg_size;                  /* size of the configuration struct */
	const char *unit;                 /* throughput unit: "tasks/s", "items/s" ... */
	/* Cross-parameter checks after parsing; 0, or -1 with a message. Optional. */
	int (*check)(const void *cfg, char *err, size_t errlen);

	/* WL_MAP: number of tasks. */
	size_t (*ntasks)(const void *cfg);
	/* WL_MAP, in the worker: compute task i, publishing progress in
	 * batches with wl_publish(pr, ops done within this task). */
	uint64_t (*task)(const void *cfg, size_t i, const struct wl_progress *pr);
	/* WL_MAP: the result task i must have, by an independent method. */
	uint64_t (*expect)(const void *cfg, size_t i);
	/* WL_MAP: operations in task i (iterations, calls) for progress totals. */
	uint64_t (*task_ops)(const void *cfg, size_t i);

	/* WL_GROUP: processes to fork for `workers` in `mode`. */
	unsigned (*nprocs)(const void *cfg, unsigned workers, enum bt_mode mode);
	/* WL_GROUP: bytes of shared area to map for the run. */
	size_t (*shared_size)(const void *cfg, unsigned workers, enum bt_mode mode);
	/* WL_GROUP: initialise the shared area before each run; 0 or -1 + message. */
	int (*prepare)(const void *cfg, void *shared, unsigned workers, enum bt_mode mode,
		       char *err, size_t errlen);
	/* WL_GROUP, in the worker, before the start barrier: per-process set-up
	 * that is not the work (e.g. populating the page tables of the shared
	 * area, which a child of fork lacks). Outside the timing in single and
	 * pool mode, where it counts as start-up; inside it in process mode,
	 * which has no barrier. Optional. */
	void (*attach)(const struct wl_env *env);
	/* WL_GROUP, in the worker: run process env->index; returns its exit code. */
	int (*run)(const struct wl_env *env);
	/* WL_GROUP: check the run's result after every process was reaped. */
	void (*verify)(const void *cfg, void *shared, unsigned workers, enum bt_mode mode,
		       struct wl_outcome *out);
	/* WL_GROUP: release what prepare made outside the shared area. Optional. */
	void (*cleanup)(const void *cfg, void *shared, unsigned workers, enum bt_mode mode);
	/* WL_GROUP: the stats-slot role name of process i ("consumer"). Optional. */
	const char *(*role_name)(const void *cfg, unsigned workers, enum bt_mode mode, unsigned i);
};

/* The registry: every workload, listed once. */
#define WORKLOADS(X) \
	X(fib)       \
	X(heavy)     \
	X(nop)       \
	X(prodcons)  \
	X(shdict)

#define WL_DECLARE(n) extern const struct workload wl_##n;
WORKLOADS(WL_DECLARE)
#undef WL_DECLARE

/* The registered workloads in registry order; *n receives the count. */
const struct workload *const *workload_all(size_t *n);

/* The workload called name, or NULL. */
const struct workload *workload_find(const char *name);

/* Name of a mode ("single", "process", "pool"); parse one (0, or -1). */
const char *mode_name(enum bt_mode m);
int mode_parse(const char *s, enum bt_mode *out);

#endif
