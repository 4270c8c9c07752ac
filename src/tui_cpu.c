/*
 * tui_cpu.c - per-PU utilisation for the dashboard's header: /proc/stat
 * parsing and the layout of the meters (bars, or a heat strip when there
 * are too many PUs for bars). No curses here, so unit tests can drive it.
 */
#include "tui.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define BAR_MIN_CELL 20u   /* "NNN[||||     100%]" needs about this much */
#define HEAT_LABEL 5u      /* "PUs  " before a heat strip row */

/* Parse every "cpuN" line of /proc/stat into v[N]. */
unsigned tui_cpu_parse(FILE *f, struct tui_cpu_times *v, unsigned max)
{
	char line[1024];
	unsigned n = 0;

	for (unsigned i = 0; i < max; i++)
		v[i] = (struct tui_cpu_times){ 0, 0, false };
	while (fgets(line, sizeof line, f) != NULL) {
		uint64_t f_[8] = { 0 };
		unsigned cpu;
		int got;

		if (strncmp(line, "cpu", 3) != 0 || line[3] < '0' || line[3] > '9')
			continue;
		got = sscanf(line + 3, "%u %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
			     " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64, &cpu, &f_[0], &f_[1],
			     &f_[2], &f_[3], &f_[4], &f_[5], &f_[6], &f_[7]);
		if (got < 5 || cpu >= max)
			continue;
		/* user nice system idle iowait irq softirq steal */
		v[cpu].busy = f_[0] + f_[1] + f_[2] + f_[5] + f_[6] + f_[7];
		v[cpu].total = v[cpu].busy + f_[3] + f_[4];
		v[cpu].seen = true;
		if (cpu + 1 > n)
			n = cpu + 1;
	}
	return n;
}

/* Busy share of the time between two samples. */
double tui_cpu_util(const struct tui_cpu_times *prev, const struct tui_cpu_times *cur)
{
	if (!prev->seen || !cur->seen || cur->total <= prev->total || cur->busy < prev->busy)
		return -1.0;
	double u = (double)(cur->busy - prev->busy) / (double)(cur->total - prev->total);

	return u > 1.0 ? 1.0 : u;
}

/* Bars when they fit in max_rows, else a heat strip. */
unsigned tui_cpu_layout(unsigned n, unsigned width, unsigned max_rows, bool *bars,
			unsigned *cols, unsigned *cell, unsigned *group)
{
	unsigned rows;

	if (n == 0)
		n = 1;
	if (max_rows == 0)
		max_rows = 1;
	*cols = width / BAR_MIN_CELL;
	if (*cols == 0)
		*cols = 1;
	if (*cols > n)
		*cols = n;
	rows = (n + *cols - 1) / *cols;
	if (rows <= max_rows) {
		*bars = true;
		*cell = width / *cols;
		*group = 1;
		return rows;
	}
	*bars = false;
	*cell = 1;
	*cols = width > HEAT_LABEL + 1 ? width - HEAT_LABEL : 1;
	*group = (n + *cols * max_rows - 1) / (*cols * max_rows);
	if (*group == 0)
		*group = 1;
	unsigned chars = (n + *group - 1) / *group;

	return (chars + *cols - 1) / *cols;
}
