/*
 * bench.c - `benchtop bench`: benchtop's own speed, each figure measured
 * side by side with a bare reference in the same run and the same binary,
 * reported as medians and ratios (the machines are small and noisy).
 */
#include "bench.h"
#include "bench_ipc.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.h"
#include "headless.h"
#include "measure.h"
#include "plan.h"
#include "profile.h"
#include "topo.h"
#include "tui.h"
#include "util.h"
#include "workloads/fib.h"
#include "workloads/heavy.h"

#define REPS 5

/* A one-workload plan: `mode` with `workers`, `runs` measured runs. */
static void bench_plan(struct plan *p, const char *wl, const char *const *params,
		       enum bt_mode mode, unsigned workers, unsigned runs)
{
	char err[256];

	plan_init(p);
	if (plan_workload(p, wl) < 0)
		fatalx(EXIT_RUNFAIL, "bench: no workload %s", wl);
	for (; params != NULL && *params != NULL; params++) {
		if (profile_set_param(p, *params, "bench", err, sizeof err) < 0)
			fatalx(EXIT_RUNFAIL, "bench: %s", err);
	}
	p->modes[0] = mode;
	p->nmodes = 1;
	p->workers[0] = workers;
	p->nworkers = 1;
	p->runs = runs;
	p->warmup = 1;
}

/* Run a plan to the end; returns its single result's median seconds and,
 * when wanted, its median pool start-up. Dies when it does not verify. */
static double bench_run(const struct plan *p, const struct topo *t, double *startup)
{
	char err[256];
	struct engine *e = engine_new(p, t, NULL, err, sizeof err);
	const struct bt_result *r;
	double med;

	if (e == NULL)
		fatalx(EXIT_RUNFAIL, "bench: %s", err);
	while (engine_tick(e, 100)) {
		struct engine_event ev;

		while (engine_next_event(e, &ev)) {
		}
	}
	r = engine_result(e, 0);
	if (r == NULL || r->failed || !r->verified)
		fatalx(EXIT_RUNFAIL, "bench: %s did not verify: %s", r ? r->command : "run",
		       r ? r->error : "");
	med = r->time.median;
	if (startup != NULL)
		*startup = r->startup_median;
	engine_free(e);
	return med;
}

/* Median of REPS timings of fn(arg) in this process. */
static double time_inproc(void (*fn)(uint64_t), uint64_t arg)
{
	double t[REPS];

	for (int i = 0; i < REPS; i++) {
		uint64_t t0 = now_ns();

		fn(arg);
		t[i] = (double)(now_ns() - t0) / 1e9;
	}
	return measure_percentile(t, REPS, 50);
}

static volatile uint64_t sink;

/* The bare heavy loop: x = 2 and 3, as the benchtop run below. */
static void bare_heavy(uint64_t iters)
{
	uint64_t s = heavy_kernel(0, iters, 2, 0) + heavy_kernel(0, iters, 3, 0);

	if (s != heavy_formula(iters, 2) + heavy_formula(iters, 3))
		fatalx(EXIT_RUNFAIL, "bench: bare heavy loop gave a wrong sum");
	sink = s;
}

/* The bare fib: fib(n) once. */
static void bare_fib(uint64_t n)
{
	sink = fib_recursive(n);
}

/* Fork `procs` bare processes sharing `tasks` fib(n) tasks statically,
 * wait for all; returns the median wall time of REPS. */
static double bare_fib_procs(unsigned procs, unsigned tasks, uint64_t n)
{
	double t[REPS];

	for (int r = 0; r < REPS; r++) {
		pid_t pids[64];
		uint64_t t0 = now_ns();

		for (unsigned k = 0; k < procs; k++) {
			pids[k] = fork();
			if (pids[k] == 0) {
				uint64_t s = 0;

				for (unsigned i = k; i < tasks; i += procs)
					s += fib_recursive(n);
				_exit(s == (uint64_t)((tasks - k + procs - 1) / procs) * fib_iterative(n) ? 0 : 1);
			}
			if (pids[k] < 0)
				fatal("bench: fork");
		}
		for (unsigned k = 0; k < procs; k++) {
			int st;

			waitpid(pids[k], &st, 0);
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				fatalx(EXIT_RUNFAIL, "bench: bare fib process failed");
		}
		t[r] = (double)(now_ns() - t0) / 1e9;
	}
	return measure_percentile(t, REPS, 50);
}

