/*
 * test_engine.c - unit tests for engine.c: real plans run through
 * engine_new/engine_tick/engine_result with the engine's own anonymous
 * stats region. The pool claims every task exactly once for every chunk
 * size and worker count; every mode verifies; the tutorial's checksums;
 * injected crashes, exits and hangs fail the run with a precise message;
 * engine_stop leaves no child behind. Bounds on time are sanity limits
 * only (a hung engine), never measurements.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "plan.h"
#include "profile.h"
#include "topo.h"
#include "workloads/fib.h"

#define TENG_LIMIT_S 60.0   /* a plan that takes longer has hung */

static struct topo *topo;
static struct plan p;
static char err[512];

/* Event counts of one engine run. */
struct teng_events {
	unsigned config_start, run_done, warmup_done, config_done, error, finished;
	char first_error[256];
};

static void teng_setup(void)
{
	char e[256] = "";

	topo = topo_load(NULL, e, sizeof e);   /* the real machine: workers bind for real */
	cr_assert_not_null(topo, "%s", e);
	plan_init(&p);
	p.runs = 1;
	p.warmup = 0;
	err[0] = '\0';
}

static void teng_teardown(void)
{
	plan_free(&p);
	topo_free(topo);
}

TestSuite(engine, .init = teng_setup, .fini = teng_teardown, .timeout = 120);

/* CLOCK_MONOTONIC seconds. */
static double teng_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Apply a -P style assignment to the plan or fail. */
static void teng_param(const char *assignment)
{
	cr_assert_eq(profile_set_param(&p, assignment, "-P", err, sizeof err), 0, "%s", err);
}

/* Select workloads (tutorial defaults), modes and workers or fail. */
static void teng_select(const char *workloads, const char *modes, const char *workers)
{
	cr_assert_eq(profile_set_workloads(&p, workloads, "-w", err, sizeof err), 0, "%s", err);
	cr_assert_eq(profile_set_modes(&p, modes, "-m", err, sizeof err), 0, "%s", err);
	cr_assert_eq(profile_set_workers(&p, workers, topo, "-n", err, sizeof err), 0, "%s", err);
}

/* Drain the engine's events into *ev. */
static void teng_drain(struct engine *e, struct teng_events *ev)
{
	struct engine_event x;

	while (engine_next_event(e, &x)) {
		switch (x.type) {
		case EV_CONFIG_START: ev->config_start++; break;
		case EV_RUN_DONE:
			ev->run_done++;
			ev->warmup_done += x.warmup;
			break;
		case EV_CONFIG_DONE: ev->config_done++; break;
		case EV_ERROR:
			if (ev->error++ == 0)
				snprintf(ev->first_error, sizeof ev->first_error, "%s", x.msg);
			break;
		case EV_FINISHED: ev->finished++; break;
		}
	}
}

/* Tick e until it is done (or the sanity limit passes); returns seconds. */
static double teng_finish(struct engine *e, struct teng_events *ev)
{
	double t0 = teng_now();

	while (engine_tick(e, 100)) {
		teng_drain(e, ev);
		cr_assert_lt(teng_now() - t0, TENG_LIMIT_S, "the engine did not finish");
	}
	teng_drain(e, ev);
	return teng_now() - t0;
}

/* Run the plan to the end; the caller frees the engine. */
static struct engine *teng_run(struct teng_events *ev)
{
	struct engine *e;

	memset(ev, 0, sizeof *ev);
	e = engine_new(&p, topo, NULL, err, sizeof err);
	cr_assert_not_null(e, "engine_new: %s", err);
	teng_finish(e, ev);
	cr_assert_eq(ev->finished, 1);
	return e;
}

/* No child process of the test is left, reaped or not. */
static void teng_no_children(void)
{
	errno = 0;
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child process is left");
	cr_assert_eq(errno, ECHILD, "waitpid: %s", strerror(errno));
}

