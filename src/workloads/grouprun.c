/*
 * grouprun.c - one run of a WL_GROUP workload without the engine (see
 * grouprun.h): for `benchtop bench` and the unit tests.
 */
#include "grouprun.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <linux/futex.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define GR_EXIT_ORPHAN 70

/* The barrier and the processes' end times, shared with the children. */
struct gr_ctl {
	_Atomic uint32_t ready;   /* processes at the barrier */
	_Atomic uint32_t go;      /* futex word: 0 wait, 1 run, 2 abort */
	_Atomic uint64_t end_ns[]; /* per process: CLOCK_MONOTONIC when run() returned */
};

/* Sleep for us microseconds. */
static void gr_nap(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

/* Body of process i; never returns. */
static _Noreturn void gr_child(const struct workload *wl, const void *cfg, void *shared,
			       struct gr_ctl *ctl, struct shm_region *stats, unsigned i,
			       unsigned nprocs, unsigned workers, enum bt_mode mode, pid_t parent)
{
	struct shm_slot *slot = stats != NULL ? &stats->slots[i] : NULL;
	struct wl_env env = {
		.cfg = cfg, .shared = shared, .slot = slot, .index = i, .nprocs = nprocs,
		.workers = workers, .mode = mode,
	};
	int code;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(GR_EXIT_ORPHAN);
	if (slot != NULL) {
		shm_slot_begin(slot);
		SLOT_SET(slot, pid, (int32_t)getpid());
		SLOT_SET(slot, start_ns, now_ns());
		SLOT_SET(slot, state, SLOT_IDLE);
		shm_slot_end(slot);
	}
	if (wl->attach != NULL)
		wl->attach(&env);
	if (mode != MODE_PROCESS) {
		atomic_fetch_add_explicit(&ctl->ready, 1, memory_order_acq_rel);
		for (;;) {
			uint32_t go = atomic_load_explicit(&ctl->go, memory_order_acquire);

			if (go == 1)
				break;
			if (go == 2)
				_exit(GR_EXIT_ORPHAN);
			futex_shared(&ctl->go, FUTEX_WAIT, 0, NULL);
		}
	}
	shm_slot_state(slot, SLOT_RUNNING);
	code = wl->run(&env);
	atomic_store_explicit(&ctl->end_ns[i], now_ns(), memory_order_release);
	shm_slot_state(slot, code == 0 ? SLOT_DONE : SLOT_FAILED);
	_exit(code);
}

/* Record how process i ended in res. */
static void gr_note(struct grouprun_result *res, const struct workload *wl, const void *cfg,
		    unsigned workers, enum bt_mode mode, unsigned i, int status)
{
	const char *role = wl->role_name != NULL ? wl->role_name(cfg, workers, mode, i) : "process";

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	res->failed++;
	if (res->failure[0] != '\0')
		return;
	if (WIFSIGNALED(status))
		bufprintf(res->failure, sizeof res->failure, "%s %u killed by signal %d", role, i,
			  WTERMSIG(status));
	else
		bufprintf(res->failure, sizeof res->failure, "%s %u exited with status %d", role,
			  i, WEXITSTATUS(status));
}

/* Reap every process by pid, killing them all at the deadline. */
static void gr_reap(pid_t *pids, unsigned n, uint64_t deadline, struct grouprun_result *res,
		    const struct workload *wl, const void *cfg, unsigned workers, enum bt_mode mode)
{
	unsigned alive = 0;

	for (unsigned i = 0; i < n; i++)
		alive += pids[i] > 0;
	while (alive > 0) {
		bool any = false;

		for (unsigned i = 0; i < n; i++) {
			int status;

			if (pids[i] <= 0 || waitpid(pids[i], &status, WNOHANG) != pids[i])
				continue;
			gr_note(res, wl, cfg, workers, mode, i, status);
			pids[i] = 0;
			alive--;
			any = true;
		}
		if (alive > 0 && !any && deadline != 0 && now_ns() > deadline && !res->timed_out) {
			res->timed_out = true;
			for (unsigned i = 0; i < n; i++) {
				if (pids[i] > 0)
					kill(pids[i], SIGKILL);
			}
		}
		if (alive > 0 && !any)
			gr_nap(200);
	}
}

/* One run: prepare, fork, barrier, time, reap, verify, clean up. */
int grouprun(const struct workload *wl, const void *cfg, unsigned workers, enum bt_mode mode,
	     struct shm_region *stats, double timeout, struct grouprun_result *res, char *err,
	     size_t errlen)
{
	unsigned n = wl->nprocs(cfg, workers, mode);
	size_t size = wl->shared_size(cfg, workers, mode), ctlsize;
	pid_t parent = getpid(), *pids;
	struct gr_ctl *ctl;
	void *shared;
	uint64_t t0 = 0, end = 0, deadline;
	int rc = 0;

	memset(res, 0, sizeof *res);
	res->nprocs = n;
	ctlsize = sizeof *ctl + (size_t)n * sizeof(uint64_t);
	shared = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	if (shared == MAP_FAILED) {
		bufprintf(err, errlen, "cannot map %zu bytes: %s", size, strerror(errno));
		return -1;
	}
	ctl = mmap(NULL, ctlsize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ctl == MAP_FAILED) {
		bufprintf(err, errlen, "cannot map the control block: %s", strerror(errno));
		munmap(shared, size ? size : 1);
		return -1;
	}
	if (wl->prepare(cfg, shared, workers, mode, err, errlen) < 0) {
		munmap(ctl, ctlsize);
		munmap(shared, size ? size : 1);
		return -1;
	}
	pids = xcalloc(n ? n : 1, sizeof *pids);
	deadline = timeout > 0 ? now_ns() + (uint64_t)(timeout * 1e9) : 0;
	if (mode == MODE_PROCESS)
		t0 = now_ns();
	for (unsigned i = 0; i < n; i++) {
		if (stats != NULL)
			shm_slot_reset(stats, i, i, 0, 0);
		pids[i] = fork();
		if (pids[i] == 0)
			gr_child(wl, cfg, shared, ctl, stats, i, n, workers, mode, parent);
		if (pids[i] < 0) {
			bufprintf(err, errlen, "fork: %s", strerror(errno));
			pids[i] = 0;
			rc = -1;
			break;
		}
	}
	if (rc == 0 && mode != MODE_PROCESS) {
		/* wait at the barrier, but not for a process that already died */
		while (atomic_load_explicit(&ctl->ready, memory_order_acquire) < n) {
			bool dead = false;

			for (unsigned i = 0; i < n && !dead; i++) {
				siginfo_t si;

				si.si_pid = 0;
				dead = waitid(P_PID, (id_t)pids[i], &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
				       si.si_pid != 0;
			}
			if (dead || (deadline != 0 && now_ns() > deadline))
				break;
			gr_nap(50);
		}
		t0 = now_ns();
		atomic_store_explicit(&ctl->go, 1, memory_order_release);
		futex_shared(&ctl->go, FUTEX_WAKE, INT_MAX, NULL);
	}
	if (rc < 0) {
		atomic_store_explicit(&ctl->go, 2, memory_order_release);
		futex_shared(&ctl->go, FUTEX_WAKE, INT_MAX, NULL);
	}
	gr_reap(pids, n, deadline, res, wl, cfg, workers, mode);
	for (unsigned i = 0; i < n; i++) {
		uint64_t t = atomic_load_explicit(&ctl->end_ns[i], memory_order_acquire);

		end = t > end ? t : end;
	}
	if (end == 0 || res->failed != 0)
		end = now_ns();
	res->seconds = end > t0 ? (double)(end - t0) / 1e9 : 0.0;
	if (rc == 0)
		wl->verify(cfg, shared, workers, mode, &res->out);
	if (wl->cleanup != NULL)
		wl->cleanup(cfg, shared, workers, mode);
	free(pids);
	munmap(ctl, ctlsize);
	munmap(shared, size ? size : 1);
	if (rc < 0)
		return -1;
	return res->failed != 0 || res->timed_out ? 1 : 0;
}

/* Defaults, then each "name=value", then the workload's own checks. */
void *grouprun_config(const struct workload *wl, const char *const *settings, char *err,
		      size_t errlen)
{
	void *cfg = xcalloc(1, wl->cfg_size);

	params_defaults(wl->params, cfg);
	for (size_t i = 0; settings != NULL && settings[i] != NULL; i++) {
		char *name = xstrdup(settings[i]), *eq = strchr(name, '=');
		int r;

		if (eq == NULL) {
			bufprintf(err, errlen, "'%s' is not name=value", settings[i]);
			free(name);
			free(cfg);
			return NULL;
		}
		*eq = '\0';
		r = params_set(wl->params, cfg, wl->name, name, eq + 1, err, errlen);
		free(name);
		if (r < 0) {
			free(cfg);
			return NULL;
		}
	}
	if (wl->check != NULL && wl->check(cfg, err, errlen) < 0) {
		free(cfg);
		return NULL;
	}
	return cfg;
}
