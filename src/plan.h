/*
 * plan.h - what to run: the effective profile after defaults, profile file
 * and command-line overrides, and its expansion into configurations.
 *
 * Owns: struct plan (plain data, filled by profile.c) and plan_expand().
 */
#ifndef BENCHTOP_PLAN_H
#define BENCHTOP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topo.h"
#include "workload.h"

#define PLAN_MAX_WL 16
#define PLAN_MAX_COUNTS 64
#define PLAN_MAX_WORKERS 4096u

/* Fault injection for tests of failure handling (-P fault.crash_task=3). */
struct fault_cfg {
	uint64_t crash_task;  /* the worker running this task dies of SIGSEGV */
	uint64_t hang_task;   /* the worker running this task never finishes */
	uint64_t exit_task;   /* the worker running this task exits with status 3 */
};

/* A selected workload and its parameters. */
struct plan_workload {
	const struct workload *wl;
	void *cfg;            /* owned: wl->cfg_size bytes of parameters */
	char label[40];       /* "prodcons/ring" when a workload appears twice, else "" */
	/* This entry's own worker counts (a profile entry's "workers"), used
	 * instead of the plan's; nworkers 0 = the plan's. -n clears them. */
	unsigned workers[PLAN_MAX_COUNTS];
	size_t nworkers;
};

struct plan {
	char *name;                           /* owned: profile name or file */
	struct plan_workload wls[PLAN_MAX_WL];
	size_t nwl;
	enum bt_mode modes[MODE_COUNT];
	size_t nmodes;
	unsigned workers[PLAN_MAX_COUNTS];    /* resolved worker counts */
	size_t nworkers;
	char workers_spec[64];                /* as given: "sweep", "cores", "1,2,4" */
	unsigned cores[PLAN_MAX_COUNTS];      /* core-count restrictions; 0 = all */
	size_t ncores;
	char cores_spec[64];                  /* as given: "all", "sweep", "1,2" */
	unsigned runs;                        /* measured runs per configuration */
	unsigned warmup;                      /* warm-up runs per configuration */
	uint64_t chunksize;                   /* pool chunk size; 0 = auto */
	enum bind_policy bind;
	double timeout;                       /* seconds per configuration; 0 = none */
	bool fail_fast;                       /* stop at the first failed configuration */
	bool publish;                         /* publish worker stats (default true) */
	struct fault_cfg fault;
};

/* One configuration: a workload in a mode with a worker count on k cores. */
struct plan_config {
	size_t wl;                            /* index into plan->wls */
	enum bt_mode mode;
	unsigned workers;                     /* 1 for single */
	unsigned cores;                       /* 0 = all cores */
};

/* Initialise p with the built-in settings (no workloads). */
void plan_init(struct plan *p);

/* Release what p owns; p may be re-initialised afterwards. */
void plan_free(struct plan *p);

/* Deep copy of src into dst (dst uninitialised). */
void plan_copy(struct plan *dst, const struct plan *src);

/* Expand p into configurations, ordered cores > workload > mode > workers;
 * single mode yields one configuration (workers 1) per workload and core
 * count. Returns the count; *out is caller-freed. */
size_t plan_expand(const struct plan *p, struct plan_config **out);

/* Drop every workload's own worker counts, so the plan's apply to all
 * (profile_set_workers does it; the dashboard for its own rows). */
void plan_clear_entry_workers(struct plan *p);

/* Append a deep copy of entry src to p. Returns its index, or -1 when p
 * is full. */
int plan_add_copy(struct plan *p, const struct plan_workload *src);

/* Index of the first entry of the workload called name in p, adding it with
 * default parameters when absent. Returns the index, or -1 when there is no
 * such workload or p is full. */
int plan_workload(struct plan *p, const char *name);

/* The effective chunk size for a pool of `workers` over `ntasks` tasks:
 * p->chunksize, or Python's rule ceil(ntasks / (4 * workers)) when 0. */
uint64_t plan_chunksize(const struct plan *p, size_t ntasks, unsigned workers);

/* "fib pool w=2" (and " c=K" when restricted to K cores) into buf. */
void plan_config_label(const struct plan *p, const struct plan_config *c, char *buf,
		       size_t len);

#endif