/* sum of fib(n) over the plan's first workload, by iteration */
static uint64_t teng_fib_sum(void)
{
	const struct param_desc *d = params_find(p.wls[0].wl->params, "n");
	const struct u64_list *l = (const struct u64_list *)((const char *)p.wls[0].cfg + d->offset);
	uint64_t sum = 0;

	for (unsigned i = 0; i < l->n; i++)
		sum += fib_iterative(l->v[i]);
	return sum;
}

/* A finished, verified result of a map workload with ntasks tasks. */
static void teng_check_verified(const struct bt_result *r, uint64_t ntasks, uint64_t sum)
{
	uint64_t tasks = 0;

	cr_assert_not(r->failed, "%s failed: %s", r->command, r->error);
	cr_assert(r->verified, "%s did not verify", r->command);
	cr_assert_not(r->interrupted, "%s", r->command);
	cr_assert_eq(r->tasks, ntasks, "%s", r->command);
	cr_assert_eq(r->checksum, r->expected, "%s", r->command);
	cr_assert_eq(r->checksum, sum, "%s: checksum %llu, want %llu", r->command,
		     (unsigned long long)r->checksum, (unsigned long long)sum);
	cr_assert_eq(r->nruns, p.runs, "%s", r->command);
	for (size_t k = 0; k < r->nruns; k++) {
		cr_assert_eq(r->exit_codes[k], 0, "%s run %zu", r->command, k);
		cr_assert(r->times[k] >= 0 && isfinite(r->times[k]), "%s", r->command);
	}
	cr_assert_str_eq(r->error, "");
	for (unsigned i = 0; i < r->nper_worker; i++) {
		cr_assert_gt(r->per_worker[i].pid, 0);
		tasks += r->per_worker[i].tasks;
	}
	cr_assert_eq(tasks, ntasks, "%s: workers did %llu tasks of %llu", r->command,
		     (unsigned long long)tasks, (unsigned long long)ntasks);
}

Test(engine, pool_claims_every_task_once)
{
	struct teng_events ev;
	char label[96];

	teng_select("fib", "pool", "1,2,3,4,5,6,7,8");
	teng_param("fib.n=5,6,7,8,9,10,11,12,13");
	uint64_t sum = teng_fib_sum();

	for (uint64_t chunk = 0; chunk <= 9; chunk++) {   /* 0 = auto */
		p.chunksize = chunk;
		struct engine *e = teng_run(&ev);

		cr_assert_eq(engine_nresults(e), 8);
		cr_assert_eq(ev.config_done, 8);
		cr_assert_eq(ev.error, 0, "%s", ev.first_error);
		cr_assert_eq(engine_exit_code(e), 0);
		for (size_t i = 0; i < 8; i++) {
			const struct bt_result *r = engine_result(e, i);
			unsigned w = (unsigned)i + 1;

			snprintf(label, sizeof label, "fib pool w=%u", w);
			cr_assert_str_eq(r->command, label);
			cr_assert_eq(r->cfg.workers, w);
			cr_assert_eq(r->nper_worker, w, "%s: %u workers", label, r->nper_worker);
			cr_assert_eq(r->nprocs, w);
			cr_assert_eq(r->chunksize, chunk ? chunk : (9 + 4 * w - 1) / (4 * w),
				     "%s chunk %llu", label, (unsigned long long)chunk);
			teng_check_verified(r, 9, sum);
		}
		engine_free(e);
	}
	teng_no_children();
}

