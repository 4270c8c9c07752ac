/*
 * tui.c - the dashboard: settings, live worker rows from the stats region,
 * results, the scaling chart and the topology tree, over the same engine
 * calls as the headless runner; and `benchtop watch`.
 *
 * The loop never blocks: while a plan runs it alternates engine_tick() with
 * a short timeout and non-blocking getch(); when idle it poll()s stdin until
 * the next frame. The screen is erased and drawn only once per frame (or
 * after a key) and sent with wnoutrefresh() + doupdate(), so curses only
 * writes what changed. Signals set a flag; the loop stops the engine, reaps,
 * restores the terminal and returns 128 + signal. curses handles SIGWINCH
 * itself and hands us KEY_RESIZE.
 */
#include "tui.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ncursesw/curses.h>

#include "engine.h"
#include "headless.h"
#include "host.h"
#include "plan.h"
#include "profile.h"
#include "results_json.h"
#include "shm.h"
#include "util.h"
#include "workload.h"

#ifndef BENCHTOP_VERSION
#define BENCHTOP_VERSION "0.0.0"
#endif

#define MAX_PUS 4096u
#define CPU_SAMPLE_NS 1000000000ull   /* /proc/stat and load average: 1 Hz */
#define STATUS_NS 6000000000ull       /* how long a message stays */
#define TICK_MAX_MS 50                 /* engine_tick slice between input checks */
#define HEADER_MAX_ROWS 4u             /* rows of PU meters at most */

enum view { VIEW_MAIN, VIEW_SCALING, VIEW_TOPO, VIEW_COUNT };
enum col { COL_WL, COL_PARAM, COL_SET, COL_COUNT };
enum setting { SET_MODES, SET_WORKERS, SET_RUNS, SET_WARMUP, SET_BIND, SET_CHUNK, SET_COUNT };

enum pair { P_TITLE = 1, P_GREEN, P_YELLOW, P_RED, P_CYAN, P_FOCUS, P_MAGENTA, P_BLUE, P_DIM };

/* Colours of the scaling chart's series. */
static const int series_pairs[] = { P_GREEN, P_YELLOW, P_MAGENTA, P_CYAN, P_RED, P_BLUE };

static const char *const view_names[VIEW_COUNT] = { "main", "scaling", "topology" };
static const char *const set_names[SET_COUNT] = {
	"mode", "workers", "runs", "warm-up", "bind", "chunk size"
};
static const char *const mode_cycle[] = {
	"single,pool", "pool", "process", "single", "single,process,pool", "process,pool"
};

/* Characters that differ between UTF-8 and ASCII terminals. */
struct glyphs {
	const char *heat[9];   /* utilisation 0..8 */
	const char *fill, *empty, *dot, *ok, *bad;
};

static const struct glyphs glyphs_utf8 = {
	{ " ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" },
	"\u2588", "\u2591", "\u00b7", "\u2713", "\u2717"
};
static const struct glyphs glyphs_ascii = {
	{ " ", ".", ":", "-", "=", "+", "*", "#", "@" }, "#", ".", ".", "ok", "X"
};

/* Previous reading of a slot, for ops/s. */
struct proc_prev {
	int32_t pid;
	uint64_t ops, ns;
	double rate;
};

struct tui {
	const struct topo *topo;
	struct topo_summary sum;
	struct host_info host;
	bool color, utf8, watch;
	const struct glyphs *g;
	int refresh_ms;
	SCREEN *scr;

	/* settings: one row per workload entry of the profile (a workload may
	 * appear several times with other parameters or worker counts), then
	 * every other registered workload, unselected, with its defaults */
	struct plan rows;          /* only its wls are used */
	bool sel[PLAN_MAX_WL];
	struct plan base;          /* modes, workers, runs ... (its wls unused) */
	int col, row[COL_COUNT];

	/* inline edit line */
	bool editing;
	int edit_col, edit_row;
	char edit[256], edit_what[64];
	size_t elen;

	/* the run */
	struct engine *e;
	struct plan *run_plan;     /* outlives e */
	bool running, stopping;
	struct shm_region region;  /* ours (dashboard) or attached (watch) */
	bool have_region;

	/* watch */
	pid_t watch_owner;
	char watch_end[160];

	/* live snapshot, refreshed once per frame */
	struct header_view hv;
	struct slot_view *snap;
	struct proc_prev *prev;
	unsigned nsnap, cap;

	/* /proc/stat */
	struct tui_cpu_times *cpu_a, *cpu_b;
	double *util;
	unsigned ncpu;
	uint64_t cpu_ns;
	double load[3];

	enum view view;
	bool help, confirm_quit, quit;
	int topo_scroll, res_scroll;
	char **topo_lines;
	size_t ntopo;
	char status[320];
	bool status_err;
	uint64_t status_ns;
};

static volatile sig_atomic_t got_signal;
static bool curses_on;

/* SIGINT, SIGTERM, SIGHUP: remember the first; the loop does the rest. */
static void on_signal(int sig)
{
	if (got_signal == 0)
		got_signal = sig;
}

/* fatal() hook: give the terminal back before the message is printed. */
static void restore_terminal(void)
{
	if (curses_on) {
		endwin();
		curses_on = false;
	}
}

/* Set the status line. */
static void __attribute__((format(printf, 3, 4))) status(struct tui *t, bool err,
							   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->status, sizeof t->status, fmt, ap);
	va_end(ap);
	t->status_err = err;
	t->status_ns = now_ns();
}

/* A colour pair when colours are on, else the monochrome attribute. */
static attr_t at(const struct tui *t, int pair, attr_t mono)
{
	return t->color ? (attr_t)COLOR_PAIR(pair) : mono;
}

/* Formatted text at (y, x), cut to w columns (ASCII text). */
static void __attribute__((format(printf, 5, 6))) put(int y, int x, int w, attr_t a,
							const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (x + w > COLS)
		w = COLS - x;
	attron(a);
	mvaddnstr(y, x, buf, w);
	attroff(a);
}

/* A glyph (possibly multibyte UTF-8) n times from (y, x). */
static void glyph(int y, int x, int n, attr_t a, const char *s)
{
	char buf[1024];
	size_t len = strlen(s), used = 0;

	if (y < 0 || y >= LINES || x >= COLS || n <= 0)
		return;
	if (x + n > COLS)
		n = COLS - x;
	/* one addstr per run of glyphs: far cheaper than one per cell */
	for (int i = 0; i < n && used + len < sizeof buf; i++, used += len)
		memcpy(buf + used, s, len);
	buf[used] = '\0';
	attron(a);
	mvaddstr(y, x, buf);
	attroff(a);
}

/* A box with a title; ASCII lines when the locale is not UTF-8. */
static void frame(const struct tui *t, int y, int x, int h, int w, const char *title,
		  bool focus)
{
	chtype hl = t->utf8 ? ACS_HLINE : '-', vl = t->utf8 ? ACS_VLINE : '|';
	chtype c1 = t->utf8 ? ACS_ULCORNER : '+', c2 = t->utf8 ? ACS_URCORNER : '+';
	chtype c3 = t->utf8 ? ACS_LLCORNER : '+', c4 = t->utf8 ? ACS_LRCORNER : '+';
	attr_t a = focus ? at(t, P_CYAN, A_BOLD) : at(t, P_DIM, A_NORMAL);

	if (h < 2 || w < 4)
		return;
	attron(a);
	mvhline(y, x + 1, hl, w - 2);
	mvhline(y + h - 1, x + 1, hl, w - 2);
	mvvline(y + 1, x, vl, h - 2);
	mvvline(y + 1, x + w - 1, vl, h - 2);
	mvaddch(y, x, c1);
	mvaddch(y, x + w - 1, c2);
	mvaddch(y + h - 1, x, c3);
	mvaddch(y + h - 1, x + w - 1, c4);
	attroff(a);
	if (title != NULL)
		put(y, x + 2, w - 4, at(t, P_CYAN, A_BOLD) | A_BOLD, " %s ", title);
}

/* A horizontal bar of `w` cells filled to fraction f. */
static void progress(const struct tui *t, int y, int x, int w, double f, attr_t a)
{
	int n;

	if (w <= 0)
		return;
	if (!(f >= 0))
		f = 0;
	if (f > 1)
		f = 1;
	n = (int)lround(f * w);
	glyph(y, x, n, a, t->g->fill);
	glyph(y, x + n, w - n, at(t, P_DIM, A_NORMAL), t->g->empty);
}

