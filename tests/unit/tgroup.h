/*
 * tgroup.h - a test helper shared by the group-workload tests: run one
 * run's processes by hand (prepare, fork, attach + run, reap by pid; no
 * barrier, no verify, no cleanup) so a test can inspect or tamper with the
 * shared area before it calls verify itself.
 */
#ifndef BENCHTOP_TGROUP_H
#define BENCHTOP_TGROUP_H

#include <criterion/criterion.h>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"

static void tgroup_run_raw(const struct workload *wl, const void *cfg, void *shared,
			   unsigned workers, enum bt_mode mode)
{
	unsigned n = wl->nprocs(cfg, workers, mode);
	pid_t pids[16];
	char err[256];

	cr_assert(n <= 16);
	cr_assert_eq(wl->prepare(cfg, shared, workers, mode, err, sizeof err), 0, "%s", err);
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

#endif
