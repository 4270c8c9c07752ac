/*
 * engine.c - runs a plan: one configuration after another, warm-up and
 * measured runs, each run a set of forked worker processes.
 *
 * A run's processes share one anonymous MAP_SHARED area mapped before the
 * fork: a control block (task counter, barrier, go word), one record per
 * process (end time, tasks, ops, current task), one record per task of a
 * map workload (its result and claim count), and the workload's own
 * shared area.
 *
 * Timing (DESIGN.md "Modes"):
 * - single and pool: every process starts, waits at a barrier; the time is
 *   from the release ("go") to the last process finishing its last task.
 *   For a pool, start-up (first fork to all ready) and teardown (last task
 *   to all reaped) are timed separately.
 * - process: one process per task (at most `workers` alive at a time), all
 *   started and reaped inside the timing, as Python's Process + join.
 *
 * The parent never blocks: SIGCHLD and the workers' "all ready" signal
 * arrive on an eventfd that engine_tick() polls with its timeout.
 */
#include "engine.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <linux/futex.h>
#include <unistd.h>

#include "util.h"

/* Exit codes of worker processes, read by the parent. */
enum {
	WEXIT_OK = 0,
	WEXIT_FAULT = 3,        /* fault.exit_task injected */
	WEXIT_BADRESULT = 4,    /* a workload run reported failure */
	WEXIT_PARENT = 70,      /* parent gone before the worker started */
	WEXIT_BIND = 71,        /* could not bind to its CPU set */
	WEXIT_ABORT = 72        /* told to abort at the barrier */
};

#define STOP_GRACE_NS 500000000ull   /* SIGTERM, then SIGKILL after this */
#define PUBLISH_EVERY 64u            /* trivial tasks between publications */
#define PUBLISH_BIG_OPS 4096u        /* a task this big publishes when done */
#define BARRIER_SPIN_NS 200000ull   /* spin this long at the barrier, then sleep */
#define GO_WAIT 0u
#define GO_RUN 1u
#define GO_ABORT 2u

/* Control block at the start of a run's shared area. */
struct run_ctl {
	_Atomic uint64_t next;        /* next task to claim */
	_Atomic uint32_t ready;       /* processes at the barrier */
	_Atomic uint32_t go;          /* futex word: GO_WAIT, GO_RUN, GO_ABORT */
	_Atomic uint64_t t_go;        /* when the last process arrived and released all */
} __attribute__((aligned(64)));

/* One record per map task: its result and how often it was run, side by
 * side so that a task touches one shared cache line, not two (at chunk
 * size 1 neighbouring tasks run on different workers). */
struct task_rec {
	uint64_t result;
	_Atomic uint32_t claims;
	uint32_t unused;
};

/* One record per process, written by that process only. */
struct proc_rec {
	_Atomic uint64_t start_ns;    /* when it started its work (after the barrier) */
	_Atomic uint64_t end_ns;      /* when it finished its work */
	_Atomic uint64_t tasks;       /* tasks done */
	_Atomic uint64_t ops;         /* operations done */
	_Atomic uint64_t task;        /* task being run (UINT64_MAX none) */
	_Atomic int32_t cpu;          /* CPU it ended on */
} __attribute__((aligned(64)));

/* A forked process, parent side. */
struct proc {
	pid_t pid;
	unsigned slot;                /* stats slot / binding position */
	unsigned index;               /* process index (process mode: task) */
	bool alive;
	int status;
	struct rusage ru;
};

enum run_state { RS_IDLE, RS_STARTING, RS_RUNNING, RS_KILLING };

struct engine {
	const struct plan *plan;
	const struct topo *topo;
	struct shm_region *stats;
	struct shm_region own_stats;
	bool own_stats_used;
	int efd;                      /* eventfd: SIGCHLD and "all ready" */
	struct sigaction old_chld;
	pid_t parent;

	struct plan_config *configs;
	size_t nconfigs;
	size_t ci;                    /* current configuration */
	bool config_active;
	unsigned run;                 /* run index within the configuration */
	unsigned nruns;               /* warm-up + measured */
	uint64_t config_start_ns;

	/* current configuration's per-run resources */
	const struct plan_workload *pw;
	unsigned nprocs;              /* processes per run */
	unsigned concurrency;         /* processes alive at once */
	size_t ntasks;
	uint64_t chunk;
	void *area;                   /* shared area of the run */
	size_t area_size;
	struct run_ctl *ctl;
	struct proc_rec *recs;
	struct task_rec *tasks;       /* per map task */
	void *wlshared;
	size_t wlshared_size;
	cpu_set_t *cpusets;           /* per slot */
	struct proc *procs;
	unsigned started, alive, reaped;
	unsigned *free_slots;
	unsigned nfree;
	bool prepared;                /* workload prepare() succeeded this run */

	enum run_state rs;
	uint64_t t_fork, t_go, t_last_reap, kill_deadline;
	bool run_failed;
	char run_error[256];

	struct bt_result *cur;        /* result being filled */
	struct bt_result **results_v;
	size_t nresults;

	struct engine_event *events;
	size_t nevents, evhead, evcap;

	bool stopping, stopped_early, finished, failed_any;
};

static struct engine *sigchld_engine;

/* Signals whose handlers a worker resets to the default. */
static const int reset_signals[] = {
	SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGWINCH, SIGTSTP, SIGCONT,
	SIGUSR1, SIGUSR2, SIGALRM
};

/* SIGCHLD: wake engine_tick(). Only an async-signal-safe write. */
static void on_sigchld(int sig)
{
	int saved = errno;
	uint64_t one = 1;

	(void)sig;
	if (sigchld_engine != NULL && write(sigchld_engine->efd, &one, sizeof one) < 0) {
		/* the counter is saturated: the parent is awake anyway */
	}
	errno = saved;
}

/* Queue an event for the front-end. */
static struct engine_event *push_event(struct engine *e, enum engine_event_type type)
{
	struct engine_event *ev;

