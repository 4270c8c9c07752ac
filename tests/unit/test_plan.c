/*
 * test_plan.c - unit tests for plan.c: built-in settings, deep copies,
 * expansion order (cores > workload > mode > workers, single collapsed to
 * one configuration), Python's chunk-size rule and configuration labels.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "profile.h"

static struct plan p;

static void tplan_setup(void)
{
	plan_init(&p);
}

static void tplan_teardown(void)
{
	plan_free(&p);
}

TestSuite(plan, .init = tplan_setup, .fini = tplan_teardown);

/* Set the plan's modes from a list of n modes. */
static void tplan_modes(size_t n, const enum bt_mode *m)
{
	memcpy(p.modes, m, n * sizeof *m);
	p.nmodes = n;
}

/* Set the plan's worker counts. */
static void tplan_workers(size_t n, const unsigned *w)
{
	memcpy(p.workers, w, n * sizeof *w);
	p.nworkers = n;
}

/* Set the plan's core counts. */
static void tplan_cores(size_t n, const unsigned *c)
{
	memcpy(p.cores, c, n * sizeof *c);
	p.ncores = n;
}

/* Label of configuration c. */
static const char *tplan_label(const struct plan_config *c, char *buf, size_t len)
{
	plan_config_label(&p, c, buf, len);
	return buf;
}

Test(plan, init_defaults)
{
	cr_assert_str_eq(p.name, "default");
	cr_assert_eq(p.nwl, 0);
	cr_assert_eq(p.nmodes, 2);
	cr_assert_eq(p.modes[0], MODE_SINGLE);
	cr_assert_eq(p.modes[1], MODE_POOL);
	cr_assert_eq(p.ncores, 1);
	cr_assert_eq(p.cores[0], 0);
	cr_assert_eq(p.chunksize, 0);
	cr_assert_eq(p.bind, BIND_NONE);
	cr_assert(p.publish);
	cr_assert_not(p.fail_fast);
	cr_assert_geq(p.runs, 1);
	cr_assert_eq(p.fault.crash_task, PARAM_NONE);
	cr_assert_eq(p.fault.hang_task, PARAM_NONE);
	cr_assert_eq(p.fault.exit_task, PARAM_NONE);
	/* no workload: nothing to expand */
	struct plan_config *v;

	cr_assert_eq(plan_expand(&p, &v), 0);
	free(v);
}

Test(plan, workload_find_or_add)
{
	cr_assert_eq(plan_workload(&p, "fib"), 0);
	cr_assert_eq(plan_workload(&p, "heavy"), 1);
	cr_assert_eq(plan_workload(&p, "fib"), 0, "found, not added twice");
	cr_assert_eq(p.nwl, 2);
	cr_assert_eq(plan_workload(&p, "nope"), -1);
	cr_assert_eq(p.nwl, 2);
	cr_assert_str_eq(p.wls[0].wl->name, "fib");
	/* added with the workload's defaults */
	char buf[256];

	params_format(params_find(p.wls[0].wl->params, "n"), p.wls[0].cfg, buf, sizeof buf);
	cr_assert_str_eq(buf, "20,22,24,26");
}

Test(plan, expand_order)
{
	static const enum bt_mode modes[] = { MODE_SINGLE, MODE_PROCESS, MODE_POOL };
	static const unsigned workers[] = { 1, 2 }, cores[] = { 1, 2 };
	static const char *const want[] = {
		"fib single w=1 c=1", "fib process w=1 c=1", "fib process w=2 c=1",
		"fib pool w=1 c=1", "fib pool w=2 c=1",
		"heavy single w=1 c=1", "heavy process w=1 c=1", "heavy process w=2 c=1",
		"heavy pool w=1 c=1", "heavy pool w=2 c=1",
		"fib single w=1 c=2", "fib process w=1 c=2", "fib process w=2 c=2",
		"fib pool w=1 c=2", "fib pool w=2 c=2",
		"heavy single w=1 c=2", "heavy process w=1 c=2", "heavy process w=2 c=2",
		"heavy pool w=1 c=2", "heavy pool w=2 c=2",
	};
	struct plan_config *v;
	char buf[96];

	plan_workload(&p, "fib");
	plan_workload(&p, "heavy");
	tplan_modes(3, modes);
	tplan_workers(2, workers);
	tplan_cores(2, cores);
	size_t n = plan_expand(&p, &v);

	cr_assert_eq(n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < n; i++) {
		cr_assert_str_eq(tplan_label(&v[i], buf, sizeof buf), want[i], "configuration %zu", i);
		cr_assert_eq(v[i].wl, (i / 5) % 2);
		cr_assert_eq(v[i].cores, cores[i / 10]);
	}
	free(v);
}

Test(plan, expand_follows_given_orders)
{
	static const enum bt_mode modes[] = { MODE_POOL, MODE_SINGLE };
	static const unsigned workers[] = { 4, 1, 2 };
	static const char *const want[] = {
		"heavy pool w=4", "heavy pool w=1", "heavy pool w=2", "heavy single w=1",
		"fib pool w=4", "fib pool w=1", "fib pool w=2", "fib single w=1",
	};
	struct plan_config *v;
	char buf[96];

	plan_workload(&p, "heavy");
	plan_workload(&p, "fib");
	tplan_modes(2, modes);
	tplan_workers(3, workers);
	size_t n = plan_expand(&p, &v);

	cr_assert_eq(n, 8);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(tplan_label(&v[i], buf, sizeof buf), want[i], "configuration %zu", i);
	free(v);
}