Test(engine, single_and_process_modes_verify)
{
	struct teng_events ev;

	teng_select("fib", "single,process", "1,2,3");
	teng_param("fib.n=1,2,3,4,5,6,7,8,9");
	p.runs = 2;
	p.warmup = 1;
	struct engine *e = teng_run(&ev);
	uint64_t sum = teng_fib_sum();

	cr_assert_eq(engine_nresults(e), 4);
	cr_assert_eq(ev.config_start, 4);
	cr_assert_eq(ev.run_done, 4 * 3, "warm-up and measured runs are reported");
	cr_assert_eq(ev.warmup_done, 4);
	for (size_t i = 0; i < 4; i++) {
		const struct bt_result *r = engine_result(e, i);

		teng_check_verified(r, 9, sum);
		if (i == 0) {
			cr_assert_str_eq(r->command, "fib single w=1");
			cr_assert_eq(r->nper_worker, 1);
			cr_assert_eq(r->per_worker[0].tasks, 9);
			cr_assert_float_eq(r->speedup, 1.0, 1e-9);
		} else {
			/* one process per task, at most `workers` at once */
			cr_assert_eq(r->cfg.mode, MODE_PROCESS);
			cr_assert_eq(r->nprocs, 9);
			cr_assert_eq(r->nper_worker, 9);
			for (unsigned k = 0; k < 9; k++)
				cr_assert_eq(r->per_worker[k].tasks, 1);
			cr_assert(isfinite(r->speedup), "%s has no speedup", r->command);
		}
	}
	engine_free(e);
	teng_no_children();
}

Test(engine, tutorial_checksums)
{
	struct teng_events ev;

	teng_select("fib,heavy", "single,pool", "2");
	struct engine *e = teng_run(&ev);

	cr_assert_eq(engine_nresults(e), 4);
	for (size_t i = 0; i < 4; i++) {
		const struct bt_result *r = engine_result(e, i);
		uint64_t want = i < 2 ? 192237 : 2999997000000ull;

		cr_assert(r->verified && !r->failed, "%s: %s", r->command, r->error);
		cr_assert_eq(r->checksum, want, "%s: %llu", r->command, (unsigned long long)r->checksum);
		cr_assert_eq(r->expected, want);
		cr_assert_eq(r->tasks, 4);
	}
	cr_assert_eq(engine_result(e, 0)->ops, fib_calls(20) + fib_calls(22) + fib_calls(24) +
		     fib_calls(26));
	cr_assert_eq(engine_result(e, 2)->ops, 4000000);
	cr_assert_eq(engine_exit_code(e), 0);
	engine_free(e);
	teng_no_children();
}

Test(engine, stats_slots_are_published)
{
	struct teng_events ev;
	struct header_view h;

	teng_select("heavy", "pool", "2");
	teng_param("heavy.iters=300000");
	teng_param("heavy.data=6");
	struct engine *e = teng_run(&ev);
	const struct shm_region *st = engine_stats(e);
	uint64_t tasks = 0, ops = 0;

	cr_assert_not_null(st);
	cr_assert_geq(st->hdr->nslots, 2);
	for (unsigned i = 0; i < 2; i++) {
		struct slot_view v;

		shm_slot_read(st, i, &v);
		cr_assert_eq(v.state, SLOT_DONE, "slot %u is %s", i, shm_state_name(v.state));
		cr_assert_gt(v.pid, 0);
		tasks += v.tasks_done;
		ops += v.ops_done;
	}
	cr_assert_eq(tasks, 6);
	cr_assert_eq(ops, 6 * 300000);
	shm_header_read(st, &h);
	cr_assert_eq(h.phase, PHASE_FINISHED);
	cr_assert_eq(h.finished, 1);
	engine_free(e);

	/* publishing off: the workers leave their slots alone */
	p.publish = false;
	e = teng_run(&ev);
	st = engine_stats(e);
	for (unsigned i = 0; i < 2; i++) {
		struct slot_view v;

		shm_slot_read(st, i, &v);
		cr_assert_eq(v.tasks_done, 0);
		cr_assert_eq(v.ops_done, 0);
	}
	cr_assert(engine_result(e, 0)->verified);
	engine_free(e);
	teng_no_children();
}