/* Colour for a utilisation or progress fraction. */
static attr_t level_attr(const struct tui *t, double f)
{
	if (f >= 0.85)
		return at(t, P_RED, A_BOLD);
	if (f >= 0.5)
		return at(t, P_YELLOW, A_BOLD);
	return at(t, P_GREEN, A_NORMAL);
}

/* ---- data ---------------------------------------------------------------- */

/* Read /proc/stat and the load average (at most once a second). */
static void sample_cpu(struct tui *t, bool force)
{
	uint64_t now = now_ns();
	struct tui_cpu_times *tmp;
	FILE *f;

	if (!force && now - t->cpu_ns < CPU_SAMPLE_NS)
		return;
	t->cpu_ns = now;
	f = fopen("/proc/stat", "r");
	if (f != NULL) {
		t->ncpu = tui_cpu_parse(f, t->cpu_b, MAX_PUS);
		fclose(f);
		for (unsigned i = 0; i < MAX_PUS; i++)
			t->util[i] = tui_cpu_util(&t->cpu_a[i], &t->cpu_b[i]);
		tmp = t->cpu_a;
		t->cpu_a = t->cpu_b;
		t->cpu_b = tmp;
	}
	if (getloadavg(t->load, 3) != 3)
		t->load[0] = t->load[1] = t->load[2] = NAN;
}

/* Snapshot the header and active slots; update ops/s. */
static void sample_procs(struct tui *t)
{
	const struct shm_region *r = t->have_region ? &t->region : NULL;
	uint64_t now = now_ns();
	unsigned n;

	if (r == NULL) {
		t->nsnap = 0;
		memset(&t->hv, 0, sizeof t->hv);
		return;
	}
	shm_header_read(r, &t->hv);
	n = t->hv.nactive < r->hdr->nslots ? t->hv.nactive : r->hdr->nslots;
	if (n == 0 && !t->watch)
		n = t->nsnap;   /* between runs: keep the last rows, in their final state */
	if (n > t->cap) {
		t->snap = xreallocarray(t->snap, n, sizeof *t->snap);
		t->prev = xreallocarray(t->prev, n, sizeof *t->prev);
		memset(t->prev + t->cap, 0, (n - t->cap) * sizeof *t->prev);
		t->cap = n;
	}
	for (unsigned i = 0; i < n; i++) {
		struct slot_view *s = &t->snap[i];
		struct proc_prev *p = &t->prev[i];

		shm_slot_read(r, i, s);
		if (s->pid != p->pid || s->ops_done < p->ops) {
			p->pid = s->pid;
			p->ops = s->ops_done;
			p->ns = now;
			p->rate = NAN;
			continue;
		}
		if (now > p->ns) {
			double inst = (double)(s->ops_done - p->ops) * 1e9 / (double)(now - p->ns);

			p->rate = isfinite(p->rate) ? 0.5 * p->rate + 0.5 * inst : inst;
		}
		p->ops = s->ops_done;
		p->ns = now;
	}
	t->nsnap = n;
}

/* ---- settings -------------------------------------------------------------- */

/* The modes of the base plan as "single,pool". */
static void modes_text(const struct plan *p, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->nmodes && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "," : "",
					 mode_name(p->modes[i]));
}

/* The worker counts as "1,2,4". */
static void workers_text(const unsigned *counts, size_t n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%u", i ? "," : "", counts[i]);
}

/* Text of setting s, as shown and as edited. */
static void setting_text(const struct tui *t, int s, bool shown, char *buf, size_t len)
{
	const struct plan *p = &t->base;
	char list[200];

	switch (s) {
	case SET_MODES:
		modes_text(p, buf, len);
		break;
	case SET_WORKERS:
		workers_text(p->workers, p->nworkers, list, sizeof list);
		if (shown && strcmp(list, p->workers_spec) != 0)
			bufprintf(buf, len, "%s (%s)", p->workers_spec, list);
		else
			bufprintf(buf, len, "%s", shown ? p->workers_spec : list);
		break;
	case SET_RUNS:
		bufprintf(buf, len, "%u", p->runs);
		break;
	case SET_WARMUP:
		bufprintf(buf, len, "%u", p->warmup);
		break;
	case SET_BIND:
		bufprintf(buf, len, "%s", topo_bind_name(p->bind));
		break;
	default:
		if (p->chunksize == 0)
			bufprintf(buf, len, "auto");
		else
			bufprintf(buf, len, "%llu", (unsigned long long)p->chunksize);
		break;
	}
}

/* Apply a new value to setting s through the profile helpers (which check
 * it); the base plan changes only when the value is valid. */
static int apply_setting(struct tui *t, int s, const char *v)
{
	struct plan tmp;
	char err[320];
	int rc;

	plan_copy(&tmp, &t->base);
	switch (s) {
	case SET_MODES:
		rc = profile_set_modes(&tmp, v, "mode", err, sizeof err);
		break;
	case SET_WORKERS:
		rc = profile_set_workers(&tmp, v, t->topo, "workers", err, sizeof err);
		if (rc == 0)
			plan_clear_entry_workers(&t->rows);   /* the new counts apply to all */
		break;
	case SET_RUNS:
		rc = profile_set_uint(&tmp.runs, v, 1, 100000, "runs", err, sizeof err);
		break;
	case SET_WARMUP:
		rc = profile_set_uint(&tmp.warmup, v, 0, 100000, "warm-up", err, sizeof err);
		break;
	case SET_BIND:
		rc = profile_set_bind(&tmp, v, "bind", err, sizeof err);
		break;
	default:
		rc = profile_set_chunksize(&tmp, v, "chunk size", err, sizeof err);
		break;
	}
	if (rc < 0) {
		plan_free(&tmp);
		status(t, true, "%s", err);
		return -1;
	}
	plan_free(&t->base);
	t->base = tmp;
	status(t, false, "%s = %s", set_names[s], v);
	return 0;
}

/* Set parameter d of workload i, checked by params_set and the workload's
 * cross-parameter check; the old value stays on error. */
static int apply_param(struct tui *t, size_t i, const struct param_desc *d, const char *v)
{
	const struct workload *wl = t->rows.wls[i].wl;
	void *old = xmalloc(wl->cfg_size);
	char where[96], err[320];
	int rc;

	memcpy(old, t->rows.wls[i].cfg, wl->cfg_size);
	bufprintf(where, sizeof where, "%s.%s", wl->name, d->name);
	rc = params_set(wl->params, t->rows.wls[i].cfg, where, d->name, v, err, sizeof err);
	if (rc == 0 && wl->check != NULL)
		rc = wl->check(t->rows.wls[i].cfg, err, sizeof err);
	if (rc < 0) {
		memcpy(t->rows.wls[i].cfg, old, wl->cfg_size);
		status(t, true, "%s", err);
	} else {
		char now[200];

		params_format(d, t->rows.wls[i].cfg, now, sizeof now);
		status(t, false, "%s = %s", where, now);
		profile_label_workloads(&t->rows);   /* e.g. prodcons/pipe -> prodcons/ring */
	}
	free(old);
	return rc;
}

/* Number of parameters of workload i. */
static int nparams(const struct tui *t, size_t i)
{
	int n = 0;

	for (const struct param_desc *d = t->rows.wls[i].wl->params; d->name != NULL; d++)
		n++;
	return n;
}

/* Rows in column c. */
static int col_rows(const struct tui *t, int c)
{
	if (c == COL_WL)
		return (int)t->rows.nwl;
	if (c == COL_PARAM)
		return t->rows.nwl ? nparams(t, (size_t)t->row[COL_WL]) : 0;
	return SET_COUNT;
}

/* Open the edit line on the focused field. */
static void edit_begin(struct tui *t)
{
	size_t w = (size_t)t->row[COL_WL];

	if (t->col == COL_WL)
		return;
	t->edit_col = t->col;
	t->edit_row = t->row[t->col];
	if (t->col == COL_PARAM) {
		const struct param_desc *d;

		if (t->edit_row >= col_rows(t, COL_PARAM))
			return;
		d = &t->rows.wls[w].wl->params[t->edit_row];
		params_format(d, t->rows.wls[w].cfg, t->edit, sizeof t->edit);
		bufprintf(t->edit_what, sizeof t->edit_what, "%s.%s", t->rows.wls[w].wl->name, d->name);
	} else {
		setting_text(t, t->edit_row, false, t->edit, sizeof t->edit);
		if (t->edit_row == SET_WORKERS)
			bufprintf(t->edit, sizeof t->edit, "%s", t->base.workers_spec);
		bufprintf(t->edit_what, sizeof t->edit_what, "%s", set_names[t->edit_row]);
	}
	t->elen = strlen(t->edit);
	t->editing = true;
	curs_set(1);
}

