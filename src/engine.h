/*
 * engine.h - runs a plan: forks worker processes, times and verifies runs,
 * and collects results. Knows no screen and no JSON: the dashboard and the
 * headless front-end drive it through the same calls.
 *
 * Use: engine_new(), then call engine_tick() until it returns 0, draining
 * engine_next_event() in between; read results with engine_result(); then
 * engine_free(). engine_tick() never blocks longer than its timeout, so a
 * front-end can poll input between ticks.
 *
 * Owns: every worker process (each dies with benchtop: PR_SET_PDEATHSIG and a
 * parent check), the per-run shared areas, and the results. The stats region
 * is the caller's (it outlives one engine in the dashboard).
 */
#ifndef BENCHTOP_ENGINE_H
#define BENCHTOP_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "measure.h"
#include "plan.h"
#include "shm.h"
#include "topo.h"
#include "workload.h"

/* Per-worker figures of a configuration's last measured run. */
struct worker_stat {
	pid_t pid;
	int cpu;              /* CPU last seen on, -1 unknown */
	uint64_t tasks;       /* tasks done */
	uint64_t ops;         /* operations done */
	double busy;          /* user + system CPU seconds */
	const char *role;     /* "worker", "producer" ... (static) */
};

/* The record of one finished (or failed, or interrupted) configuration. */
struct bt_result {
	struct plan_config cfg;
	const struct workload *wl;
	const void *wlcfg;        /* the workload's parameters (plan-owned) */
	char command[80];         /* "fib pool w=2" */
	uint64_t chunksize;       /* effective chunk size (pool of a map workload), else 0 */
	uint64_t tasks;           /* tasks per run (map) */
	uint64_t ops;             /* operations per run (throughput numerator) */
	unsigned nprocs;          /* processes per run */
	size_t nruns;             /* measured runs recorded */
	double *times;            /* seconds, one per measured run */
	double *user, *sys;       /* workers' CPU seconds per run */
	double *startup;          /* pool start-up seconds per run (NAN if none) */
	double *teardown;         /* pool teardown seconds per run (NAN if none) */
	int *exit_codes;          /* 0 per successful run, else the failure code */
	struct summary time;      /* over times[] */
	double user_mean, sys_mean;
	double startup_median, teardown_median; /* NAN when not a pool */
	uint64_t checksum, expected;
	bool verified;            /* every measured run verified */
	double throughput;        /* unit per second at the median time */
	const char *unit;
	double speedup, efficiency; /* vs single of the same workload; NAN if none */
	struct worker_stat *per_worker;
	unsigned nper_worker;
	struct wl_metric metrics[WL_MAX_METRICS];
	unsigned nmetrics;
	bool failed;              /* a run failed or did not verify */
	bool interrupted;         /* stopped before all runs were done */
	char error[256];          /* first failure, "" when none */
};

enum engine_event_type {
	EV_CONFIG_START,   /* configuration `config` begins */
	EV_RUN_DONE,       /* run `run` of it finished (warm-up runs included) */
	EV_CONFIG_DONE,    /* its result is final: engine_result(e, result) */
	EV_ERROR,          /* a failure: msg says what (worker, task, signal) */
	EV_FINISHED        /* the plan is done or stopped */
};

struct engine_event {
	enum engine_event_type type;
	size_t config;       /* configuration index */
	size_t result;       /* result index (EV_CONFIG_DONE) */
	unsigned run;        /* run index within the configuration */
	bool warmup;         /* the run was a warm-up run */
	double seconds;      /* the run's time (EV_RUN_DONE) */
	char msg[256];
};

struct engine;

/* Create an engine for plan on topo, publishing to stats (which must have at
 * least engine_slots_needed() slots; NULL means an anonymous region of the
 * engine's own). plan and topo must outlive the engine. Returns NULL with a
 * message in err when the plan cannot run (e.g. too many processes). */
struct engine *engine_new(const struct plan *plan, const struct topo *topo,
			  struct shm_region *stats, char *err, size_t errlen);

/* Slots the stats region needs for plan. */
unsigned engine_slots_needed(const struct plan *plan);

/* Advance: start, poll and reap processes, waiting at most timeout_ms for
 * something to happen. Returns 1 while the plan is running, 0 when done. */
int engine_tick(struct engine *e, int timeout_ms);

/* Take the next event; returns false when there is none. */
bool engine_next_event(struct engine *e, struct engine_event *ev);

/* Stop: ask the workers to stop (SIGTERM), kill them after a short grace
 * period, keep finished results, mark the current one interrupted. Keep
 * calling engine_tick() until it returns 0. */
void engine_stop(struct engine *e);

/* Release everything; kills and reaps any worker still running. NULL ok. */
void engine_free(struct engine *e);

/* Configurations of the plan, in run order. */
size_t engine_nconfigs(const struct engine *e);
const struct plan_config *engine_config(const struct engine *e, size_t i);

/* Finished results, in the order they finished. Valid until engine_free(). */
size_t engine_nresults(const struct engine *e);
const struct bt_result *engine_result(const struct engine *e, size_t i);

/* The stats region the engine publishes to. */
const struct shm_region *engine_stats(const struct engine *e);

/* Whether the engine was stopped before the plan finished. */
bool engine_interrupted(const struct engine *e);

/* Exit status the results call for: 0 all verified, 1 a run failed or did
 * not verify (interruption is the front-end's to report). */
int engine_exit_code(const struct engine *e);

#endif