Test(engine, crash_fails_the_run)
{
	struct teng_events ev;

	/* the worker dies of the signal itself, also in a sanitizer build */
	teng_select("fib", "single,pool", "2");
	teng_param("fib.n=5,6,7,8");
	teng_param("fault.crash_task=1");
	p.runs = 3;
	struct engine *e = teng_run(&ev);

	cr_assert_eq(engine_nresults(e), 2, "the next configuration still runs");
	for (size_t i = 0; i < 2; i++) {
		const struct bt_result *r = engine_result(e, i);

		cr_assert(r->failed, "%s did not fail", r->command);
		cr_assert_not(r->verified);
		cr_assert(strstr(r->error, "task 1") != NULL, "%s: '%s' lacks the task", r->command,
			  r->error);
		cr_assert(strstr(r->error, "SIGSEGV") != NULL, "%s: '%s' lacks the signal", r->command,
			  r->error);
		cr_assert_geq(r->nruns, 1);
		cr_assert_eq(r->exit_codes[r->nruns - 1], 1);
	}
	cr_assert_geq(ev.error, 2);
	cr_assert(strstr(ev.first_error, "SIGSEGV") != NULL, "%s", ev.first_error);
	cr_assert_eq(engine_exit_code(e), 1);
	engine_free(e);
	teng_no_children();
}

Test(engine, exit_fault_fails_the_run)
{
	struct teng_events ev;

	teng_select("heavy", "process", "2");
	teng_param("heavy.iters=1000");
	teng_param("fault.exit_task=2");
	struct engine *e = teng_run(&ev);
	const struct bt_result *r = engine_result(e, 0);

	cr_assert(r->failed);
	cr_assert(strstr(r->error, "task 2") != NULL, "%s", r->error);
	cr_assert(strstr(r->error, "exited with status 3") != NULL, "%s", r->error);
	cr_assert_eq(r->exit_codes[0], 1);
	cr_assert_eq(engine_exit_code(e), 1);
	engine_free(e);
	teng_no_children();
}

Test(engine, fail_fast_stops_the_plan)
{
	struct teng_events ev;

	teng_select("fib", "pool", "1,2,3");
	teng_param("fib.n=5,6");
	teng_param("fault.exit_task=0");
	p.fail_fast = true;
	struct engine *e = teng_run(&ev);

	cr_assert_eq(engine_nresults(e), 1);
	cr_assert(engine_result(e, 0)->failed);
	cr_assert_eq(engine_exit_code(e), 1);
	engine_free(e);
	teng_no_children();
}

Test(engine, timeout_ends_a_hung_run)
{
	struct teng_events ev;

	teng_select("fib", "single,pool", "2");
	teng_param("fib.n=5,6,7");
	teng_param("fault.hang_task=0");
	p.timeout = 0.5;
	struct engine *e = engine_new(&p, topo, NULL, err, sizeof err);

	cr_assert_not_null(e, "%s", err);
	memset(&ev, 0, sizeof ev);
	double secs = teng_finish(e, &ev);

	cr_assert_lt(secs, 20.0, "two 0.5 s timeouts took %.1f s", secs);
	cr_assert_eq(engine_nresults(e), 2);
	for (size_t i = 0; i < 2; i++) {
		const struct bt_result *r = engine_result(e, i);

		cr_assert(r->failed, "%s", r->command);
		cr_assert(strstr(r->error, "timed out after 0.5 s") != NULL, "%s", r->error);
		cr_assert(strstr(r->error, "task 0") != NULL, "%s", r->error);
		/* a failed run's time is how long it took to fail: at least the
		 * timeout, not the time of the workers that did finish */
		cr_assert_eq(r->nruns, 1);
		cr_assert_geq(r->times[0], 0.4, "%s: the timed-out run took %.6f s", r->command,
			      r->times[0]);
	}
	cr_assert_eq(engine_exit_code(e), 1);
	engine_free(e);
	teng_no_children();
}