/* Commit the edit line. */
static void edit_commit(struct tui *t)
{
	t->editing = false;
	curs_set(0);
	if (t->edit_col == COL_PARAM) {
		size_t w = (size_t)t->row[COL_WL];

		apply_param(t, w, &t->rows.wls[w].wl->params[t->edit_row], t->edit);
	} else {
		apply_setting(t, t->edit_row, t->edit);
	}
}

/* Next mode set in the `m` cycle. */
static void cycle_modes(struct tui *t)
{
	char cur[64];
	size_t i;

	modes_text(&t->base, cur, sizeof cur);
	for (i = 0; i < ARRAY_LEN(mode_cycle); i++) {
		if (strcmp(cur, mode_cycle[i]) == 0)
			break;
	}
	apply_setting(t, SET_MODES, mode_cycle[i < ARRAY_LEN(mode_cycle) ? (i + 1) %
					       ARRAY_LEN(mode_cycle) : 0]);
}

/* `+`: one more worker count (n -> n+1, list -> list,max+1); `-`: the
 * reverse (n -> n-1, list -> list without its last count). */
static void step_workers(struct tui *t, int dir)
{
	const struct plan *p = &t->base;
	char spec[600];
	unsigned mx = 0;

	for (size_t i = 0; i < p->nworkers; i++)
		mx = p->workers[i] > mx ? p->workers[i] : mx;
	if (dir > 0) {
		if (mx >= PLAN_MAX_WORKERS || p->nworkers >= PLAN_MAX_COUNTS) {
			status(t, true, "workers: at most %u", PLAN_MAX_WORKERS);
			return;
		}
		if (p->nworkers <= 1) {
			bufprintf(spec, sizeof spec, "%u", mx + 1);
		} else {
			workers_text(p->workers, p->nworkers, spec, sizeof spec - 16);
			size_t l = strlen(spec);

			bufprintf(spec + l, sizeof spec - l, ",%u", mx + 1);
		}
	} else {
		if (p->nworkers <= 1) {
			if (mx <= 1) {
				status(t, true, "workers: at least 1");
				return;
			}
			bufprintf(spec, sizeof spec, "%u", mx - 1);
		} else {
			char *comma;

			workers_text(p->workers, p->nworkers, spec, sizeof spec);
			comma = strrchr(spec, ',');
			if (comma != NULL)
				*comma = '\0';
		}
	}
	apply_setting(t, SET_WORKERS, spec);
}

/* Space: toggle a workload, cycle a choice, or edit. */
static void toggle(struct tui *t)
{
	size_t w = (size_t)t->row[COL_WL];

	if (t->col == COL_WL) {
		if (t->rows.nwl == 0)
			return;
		t->sel[w] = !t->sel[w];
		status(t, false, "%s %s", t->rows.wls[w].wl->name, t->sel[w] ? "selected" : "deselected");
	} else if (t->col == COL_PARAM) {
		const struct param_desc *d;

		if (t->row[COL_PARAM] >= col_rows(t, COL_PARAM))
			return;
		d = &t->rows.wls[w].wl->params[t->row[COL_PARAM]];
		if (d->type == PT_ENUM) {
			unsigned cur = *(const unsigned *)(const void *)((const char *)t->rows.wls[w].cfg +
									  d->offset);
			unsigned n = 0;

			while (d->choices[n] != NULL)
				n++;
			apply_param(t, w, d, d->choices[n ? (cur + 1) % n : 0]);
		} else {
			edit_begin(t);
		}
	} else if (t->row[COL_SET] == SET_MODES) {
		cycle_modes(t);
	} else if (t->row[COL_SET] == SET_BIND) {
		apply_setting(t, SET_BIND, topo_bind_name((enum bind_policy)((t->base.bind + 1) % 3)));
	} else {
		edit_begin(t);
	}
}

/* ---- running ----------------------------------------------------------------- */

/* Build the run plan from the settings and start the engine. */
static void start_run(struct tui *t)
{
	struct plan *p;
	char err[512];
	unsigned slots;

	if (t->running) {
		status(t, true, "a run is going: s stops it");
		return;
	}
	p = xcalloc(1, sizeof *p);
	plan_copy(p, &t->base);
	for (size_t i = 0; i < p->nwl; i++)
		free(p->wls[i].cfg);
	p->nwl = 0;
	for (size_t i = 0; i < t->rows.nwl; i++) {
		if (t->sel[i])
			plan_add_copy(p, &t->rows.wls[i]);
	}
	if (p->nwl == 0) {
		plan_free(p);
		free(p);
		status(t, true, "no workload selected: Space on a workload selects it");
		return;
	}
	profile_label_workloads(p);
	slots = engine_slots_needed(p);
	if (t->have_region && t->region.hdr->nslots < slots) {
		shm_close(&t->region);
		t->have_region = false;
	}
	if (!t->have_region) {
		if (shm_create(&t->region, slots > 64 ? slots : 64, err, sizeof err) < 0) {
			plan_free(p);
			free(p);
			status(t, true, "%s", err);
			return;
		}
		t->have_region = true;
	}
	engine_free(t->e);
	t->e = NULL;
	if (t->run_plan != NULL) {
		plan_free(t->run_plan);
		free(t->run_plan);
	}
	t->run_plan = p;
	t->nsnap = 0;
	t->res_scroll = 0;
	t->e = engine_new(p, t->topo, &t->region, err, sizeof err);
	if (t->e == NULL) {
		status(t, true, "%s", err);
		return;
	}
	t->running = true;
	t->stopping = false;
	status(t, false, "started: %zu configurations", engine_nconfigs(t->e));
}

/* Drain engine events into the status line. */
static void drain_events(struct tui *t)
{
	struct engine_event ev;

	while (engine_next_event(t->e, &ev)) {
		if (ev.type == EV_ERROR) {
			status(t, true, "%s", ev.msg);
		} else if (ev.type == EV_FINISHED) {
			size_t n = engine_nresults(t->e), bad = 0;

			for (size_t i = 0; i < n; i++)
				bad += engine_result(t->e, i)->failed;
			status(t, bad > 0, "%s: %zu results, %zu failed; e exports them",
			       engine_interrupted(t->e) ? "stopped" : "finished", n, bad);
		}
	}
}

/* Ask the engine to stop; the loop keeps ticking until it is done. */
static void stop_run(struct tui *t)
{
	if (!t->running) {
		status(t, false, "nothing is running");
		return;
	}
	engine_stop(t->e);
	t->stopping = true;
	status(t, false, "stopping: workers are being stopped and reaped");
}

/* Write the results so far to benchtop-YYYYmmdd-HHMMSS.json. */
static void export_results(struct tui *t)
{
	char name[96], err[512], cwd[512];
	struct tm tm;
	time_t now = time(NULL);
	size_t n = t->e != NULL ? engine_nresults(t->e) : 0;

	if (n == 0) {
		status(t, true, "nothing to export yet: Enter runs the plan");
		return;
	}
	localtime_r(&now, &tm);
	strftime(name, sizeof name, "benchtop-%Y%m%d-%H%M%S.json", &tm);
	for (int k = 2; access(name, F_OK) == 0 && k < 100; k++) {
		char base[64];

		strftime(base, sizeof base, "benchtop-%Y%m%d-%H%M%S", &tm);
		bufprintf(name, sizeof name, "%s-%d.json", base, k);
	}
	const struct bt_result **v = xcalloc(n, sizeof *v);

	for (size_t i = 0; i < n; i++)
		v[i] = engine_result(t->e, i);
	if (results_json_write(name, t->run_plan, t->topo, v, n,
			       t->running || engine_interrupted(t->e), err, sizeof err) < 0)
		status(t, true, "%s", err);
	else
		status(t, false, "exported %zu results to %s/%s", n,
		       getcwd(cwd, sizeof cwd) ? cwd : ".", name);
	free(v);
}

/* ---- drawing ----------------------------------------------------------------- */

