/*
 * headless.c - the non-interactive front-end over the engine.
 *
 * Progress: when stderr is a terminal, one live line read from the stats
 * region (configuration, run, per-worker progress) redrawn at 10 Hz; else
 * one line per finished configuration. Signals only set a flag; the loop
 * stops the engine, which reaps every worker, and still writes the results
 * of the finished configurations.
 */
#include "headless.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "results_json.h"
#include "shm.h"
#include "util.h"

static volatile sig_atomic_t got_signal;

/* SIGINT, SIGTERM, SIGHUP: remember which; the loop does the rest. */
static void on_signal(int sig)
{
	if (got_signal == 0)
		got_signal = sig;
}

/* Seconds with a fitting unit. */
void headless_fmt_time(double s, char *buf, size_t len)
{
	if (!isfinite(s))
		bufprintf(buf, len, "-");
	else if (s >= 1.0)
		bufprintf(buf, len, "%.3f s", s);
	else if (s >= 1e-3)
		bufprintf(buf, len, "%.2f ms", s * 1e3);
	else
		bufprintf(buf, len, "%.1f us", s * 1e6);
}

/* A rate with an SI prefix. */
void headless_fmt_rate(double v, char *buf, size_t len)
{
	static const char *const pfx[] = { "", "k", "M", "G", "T" };
	unsigned i = 0;

	if (!isfinite(v)) {
		bufprintf(buf, len, "-");
		return;
	}
	while (v >= 1000.0 && i + 1 < ARRAY_LEN(pfx)) {
		v /= 1000.0;
		i++;
	}
	bufprintf(buf, len, "%.3g%s", v, pfx[i]);
}

/* Ratio or "-". */
static void fmt_ratio(double v, const char *suffix, char *buf, size_t len)
{
	if (!isfinite(v))
		bufprintf(buf, len, "-");
	else if (v > 0 && v < 0.095)
		bufprintf(buf, len, "%.2g%s", v, suffix);   /* 0.0027x, not 0.00x */
	else
		bufprintf(buf, len, "%.2f%s", v, suffix);
}

/* The results table, aligned. */
static void print_table(FILE *out, const struct engine *e)
{
	size_t n = engine_nresults(e), w = 7;

	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(engine_result(e, i)->command);

		if (l > w)
			w = l;
	}
	fprintf(out, "%-*s %5s %11s %11s %11s %11s %15s %8s %6s  %s\n", (int)w, "command", "runs",
		"median", "stddev", "min", "max", "throughput", "speedup", "eff", "result");
	for (size_t i = 0; i < n; i++) {
		const struct bt_result *r = engine_result(e, i);
		char med[24], sd[24], mn[24], mx[24], num[24], rate[48], sp[16], ef[16];

		/* a run that failed before it started (e.g. a queue the system
		 * refused) has no time worth showing */
		bool timed = !(r->failed && r->time.max <= 0);

		headless_fmt_time(timed ? r->time.median : NAN, med, sizeof med);
		headless_fmt_time(timed ? r->time.stddev : NAN, sd, sizeof sd);
		headless_fmt_time(timed ? r->time.min : NAN, mn, sizeof mn);
		headless_fmt_time(timed ? r->time.max : NAN, mx, sizeof mx);
		headless_fmt_rate(r->throughput, num, sizeof num);
		bufprintf(rate, sizeof rate, "%s %s", num, isfinite(r->throughput) ? r->unit : "");
		fmt_ratio(r->speedup, "x", sp, sizeof sp);
		fmt_ratio(r->efficiency * 100, "%", ef, sizeof ef);
		fprintf(out, "%-*s %5zu %11s %11s %11s %11s %15s %8s %6s  %s\n", (int)w, r->command,
			r->nruns, med, sd, mn, mx, rate, sp, ef,
			r->failed ? "FAILED" : r->interrupted ? "interrupted" :
			r->verified ? "verified" : "NOT VERIFIED");
	}
	for (size_t i = 0; i < n; i++) {
		const struct bt_result *r = engine_result(e, i);

		if (r->failed)
			fprintf(out, "%s: %s\n", r->command, r->error);
	}
	if (n > 0)
		fprintf(out, "throughput at the median time; speedup and efficiency against single "
			"mode of the same workload\n");
}

