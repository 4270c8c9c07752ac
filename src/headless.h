/*
 * headless.h - the non-interactive front-end: runs a plan with the engine,
 * shows progress on stderr, prints a results table on stdout and writes the
 * JSON results.
 */
#ifndef BENCHTOP_HEADLESS_H
#define BENCHTOP_HEADLESS_H

#include <stdbool.h>

#include "plan.h"
#include "topo.h"

struct headless_opts {
	const char *json_path;  /* NULL: no JSON; "-": stdout (the table goes to stderr) */
	bool quiet;             /* no progress at all */
	bool no_table;          /* no results table */
	bool no_shm;            /* anonymous stats region (nothing to `watch`) */
};

/* Run plan on topo. Returns the process exit code: 0, 1 (a run failed or
 * did not verify), 2 (could not start), 130/143/129 (SIGINT/TERM/HUP). */
int headless_run(const struct plan *plan, const struct topo *topo,
		 const struct headless_opts *o);

/* Format seconds with a unit that fits ("1.234 s", "12.3 ms", "845 us"). */
void headless_fmt_time(double s, char *buf, size_t len);
/* Format a rate with an SI prefix ("1.23 G"). */
void headless_fmt_rate(double v, char *buf, size_t len);

#endif