/* Title bar and PU meters; returns the rows used. */
static int draw_header(struct tui *t)
{
	int w = COLS;
	unsigned n = t->sum.pus ? t->sum.pus : 1, cols, cell, group, rows;
	bool bars;
	char state[128];

	attron(at(t, P_TITLE, A_REVERSE));
	mvhline(0, 0, ' ', w);
	attroff(at(t, P_TITLE, A_REVERSE));
	put(0, 0, w, at(t, P_TITLE, A_REVERSE) | A_BOLD, " benchtop %s ", BENCHTOP_VERSION);
	put(0, 11 + (int)strlen(BENCHTOP_VERSION), w - 12, at(t, P_TITLE, A_REVERSE),
	    "%s | %s | %u pkg, %u NUMA, %u cores, %u PUs | load %.2f %.2f %.2f", t->host.hostname,
	    t->host.cpu_model[0] ? t->host.cpu_model : "unknown CPU", t->sum.packages,
	    t->sum.numa_nodes, t->sum.cores, t->sum.pus, t->load[0], t->load[1], t->load[2]);
	if (t->watch)
		bufprintf(state, sizeof state, " watch %d ", (int)t->watch_owner);
	else if (t->running)
		bufprintf(state, sizeof state, " %s %u/%u ", t->stopping ? "stopping" : "running",
			  t->hv.config_index + 1, t->hv.config_count);
	else
		bufprintf(state, sizeof state, " idle ");
	size_t sl = strlen(state) + strlen(view_names[t->view]) + 3;

	put(0, w - (int)sl, (int)sl, at(t, P_TITLE, A_REVERSE) | A_BOLD, "%s[%s] ", state,
	    view_names[t->view]);

	rows = tui_cpu_layout(n, (unsigned)w - 1, HEADER_MAX_ROWS, &bars, &cols, &cell, &group);
	if (bars) {
		for (unsigned i = 0; i < n; i++) {
			int y = 1 + (int)(i % rows), x = (int)((i / rows) * cell);
			double u = i < t->ncpu ? t->util[i] : -1;
			int bw = (int)cell - 10;

			put(y, x, 4, at(t, P_CYAN, A_NORMAL), "%3u", i);
			put(y, x + 3, 1, A_BOLD, "[");
			if (bw > 0) {
				int f = u > 0 ? (int)lround(u * bw) : 0;

				glyph(y, x + 4, f, level_attr(t, u), "|");
				if (u >= 0)
					put(y, x + 4 + bw, 5, A_NORMAL, "%4.0f%%", u * 100);
				else
					put(y, x + 4 + bw, 5, A_NORMAL, "   - ");
			}
			put(y, x + 9 + (bw > 0 ? bw : 0), 1, A_BOLD, "]");
		}
	} else {
		unsigned chars = (n + group - 1) / group;

		for (unsigned r = 0; r < rows; r++) {
			if (group > 1)
				put(1 + (int)r, 0, 5, at(t, P_CYAN, A_NORMAL), "%s",
				    r == 0 ? "PU/g" : "");
			else
				put(1 + (int)r, 0, 5, at(t, P_CYAN, A_NORMAL), "%4u", r * cols);
		}
		for (unsigned c = 0; c < chars; c++) {
			double sumu = 0;
			unsigned k = 0;

			for (unsigned i = c * group; i < (c + 1) * group && i < n; i++) {
				if (i < t->ncpu && t->util[i] >= 0) {
					sumu += t->util[i];
					k++;
				}
			}
			double u = k ? sumu / k : -1;
			int lvl = u < 0 ? 0 : (int)lround(u * 8);

			glyph(1 + (int)(c / cols), 5 + (int)(c % cols), 1,
			      u < 0 ? at(t, P_DIM, A_NORMAL) : level_attr(t, u),
			      u < 0 ? "?" : t->g->heat[lvl > 8 ? 8 : lvl]);
		}
	}
	return 1 + (int)rows;
}

/* A settings row's name: its label when the workload is listed twice. */
static const char *row_name(const struct plan_workload *pw)
{
	return pw->label[0] != '\0' ? pw->label : pw->wl->name;
}

/* The settings: workloads | parameters of the focused one | run settings. */
static void draw_settings(struct tui *t, int y, int h)
{
	int w = COLS, w1 = 22, w3 = w / 3, w2 = w - w1 - w3;
	size_t cw = (size_t)t->row[COL_WL];
	char title[96], val[300];

	/* scroll so the focused row stays visible */
	size_t vis = h > 2 ? (size_t)(h - 2) : 0, first = 0;

	if (vis > 0 && cw >= vis)
		first = cw - vis + 1;
	frame(t, y, 0, h, w1, "Workloads", t->col == COL_WL);
	for (size_t i = first; i < t->rows.nwl && i < first + vis; i++) {
		bool f = t->col == COL_WL && (int)i == t->row[COL_WL];
		attr_t a = f ? at(t, P_FOCUS, A_REVERSE) : (i == cw ? A_BOLD : A_NORMAL);

		put(y + 1 + (int)(i - first), 1, w1 - 2, a, "[%c] %-15s", t->sel[i] ? 'x' : ' ',
		    row_name(&t->rows.wls[i]));
	}
	if (t->rows.nwl > 0) {
		const struct plan_workload *pw = &t->rows.wls[cw];
		char ws[64];

		workers_text(pw->workers, pw->nworkers, ws, sizeof ws);
		bufprintf(title, sizeof title, "%s parameters%s%s%s", row_name(pw),
			  pw->nworkers ? " (workers " : "", ws, pw->nworkers ? ")" : "");
	} else {
		title[0] = '\0';
	}
	frame(t, y, w1, h, w2, title, t->col == COL_PARAM);
	if (t->rows.nwl) {
		int r = 0, nw = 10;   /* name column: the longest name, within reason */

		for (const struct param_desc *d = t->rows.wls[cw].wl->params; d->name; d++)
			nw = (int)strlen(d->name) > nw ? (int)strlen(d->name) : nw;
		nw = nw > w2 / 2 ? w2 / 2 : nw;
		for (const struct param_desc *d = t->rows.wls[cw].wl->params; d->name && r < h - 2; d++, r++) {
			bool f = t->col == COL_PARAM && r == t->row[COL_PARAM];

			params_format(d, t->rows.wls[cw].cfg, val, sizeof val);
			put(y + 1 + r, w1 + 1, nw + 1, at(t, P_CYAN, A_NORMAL), "%-*s", nw, d->name);
			put(y + 1 + r, w1 + nw + 2, w2 - nw - 3, f ? at(t, P_FOCUS, A_REVERSE) : A_NORMAL,
			    "%s", val);
		}
	}
	frame(t, y, w1 + w2, h, w3, "Run settings", t->col == COL_SET);
	for (int s = 0; s < SET_COUNT && s < h - 2; s++) {
		bool f = t->col == COL_SET && s == t->row[COL_SET];

		setting_text(t, s, true, val, sizeof val);
		put(y + 1 + s, w1 + w2 + 1, 11, at(t, P_CYAN, A_NORMAL), "%-10s", set_names[s]);
		put(y + 1 + s, w1 + w2 + 12, w3 - 13, f ? at(t, P_FOCUS, A_REVERSE) : A_NORMAL,
		    "%s", val);
	}
}

/* The configuration running now and its workload entry, known only to the
 * dashboard that runs it (not to watch); NULL otherwise. */
static const struct plan_config *cur_config(const struct tui *t, const struct plan_workload **pw)
{
	const struct plan_config *c;

	if (t->e == NULL || t->run_plan == NULL || t->hv.config_index >= engine_nconfigs(t->e))
		return NULL;
	c = engine_config(t->e, t->hv.config_index);
	*pw = &t->run_plan->wls[c->wl];
	return c;
}

/* Whether the configuration running now is a group workload's. */
static bool cur_is_group(const struct tui *t)
{
	const struct plan_workload *pw;

	return cur_config(t, &pw) != NULL && pw->wl->kind == WL_GROUP;
}

/* Role name of slot i for the row. */
static const char *role_of(const struct tui *t, const struct slot_view *s, unsigned i)
{
	static const char *const generic[] = { "worker", "producer", "server" };
	const struct plan_workload *pw;
	const struct plan_config *c = cur_config(t, &pw);

	if (c != NULL && pw->wl->kind == WL_GROUP && pw->wl->role_name != NULL)
		return pw->wl->role_name(pw->cfg, c->workers, c->mode, i);
	return s->role < ARRAY_LEN(generic) ? generic[s->role] : "other";
}

/* Operations in one run of the current configuration when the dashboard
 * knows it (a map workload of its own plan), else 0. */
static uint64_t run_total_ops(const struct tui *t)
{
	uint64_t total = 0;
	const struct plan_workload *pw;

	if (cur_config(t, &pw) == NULL || pw->wl->kind != WL_MAP || pw->wl->task_ops == NULL)
		return 0;
	for (size_t i = 0, n = pw->wl->ntasks(pw->cfg); i < n; i++)
		total += pw->wl->task_ops(pw->cfg, i);
	return total;
}

