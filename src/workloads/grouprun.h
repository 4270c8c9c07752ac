/*
 * grouprun.h - run one run of a WL_GROUP workload outside the engine, the
 * way the engine does it: map the shared area, prepare, fork the
 * processes, release them together from a barrier, time go -> last process
 * done, reap them by pid, verify, clean up. For `benchtop bench` and the
 * unit tests, which need no plan, dashboard or stats region.
 *
 * Owns: nothing after it returns (every process is reaped, every mapping
 * unmapped, the workload's cleanup called).
 */
#ifndef BENCHTOP_GROUPRUN_H
#define BENCHTOP_GROUPRUN_H

#include <stdbool.h>
#include <stddef.h>

#include "shm.h"
#include "workload.h"

/* What one run did. */
struct grouprun_result {
	double seconds;          /* go -> last process finished (process mode: first fork ->) */
	unsigned nprocs;         /* processes run */
	unsigned failed;         /* processes that exited non-zero or were killed */
	bool timed_out;          /* processes were killed at the deadline */
	char failure[160];       /* the first failure, "" when none */
	struct wl_outcome out;   /* what verify said (verify runs even after failures) */
};

/*
 * Run workload wl once with configuration cfg (already parsed and checked),
 * `workers` workers in `mode`. stats may be NULL; otherwise process i
 * publishes to stats->slots[i] (it needs nprocs slots). Processes still
 * alive after timeout seconds (0 = none) are killed. Returns 0 when every
 * process exited with 0, 1 when one failed or was killed (res says which),
 * -1 when the run could not start (message in err: prepare or fork failed).
 */
int grouprun(const struct workload *wl, const void *cfg, unsigned workers, enum bt_mode mode,
	     struct shm_region *stats, double timeout, struct grouprun_result *res, char *err,
	     size_t errlen);

/*
 * Parse "name=value" settings (NULL-terminated) over wl's defaults into a
 * caller-freed configuration; runs wl->check. Returns NULL with a message
 * in err on a bad setting.
 */
void *grouprun_config(const struct workload *wl, const char *const *settings, char *err,
		      size_t errlen);

#endif