	if (e->nevents == e->evcap) {
		/* compact, then grow */
		if (e->evhead > 0) {
			memmove(e->events, e->events + e->evhead,
				(e->nevents - e->evhead) * sizeof *e->events);
			e->nevents -= e->evhead;
			e->evhead = 0;
		}
		if (e->nevents == e->evcap) {
			e->evcap = e->evcap ? 2 * e->evcap : 64;
			e->events = xreallocarray(e->events, e->evcap, sizeof *e->events);
		}
	}
	ev = &e->events[e->nevents++];
	memset(ev, 0, sizeof *ev);
	ev->type = type;
	ev->config = e->ci;
	ev->run = e->run;
	return ev;
}

/* Processes per run and how many are alive at once. */
static void config_procs(const struct plan *p, const struct plan_config *c, unsigned *nprocs,
			 unsigned *concurrency)
{
	const struct workload *wl = p->wls[c->wl].wl;
	const void *cfg = p->wls[c->wl].cfg;

	if (wl->kind == WL_GROUP) {
		*nprocs = wl->nprocs(cfg, c->workers, c->mode);
		*concurrency = *nprocs;
		return;
	}
	switch (c->mode) {
	case MODE_SINGLE:
		*nprocs = *concurrency = 1;
		break;
	case MODE_PROCESS: {
		size_t n = wl->ntasks(cfg);

		*nprocs = (unsigned)n;
		*concurrency = n < c->workers ? (unsigned)n : c->workers;
		break;
	}
	default:
		*nprocs = *concurrency = c->workers;
		break;
	}
}

/* Largest number of simultaneous processes of any configuration. */
unsigned engine_slots_needed(const struct plan *plan)
{
	struct plan_config *v;
	size_t n = plan_expand(plan, &v);
	unsigned most = 1;

	for (size_t i = 0; i < n; i++) {
		unsigned np, conc;

		config_procs(plan, &v[i], &np, &conc);
		if (conc > most)
			most = conc;
	}
	free(v);
	return most;
}

/* Create the engine. */
struct engine *engine_new(const struct plan *plan, const struct topo *topo,
			  struct shm_region *stats, char *err, size_t errlen)
{
	struct engine *e = xcalloc(1, sizeof *e);
	unsigned need = engine_slots_needed(plan);
	struct sigaction sa;

	e->plan = plan;
	e->topo = topo;
	e->parent = getpid();
	e->nconfigs = plan_expand(plan, &e->configs);
	if (e->nconfigs == 0) {
		bufprintf(err, errlen, "the plan has nothing to run (no workload, mode or worker count)");
		free(e->configs);
		free(e);
		return NULL;
	}
	for (size_t i = 0; i < e->nconfigs; i++) {
		unsigned np, conc;

		config_procs(plan, &e->configs[i], &np, &conc);
		if (conc > SHM_MAX_SLOTS) {
			bufprintf(err, errlen, "%u processes at once exceed the limit of %u",
				  conc, SHM_MAX_SLOTS);
			free(e->configs);
			free(e);
			return NULL;
		}
	}
	if (stats == NULL) {
		if (shm_create_anon(&e->own_stats, need, err, errlen) < 0) {
			free(e->configs);
			free(e);
			return NULL;
		}
		e->own_stats_used = true;
		stats = &e->own_stats;
	} else if (stats->hdr->nslots < need) {
		bufprintf(err, errlen, "stats region has %u slots, the plan needs %u",
			  stats->hdr->nslots, need);
		free(e->configs);
		free(e);
		return NULL;
	}
	e->stats = stats;
	e->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (e->efd < 0) {
		bufprintf(err, errlen, "eventfd: %s", strerror(errno));
		if (e->own_stats_used)
			shm_close(&e->own_stats);
		free(e->configs);
		free(e);
		return NULL;
	}
	sigchld_engine = e;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, &e->old_chld);
	shm_header_publish(e->stats, PHASE_IDLE, 0, (uint32_t)e->nconfigs, 0, 0, 0, 0, "");
	return e;
}

/* Release the per-configuration resources. */
static void config_release(struct engine *e)
{
	if (e->area != NULL)
		munmap(e->area, e->area_size);
	e->area = NULL;
	free(e->cpusets);
	free(e->procs);
	free(e->free_slots);
	e->cpusets = NULL;
	e->procs = NULL;
	e->free_slots = NULL;
}

/* Free a result. */
static void result_free(struct bt_result *r)
{
	if (r == NULL)
		return;
	free(r->times);
	free(r->user);
	free(r->sys);
	free(r->startup);
	free(r->teardown);
	free(r->exit_codes);
	free(r->per_worker);
	free(r);
}

/* Kill every live process of the run with sig. */
static void kill_all(struct engine *e, int sig)
{
	for (unsigned i = 0; i < e->started; i++) {
		if (e->procs[i].alive)
			kill(e->procs[i].pid, sig);
	}
}

/* Reap whatever has exited without blocking; true when something was. */
static bool reap(struct engine *e);

/* Tear everything down. */
void engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	if (e->procs != NULL && e->alive > 0) {
		kill_all(e, SIGKILL);
		while (e->alive > 0) {
			if (!reap(e))
				usleep(1000);
		}
	}
	if (e->pw != NULL && e->pw->wl->kind == WL_GROUP && e->prepared &&
	    e->pw->wl->cleanup != NULL)
		e->pw->wl->cleanup(e->pw->cfg, e->wlshared, e->configs[e->ci].workers,
				   e->configs[e->ci].mode);
	config_release(e);
	if (e->cur != NULL)
		result_free(e->cur);
	for (size_t i = 0; i < e->nresults; i++)
		result_free(e->results_v[i]);
	free(e->results_v);
	free(e->events);
	free(e->configs);
	sigaction(SIGCHLD, &e->old_chld, NULL);
	if (sigchld_engine == e)
		sigchld_engine = NULL;
	close(e->efd);
	if (e->own_stats_used)
		shm_close(&e->own_stats);
	free(e);
}