/* One row per worker process. */
static void draw_procs(struct tui *t, int y, int h)
{
	int w = COLS, bw;
	char title[200], rate[24];
	const struct header_view *hv = &t->hv;
	uint64_t run_ops = t->running ? run_total_ops(t) : 0, done_ops = 0;

	for (unsigned i = 0; i < t->nsnap; i++)
		done_ops += t->snap[i].ops_done;

	if (t->have_region && hv->phase == PHASE_FINISHED)
		bufprintf(title, sizeof title, "Processes: finished %u configuration(s)",
			  hv->finished);
	else if (t->have_region && (hv->phase != PHASE_IDLE || t->watch))
		bufprintf(title, sizeof title, "Processes: %s  %s  config %u/%u  run %u/%u",
			  hv->label[0] ? hv->label : "-", shm_phase_name(hv->phase),
			  hv->config_index + 1, hv->config_count, hv->run_index + 1, hv->run_count);
	else
		bufprintf(title, sizeof title, "Processes");
	if (run_ops > 0 && hv->phase != PHASE_FINISHED) {
		size_t l = strlen(title);

		bufprintf(title + l, sizeof title - l, "  %.0f%% of run",
			  100.0 * (double)(done_ops > run_ops ? run_ops : done_ops) / (double)run_ops);
	}
	frame(t, y, 0, h, w, title, false);
	if (h < 3)
		return;
	bw = w - 82;
	put(y + 1, 1, w - 2, A_BOLD, "%8s %4s %-9s %-8s %4s %7s %8s %10s  %s", "PID", "W#", "ROLE",
	    "STATE", "CPU", "TASK", "DONE", "OPS/S", bw > 4 ? "PROGRESS" : "");
	if (t->nsnap == 0) {
		put(y + 2, 2, w - 4, at(t, P_DIM, A_NORMAL), "%s",
		    t->watch ? "no worker processes right now" :
		    "no run yet: select workloads, then Enter");
		return;
	}
	unsigned shown = (unsigned)(h - 3);
	bool group = cur_is_group(t);

	for (unsigned i = 0; i < t->nsnap && i < shown; i++) {
		const struct slot_view *s = &t->snap[i];
		int yy = y + 2 + (int)i;
		char task[24], cpu[8];
		attr_t sa = s->state == SLOT_RUNNING ? at(t, P_GREEN, A_BOLD) :
			    s->state == SLOT_FAILED ? at(t, P_RED, A_BOLD) : A_NORMAL;

		if (i + 1 == shown && t->nsnap > shown) {
			put(yy, 2, w - 4, at(t, P_DIM, A_NORMAL), "... %u more processes",
			    t->nsnap - shown + 1);
			break;
		}
		if (s->task == UINT64_MAX)
			bufprintf(task, sizeof task, "-");
		else
			bufprintf(task, sizeof task, "%llu", (unsigned long long)s->task);
		if (s->cpu < 0)
			bufprintf(cpu, sizeof cpu, "-");
		else
			bufprintf(cpu, sizeof cpu, "%d", s->cpu);
		headless_fmt_rate(s->state == SLOT_RUNNING ? t->prev[i].rate : NAN, rate,
				  sizeof rate);
		if (s->pid > 0)
			put(yy, 1, 8, A_NORMAL, "%8d", (int)s->pid);
		else
			put(yy, 1, 8, A_NORMAL, "%8s", "-");   /* forked, not yet running */
		put(yy, 10, 4, A_NORMAL, "%4u", s->index);
		put(yy, 15, 9, A_NORMAL, "%-9s", role_of(t, s, i));
		put(yy, 25, 8, sa, "%-8s", shm_state_name(s->state));
		put(yy, 34, 4, A_NORMAL, "%4s", cpu);
		if (group) {
			/* a group process has no tasks: its items or ops done instead */
			char done[24];

			headless_fmt_rate((double)s->ops_done, done, sizeof done);
			put(yy, 39, 7, A_NORMAL, "%7s", "-");
			put(yy, 47, 8, A_NORMAL, "%8s", done);
		} else {
			put(yy, 39, 7, A_NORMAL, "%7s", task);
			put(yy, 47, 8, A_NORMAL, "%8llu", (unsigned long long)s->tasks_done);
		}
		put(yy, 56, 10, A_NORMAL, "%10s", rate);
		if (bw > 4 && (s->ops_total > 0 || run_ops > 0)) {
			/* a pool worker's total is not known in advance: its share of the run */
			uint64_t tot = s->ops_total > 0 ? s->ops_total : run_ops;
			double f = (double)s->ops_done / (double)tot;

			progress(t, yy, 68, bw, f, at(t, s->ops_total > 0 ? P_GREEN : P_CYAN, A_NORMAL));
			put(yy, 69 + bw, 9, A_NORMAL, "%3.0f%%%s", f > 1 ? 100 : f * 100,
			    s->ops_total > 0 ? "" : " run");
		} else if (bw > 4 && t->running) {
			put(yy, 68, bw, at(t, P_DIM, A_NORMAL), "(total unknown)");
		}
	}
}

/* A row per finished configuration. */
static void draw_results(struct tui *t, int y, int h)
{
	int w = COLS;
	size_t n = t->e != NULL ? engine_nresults(t->e) : 0;
	char title[64];

	bufprintf(title, sizeof title, "Results (%zu)", n);
	frame(t, y, 0, h, w, title, false);
	if (h < 3)
		return;
	put(y + 1, 1, w - 2, A_BOLD, "%-22s %-8s %7s %11s %11s %9s %8s  %s", "WORKLOAD", "MODE",
	    "WORKERS", "MEDIAN", "STDDEV", "SPEEDUP", "EFF", "OK");
	if (n == 0) {
		put(y + 2, 2, w - 4, at(t, P_DIM, A_NORMAL), "no results yet");
		return;
	}
	size_t rows = (size_t)(h - 3), first = n > rows ? n - rows : 0;

	for (size_t i = first; i < n; i++) {
		const struct bt_result *r = engine_result(t->e, i);
		const struct plan_workload *pw = &t->run_plan->wls[r->cfg.wl];
		char med[24], sd[24], sp[16], ef[16];
		int yy = y + 2 + (int)(i - first);

		headless_fmt_time(r->time.median, med, sizeof med);
		headless_fmt_time(r->time.stddev, sd, sizeof sd);
		if (isfinite(r->speedup))
			bufprintf(sp, sizeof sp, "%.2fx", r->speedup);
		else
			bufprintf(sp, sizeof sp, "-");
		if (isfinite(r->efficiency))
			bufprintf(ef, sizeof ef, "%.0f%%", r->efficiency * 100);
		else
			bufprintf(ef, sizeof ef, "-");
		put(yy, 1, w - 2, A_NORMAL, "%-22s %-8s %7u %11s %11s %9s %8s",
		    pw->label[0] ? pw->label : pw->wl->name, mode_name(r->cfg.mode), r->cfg.workers,
		    med, sd, sp, ef);
		if (r->failed)
			put(yy, 85, w - 86, at(t, P_RED, A_BOLD), "%s failed", t->g->bad);
		else if (r->interrupted)
			put(yy, 85, w - 86, at(t, P_YELLOW, A_BOLD), "interrupted");
		else if (r->verified)
			put(yy, 85, w - 86, at(t, P_GREEN, A_BOLD), "%s verified", t->g->ok);
		else
			put(yy, 85, w - 86, at(t, P_RED, A_BOLD), "%s not verified", t->g->bad);
	}
}

/* Speedup against workers, one series per workload and mode, with the
 * ideal (linear) line. */