Test(plan, single_collapses)
{
	static const enum bt_mode modes[] = { MODE_SINGLE };
	static const unsigned workers[] = { 2, 4, 8, 16 };
	struct plan_config *v;

	plan_workload(&p, "fib");
	tplan_modes(1, modes);
	tplan_workers(4, workers);
	size_t n = plan_expand(&p, &v);

	cr_assert_eq(n, 1, "single mode gives %zu configurations", n);
	cr_assert_eq(v[0].mode, MODE_SINGLE);
	cr_assert_eq(v[0].workers, 1);
	cr_assert_eq(v[0].cores, 0);
	free(v);
}

Test(plan, chunksize_auto_is_pythons_rule)
{
	static const struct { size_t n; unsigned w; uint64_t want; } cases[] = {
		{ 0, 1, 1 }, { 1, 1, 1 }, { 1, 8, 1 }, { 4, 1, 1 }, { 4, 4, 1 }, { 5, 1, 2 },
		{ 8, 1, 2 }, { 9, 1, 3 }, { 9, 2, 2 }, { 16, 2, 2 }, { 17, 2, 3 }, { 33, 2, 5 },
		{ 100, 3, 9 }, { 1000, 4, 63 }, { 1000, 250, 1 }, { 1001, 250, 2 },
		{ 1000000, 7, 35715 }, { 10, 0, 3 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint64_t got = plan_chunksize(&p, cases[i].n, cases[i].w);

		cr_assert_eq(got, cases[i].want, "n %zu w %u: %llu, want %llu", cases[i].n, cases[i].w,
			     (unsigned long long)got, (unsigned long long)cases[i].want);
	}
	/* the rule itself: ceil(n / (4 w)) */
	for (size_t n = 1; n <= 70; n++) {
		for (unsigned w = 1; w <= 9; w++)
			cr_assert_eq(plan_chunksize(&p, n, w), (n + 4 * w - 1) / (4 * w));
	}
}

Test(plan, chunksize_explicit)
{
	p.chunksize = 3;
	cr_assert_eq(plan_chunksize(&p, 100, 2), 3);
	cr_assert_eq(plan_chunksize(&p, 1, 8), 3);
	p.chunksize = 1;
	cr_assert_eq(plan_chunksize(&p, 1000, 1), 1);
}

Test(plan, labels)
{
	char buf[96];
	struct plan_config c = { 0, MODE_POOL, 2, 0 };

	plan_workload(&p, "fib");
	plan_workload(&p, "heavy");
	cr_assert_str_eq(tplan_label(&c, buf, sizeof buf), "fib pool w=2");
	c.cores = 4;
	cr_assert_str_eq(tplan_label(&c, buf, sizeof buf), "fib pool w=2 c=4");
	c = (struct plan_config){ 1, MODE_PROCESS, 16, 0 };
	cr_assert_str_eq(tplan_label(&c, buf, sizeof buf), "heavy process w=16");
	c = (struct plan_config){ 1, MODE_SINGLE, 1, 0 };
	cr_assert_str_eq(tplan_label(&c, buf, sizeof buf), "heavy single w=1");
	/* a labelled entry uses its label */
	snprintf(p.wls[1].label, sizeof p.wls[1].label, "heavy#2");
	cr_assert_str_eq(tplan_label(&c, buf, sizeof buf), "heavy#2 single w=1");
	/* truncated, still terminated */
	char tiny[8];

	plan_config_label(&p, &c, tiny, sizeof tiny);
	cr_assert_eq(strlen(tiny), sizeof tiny - 1);
}

Test(plan, duplicate_workloads_get_distinct_labels)
{
	char err[256], a[96], b[96];
	struct plan_config *v;

	plan_workload(&p, "fib");
	/* a second fib entry, as the workloads array form makes */
	p.wls[1].wl = p.wls[0].wl;
	p.wls[1].cfg = calloc(1, p.wls[0].wl->cfg_size);
	params_defaults(p.wls[0].wl->params, p.wls[1].cfg);
	p.nwl = 2;
	cr_assert_eq(params_set(p.wls[1].wl->params, p.wls[1].cfg, "t", "n", "5", err, sizeof err), 0);
	profile_label_workloads(&p);
	p.modes[0] = MODE_SINGLE;
	p.nmodes = 1;
	size_t n = plan_expand(&p, &v);

	cr_assert_eq(n, 2);
	tplan_label(&v[0], a, sizeof a);
	tplan_label(&v[1], b, sizeof b);
	cr_assert_str_neq(a, b);
	cr_assert(strncmp(a, "fib", 3) == 0 && strncmp(b, "fib", 3) == 0, "%s / %s", a, b);
	free(v);
}

Test(plan, copy_is_deep)
{
	struct plan q;
	char err[256], buf[256];

	plan_workload(&p, "fib");
	plan_workload(&p, "heavy");
	p.runs = 7;
	plan_copy(&q, &p);
	cr_assert_eq(q.nwl, 2);
	cr_assert_eq(q.runs, 7);
	cr_assert_neq(q.name, p.name);
	cr_assert_str_eq(q.name, p.name);
	cr_assert_neq(q.wls[0].cfg, p.wls[0].cfg);
	cr_assert_eq(params_set(q.wls[0].wl->params, q.wls[0].cfg, "t", "n", "3", err, sizeof err), 0);
	params_format(params_find(p.wls[0].wl->params, "n"), p.wls[0].cfg, buf, sizeof buf);
	cr_assert_str_eq(buf, "20,22,24,26", "the copy shares parameters with the source");
	plan_free(&q);
	plan_free(&q);   /* twice is fine */
}