/* Round up to a cache line. */
static size_t line_up(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

/* MemAvailable of /proc/meminfo in bytes; 0 when unknown. */
static uint64_t mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long long kb = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	}
	fclose(f);
	return (uint64_t)kb * 1024;
}

/* Map the shared area and compute CPU sets for configuration e->ci. */
static int config_setup(struct engine *e, char *err, size_t errlen)
{
	const struct plan_config *c = &e->configs[e->ci];
	const struct workload *wl;
	size_t off;

	e->pw = &e->plan->wls[c->wl];
	wl = e->pw->wl;
	config_procs(e->plan, c, &e->nprocs, &e->concurrency);
	e->ntasks = wl->kind == WL_MAP ? wl->ntasks(e->pw->cfg) : 0;
	e->chunk = 0;
	if (wl->kind == WL_MAP)
		e->chunk = c->mode == MODE_SINGLE ? (e->ntasks ? e->ntasks : 1)
			 : plan_chunksize(e->plan, e->ntasks, c->workers);
	e->wlshared_size = wl->kind == WL_GROUP ? wl->shared_size(e->pw->cfg, c->workers, c->mode) : 0;

	off = line_up(sizeof(struct run_ctl));
	off += line_up((size_t)e->nprocs * sizeof(struct proc_rec));
	size_t tasks_off = off;
	off += line_up(e->ntasks * sizeof(struct task_rec));
	size_t wl_off = off;
	off += line_up(e->wlshared_size);
	e->area_size = off;
	uint64_t avail = mem_available();

	if (avail != 0 && e->area_size > avail) {
		bufprintf(err, errlen, "needs %zu MiB of shared memory for %zu tasks, only %" PRIu64
			  " MiB available", e->area_size >> 20, e->ntasks, avail >> 20);
		return -1;
	}
	e->area = mmap(NULL, e->area_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	if (e->area == MAP_FAILED) {
		e->area = NULL;
		bufprintf(err, errlen, "cannot map %zu bytes of shared memory: %s", e->area_size,
			  strerror(errno));
		return -1;
	}
	e->ctl = e->area;
	e->recs = (struct proc_rec *)((char *)e->area + line_up(sizeof(struct run_ctl)));
	e->tasks = (struct task_rec *)((char *)e->area + tasks_off);
	e->wlshared = e->wlshared_size ? (char *)e->area + wl_off : NULL;

	e->cpusets = xcalloc(e->concurrency, sizeof *e->cpusets);
	for (unsigned s = 0; s < e->concurrency; s++)
		topo_worker_cpuset(e->topo, e->plan->bind, c->cores, s, &e->cpusets[s]);
	e->procs = xcalloc(e->nprocs ? e->nprocs : 1, sizeof *e->procs);
	e->free_slots = xcalloc(e->concurrency ? e->concurrency : 1, sizeof *e->free_slots);
	return 0;
}

/* Allocate the result record of configuration e->ci. */
static void result_begin(struct engine *e)
{
	const struct plan_config *c = &e->configs[e->ci];
	struct bt_result *r = xcalloc(1, sizeof *r);
	unsigned n = e->plan->runs;

	r->cfg = *c;
	r->wl = e->pw->wl;
	r->wlcfg = e->pw->cfg;
	plan_config_label(e->plan, c, r->command, sizeof r->command);
	r->chunksize = e->pw->wl->kind == WL_MAP && c->mode == MODE_POOL ? e->chunk : 0;
	r->tasks = e->ntasks;
	r->nprocs = e->nprocs;
	r->unit = e->pw->wl->unit;
	r->times = xcalloc(n, sizeof *r->times);
	r->user = xcalloc(n, sizeof *r->user);
	r->sys = xcalloc(n, sizeof *r->sys);
	r->startup = xcalloc(n, sizeof *r->startup);
	r->teardown = xcalloc(n, sizeof *r->teardown);
	r->exit_codes = xcalloc(n, sizeof *r->exit_codes);
	r->verified = true;
	r->speedup = r->efficiency = NAN;
	r->startup_median = r->teardown_median = NAN;
	r->time.median = r->time.mean = r->time.stddev = r->time.min = r->time.max = NAN;
	if (e->pw->wl->kind == WL_MAP) {
		for (size_t i = 0; i < e->ntasks; i++) {
			r->ops += e->pw->wl->task_ops(e->pw->cfg, i);
			r->expected += e->pw->wl->expect(e->pw->cfg, i);
		}
	}
	e->cur = r;
}

/* ---- worker side ------------------------------------------------------ */

/* Bind, detach from the terminal's signals, and check the parent. */
static void child_setup(struct engine *e, unsigned slot)
{
	struct sigaction dfl;
	sigset_t none;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != e->parent)
		_exit(WEXIT_PARENT);
	/* Own process group: a Ctrl-C in the terminal reaches benchtop, which
	 * stops the workers itself (and reports them as stopped, not crashed). */
	setpgid(0, 0);
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	/* only the signals benchtop (or curses) handles; a syscall is not free */
	for (size_t i = 0; i < ARRAY_LEN(reset_signals); i++)
		sigaction(reset_signals[i], &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (sched_setaffinity(0, sizeof(cpu_set_t), &e->cpusets[slot]) < 0)
		_exit(WEXIT_BIND);
}

/* Wait at the barrier. The last process to arrive releases the others
 * itself (no round trip through the parent) and stamps the start of the
 * timed part; the others spin briefly, then sleep on the futex. */
static void child_barrier(struct engine *e)
{
	struct timespec ts = { 0, 100000000 };
	uint64_t spin_until;

	if (atomic_fetch_add_explicit(&e->ctl->ready, 1, memory_order_acq_rel) + 1 == e->nprocs) {
		uint64_t one = 1;

		atomic_store_explicit(&e->ctl->t_go, now_ns(), memory_order_relaxed);
		atomic_store_explicit(&e->ctl->go, GO_RUN, memory_order_release);
		futex_shared(&e->ctl->go, FUTEX_WAKE, INT_MAX, NULL);
		if (write(e->efd, &one, sizeof one) < 0) {
			/* the parent polls with a timeout anyway */
		}
		return;
	}
	spin_until = now_ns() + BARRIER_SPIN_NS;
	for (;;) {
		uint32_t go = atomic_load_explicit(&e->ctl->go, memory_order_acquire);

		if (go == GO_RUN)
			return;
		if (go == GO_ABORT || getppid() != e->parent)
			_exit(WEXIT_ABORT);
		if (now_ns() < spin_until)
			sched_yield();
		else
			futex_shared(&e->ctl->go, FUTEX_WAIT, GO_WAIT, &ts);
	}
}

/* Apply fault injection before task t. */
static void child_fault(const struct fault_cfg *f, uint64_t t)
{
	if (t == f->crash_task) {
		/* the default action, also under ASan (whose handler would
		 * turn the crash into exit status 1) */
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
	}
	if (t == f->exit_task)
		_exit(WEXIT_FAULT);
	if (t == f->hang_task) {
		for (;;)
			pause();
	}
}

/* Run one map task and record it. Publishing is batched: after every task
 * that is big (its own loop publishes as it goes) and after every
 * PUBLISH_EVERY trivial ones. The claim mark is a plain store: a task run
 * twice shows up in verify_map() as another task never run, or as more
 * tasks done than there are. */
static void child_task(struct engine *e, struct proc_rec *rec, struct shm_slot *slot, size_t i)
{
	const struct workload *wl = e->pw->wl;
	struct wl_progress pr = {
		.slot = slot,
		.task = i,
		.tasks_done = atomic_load_explicit(&rec->tasks, memory_order_relaxed),
		.ops_base = atomic_load_explicit(&rec->ops, memory_order_relaxed),
	};
	uint64_t ops = wl->task_ops(e->pw->cfg, i);

	atomic_store_explicit(&rec->task, i, memory_order_relaxed);
	if (ops >= PUBLISH_BIG_OPS)
		shm_slot_progress(slot, i, pr.tasks_done, pr.ops_base);   /* show the task now */
	child_fault(&e->plan->fault, i);
	e->tasks[i].result = wl->task(e->pw->cfg, i, &pr);
	atomic_store_explicit(&e->tasks[i].claims,
			      atomic_load_explicit(&e->tasks[i].claims, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	atomic_store_explicit(&rec->tasks, pr.tasks_done + 1, memory_order_relaxed);
	atomic_store_explicit(&rec->ops, pr.ops_base + ops, memory_order_relaxed);
	if (ops >= PUBLISH_BIG_OPS || (pr.tasks_done + 1) % PUBLISH_EVERY == 0)
		shm_slot_progress(slot, i, pr.tasks_done + 1, pr.ops_base + ops);
}

/* Record the end of this process's work. */
static void child_finish(struct proc_rec *rec, struct shm_slot *slot, enum slot_state st)
{
	shm_slot_progress(slot, UINT64_MAX, atomic_load_explicit(&rec->tasks, memory_order_relaxed),
			  atomic_load_explicit(&rec->ops, memory_order_relaxed));
	atomic_store_explicit(&rec->end_ns, now_ns(), memory_order_relaxed);
	atomic_store_explicit(&rec->cpu, sched_getcpu(), memory_order_relaxed);
	atomic_store_explicit(&rec->task, UINT64_MAX, memory_order_release);
	shm_slot_state(slot, st);
}

/* Body of a forked process; never returns. */
static _Noreturn void child_main(struct engine *e, unsigned index, unsigned slotno)
{
	const struct plan_config *c = &e->configs[e->ci];
	const struct workload *wl = e->pw->wl;
	struct shm_slot *slot = e->plan->publish ? &e->stats->slots[slotno] : NULL;
	struct proc_rec *rec = &e->recs[index];
	int code = WEXIT_OK;

	child_setup(e, slotno);
	if (slot != NULL) {
		shm_slot_begin(slot);
		SLOT_SET(slot, pid, (int32_t)getpid());
		SLOT_SET(slot, start_ns, now_ns());
		SLOT_SET(slot, cpu, sched_getcpu());
		SLOT_SET(slot, state, SLOT_IDLE);
		shm_slot_end(slot);
	}
	uint64_t done = 0;
	struct wl_env env = {
		.cfg = e->pw->cfg, .shared = e->wlshared, .slot = slot, .index = index,
		.nprocs = e->nprocs, .workers = c->workers, .mode = c->mode, .done = &done,
	};

	if (wl->kind == WL_GROUP && wl->attach != NULL)
		wl->attach(&env);
	if (c->mode != MODE_PROCESS)
		child_barrier(e);
	atomic_store_explicit(&rec->start_ns, now_ns(), memory_order_relaxed);
	shm_slot_state(slot, SLOT_RUNNING);
	if (wl->kind == WL_MAP) {
		if (c->mode == MODE_PROCESS) {
			child_task(e, rec, slot, index);
		} else {
			for (;;) {
				uint64_t start = atomic_fetch_add_explicit(&e->ctl->next, e->chunk,
									   memory_order_relaxed);

				if (start >= e->ntasks)
					break;
				uint64_t end = e->ntasks - start > e->chunk ? start + e->chunk : e->ntasks;

				for (uint64_t i = start; i < end; i++)
					child_task(e, rec, slot, i);
			}
		}
	} else {
		child_fault(&e->plan->fault, index);
		code = wl->run(&env);
		atomic_store_explicit(&rec->ops, done, memory_order_relaxed);
	}
	child_finish(rec, slot, code == WEXIT_OK ? SLOT_DONE : SLOT_FAILED);
	_exit(code);
}

/* ---- parent side ------------------------------------------------------ */

/* Fork process `index` on a free slot. Returns 0, or -1 with run_error set. */
static int spawn(struct engine *e, unsigned index)
{
	struct proc *p = &e->procs[e->started];
	unsigned slot = e->free_slots[--e->nfree];
	sigset_t all, old;
	pid_t pid;

	shm_slot_reset(e->stats, slot, index, 0, 0);
	if (e->pw->wl->kind == WL_MAP) {
		uint64_t total = 0;

		if (e->configs[e->ci].mode == MODE_PROCESS)
			total = e->pw->wl->task_ops(e->pw->cfg, index);
		SLOT_SET(&e->stats->slots[slot], ops_total, total);
	}
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0)
		child_main(e, index, slot);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		int err = errno;
		struct rlimit rl;

		e->free_slots[e->nfree++] = slot;
		if (err == EAGAIN && getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
			bufprintf(e->run_error, sizeof e->run_error,
				  "cannot start worker %u: fork: %s (RLIMIT_NPROC is %llu "
				  "processes, see ulimit -u)", index, strerror(err),
				  (unsigned long long)rl.rlim_cur);
		else
			bufprintf(e->run_error, sizeof e->run_error, "cannot start worker %u: fork: %s",
				  index, strerror(err));
		return -1;
	}
	setpgid(pid, pid);
	p->pid = pid;
	p->slot = slot;
	p->index = index;
	p->alive = true;
	e->started++;
	e->alive++;
	return 0;
}

/* Mark the run failed with a message (the first failure wins). */
static void run_fail(struct engine *e, const char *msg)
{
	if (!e->run_failed) {
		e->run_failed = true;
		bufprintf(e->run_error, sizeof e->run_error, "%s", msg);
	}
}

/* Put the run into the killing state: workers get SIGTERM, then SIGKILL. */
static void run_kill(struct engine *e, int sig)
{
	if (e->rs == RS_STARTING)
		atomic_store_explicit(&e->ctl->go, GO_ABORT, memory_order_release);
	futex_shared(&e->ctl->go, FUTEX_WAKE, INT_MAX, NULL);
	kill_all(e, sig);
	if (e->rs != RS_KILLING)
		e->kill_deadline = now_ns() + STOP_GRACE_NS;
	e->rs = RS_KILLING;
}

/* Describe how worker p ended, for a failure message. */
static void describe_death(struct engine *e, const struct proc *p, char *buf, size_t len)
{
	uint64_t task = atomic_load_explicit(&e->recs[p->index].task, memory_order_acquire);
	char where[64] = "";
	const char *role = "worker";

	if (e->pw->wl->kind == WL_MAP && e->configs[e->ci].mode == MODE_PROCESS)
		task = p->index;
	if (e->pw->wl->kind == WL_GROUP && e->pw->wl->role_name != NULL)
		role = e->pw->wl->role_name(e->pw->cfg, e->configs[e->ci].workers,
					    e->configs[e->ci].mode, p->index);
	if (e->pw->wl->kind == WL_MAP && task != UINT64_MAX)
		bufprintf(where, sizeof where, ", task %" PRIu64, task);
	if (WIFSIGNALED(p->status))
		bufprintf(buf, len, "%s %u (pid %d%s) killed by SIG%s", role, p->index, (int)p->pid,
			  where, sigabbrev_np(WTERMSIG(p->status)) ? sigabbrev_np(WTERMSIG(p->status))
								   : "?");
	else if (WEXITSTATUS(p->status) == WEXIT_BIND)
		bufprintf(buf, len, "%s %u (pid %d) could not bind to its CPU set", role, p->index,
			  (int)p->pid);
	else
		bufprintf(buf, len, "%s %u (pid %d%s) exited with status %d", role, p->index,
			  (int)p->pid, where, WEXITSTATUS(p->status));
}

static bool reap(struct engine *e)
{
	bool any = false;

	for (;;) {
		struct rusage ru;
		int status;
		pid_t pid = wait4(-1, &status, WNOHANG, &ru);
		struct proc *p = NULL;

		if (pid <= 0)
			break;
		any = true;
		for (unsigned i = 0; i < e->started; i++) {
			if (e->procs[i].pid == pid && e->procs[i].alive) {
				p = &e->procs[i];
				break;
			}
		}
		if (p == NULL)
			continue;   /* not ours (or from an earlier run) */
		p->alive = false;
		p->status = status;
		p->ru = ru;
		e->alive--;
		e->reaped++;
		e->free_slots[e->nfree++] = p->slot;
		e->t_last_reap = now_ns();
		bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;

		if (!ok) {
			struct shm_slot *s = &e->stats->slots[p->slot];

			shm_slot_state(s, SLOT_FAILED);
			if (!e->stopping && e->rs != RS_KILLING) {
				char msg[256];

				describe_death(e, p, msg, sizeof msg);
				run_fail(e, msg);
				struct engine_event *ev = push_event(e, EV_ERROR);

				bufprintf(ev->msg, sizeof ev->msg, "%s: %s", e->cur->command, msg);
				run_kill(e, SIGKILL);
			}
		}
	}
	return any;
}

/* A fork failed (run_error says why): report it and end the run. */
static void spawn_failed(struct engine *e)
{
	struct engine_event *ev = push_event(e, EV_ERROR);

	bufprintf(ev->msg, sizeof ev->msg, "%s: %s", e->cur->command, e->run_error);
	e->run_failed = true;
	run_kill(e, SIGKILL);
}

/* Whether run e->run is a warm-up run. */
static bool is_warmup(const struct engine *e)
{
	return e->run < e->plan->warmup;
}

/* Start run e->run of the current configuration. */
static void run_start(struct engine *e)
{
	const struct plan_config *c = &e->configs[e->ci];
	const struct workload *wl = e->pw->wl;
	/* control block, process and task records; not the workload's area */
	size_t clear = e->area_size - line_up(e->wlshared_size);

	memset(e->area, 0, clear);
	for (unsigned i = 0; i < e->nprocs; i++)
		atomic_store_explicit(&e->recs[i].task, UINT64_MAX, memory_order_relaxed);
	e->started = e->alive = e->reaped = 0;
	e->nfree = 0;
	for (unsigned s = e->concurrency; s-- > 0;)
		e->free_slots[e->nfree++] = s;
	e->run_failed = false;
	e->run_error[0] = '\0';
	e->prepared = false;
	for (unsigned s = 0; s < e->stats->hdr->nslots; s++) {
		if (s >= e->concurrency)
			break;
		shm_slot_state(&e->stats->slots[s], SLOT_EMPTY);
	}
	shm_header_publish(e->stats, is_warmup(e) ? PHASE_WARMUP : PHASE_MEASURE, (uint32_t)e->ci,
			   (uint32_t)e->nconfigs, e->run, e->nruns, e->concurrency,
			   (uint32_t)e->nresults, e->cur->command);
	if (wl->kind == WL_GROUP) {
		if (wl->prepare(e->pw->cfg, e->wlshared, c->workers, c->mode, e->run_error,
				sizeof e->run_error) < 0) {
			e->run_failed = true;
			e->rs = RS_KILLING;
			e->kill_deadline = now_ns();
			return;
		}
		e->prepared = true;
	}
	e->t_fork = now_ns();
	e->t_last_reap = e->t_fork;
	e->t_go = 0;
	e->rs = c->mode == MODE_PROCESS ? RS_RUNNING : RS_STARTING;
	unsigned first = c->mode == MODE_PROCESS ? e->concurrency : e->nprocs;

	for (unsigned i = 0; i < first; i++) {
		if (spawn(e, i) < 0) {
			spawn_failed(e);
			return;
		}
	}
}

/* The workers released themselves once all were ready: note the time. */
static void run_check_ready(struct engine *e)
{
	if (atomic_load_explicit(&e->ctl->go, memory_order_acquire) != GO_RUN)
		return;
	e->t_go = atomic_load_explicit(&e->ctl->t_go, memory_order_relaxed);
	e->rs = RS_RUNNING;
}

/* Verify a map run: every task claimed once and every result right. */
static void verify_map(struct engine *e, uint64_t *checksum, char *msg, size_t len)
{
	uint64_t sum = 0;

	msg[0] = '\0';
	for (size_t i = 0; i < e->ntasks; i++) {
		uint32_t claims = atomic_load_explicit(&e->tasks[i].claims, memory_order_relaxed);
		uint64_t want = e->pw->wl->expect(e->pw->cfg, i);

		sum += e->tasks[i].result;
		if (msg[0] != '\0')
			continue;
		if (claims != 1)
			bufprintf(msg, len, "task %zu was run %" PRIu32 " times", i, claims);
		else if (e->tasks[i].result != want)
			bufprintf(msg, len, "task %zu returned %" PRIu64 ", expected %" PRIu64, i,
				  e->tasks[i].result, want);
	}
	*checksum = sum;
	if (msg[0] == '\0') {
		uint64_t done = 0;

		for (unsigned p = 0; p < e->nprocs; p++)
			done += atomic_load_explicit(&e->recs[p].tasks, memory_order_relaxed);
		if (done != e->ntasks)
			bufprintf(msg, len, "workers report %" PRIu64 " tasks done, the map has %zu",
				  done, e->ntasks);
	}
}

/* The run is over (all reaped): time, verify and record it. */
static void run_finish(struct engine *e)
{
	const struct plan_config *c = &e->configs[e->ci];
	const struct workload *wl = e->pw->wl;
	struct bt_result *r = e->cur;
	bool warm = is_warmup(e);
	uint64_t end = 0, t_ready;
	double secs, user = 0, sys = 0, startup = NAN, teardown = NAN;
	struct wl_outcome out;
	char vmsg[200] = "";

	memset(&out, 0, sizeof out);
	for (unsigned i = 0; i < e->nprocs; i++) {
		uint64_t t = atomic_load_explicit(&e->recs[i].end_ns, memory_order_acquire);

		if (t > end)
			end = t;
	}
	for (unsigned i = 0; i < e->started; i++) {
		user += (double)e->procs[i].ru.ru_utime.tv_sec + e->procs[i].ru.ru_utime.tv_usec / 1e6;
		sys += (double)e->procs[i].ru.ru_stime.tv_sec + e->procs[i].ru.ru_stime.tv_usec / 1e6;
	}
	if (c->mode == MODE_PROCESS) {
		secs = (double)(e->t_last_reap - e->t_fork) / 1e9;
	} else {
		secs = end > e->t_go ? (double)(end - e->t_go) / 1e9 : 0.0;
		t_ready = atomic_load_explicit(&e->ctl->t_go, memory_order_acquire);
		if (c->mode == MODE_POOL && t_ready >= e->t_fork) {
			startup = (double)(t_ready - e->t_fork) / 1e9;
			teardown = e->t_last_reap > end ? (double)(e->t_last_reap - end) / 1e9 : 0.0;
		}
	}
	/* a failed run's time is how long it took to fail, forks included */
	if (e->run_failed)
		secs = (double)(e->t_last_reap - e->t_fork) / 1e9;

	if (!e->run_failed) {
		if (wl->kind == WL_MAP) {
			verify_map(e, &r->checksum, vmsg, sizeof vmsg);
		} else {
			wl->verify(e->pw->cfg, e->wlshared, c->workers, c->mode, &out);
			r->checksum = out.checksum;
			r->expected = out.expected;
			r->ops = out.ops;
			if (!out.verified)
				bufprintf(vmsg, sizeof vmsg, "%s", out.msg[0] ? out.msg : "not verified");
			r->nmetrics = out.nmetrics;
			memcpy(r->metrics, out.metrics, sizeof r->metrics);
		}
		if (vmsg[0] != '\0') {
			char m[256];

			bufprintf(m, sizeof m, "verification failed: %s", vmsg);
			run_fail(e, m);
			struct engine_event *ev = push_event(e, EV_ERROR);

			bufprintf(ev->msg, sizeof ev->msg, "%s: %s", r->command, m);
		}
	}
	if (wl->kind == WL_GROUP && e->prepared && wl->cleanup != NULL)
		wl->cleanup(e->pw->cfg, e->wlshared, c->workers, c->mode);
	e->prepared = false;

	if (!warm || e->run_failed) {
		size_t k = r->nruns;

		if (k < e->plan->runs) {
			r->times[k] = secs;
			r->user[k] = user;
			r->sys[k] = sys;
			r->startup[k] = startup;
			r->teardown[k] = teardown;
			r->exit_codes[k] = e->run_failed ? EXIT_RUNFAIL : 0;
			r->nruns++;
		}
		/* per-worker figures of the latest measured run */
		free(r->per_worker);
		r->nper_worker = e->started;
		r->per_worker = xcalloc(e->started ? e->started : 1, sizeof *r->per_worker);
		for (unsigned i = 0; i < e->started; i++) {
			const struct proc *p = &e->procs[i];
			struct worker_stat *w = &r->per_worker[i];
			const struct proc_rec *rec = &e->recs[p->index];

			w->pid = p->pid;
			w->cpu = atomic_load_explicit(&rec->cpu, memory_order_relaxed);
			w->tasks = atomic_load_explicit(&rec->tasks, memory_order_relaxed);
			w->ops = atomic_load_explicit(&rec->ops, memory_order_relaxed);
			w->busy = (double)p->ru.ru_utime.tv_sec + p->ru.ru_utime.tv_usec / 1e6 +
				  (double)p->ru.ru_stime.tv_sec + p->ru.ru_stime.tv_usec / 1e6;
			w->role = "worker";
			if (wl->kind == WL_GROUP && wl->role_name != NULL)
				w->role = wl->role_name(e->pw->cfg, c->workers, c->mode, p->index);
		}
	}
	if (e->run_failed) {
		r->failed = true;
		r->verified = false;
		if (r->error[0] == '\0')
			bufprintf(r->error, sizeof r->error, "%s", e->run_error);
	}
	struct engine_event *ev = push_event(e, EV_RUN_DONE);

	ev->warmup = warm;
	ev->seconds = secs;
	e->rs = RS_IDLE;
}

/* Speedup and efficiency of every result against its single baseline. */
static void update_speedups(struct engine *e)
{
	for (size_t i = 0; i < e->nresults; i++) {
		struct bt_result *r = e->results_v[i];
		const struct bt_result *base = NULL;

		for (size_t j = 0; j < e->nresults; j++) {
			const struct bt_result *b = e->results_v[j];

			if (b->cfg.mode == MODE_SINGLE && b->cfg.wl == r->cfg.wl &&
			    b->cfg.cores == r->cfg.cores && !b->failed && b->nruns > 0)
				base = b;
		}
		r->speedup = base ? measure_speedup(base->time.median, r->time.median) : NAN;
		r->efficiency = measure_efficiency(r->speedup, r->cfg.workers);
	}
}

/* Summarise the current result and hand it over. */
static void config_finish(struct engine *e)
{
	struct bt_result *r = e->cur;
	const struct plan_config *c = &e->configs[e->ci];

	measure_summary(r->times, r->nruns, &r->time);
	r->user_mean = measure_mean(r->user, r->nruns);
	r->sys_mean = measure_mean(r->sys, r->nruns);
	if (c->mode == MODE_POOL) {
		r->startup_median = measure_percentile(r->startup, r->nruns, 50);
		r->teardown_median = measure_percentile(r->teardown, r->nruns, 50);
	}
	if (r->nruns < e->plan->runs)
		r->interrupted = e->stopping;
	if (r->nruns == 0 && !r->failed)
		r->verified = false;
	r->throughput = r->time.median > 0 && !r->failed ? (double)r->ops / r->time.median : NAN;
	if (r->failed)
		e->failed_any = true;
	e->results_v = xreallocarray(e->results_v, e->nresults + 1, sizeof *e->results_v);
	e->results_v[e->nresults++] = r;
	e->cur = NULL;
	update_speedups(e);
	struct engine_event *ev = push_event(e, EV_CONFIG_DONE);

	ev->result = e->nresults - 1;
	if (r->failed)
		bufprintf(ev->msg, sizeof ev->msg, "%s", r->error);
	config_release(e);
	e->config_active = false;
	e->ci++;
	if (r->failed && e->plan->fail_fast)
		e->stopping = true;
}

/* Begin configuration e->ci. */
static void config_begin(struct engine *e)
{
	char err[256];

	e->run = 0;
	e->nruns = e->plan->warmup + e->plan->runs;
	e->config_start_ns = now_ns();
	if (config_setup(e, err, sizeof err) < 0) {
		result_begin(e);
		e->cur->failed = true;
		e->cur->verified = false;
		bufprintf(e->cur->error, sizeof e->cur->error, "%s", err);
		config_finish(e);
		return;
	}
	result_begin(e);
	e->config_active = true;
	struct engine_event *ev = push_event(e, EV_CONFIG_START);

	bufprintf(ev->msg, sizeof ev->msg, "%s", e->cur->command);
	run_start(e);
}

/* Check the per-configuration timeout. */
static void check_timeout(struct engine *e)
{
	uint64_t limit;

	if (e->plan->timeout <= 0 || e->rs == RS_KILLING || e->rs == RS_IDLE)
		return;
	limit = (uint64_t)(e->plan->timeout * 1e9);
	if (now_ns() - e->config_start_ns < limit)
		return;
	char msg[256];
	int n = 0;

	n = snprintf(msg, sizeof msg, "timed out after %g s", e->plan->timeout);
	for (unsigned i = 0; i < e->started && n > 0 && (size_t)n < sizeof msg; i++) {
		const struct proc *p = &e->procs[i];

		if (!p->alive)
			continue;
		uint64_t task = atomic_load_explicit(&e->recs[p->index].task, memory_order_relaxed);

		if (task != UINT64_MAX && e->pw->wl->kind == WL_MAP)
			n += snprintf(msg + n, sizeof msg - (size_t)n, "; worker %u (pid %d) stuck in task %" PRIu64,
				      p->index, (int)p->pid, task);
		else
			n += snprintf(msg + n, sizeof msg - (size_t)n, "; worker %u (pid %d) still running",
				      p->index, (int)p->pid);
		break;
	}
	run_fail(e, msg);
	struct engine_event *ev = push_event(e, EV_ERROR);

	bufprintf(ev->msg, sizeof ev->msg, "%s: %s", e->cur->command, msg);
	run_kill(e, SIGKILL);
}

/* One step of the state machine; returns true when it made progress. */
static bool step(struct engine *e)
{
	const struct plan_config *c;

	if (e->finished)
		return false;
	if (!e->config_active) {
		if (e->stopping || e->ci >= e->nconfigs) {
			e->finished = true;
			e->stopped_early = e->ci < e->nconfigs;
			shm_header_publish(e->stats, PHASE_FINISHED, (uint32_t)e->ci, (uint32_t)e->nconfigs,
					   0, 0, 0, (uint32_t)e->nresults, NULL);
			push_event(e, EV_FINISHED);
			return true;
		}
		config_begin(e);
		return true;
	}
	c = &e->configs[e->ci];
	reap(e);
	switch (e->rs) {
	case RS_STARTING:
		if (e->run_failed)
			return false;
		run_check_ready(e);
		if (e->rs != RS_RUNNING)
			return false;
		/* fall through: some may have finished already */
		if (e->alive == 0)
			break;
		return true;
	case RS_RUNNING:
		if (c->mode == MODE_PROCESS && !e->run_failed && !e->stopping) {
			while (e->started < e->nprocs && e->nfree > 0) {
				if (spawn(e, e->started) < 0) {
					spawn_failed(e);
					break;
				}
			}
		}
		if (e->alive == 0 && (e->started == e->nprocs || e->run_failed))
			break;
		return false;
	case RS_KILLING:
		if (e->alive > 0) {
			if (now_ns() >= e->kill_deadline)
				kill_all(e, SIGKILL);
			return false;
		}
		break;
	case RS_IDLE:
		break;
	}
	/* the run is over */
	if (e->stopping && !e->run_failed) {
		/* stopped mid-run: the run does not count */
		if (e->pw->wl->kind == WL_GROUP && e->prepared && e->pw->wl->cleanup != NULL)
			e->pw->wl->cleanup(e->pw->cfg, e->wlshared, c->workers, c->mode);
		e->prepared = false;
		e->rs = RS_IDLE;
		e->cur->interrupted = true;
		config_finish(e);
		return true;
	}
	run_finish(e);
	e->run++;
	if (e->cur->failed || e->run >= e->nruns || e->stopping) {
		config_finish(e);
		return true;
	}
	run_start(e);
	return true;
}

/* Advance the engine, waiting at most timeout_ms for an event. */
int engine_tick(struct engine *e, int timeout_ms)
{
	uint64_t deadline = now_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000u;

	for (;;) {
		while (step(e)) {
			if (e->finished)
				return 0;
		}
		if (e->finished)
			return 0;
		check_timeout(e);
		uint64_t now = now_ns();

		if (now >= deadline)
			return 1;
		int wait = (int)((deadline - now + 999999) / 1000000);

		if (e->rs == RS_KILLING && e->alive > 0)
			wait = wait > 10 ? 10 : wait;
		if (e->plan->timeout > 0 && wait > 50)
			wait = 50;
		struct pollfd pfd = { .fd = e->efd, .events = POLLIN };

		if (poll(&pfd, 1, wait) > 0) {
			uint64_t v;

			if (read(e->efd, &v, sizeof v) < 0) {
				/* EAGAIN: nothing pending */
			}
		}
	}
}

/* Take the next event. */
bool engine_next_event(struct engine *e, struct engine_event *ev)
{
	if (e->evhead == e->nevents)
		return false;
	*ev = e->events[e->evhead++];
	if (e->evhead == e->nevents)
		e->evhead = e->nevents = 0;
	return true;
}

/* Stop the plan: TERM the workers now, KILL them after a grace period. */
void engine_stop(struct engine *e)
{
	if (e->stopping || e->finished)
		return;
	e->stopping = true;
	if (e->config_active && e->rs != RS_IDLE && e->alive > 0)
		run_kill(e, SIGTERM);
}

size_t engine_nconfigs(const struct engine *e)
{
	return e->nconfigs;
}

const struct plan_config *engine_config(const struct engine *e, size_t i)
{
	return i < e->nconfigs ? &e->configs[i] : NULL;
}

size_t engine_nresults(const struct engine *e)
{
	return e->nresults;
}

const struct bt_result *engine_result(const struct engine *e, size_t i)
{
	return i < e->nresults ? e->results_v[i] : NULL;
}

const struct shm_region *engine_stats(const struct engine *e)
{
	return e->stats;
}

bool engine_interrupted(const struct engine *e)
{
	return e->stopped_early || (e->stopping && e->finished);
}

/* 1 when any configuration failed or did not verify. */
int engine_exit_code(const struct engine *e)
{
	for (size_t i = 0; i < e->nresults; i++) {
		if (e->results_v[i]->failed || (!e->results_v[i]->verified && !e->results_v[i]->interrupted))
			return EXIT_RUNFAIL;
	}
	return EXIT_OK;
}