static void draw_scaling(struct tui *t, int y, int h)
{
	int w = COLS;
	size_t n = t->e != NULL ? engine_nresults(t->e) : 0;
	struct series { size_t wl; enum bt_mode mode; } ser[26];
	size_t ns = 0;
	unsigned xmax = 2;
	double ymax = 2;

	frame(t, y, 0, h, w, "Scaling: speedup vs workers (against single)", false);
	for (size_t i = 0; i < n; i++) {
		const struct bt_result *r = engine_result(t->e, i);
		size_t k;

		if (r->cfg.mode == MODE_SINGLE || !isfinite(r->speedup))
			continue;
		for (k = 0; k < ns; k++)
			if (ser[k].wl == r->cfg.wl && ser[k].mode == r->cfg.mode)
				break;
		if (k == ns && ns < ARRAY_LEN(ser))
			ser[ns++] = (struct series){ r->cfg.wl, r->cfg.mode };
		xmax = r->cfg.workers > xmax ? r->cfg.workers : xmax;
		ymax = r->speedup > ymax ? r->speedup : ymax;
	}
	if (ns == 0) {
		put(y + 2, 2, w - 4, at(t, P_DIM, A_NORMAL),
		    "no speedups yet: run single and pool (or process) on a workload");
		return;
	}
	if ((double)xmax > ymax)
		ymax = xmax;
	ymax *= 1.05;
	int legend = (int)ns < 4 ? (int)ns : 4;
	int left = 9, ch = h - 4 - legend, cw = w - left - 3;

	if (ch < 3 || cw < 10)
		return;
	int bottom = y + 1 + ch - 1;
#define XCOL(xv) (left + (int)lround(((double)(xv) - 1) / (double)(xmax - 1) * (cw - 1)))
#define YROW(yv) (bottom - (int)lround((yv) / ymax * (ch - 1)))
	/* axes and labels */
	for (int r = 0; r < ch; r++)
		glyph(y + 1 + r, left - 1, 1, at(t, P_DIM, A_NORMAL), t->utf8 ? "\u2502" : "|");
	glyph(bottom + 1, left - 1, cw + 1, at(t, P_DIM, A_NORMAL), t->utf8 ? "\u2500" : "-");
	for (int k = 0; k <= 4; k++) {
		double v = ymax * k / 4;

		put(YROW(v), 1, left - 2, A_NORMAL, "%6.1fx", v);
	}
	for (unsigned x = 1; x <= xmax; x++) {
		if (xmax > 16 && x != 1 && x % (xmax / 8) != 0 && x != xmax)
			continue;
		put(bottom + 2, XCOL(x), 4, A_NORMAL, "%u", x);
	}
	put(bottom + 2, 1, left - 2, A_BOLD, "workers");
	/* the ideal line: speedup = workers */
	for (int c = 0; c < cw; c++) {
		double xv = 1 + (double)c / (cw - 1) * (xmax - 1);

		if (xv <= ymax)
			glyph(YROW(xv), left + c, 1, at(t, P_DIM, A_NORMAL), t->g->dot);
	}
	/* each series: segments between its points, then the points */
	for (size_t k = 0; k < ns; k++) {
		attr_t a = at(t, series_pairs[k % ARRAY_LEN(series_pairs)], A_BOLD) | A_BOLD;
		char mk[2] = { (char)('A' + k), 0 }, lk[2] = { (char)('a' + k), 0 };
		double px = -1, py = 0;

		for (size_t i = 0; i < n; i++) {
			const struct bt_result *r = engine_result(t->e, i);

			if (r->cfg.wl != ser[k].wl || r->cfg.mode != ser[k].mode ||
			    !isfinite(r->speedup))
				continue;
			if (px > 0) {
				int c0 = XCOL(px), c1 = XCOL(r->cfg.workers);

				for (int c = c0 + 1; c < c1; c++) {
					double f = (double)(c - c0) / (c1 - c0);

					glyph(YROW(py + f * (r->speedup - py)), c, 1,
					      at(t, series_pairs[k % ARRAY_LEN(series_pairs)], A_NORMAL), lk);
				}
			}
			px = r->cfg.workers;
			py = r->speedup;
		}
		for (size_t i = 0; i < n; i++) {
			const struct bt_result *r = engine_result(t->e, i);

			if (r->cfg.wl == ser[k].wl && r->cfg.mode == ser[k].mode &&
			    isfinite(r->speedup))
				put(YROW(r->speedup), XCOL(r->cfg.workers), 1, a, "%s", mk);
		}
	}
#undef XCOL
#undef YROW
	for (int k = 0; k < legend; k++) {
		const struct plan_workload *pw = &t->run_plan->wls[ser[k].wl];
		char pts[200];
		size_t used = 0;

		pts[0] = '\0';
		for (size_t i = 0; i < n && used < sizeof pts; i++) {
			const struct bt_result *r = engine_result(t->e, i);

			if (r->cfg.wl == ser[k].wl && r->cfg.mode == ser[k].mode)
				used += (size_t)snprintf(pts + used, sizeof pts - used, "  w=%u %.2fx",
							 r->cfg.workers, r->speedup);
		}
		put(bottom + 3 + k, 2, w - 4, at(t, series_pairs[k % ARRAY_LEN(series_pairs)], A_BOLD) | A_BOLD,
		    "%c %s %s", 'A' + k, pw->label[0] ? pw->label : pw->wl->name,
		    mode_name(ser[k].mode));
		put(bottom + 3 + k, 24, w - 26, A_NORMAL, "%s", pts);
	}
	put(y, w - 22, 20, A_NORMAL, " %s ideal (linear) ", t->g->dot);
}

/* The topology: counts, caches and the hwloc tree (j/k scroll). */
static void draw_topo(struct tui *t, int y, int h)
{
	int w = COLS, rows = h - 4;
	char caches[300];
	size_t used = 0;

	frame(t, y, 0, h, w, "Topology (hwloc)", false);
	put(y + 1, 2, w - 4, A_BOLD, "%u package(s), %u NUMA node(s), %u cores, %u PUs",
	    t->sum.packages, t->sum.numa_nodes, t->sum.cores, t->sum.pus);
	caches[0] = '\0';
	for (unsigned i = 0; i < t->sum.ncaches && used < sizeof caches; i++) {
		const struct topo_cache *c = &t->sum.caches[i];

		bool mib = c->size >= (1u << 20);

		used += (size_t)snprintf(caches + used, sizeof caches - used, "%sL%u%s %llu %s x%u",
					 i ? ", " : "", c->level, c->type[0] == 'd' ? "d" :
					 c->type[0] == 'i' ? "i" : "",
					 (unsigned long long)(c->size >> (mib ? 20 : 10)),
					 mib ? "MiB" : "KiB", c->count);
	}
	put(y + 2, 2, w - 4, at(t, P_CYAN, A_NORMAL), "caches: %s", caches);
	if (t->topo_scroll > (int)t->ntopo - rows)
		t->topo_scroll = (int)t->ntopo - rows;
	if (t->topo_scroll < 0)
		t->topo_scroll = 0;
	for (int r = 0; r < rows && (size_t)(t->topo_scroll + r) < t->ntopo; r++) {
		const char *l = t->topo_lines[t->topo_scroll + r];
		const char *s = l + strspn(l, " ");
		attr_t a = strncmp(s, "PU", 2) == 0 ? at(t, P_GREEN, A_NORMAL) :
			   strncmp(s, "Core", 4) == 0 ? A_BOLD :
			   strncmp(s, "Package", 7) == 0 ? at(t, P_YELLOW, A_BOLD) :
			   s[0] == 'L' ? at(t, P_CYAN, A_NORMAL) : A_NORMAL;

		put(y + 3 + r, 2, w - 4, a, "%s", l);
	}
	if (t->ntopo > (size_t)rows)
		put(y + h - 1, w - 30, 28, A_NORMAL, " lines %d-%d of %zu (j/k) ",
		    t->topo_scroll + 1, t->topo_scroll + rows, t->ntopo);
}

/* The help overlay: every key. */
static void draw_help(struct tui *t)
{
	static const char *const lines[] = {
		"Enter        start the run with these settings",
		"s            stop the run (workers reaped, results kept)",
		"Tab/S-Tab    cycle views: main, scaling, topology",
		"arrows hjkl  move between and within panels (j/k scroll)",
		"Space        toggle a workload / cycle a choice / edit",
		"i  F2        edit the focused parameter or setting",
		"m            cycle the modes (single, pool, process ...)",
		"+  -         one more / one fewer worker count",
		"e            export results so far as JSON (timestamped)",
		"?  F1        this help (any key closes it)",
		"q  F10       quit (asks while a run is going)",
		"",
		"In the edit line: Enter applies, Esc cancels,",
		"Backspace deletes, Ctrl-U clears.",
		"watch mode: q quits, Tab switches to topology.",
	};
	int h = (int)ARRAY_LEN(lines) + 4, w = 64;
	int y = (LINES - h) / 2, x = (COLS - w) / 2;

	for (int r = 0; r < h; r++)
		mvhline(y + r, x, ' ', w);
	frame(t, y, x, h, w, "Help: keys", true);
	for (size_t i = 0; i < ARRAY_LEN(lines); i++)
		put(y + 2 + (int)i, x + 3, w - 6, i < 11 ? A_NORMAL : at(t, P_DIM, A_NORMAL), "%s",
		    lines[i]);
}

