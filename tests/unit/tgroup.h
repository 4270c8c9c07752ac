/*
 * tgroup.h - test helpers shared by the group-workload tests (prodcons,
 * shdict): open descriptors, a metric of an outcome, and one run's
 * processes by hand (prepare, fork, attach + run, reap by pid; no barrier,
 * no verify, no cleanup) so a test can act on the shared area between the
 * steps or before it calls verify itself.
 */
#ifndef BENCHTOP_TGROUP_H
#define BENCHTOP_TGROUP_H

#include <criterion/criterion.h>

#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"

/* Open file descriptors of this process. */
static inline int tgroup_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The value of metric name in out; NAN when absent. */
static inline double tgroup_metric(const struct wl_outcome *out, const char *name)
{
	for (unsigned i = 0; i < out->nmetrics; i++) {
		if (strcmp(out->metrics[i].name, name) == 0)
			return out->metrics[i].value;
	}
	return NAN;
}

/* Fork every process of a prepared run (attach + run) and reap them by pid;
 * each must exit 0. */
static inline void tgroup_fork_reap(const struct workload *wl, const void *cfg, void *shared,
				    unsigned workers, enum bt_mode mode)
{
	unsigned n = wl->nprocs(cfg, workers, mode);
	pid_t pids[16];

	cr_assert(n <= 16);
	for (unsigned i = 0; i < n; i++) {
		struct wl_env env = { .cfg = cfg, .shared = shared, .index = i, .nprocs = n,
				      .workers = workers, .mode = mode };

		pids[i] = fork();
		cr_assert_geq(pids[i], 0);
		if (pids[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (wl->attach != NULL)
				wl->attach(&env);
			_exit(wl->run(&env));
		}
	}
	for (unsigned i = 0; i < n; i++) {
		int st;

		cr_assert_eq(waitpid(pids[i], &st, 0), pids[i]);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "process %u: status %#x", i, st);
	}
}

/* Prepare the shared area, then tgroup_fork_reap. */
static inline void tgroup_run_raw(const struct workload *wl, const void *cfg, void *shared,
				  unsigned workers, enum bt_mode mode)
{
	char err[256];

	cr_assert_eq(wl->prepare(cfg, shared, workers, mode, err, sizeof err), 0, "%s", err);
	tgroup_fork_reap(wl, cfg, shared, workers, mode);
}

#endif