Test(engine, stop_mid_run_leaves_no_child)
{
	struct teng_events ev;
	double t0;

	teng_select("heavy", "pool,single", "2");
	teng_param("heavy.iters=1000");
	teng_param("heavy.data=3");
	teng_param("fault.hang_task=0");   /* one worker never finishes */
	struct engine *e = engine_new(&p, topo, NULL, err, sizeof err);

	cr_assert_not_null(e, "%s", err);
	memset(&ev, 0, sizeof ev);
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(engine_tick(e, 40), 1, "a hung run finished");
		teng_drain(e, &ev);
	}
	cr_assert_eq(ev.config_start, 1);
	cr_assert_eq(engine_nresults(e), 0);
	engine_stop(e);
	t0 = teng_now();
	teng_finish(e, &ev);
	cr_assert_lt(teng_now() - t0, 20.0);
	cr_assert(engine_interrupted(e));
	cr_assert_eq(engine_nresults(e), 1, "the second configuration started");
	const struct bt_result *r = engine_result(e, 0);

	cr_assert(r->interrupted, "%s not marked interrupted", r->command);
	cr_assert_not(r->failed, "stopping is not a failure: %s", r->error);
	cr_assert_eq(r->nruns, 0);
	cr_assert_eq(engine_exit_code(e), 0);
	teng_no_children();
	engine_free(e);
	teng_no_children();
}

Test(engine, free_while_running_kills_and_reaps)
{
	struct teng_events ev;

	teng_select("fib", "pool", "2");
	teng_param("fib.n=5,6,7");
	teng_param("fault.hang_task=1");
	struct engine *e = engine_new(&p, topo, NULL, err, sizeof err);

	cr_assert_not_null(e, "%s", err);
	memset(&ev, 0, sizeof ev);
	for (int i = 0; i < 3; i++)
		engine_tick(e, 30);
	engine_free(e);
	teng_no_children();
}

Test(engine, sigchld_handler_restored)
{
	struct sigaction before, during, after;
	struct teng_events ev;

	sigaction(SIGCHLD, NULL, &before);
	teng_select("fib", "single", "1");
	teng_param("fib.n=3");
	struct engine *e = engine_new(&p, topo, NULL, err, sizeof err);

	cr_assert_not_null(e, "%s", err);
	sigaction(SIGCHLD, NULL, &during);
	cr_assert_neq(during.sa_handler, before.sa_handler, "engine_new installs a handler");
	memset(&ev, 0, sizeof ev);
	teng_finish(e, &ev);
	engine_free(e);
	sigaction(SIGCHLD, NULL, &after);
	cr_assert_eq(after.sa_handler, before.sa_handler, "engine_free did not restore SIGCHLD");
}

Test(engine, new_rejects_what_cannot_run)
{
	struct shm_region small;

	/* no workload */
	cr_assert_null(engine_new(&p, topo, NULL, err, sizeof err));
	cr_assert(strstr(err, "nothing to run") != NULL, "%s", err);
	/* a stats region with fewer slots than processes at once */
	teng_select("fib", "pool", "4");
	cr_assert_eq(engine_slots_needed(&p), 4);
	cr_assert_eq(shm_create_anon(&small, 2, err, sizeof err), 0, "%s", err);
	cr_assert_null(engine_new(&p, topo, &small, err, sizeof err));
	cr_assert(strstr(err, "2 slots") != NULL && strstr(err, "needs 4") != NULL, "%s", err);
	shm_close(&small);
	/* process mode needs at most min(tasks, workers) slots */
	teng_select("fib", "process,single", "8");
	teng_param("fib.n=3,4,5");
	cr_assert_eq(engine_slots_needed(&p), 3);
}

Test(engine, caller_stats_region)
{
	struct shm_region st;
	struct teng_events ev;
	struct slot_view v;

	teng_select("fib", "pool", "3");
	teng_param("fib.n=10,11,12,13,14,15");
	cr_assert_eq(shm_create_anon(&st, engine_slots_needed(&p), err, sizeof err), 0, "%s", err);
	struct engine *e = engine_new(&p, topo, &st, err, sizeof err);

	cr_assert_not_null(e, "%s", err);
	cr_assert_eq(engine_stats(e), &st);
	memset(&ev, 0, sizeof ev);
	teng_finish(e, &ev);
	cr_assert(engine_result(e, 0)->verified);
	engine_free(e);
	/* the caller's region outlives the engine */
	shm_slot_read(&st, 0, &v);
	cr_assert_eq(v.state, SLOT_DONE);
	shm_close(&st);
	teng_no_children();
}