/* The bottom line: edit line, question, message or key hints. */
static void draw_status(struct tui *t)
{
	int y = LINES - 1, w = COLS;

	if (t->editing) {
		put(y, 0, w, at(t, P_FOCUS, A_REVERSE), " %s: ", t->edit_what);
		int x = (int)strlen(t->edit_what) + 3;

		put(y, x, w - x - 1, A_BOLD, "%s", t->edit);
		move(y, x + (int)t->elen < w ? x + (int)t->elen : w - 1);
		return;
	}
	if (t->confirm_quit) {
		put(y, 0, w, at(t, P_RED, A_REVERSE) | A_BOLD,
		    " A run is going: stop it and quit? (y/n) ");
		return;
	}
	if (t->status[0] && (t->status_err || now_ns() - t->status_ns < STATUS_NS)) {
		put(y, 0, w, t->status_err ? at(t, P_RED, A_BOLD) | A_BOLD : at(t, P_GREEN, A_BOLD),
		    " %s", t->status);
		return;
	}
	if (t->watch)
		put(y, 0, w, at(t, P_DIM, A_NORMAL), " read-only: q quit  Tab view  ? help");
	else
		put(y, 0, w, at(t, P_DIM, A_NORMAL),
		    " Enter run  s stop  Tab view  Space toggle  i edit  m mode  +/- workers"
		    "  e export  ? help  q quit");
}

/* One frame. */
static void draw(struct tui *t)
{
	erase();
	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_LINES) {
		char msg[96];

		bufprintf(msg, sizeof msg, "terminal too small (need %dx%d, have %dx%d)",
			  TUI_MIN_COLS, TUI_MIN_LINES, COLS, LINES);
		put(LINES / 2, COLS > (int)strlen(msg) ? (COLS - (int)strlen(msg)) / 2 : 0, COLS,
		    A_BOLD, "%s", msg);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	int y = draw_header(t), bottom = LINES - 1, h = bottom - y;

	if (t->view == VIEW_TOPO) {
		draw_topo(t, y, h);
	} else if (t->view == VIEW_SCALING) {
		draw_scaling(t, y, h);
	} else if (t->watch) {
		draw_procs(t, y, h);
	} else {
		int maxp = 0, sh, rest, ph;

		for (size_t i = 0; i < t->rows.nwl; i++)
			maxp = nparams(t, i) > maxp ? nparams(t, i) : maxp;
		sh = 2 + ((int)t->rows.nwl > maxp ? (int)t->rows.nwl : maxp);
		sh = sh < 2 + SET_COUNT ? 2 + SET_COUNT : sh;
		rest = h - sh;
		if (rest < 8) {
			sh = h - 8;
			rest = 8;
		}
		ph = (rest + 1) / 2;
		if ((int)t->nsnap + 3 < ph)
			ph = t->nsnap > 0 ? (int)t->nsnap + 3 : 4;
		if (ph < 4)
			ph = 4;
		draw_settings(t, y, sh);
		draw_procs(t, y + sh, ph);
		draw_results(t, y + sh + ph, rest - ph);
	}
	if (t->help)
		draw_help(t);
	draw_status(t);
	curs_set(t->editing ? 1 : 0);
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---- input ---------------------------------------------------------------------- */

/* A key while the edit line is open. */
static void key_edit(struct tui *t, int ch)
{
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		edit_commit(t);
	} else if (ch == 27) {
		t->editing = false;
		status(t, false, "edit cancelled");
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (t->elen > 0)
			t->edit[--t->elen] = '\0';
	} else if (ch == 21) {
		t->elen = 0;
		t->edit[0] = '\0';
	} else if (ch >= 32 && ch < 127 && t->elen + 1 < sizeof t->edit) {
		t->edit[t->elen++] = (char)ch;
		t->edit[t->elen] = '\0';
	}
}

/* Move the focus by (dx, dy) in the settings panels. */
static void move_focus(struct tui *t, int dx, int dy)
{
	if (t->view == VIEW_TOPO) {
		t->topo_scroll += dy;
		return;
	}
	if (t->view != VIEW_MAIN || t->watch)
		return;
	t->col = (t->col + dx + COL_COUNT) % COL_COUNT;
	if (t->col == COL_PARAM && col_rows(t, COL_PARAM) == 0)
		t->col = (t->col + (dx < 0 ? -1 : 1) + COL_COUNT) % COL_COUNT;
	int n = col_rows(t, t->col);

	if (n > 0)
		t->row[t->col] = (t->row[t->col] + dy + n) % n;
	if (t->row[COL_PARAM] >= col_rows(t, COL_PARAM))
		t->row[COL_PARAM] = 0;
}

/* Ask to quit; while a run is going, confirm first. */
static void ask_quit(struct tui *t)
{
	if (t->running && !t->watch)
		t->confirm_quit = true;
	else
		t->quit = true;
}

/* A key. */
static void key(struct tui *t, int ch)
{
	if (ch == KEY_RESIZE)
		return;
	if (t->editing) {
		key_edit(t, ch);
		return;
	}
	if (t->confirm_quit) {
		t->confirm_quit = false;
		if (ch == 'y' || ch == 'Y') {
			stop_run(t);
			t->quit = true;
		}
		return;
	}
	if (t->help) {
		t->help = false;
		if (ch != 'q' && ch != KEY_F(10))
			return;
	}
	t->status_err = false;
	switch (ch) {
	case 'q': case KEY_F(10): ask_quit(t); break;
	case '?': case KEY_F(1): t->help = true; break;
	case '\t':
		t->view = t->watch ? (t->view == VIEW_TOPO ? VIEW_MAIN : VIEW_TOPO) :
			  (t->view + 1) % VIEW_COUNT;
		break;
	case KEY_BTAB:
		t->view = t->watch ? (t->view == VIEW_TOPO ? VIEW_MAIN : VIEW_TOPO) :
			  (t->view + VIEW_COUNT - 1) % VIEW_COUNT;
		break;
	case KEY_UP: case 'k': move_focus(t, 0, -1); break;
	case KEY_DOWN: case 'j': move_focus(t, 0, 1); break;
	case KEY_LEFT: case 'h': move_focus(t, -1, 0); break;
	case KEY_RIGHT: case 'l': move_focus(t, 1, 0); break;
	case KEY_PPAGE: move_focus(t, 0, -10); break;
	case KEY_NPAGE: move_focus(t, 0, 10); break;
	default:
		if (t->watch)
			break;
		switch (ch) {
		case '\n': case '\r': case KEY_ENTER: start_run(t); break;
		case 's': stop_run(t); break;
		case 'e': export_results(t); break;
		case ' ': toggle(t); break;
		case 'i': case KEY_F(2): edit_begin(t); break;
		case 'm': cycle_modes(t); break;
		case '+': case '=': step_workers(t, 1); break;
		case '-': case '_': step_workers(t, -1); break;
		default: break;
		}
	}
}

/* ---- set-up and the loop ------------------------------------------------------------ */

/* Start curses on the terminal: colours unless NO_COLOR or --no-color. */
static void screen_start(struct tui *t, bool no_color)
{
	const char *nc = getenv("NO_COLOR");

	setlocale(LC_ALL, "");
	t->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	t->g = t->utf8 ? &glyphs_utf8 : &glyphs_ascii;
	t->scr = newterm(NULL, stdout, stdin);
	if (t->scr == NULL)
		fatalx(EXIT_USAGE, "cannot use the terminal (TERM=%s)",
		       getenv("TERM") ? getenv("TERM") : "unset");
	set_term(t->scr);
	curses_on = true;
	util_fatal_hook = restore_terminal;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	t->color = !no_color && (nc == NULL || *nc == '\0') && has_colors();
	if (t->color) {
		start_color();
		use_default_colors();
		init_pair(P_TITLE, COLOR_BLACK, COLOR_CYAN);
		init_pair(P_GREEN, COLOR_GREEN, -1);
		init_pair(P_YELLOW, COLOR_YELLOW, -1);
		init_pair(P_RED, COLOR_RED, -1);
		init_pair(P_CYAN, COLOR_CYAN, -1);
		init_pair(P_FOCUS, COLOR_BLACK, COLOR_YELLOW);
		init_pair(P_MAGENTA, COLOR_MAGENTA, -1);
		init_pair(P_BLUE, COLOR_BLUE, -1);
		init_pair(P_DIM, COLORS >= 16 ? 8 : COLOR_WHITE, -1);
	}
}

/* Give the terminal back. */
static void screen_end(struct tui *t)
{
	restore_terminal();
	if (t->scr != NULL) {
		delscreen(t->scr);
		t->scr = NULL;
	}
	util_fatal_hook = NULL;
}