/* Bare fork + _exit + waitpid, per process, median of REPS batches of n. */
static double bare_fork(unsigned n)
{
	double t[REPS];

	for (int r = 0; r < REPS; r++) {
		uint64_t t0 = now_ns();

		for (unsigned i = 0; i < n; i++) {
			pid_t pid = fork();

			if (pid == 0)
				_exit(0);
			if (pid < 0)
				fatal("bench: fork");
			waitpid(pid, NULL, 0);
		}
		t[r] = (double)(now_ns() - t0) / 1e9 / n;
	}
	return measure_percentile(t, REPS, 50);
}

/* Print a section title. */
static void title(const char *s)
{
	printf("\n%s\n", s);
}

/* The whole benchmark. */
int bench_main(int argc, char **argv)
{
	char err[256];
	struct topo *t;
	struct topo_summary ts;
	struct plan p;
	char buf[64], buf2[64];

	if (argc > 1) {
		if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
			printf("usage: benchtop bench\n\nMeasure benchtop's own overheads side by "
			       "side with bare references (medians of %d).\n", REPS);
			return EXIT_OK;
		}
		fprintf(stderr, "benchtop: bench: unexpected argument '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	t = topo_load(NULL, err, sizeof err);
	if (t == NULL)
		fatalx(EXIT_RUNFAIL, "%s", err);
	topo_get_summary(t, &ts);
	unsigned cores = ts.cores ? ts.cores : 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("benchtop bench: %u cores, %u PUs; every figure a median of %d runs\n", ts.cores,
	       ts.pus, REPS);

	/* 1. heavy: ns per iteration inside benchtop vs the bare loop */
	{
		static const char *const prm[] = { "heavy.iters=100000000", "heavy.data=2,3", NULL };
		uint64_t iters = 100000000;
		double bare, in;

		bench_plan(&p, "heavy", prm, MODE_SINGLE, 1, REPS);
		in = bench_run(&p, t, NULL);
		bare = time_inproc(bare_heavy, iters);
		plan_free(&p);
		title("heavy loop (2 tasks x 100M iterations)");
		printf("  benchtop single   %.3f ns/iteration\n", in / (2.0 * (double)iters) * 1e9);
		printf("  bare loop         %.3f ns/iteration\n", bare / (2.0 * (double)iters) * 1e9);
		printf("  ratio             %.3f (goal <= 1.05)\n", in / bare);
	}

	/* 2. fib per call */
	{
		static const char *const prm[] = { "fib.n=30,30,30,30,30,30,30,30", NULL };
		double f26 = time_inproc(bare_fib, 26), f30 = time_inproc(bare_fib, 30), in;

		bench_plan(&p, "fib", prm, MODE_SINGLE, 1, REPS);
		in = bench_run(&p, t, NULL) / 8;
		plan_free(&p);
		title("fib (recursive)");
		printf("  bare fib(26)      %.3f ms per call\n", f26 * 1e3);
		printf("  bare fib(30)      %.3f ms per call\n", f30 * 1e3);
		printf("  benchtop fib(30)  %.3f ms per task (ratio %.3f)\n", in * 1e3, in / f30);
	}

	/* 3. pool speedup vs bare processes for fib(32)-sized tasks */
	{
		unsigned tasks = 8 * cores;
		char nlist[1024] = "fib.n=";
		const char *prm[] = { nlist, NULL };
		double single, pool, startup, b1, bn, sp, bsp;

		for (unsigned i = 0; i < tasks; i++)
			strcat(nlist, i ? ",32" : "32");
		bench_plan(&p, "fib", prm, MODE_SINGLE, 1, REPS);
		single = bench_run(&p, t, NULL);
		plan_free(&p);
		bench_plan(&p, "fib", prm, MODE_POOL, cores, REPS);
		pool = bench_run(&p, t, &startup);
		plan_free(&p);
		b1 = bare_fib_procs(1, tasks, 32);
		bn = bare_fib_procs(cores, tasks, 32);
		sp = single / pool;
		bsp = b1 / bn;
		title("pool speedup, fib(32) tasks");
		printf("  %u tasks, %u workers: single %.1f ms, pool %.1f ms (start-up %.2f ms "
		       "apart)\n", tasks, cores, single * 1e3, pool * 1e3, startup * 1e3);
		printf("  benchtop pool     %.2fx\n", sp);
		printf("  bare processes    %.2fx (1 process %.1f ms, %u processes %.1f ms)\n", bsp,
		       b1 * 1e3, cores, bn * 1e3);
		printf("  ratio             %.3f (goal >= 0.95)\n", sp / bsp);
	}

	/* 4. stats publishing on vs off */
	{
		/* two tasks of ~60 ms each, on and off alternated in 5 rounds so
		 * that drift in the machine's speed hits both alike */
		static const char *const prm[] = { "heavy.iters=200000000", "heavy.data=2,3", NULL };
		double on[5], off[5];

		for (int k = 0; k < 5; k++) {
			bench_plan(&p, "heavy", prm, MODE_POOL, cores, REPS);
			on[k] = bench_run(&p, t, NULL);
			p.publish = false;
			off[k] = bench_run(&p, t, NULL);
			plan_free(&p);
		}
		double mon = measure_percentile(on, 5, 50), moff = measure_percentile(off, 5, 50);

		title("stats publishing (heavy pool, publishing on vs off)");
		printf("  on %.2f ms, off %.2f ms: cost %+.2f%% (goal <= 1%%)\n", mon * 1e3,
		       moff * 1e3, (mon / moff - 1) * 100);
	}

	/* 5. process start + join */
	{
		static const char *const prm[] = { "nop.tasks=32", NULL };
		double in, bare;

		bench_plan(&p, "nop", prm, MODE_PROCESS, 1, REPS);
		in = bench_run(&p, t, NULL) / 32;
		plan_free(&p);
		bare = bare_fork(32);
		title("process start + join (process mode, 32 trivial tasks, one at a time)");
		printf("  benchtop          %.3f ms per task\n", in * 1e3);
		printf("  bare fork+wait    %.3f ms per process (ratio %.2f)\n", bare * 1e3, in / bare);
	}

	/* 6. pool dispatch of trivial tasks */
	{
		static const char *const prm[] = { "nop.tasks=2000000", NULL };

		title("pool dispatch (2M trivial tasks)");
		for (int k = 0; k < 2; k++) {
			bench_plan(&p, "nop", prm, MODE_POOL, cores, REPS);
			p.chunksize = k == 0 ? 1 : 0;
			double s = bench_run(&p, t, NULL);

			headless_fmt_rate(2e6 / s, buf, sizeof buf);
			bufprintf(buf2, sizeof buf2, "%s", k == 0 ? "1" : "auto");
			printf("  chunksize %-5s   %s tasks/s with %u workers%s\n", buf2, buf, cores,
			       k == 0 ? " (goal >= 10M)" : "");
			plan_free(&p);
		}
	}
	/* 7. the dashboard's own CPU use */
	{
		double pct = tui_bench_cpu(16, 8);

		title("dashboard CPU use (16 fib pool workers, 10 Hz, 8 s)");
		if (pct < 0)
			printf("  not measured (see the message above)\n");
		else
			printf("  %.2f%% of one core (goal <= 2%%)\n", pct);
	}
	/* 8. the prodcons queues and the shdict backends (bench_ipc.c) */
	bench_ipc(stdout);
	topo_free(t);
	return EXIT_OK;
}