/* One line of live progress, read from the stats region. */
static void draw_progress(const struct engine *e, const struct shm_region *r)
{
	struct header_view h;
	uint64_t done = 0, total = 0;
	unsigned running = 0;
	char line[256];

	shm_header_read(r, &h);
	for (unsigned i = 0; i < h.nactive; i++) {
		struct slot_view s;

		shm_slot_read(r, i, &s);
		if (s.state == SLOT_EMPTY)
			continue;
		done += s.ops_done;
		total += s.ops_total;
		running += s.state == SLOT_RUNNING;
	}
	(void)e;
	int n = snprintf(line, sizeof line, "[%u/%u] %s  %s %u/%u  %u running",
			 h.config_index + 1, h.config_count, h.label, shm_phase_name(h.phase),
			 h.run_index + 1, h.run_count, running);

	if (total > 0 && n > 0 && (size_t)n < sizeof line)
		snprintf(line + n, sizeof line - (size_t)n, "  %3.0f%%",
			 100.0 * (double)done / (double)total);
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
}

/* Run the plan headless. */
int headless_run(const struct plan *plan, const struct topo *topo, const struct headless_opts *o)
{
	struct shm_region region, *stats = NULL;
	struct sigaction sa, old_int, old_term, old_hup;
	bool tty = !o->quiet && isatty(STDERR_FILENO);
	FILE *table = o->json_path != NULL && strcmp(o->json_path, "-") == 0 ? stderr : stdout;
	char err[512];
	struct engine *e;
	int rc;

	shm_sweep_stale();
	if (!o->no_shm) {
		if (shm_create(&region, engine_slots_needed(plan), err, sizeof err) < 0) {
			fprintf(stderr, "benchtop: %s\n", err);
			return EXIT_USAGE;
		}
		stats = &region;
	}
	e = engine_new(plan, topo, stats, err, sizeof err);
	if (e == NULL) {
		fprintf(stderr, "benchtop: %s\n", err);
		if (stats != NULL)
			shm_close(stats);
		return EXIT_USAGE;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	got_signal = 0;

	uint64_t last_draw = 0;

	for (;;) {
		int running = engine_tick(e, 50);
		struct engine_event ev;

		if (got_signal != 0)
			engine_stop(e);
		while (engine_next_event(e, &ev)) {
			if (ev.type == EV_ERROR && !o->quiet) {
				fprintf(stderr, "%sbenchtop: %s\n", tty ? "\r\033[K" : "", ev.msg);
			} else if (ev.type == EV_CONFIG_DONE && !o->quiet) {
				const struct bt_result *r = engine_result(e, ev.result);
				char med[24], sd[24];

				headless_fmt_time(r->time.median, med, sizeof med);
				headless_fmt_time(r->time.stddev, sd, sizeof sd);
				fprintf(stderr, "%s[%zu/%zu] %s: median %s +- %s over %zu runs, %s\n",
					tty ? "\r\033[K" : "", ev.config + 1, engine_nconfigs(e),
					r->command, med, sd, r->nruns,
					r->failed ? "FAILED" : r->interrupted ? "interrupted" :
					r->verified ? "verified" : "NOT VERIFIED");
			}
		}
		if (!running)
			break;
		if (tty && now_ns() - last_draw > 100000000u) {
			draw_progress(e, engine_stats(e));
			last_draw = now_ns();
		}
	}
	if (tty)
		fprintf(stderr, "\r\033[K");
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);

	if (!o->no_table)
		print_table(table, e);
	rc = engine_exit_code(e);
	if (o->json_path != NULL) {
		size_t n = engine_nresults(e);
		const struct bt_result **v = xcalloc(n ? n : 1, sizeof *v);

		for (size_t i = 0; i < n; i++)
			v[i] = engine_result(e, i);
		if (results_json_write(o->json_path, plan, topo, v, n, got_signal != 0 ||
				       engine_interrupted(e), err, sizeof err) < 0) {
			fprintf(stderr, "benchtop: %s\n", err);
			rc = EXIT_RUNFAIL;
		}
		free(v);
	}
	engine_free(e);
	if (stats != NULL)
		shm_close(stats);
	if (got_signal != 0)
		return 128 + got_signal;
	return rc;
}