/* Common state: topology facts, host, CPU sample buffers. */
static void tui_init(struct tui *t, const struct tui_opts *o, const struct topo *topo)
{
	memset(t, 0, sizeof *t);
	t->topo = topo;
	t->refresh_ms = o->refresh_ms > 0 ? o->refresh_ms : TUI_REFRESH_MS;
	topo_get_summary(topo, &t->sum);
	host_get(&t->host);
	t->ntopo = topo_tree_lines(topo, &t->topo_lines);
	t->cpu_a = xcalloc(MAX_PUS, sizeof *t->cpu_a);
	t->cpu_b = xcalloc(MAX_PUS, sizeof *t->cpu_b);
	t->util = xcalloc(MAX_PUS, sizeof *t->util);
	for (unsigned i = 0; i < MAX_PUS; i++)
		t->util[i] = -1;
	sample_cpu(t, true);
	plan_init(&t->base);
}

/* Release everything the state holds (the engine first: it reaps). */
static void tui_release(struct tui *t)
{
	engine_free(t->e);
	t->e = NULL;
	if (t->run_plan != NULL) {
		plan_free(t->run_plan);
		free(t->run_plan);
	}
	if (t->have_region)
		shm_close(&t->region);
	plan_free(&t->base);
	plan_free(&t->rows);
	for (size_t i = 0; i < t->ntopo; i++)
		free(t->topo_lines[i]);
	free(t->topo_lines);
	free(t->cpu_a);
	free(t->cpu_b);
	free(t->util);
	free(t->snap);
	free(t->prev);
}

/* Settings from profile `name`: its workloads selected with its parameters,
 * every other registered workload unselected with its defaults. */
static int load_settings(struct tui *t, const char *name, char *err, size_t errlen)
{
	size_t nall;
	const struct workload *const *all = workload_all(&nall);

	if (profile_load(&t->base, name ? name : "default", t->topo, err, errlen) < 0)
		return -1;
	plan_copy(&t->rows, &t->base);
	for (size_t i = 0; i < t->rows.nwl; i++)
		t->sel[i] = true;
	for (size_t i = 0; i < nall && t->rows.nwl < PLAN_MAX_WL; i++) {
		bool listed = false;

		for (size_t k = 0; k < t->base.nwl; k++)
			listed |= t->base.wls[k].wl == all[i];
		if (!listed) {
			t->sel[t->rows.nwl] = false;
			plan_workload(&t->rows, all[i]->name);
		}
	}
	return 0;
}

/* tui_bench_cpu's child: a long fib pool run with `workers` workers. */
static int bench_settings(struct tui *t, unsigned workers, char *err, size_t errlen)
{
	char spec[32];

	for (size_t i = 0; i < t->rows.nwl; i++)
		t->sel[i] = strcmp(t->rows.wls[i].wl->name, "fib") == 0;
	for (size_t i = 0; i < t->rows.nwl; i++) {
		if (t->sel[i] && params_set(t->rows.wls[i].wl->params, t->rows.wls[i].cfg, "bench", "n",
					    "40,40,40,40,40,40,40,40,40,40,40,40,40,40,40,40,"
					    "40,40,40,40,40,40,40,40,40,40,40,40,40,40,40,40",
					    err, errlen) < 0)
			return -1;
	}
	bufprintf(spec, sizeof spec, "%u", workers);
	if (profile_set_modes(&t->base, "pool", "bench", err, errlen) < 0 ||
	    profile_set_workers(&t->base, spec, t->topo, "bench", err, errlen) < 0)
		return -1;
	t->base.runs = 10000;
	t->base.warmup = 0;
	return 0;
}

/* Install our handlers (before curses, which then leaves them alone). */
static void signals_on(struct sigaction old[3])
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old[0]);
	sigaction(SIGTERM, &sa, &old[1]);
	sigaction(SIGHUP, &sa, &old[2]);
	got_signal = 0;
}

/* Put the previous handlers back. */
static void signals_off(const struct sigaction old[3])
{
	sigaction(SIGINT, &old[0], NULL);
	sigaction(SIGTERM, &old[1], NULL);
	sigaction(SIGHUP, &old[2], NULL);
}

/* Milliseconds until deadline (0 when past), at most cap. */
static int ms_until(uint64_t deadline, int cap)
{
	uint64_t now = now_ns();

	if (now >= deadline)
		return 0;
	uint64_t ms = (deadline - now + 999999) / 1000000;

	return ms > (uint64_t)cap ? cap : (int)ms;
}

/* Watch only: whether the watched run ended. */
static bool watch_ended(struct tui *t)
{
	if (kill(t->watch_owner, 0) == 0 || errno == EPERM)
		return false;
	bufprintf(t->watch_end, sizeof t->watch_end,
		  "benchtop: the watched run (pid %d) has ended", (int)t->watch_owner);
	return true;
}

/* The frame loop shared by the dashboard and watch. */
static void loop(struct tui *t)
{
	uint64_t next_frame = 0, period = (uint64_t)t->refresh_ms * 1000000u;
	bool dirty = true;

	while (!t->quit) {
		if (got_signal != 0)
			break;
		if (t->running) {
			int running = engine_tick(t->e, ms_until(next_frame, TICK_MAX_MS));

			drain_events(t);
			if (!running) {
				t->running = false;
				t->stopping = false;
				sample_procs(t);
				dirty = true;
			}
		} else {
			struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };

			if (poll(&pfd, 1, ms_until(next_frame, t->refresh_ms)) < 0 && errno != EINTR)
				break;
		}
		for (int ch; (ch = getch()) != ERR;) {
			key(t, ch);
			dirty = true;
		}
		if (t->quit && t->running) {
			/* confirmed quit: keep ticking until every worker is reaped */
			t->quit = false;
			if (!t->stopping)
				stop_run(t);
			while (engine_tick(t->e, 50))
				;
			drain_events(t);
			t->running = false;
			t->quit = true;
		}
		uint64_t now = now_ns();

		if (now >= next_frame) {
			if (t->watch && watch_ended(t))
				break;
			sample_cpu(t, false);
			sample_procs(t);
			next_frame = now + period;
			dirty = true;
		}
		if (dirty) {
			draw(t);
			dirty = false;
		}
	}
	if (t->running) {
		engine_stop(t->e);
		while (engine_tick(t->e, 50))
			;
		drain_events(t);
		t->running = false;
	}
}

/* The dashboard. */
int tui_main(const struct tui_opts *o, const struct topo *topo)
{
	struct tui t;
	struct sigaction old[3];
	char err[512];
	int sig;

	tui_init(&t, o, topo);
	if (load_settings(&t, o->profile, err, sizeof err) < 0 ||
	    (o->bench_workers > 0 && bench_settings(&t, o->bench_workers, err, sizeof err) < 0)) {
		tui_release(&t);
		fprintf(stderr, "benchtop: %s\n", err);
		return EXIT_USAGE;
	}
	shm_sweep_stale();
	signals_on(old);
	screen_start(&t, o->no_color);
	status(&t, false, "benchtop %s: Space selects, i edits, Enter runs, ? help",
	       BENCHTOP_VERSION);
	if (o->bench_workers > 0)
		start_run(&t);
	loop(&t);
	sig = got_signal;
	screen_end(&t);
	tui_release(&t);
	signals_off(old);
	return sig != 0 ? 128 + sig : EXIT_OK;
}

/* benchtop watch */
int tui_watch(pid_t pid, const struct tui_opts *o, const struct topo *topo)
{
	struct tui t;
	struct sigaction old[3];
	char name[128], err[512];
	int sig;

	if (shm_find(pid, name, sizeof name) < 0) {
		if (pid > 0)
			fprintf(stderr, "benchtop: nothing to watch: no running benchtop with pid %d "
				"has a stats region\n", (int)pid);
		else
			fprintf(stderr, "benchtop: nothing to watch: no running benchtop has a stats "
				"region (start one with 'benchtop run')\n");
		return EXIT_USAGE;
	}
	if (!isatty(STDOUT_FILENO)) {
		fprintf(stderr, "benchtop: watch needs a terminal on stdout\n");
		return EXIT_USAGE;
	}
	tui_init(&t, o, topo);
	t.watch = true;
	if (shm_attach(&t.region, name, err, sizeof err) < 0) {
		tui_release(&t);
		fprintf(stderr, "benchtop: cannot watch %s: %s\n", name, err);
		return EXIT_USAGE;
	}
	t.have_region = true;
	t.watch_owner = t.region.hdr->owner_pid;
	signals_on(old);
	screen_start(&t, o->no_color);
	loop(&t);
	sig = got_signal;
	screen_end(&t);
	if (t.watch_end[0])
		fprintf(stderr, "%s\n", t.watch_end);
	tui_release(&t);
	signals_off(old);
	return sig != 0 ? 128 + sig : EXIT_OK;
}
