/*
 * tui.h - the dashboard: an ncurses front-end over the engine, and
 * `benchtop watch`, a read-only dashboard attached to a headless run.
 *
 * Owns: the terminal while the dashboard runs (restored on every exit path:
 * normal return, fatal() through util_fatal_hook, SIGINT/SIGTERM/SIGHUP),
 * the dashboard's settings and run plan, its stats region, and the
 * per-PU utilisation read from /proc/stat (tui_cpu.c).
 *
 * This header includes no curses, so main.c, bench.c and the unit tests can
 * use it; only tui*.c files include curses.
 */
#ifndef BENCHTOP_TUI_H
#define BENCHTOP_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "topo.h"

#define TUI_REFRESH_MS 100       /* default frame period (10 Hz) */
#define TUI_MIN_COLS 80
#define TUI_MIN_LINES 24

/* Options of the dashboard and of `watch`. */
struct tui_opts {
	const char *profile;     /* profile to preselect; NULL = the built-in default */
	int refresh_ms;          /* frame period, 10..10000 ms */
	bool no_color;           /* --no-color (NO_COLOR is read by the dashboard) */
	unsigned bench_workers;  /* > 0: start at once a long fib pool run with this
				    many workers (tui_bench_cpu's child) */
};

/* Run the dashboard on the terminal (stdin/stdout) for topology topo.
 * Returns the exit code: 0, or 128 + signal when interrupted. */
int tui_main(const struct tui_opts *o, const struct topo *topo);

/* `benchtop watch [PID]`: attach read-only to the stats region of the
 * benchtop run with that pid (pid 0: the newest). Returns 0 when the watched
 * run ended or the user quit, 2 when there is nothing to watch (message on
 * stderr), 128 + signal when interrupted. */
int tui_watch(pid_t pid, const struct tui_opts *o, const struct topo *topo);

/* The dashboard's own CPU use, in % of one core: forks a child that runs the
 * real dashboard on a pseudo-terminal (120x40, TERM=xterm-256color), which
 * starts a fib pool run with `workers` worker processes at the default 10 Hz
 * refresh; after one second of settling, samples the child's own utime +
 * stime (not its workers') from /proc/PID/stat over `seconds` seconds of
 * wall time, then stops it with SIGTERM and reaps it. The parent drains the
 * pty so the child never blocks on output. Returns the percentage, or -1 on
 * failure (message on stderr). */
double tui_bench_cpu(unsigned workers, unsigned seconds);

/* Cumulative times of one CPU line of /proc/stat, in clock ticks. */
struct tui_cpu_times {
	uint64_t busy;   /* user + nice + system + irq + softirq + steal */
	uint64_t total;  /* busy + idle + iowait */
	bool seen;       /* the line was present */
};

/* Parse /proc/stat text: every "cpuN ..." line into v[N] for N < max (the
 * aggregate "cpu" line is skipped). Returns the number of entries, i.e. the
 * highest N seen + 1 (0 when none). */
unsigned tui_cpu_parse(FILE *f, struct tui_cpu_times *v, unsigned max);

/* Utilisation between two samples of one CPU, 0..1, or -1 when unknown
 * (missing line, or no time elapsed). */
double tui_cpu_util(const struct tui_cpu_times *prev, const struct tui_cpu_times *cur);

/* Lay out n per-PU meters in a header `width` columns wide with at most
 * `max_rows` rows: bars when they fit (*cols columns of bars, each
 * *cell wide), else a heat strip of one character per *group PUs,
 * *cols characters per row. Returns the rows used; *bars says which. */
unsigned tui_cpu_layout(unsigned n, unsigned width, unsigned max_rows, bool *bars,
			unsigned *cols, unsigned *cell, unsigned *group);

#endif
