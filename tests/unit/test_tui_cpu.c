/*
 * test_tui_cpu.c - the dashboard's /proc/stat parser, utilisation and the
 * PU meter layout on fixed texts and faked PU counts (2, 64, 256, 4096).
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tui.h"

/* A read-only stream over text (closed by the caller). */
static FILE *text_file(const char *text)
{
	FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");

	cr_assert_not_null(f);
	return f;
}

static const char stat_a[] =
	"cpu  400 0 200 1000 10 0 0 0 0 0\n"
	"cpu0 100 0 50 500 5 0 0 0 0 0\n"
	"cpu1 300 0 150 500 5 0 0 0 0 0\n"
	"intr 12345 0 0\n"
	"ctxt 999\n";
static const char stat_b[] =
	"cpu  700 0 300 1200 10 0 0 0 0 0\n"
	"cpu0 100 0 50 700 5 0 0 0 0 0\n"
	"cpu1 600 0 250 500 5 0 0 0 0 0\n";

Test(tui_cpu, parses_per_cpu_lines_and_skips_the_aggregate)
{
	struct tui_cpu_times v[8];
	FILE *f = text_file(stat_a);
	unsigned n = tui_cpu_parse(f, v, 8);

	fclose(f);
	cr_assert_eq(n, 2);
	cr_assert(v[0].seen && v[1].seen && !v[2].seen);
	cr_assert_eq(v[0].busy, 150);
	cr_assert_eq(v[0].total, 655);
	cr_assert_eq(v[1].busy, 450);
	cr_assert_eq(v[1].total, 955);
}

Test(tui_cpu, utilisation_between_samples)
{
	struct tui_cpu_times a[4], b[4];
	FILE *fa = text_file(stat_a), *fb = text_file(stat_b);

	tui_cpu_parse(fa, a, 4);
	tui_cpu_parse(fb, b, 4);
	fclose(fa);
	fclose(fb);
	/* cpu0: only idle grew -> 0; cpu1: 400 busy of 400 -> 1 */
	cr_assert_float_eq(tui_cpu_util(&a[0], &b[0]), 0.0, 1e-9);
	cr_assert_float_eq(tui_cpu_util(&a[1], &b[1]), 1.0, 1e-9);
	/* unknown: a missing line, or no time elapsed */
	cr_assert_lt(tui_cpu_util(&a[2], &b[2]), 0);
	cr_assert_lt(tui_cpu_util(&a[0], &a[0]), 0);
}

Test(tui_cpu, sparse_and_out_of_range_cpus)
{
	/* offline CPUs leave holes; numbers >= max are ignored; junk is skipped */
	static const char text[] =
		"cpu0 1 2 3 4 5 6 7 8\n"
		"cpu5 1 1 1 1\n"
		"cpu9 1 1 1 1 1 1 1 1\n"
		"cpux 1 2 3\n"
		"cpu3 garbage\n";
	struct tui_cpu_times v[8];
	FILE *f = text_file(text);
	unsigned n = tui_cpu_parse(f, v, 8);

	fclose(f);
	cr_assert_eq(n, 6);
	cr_assert(v[0].seen && v[5].seen && !v[3].seen && !v[1].seen);
	cr_assert_eq(v[0].busy, 1 + 2 + 3 + 6 + 7 + 8);
	cr_assert_eq(v[0].total, v[0].busy + 4 + 5);
}

/* Every PU gets a place and the layout fits in width x max_rows. */
static void check_layout(unsigned n, unsigned width, unsigned max_rows, bool want_bars)
{
	bool bars;
	unsigned cols, cell, group;
	unsigned rows = tui_cpu_layout(n, width, max_rows, &bars, &cols, &cell, &group);

	cr_assert_eq(bars, want_bars, "n=%u width=%u", n, width);
	cr_assert(rows >= 1 && rows <= max_rows, "n=%u width=%u rows=%u", n, width, rows);
	if (bars) {
		cr_assert_eq(group, 1);
		cr_assert_geq(cols * rows, n);
		cr_assert_leq(cols * cell, width);
		cr_assert_geq(cell, 20);
	} else {
		cr_assert_geq(group, 1);
		cr_assert_geq(cols * rows * group, n, "n=%u width=%u", n, width);
		cr_assert_leq(cols + 5, width);
	}
}

Test(tui_cpu, layout_bars_for_few_pus_heat_strip_for_many)
{
	check_layout(2, 99, 4, true);
	check_layout(16, 99, 4, true);
	check_layout(64, 79, 4, false);
	check_layout(48, 299, 4, true);
	check_layout(64, 299, 4, false);
	check_layout(256, 79, 4, false);
	check_layout(256, 299, 4, false);
	check_layout(4096, 79, 4, false);
	check_layout(1, 79, 4, true);
}

Test(tui_cpu, heat_strip_groups_only_when_needed)
{
	bool bars;
	unsigned cols, cell, group;

	/* 256 PUs fit one per character in 4 rows of 74 */
	tui_cpu_layout(256, 79, 4, &bars, &cols, &cell, &group);
	cr_assert_eq(group, 1);
	/* 4096 do not: several PUs per character */
	tui_cpu_layout(4096, 79, 4, &bars, &cols, &cell, &group);
	cr_assert_gt(group, 1);
}
