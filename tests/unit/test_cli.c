/*
 * test_cli.c - unit tests for cli.c: `benchtop run` options, errors that
 * name the flag, and how a profile and the flags combine into a plan
 * (-w without -p starts from the tutorial's parameters).
 */
#include <criterion/criterion.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plan.h"
#include "profile.h"
#include "topo.h"

#define T16 "pack:2 core:4 pu:2"
#define TCLI_MAXARGS 48

static struct topo *topo;
static char err[1024];
/* modifiable copies of the arguments: getopt_long permutes argv */
static char tcli_store[TCLI_MAXARGS][128];
static char *tcli_argv[TCLI_MAXARGS + 1];

static void tcli_setup(void)
{
	char e[256] = "";

	topo = topo_load(T16, e, sizeof e);
	cr_assert_not_null(topo, "%s", e);
	err[0] = '\0';
}

static void tcli_teardown(void)
{
	topo_free(topo);
}

TestSuite(cli, .init = tcli_setup, .fini = tcli_teardown);

/* Build argv from "run" and the NULL-terminated arguments; returns argc. */
static int tcli_args(const char *first, ...)
{
	va_list ap;
	int argc = 0;

	snprintf(tcli_store[argc], sizeof tcli_store[0], "run");
	tcli_argv[argc] = tcli_store[argc];
	argc++;
	va_start(ap, first);
	for (const char *a = first; a != NULL; a = va_arg(ap, const char *)) {
		cr_assert_lt(argc, TCLI_MAXARGS);
		snprintf(tcli_store[argc], sizeof tcli_store[0], "%s", a);
		tcli_argv[argc] = tcli_store[argc];
		argc++;
	}
	va_end(ap);
	tcli_argv[argc] = NULL;
	return argc;
}

/* Parse the arguments (NULL-terminated) into r, which must succeed. */
#define PARSE_OK(r, ...) do { \
		int argc_ = tcli_args(__VA_ARGS__, (const char *)NULL); \
		int rc_ = cli_parse_run(argc_, tcli_argv, (r), err, sizeof err); \
		cr_assert_eq(rc_, 0, "parse failed: %s", err); \
	} while (0)

/* Parse and build a plan, which must succeed. */
#define PLAN_OK(pl, ...) do { \
		struct cli_run r_; \
		PARSE_OK(&r_, __VA_ARGS__); \
		int rc_ = cli_build_plan(&r_, topo, (pl), err, sizeof err); \
		cli_run_free(&r_); \
		cr_assert_eq(rc_, 0, "plan failed: %s", err); \
	} while (0)

/* Parse must fail with a message containing frag. */
static void tcli_parse_bad(const char *frag, int argc)
{
	struct cli_run r;

	err[0] = '\0';
	cr_assert_eq(cli_parse_run(argc, tcli_argv, &r, err, sizeof err), -1, "accepted (want %s)",
		     frag);
	cr_assert(strstr(err, frag) != NULL, "'%s' lacks '%s'", err, frag);
	cli_run_free(&r);
}

/* Parse succeeds but building the plan fails, with a message starting
 * with the flag's name (frag). */
static void tcli_plan_bad(const char *frag, int argc)
{
	struct cli_run r;
	struct plan p;

	cr_assert_eq(cli_parse_run(argc, tcli_argv, &r, err, sizeof err), 0, "%s", err);
	err[0] = '\0';
	cr_assert_eq(cli_build_plan(&r, topo, &p, err, sizeof err), -1, "accepted (want %s)", frag);
	cr_assert(strncmp(err, frag, strlen(frag)) == 0, "'%s' does not start with '%s'", err, frag);
	cli_run_free(&r);
}

/* A parameter of plan entry i, formatted. */
static const char *tcli_param(const struct plan *p, size_t i, const char *name, char *buf,
			      size_t len)
{
	const struct param_desc *d = params_find(p->wls[i].wl->params, name);

	cr_assert_not_null(d);
	params_format(d, p->wls[i].cfg, buf, len);
	return buf;
}

Test(cli, parse_fills_the_fields)
{
	struct cli_run r;

	PARSE_OK(&r, "-p", "quick", "-w", "fib", "-m", "pool", "-n", "1,2", "--cores", "sweep",
		 "-r", "3", "--warmup", "0", "--chunksize", "2", "--bind", "core", "-P", "fib.n=5",
		 "--param", "fault.crash_task=1", "--json", "out.json", "--timeout", "9",
		 "--fail-fast", "--dry-run", "-q", "--no-shm", "--no-publish", "--synthetic", T16);
	cr_assert_str_eq(r.profile, "quick");
	cr_assert_str_eq(r.workloads, "fib");
	cr_assert_str_eq(r.modes, "pool");
	cr_assert_str_eq(r.workers, "1,2");
	cr_assert_str_eq(r.cores, "sweep");
	cr_assert_str_eq(r.runs, "3");
	cr_assert_str_eq(r.warmup, "0");
	cr_assert_str_eq(r.chunksize, "2");
	cr_assert_str_eq(r.bind, "core");
	cr_assert_eq(r.nparams, 2);
	cr_assert_str_eq(r.params[0], "fib.n=5");
	cr_assert_str_eq(r.params[1], "fault.crash_task=1");
	cr_assert_str_eq(r.headless.json_path, "out.json");
	cr_assert_str_eq(r.timeout, "9");
	cr_assert_str_eq(r.synthetic, T16);
	cr_assert(r.fail_fast && r.dry_run && r.no_publish);
	cr_assert(r.headless.quiet && r.headless.no_shm);
	cli_run_free(&r);
	cli_run_free(&r);   /* twice is fine */

	/* long forms with '=' and an empty run */
	PARSE_OK(&r, "--workloads=heavy", "--workers=sweep", "--runs=2", "--json=-");
	cr_assert_str_eq(r.workloads, "heavy");
	cr_assert_str_eq(r.workers, "sweep");
	cr_assert_str_eq(r.headless.json_path, "-");
	cr_assert_null(r.profile);
	cli_run_free(&r);
	cr_assert_eq(cli_parse_run(tcli_args(NULL), tcli_argv, &r, err, sizeof err), 0, "%s", err);
	cr_assert_null(r.workloads);
	cr_assert_eq(r.nparams, 0);
	cli_run_free(&r);
}

Test(cli, help)
{
	struct cli_run r;

	cr_assert_eq(cli_parse_run(tcli_args("--help", NULL), tcli_argv, &r, err, sizeof err),
		     CLI_HELP);
	cli_run_free(&r);
	cr_assert_eq(cli_parse_run(tcli_args("-w", "fib", "-h", NULL), tcli_argv, &r, err, sizeof err),
		     CLI_HELP);
	cli_run_free(&r);
}

Test(cli, parse_errors_name_the_flag)
{
	tcli_parse_bad("unknown option --nope", tcli_args("--nope", NULL));
	tcli_parse_bad("unknown option -x", tcli_args("-x", NULL));
	tcli_parse_bad("option -n needs a value", tcli_args("-n", NULL));
	tcli_parse_bad("option -P needs a value", tcli_args("-w", "fib", "-P", NULL));
	tcli_parse_bad("option --cores needs a value", tcli_args("--cores", NULL));
	tcli_parse_bad("option --json needs a value", tcli_args("--json", NULL));
	tcli_parse_bad("option --timeout needs a value", tcli_args("--timeout", NULL));
	tcli_parse_bad("unexpected argument 'stray'", tcli_args("-w", "fib", "stray", NULL));
	tcli_parse_bad("--json: empty file name", tcli_args("--json", "", NULL));
	tcli_parse_bad("--json: empty file name", tcli_args("--json=", NULL));
	/* parsing again after an error starts afresh */
	struct cli_run r;

	PARSE_OK(&r, "-w", "heavy");
	cr_assert_str_eq(r.workloads, "heavy");
	cli_run_free(&r);
}

Test(cli, plan_errors_name_the_flag)
{
	tcli_plan_bad("-n: ", tcli_args("-n", "0", NULL));
	tcli_plan_bad("-n: ", tcli_args("-n", "5000", NULL));
	tcli_plan_bad("-r: ", tcli_args("-r", "0", NULL));
	tcli_plan_bad("--warmup: ", tcli_args("--warmup", "x", NULL));
	tcli_plan_bad("-w: ", tcli_args("-w", "nope", NULL));
	tcli_plan_bad("-m: ", tcli_args("-m", "nope", NULL));
	tcli_plan_bad("--cores: ", tcli_args("--cores", "9", NULL));
	tcli_plan_bad("--chunksize: ", tcli_args("--chunksize", "0", NULL));
	tcli_plan_bad("--bind: ", tcli_args("--bind", "foo", NULL));
	tcli_plan_bad("--timeout: ", tcli_args("--timeout", "0", NULL));
	tcli_plan_bad("-P fib.nn: ", tcli_args("-P", "fib.nn=1", NULL));
	tcli_plan_bad("-P fib.n: ", tcli_args("-P", "fib.n=abc", NULL));
	tcli_plan_bad("-P nope.x: ", tcli_args("-P", "nope.x=1", NULL));
	tcli_plan_bad("-P heavy.iters: ", tcli_args("-w", "fib", "-P", "heavy.iters=5", NULL));
	tcli_plan_bad("-p: ", tcli_args("-p", "nonexistent", NULL));
	/* the first bad -P is the one reported */
	tcli_plan_bad("-P fib.n: ", tcli_args("-P", "fib.n=1", "-P", "fib.n=x", "-P", "fib.q=1", NULL));
}

Test(cli, default_profile_without_flags)
{
	struct plan p, ref;
	char a[256], b[256];

	PLAN_OK(&p, NULL);
	plan_init(&ref);
	cr_assert_eq(profile_load(&ref, "default", topo, err, sizeof err), 0, "%s", err);
	cr_assert_eq(p.nwl, ref.nwl);
	for (size_t i = 0; i < p.nwl; i++) {
		cr_assert_eq(p.wls[i].wl, ref.wls[i].wl);
		cr_assert(params_equal(p.wls[i].wl->params, p.wls[i].cfg, ref.wls[i].cfg));
	}
	cr_assert_eq(p.nworkers, ref.nworkers);
	cr_assert_str_eq(tcli_param(&p, 0, "n", a, sizeof a), tcli_param(&ref, 0, "n", b, sizeof b));
	plan_free(&ref);
	plan_free(&p);
}

Test(cli, workloads_without_profile_use_tutorial_defaults)
{
	struct plan p;
	char buf[256];

	PLAN_OK(&p, "-w", "fib,heavy");
	cr_assert_eq(p.nwl, 2);
	cr_assert_str_eq(p.wls[0].wl->name, "fib");
	cr_assert_str_eq(tcli_param(&p, 0, "n", buf, sizeof buf), "20,22,24,26");
	cr_assert_str_eq(tcli_param(&p, 1, "iters", buf, sizeof buf), "1000000");
	cr_assert_str_eq(tcli_param(&p, 1, "data", buf, sizeof buf), "0,1,2,3");
	plan_free(&p);

	PLAN_OK(&p, "-w", "heavy");
	cr_assert_eq(p.nwl, 1);
	cr_assert_str_eq(tcli_param(&p, 0, "iters", buf, sizeof buf), "1000000");
	plan_free(&p);
}

Test(cli, workloads_with_profile_keep_its_parameters)
{
	struct plan p, ref;
	char a[256], b[256];

	PLAN_OK(&p, "-p", "default", "-w", "fib");
	plan_init(&ref);
	cr_assert_eq(profile_load(&ref, "default", topo, err, sizeof err), 0, "%s", err);
	cr_assert_eq(p.nwl, 1);
	cr_assert_str_eq(tcli_param(&p, 0, "n", a, sizeof a), tcli_param(&ref, 0, "n", b, sizeof b));
	plan_free(&ref);
	plan_free(&p);
}

Test(cli, flags_override_the_profile)
{
	struct plan p;
	char buf[256];

	PLAN_OK(&p, "-w", "fib,heavy", "-m", "process,pool", "-n", "sweep", "--cores", "1,2",
		"-r", "4", "--warmup", "2", "--chunksize", "3", "--bind", "pu", "--timeout", "1.5",
		"--fail-fast", "--no-publish", "-P", "fib.n=5", "-P", "fib.n=6,7",
		"-P", "heavy.data=2", "-P", "fault.exit_task=1");
	cr_assert_eq(p.nmodes, 2);
	cr_assert_eq(p.modes[0], MODE_PROCESS);
	cr_assert_eq(p.nworkers, 5, "sweep on 16 PUs");
	cr_assert_eq(p.workers[4], 16);
	cr_assert_eq(p.ncores, 2);
	cr_assert_eq(p.runs, 4);
	cr_assert_eq(p.warmup, 2);
	cr_assert_eq(p.chunksize, 3);
	cr_assert_eq(p.bind, BIND_PU);
	cr_assert_float_eq(p.timeout, 1.5, 1e-12);
	cr_assert(p.fail_fast);
	cr_assert_not(p.publish);
	cr_assert_str_eq(tcli_param(&p, 0, "n", buf, sizeof buf), "6,7", "the last -P wins");
	cr_assert_str_eq(tcli_param(&p, 1, "data", buf, sizeof buf), "0,1");
	cr_assert_eq(p.fault.exit_task, 1);
	plan_free(&p);
}

Test(cli, print_plan)
{
	struct plan p;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	PLAN_OK(&p, "-w", "fib", "-m", "single,pool", "-n", "1,2", "-r", "3", "--warmup", "0");
	f = open_memstream(&text, &len);
	cr_assert_not_null(f);
	cli_print_plan(f, &p);
	fclose(f);
	cr_assert(strstr(text, "3 configurations") != NULL, "%s", text);
	cr_assert(strstr(text, "0 warm-up + 3 measured") != NULL, "%s", text);
	cr_assert(strstr(text, "fib: n=20,22,24,26") != NULL, "%s", text);
	cr_assert(strstr(text, "  1  fib single w=1\n") != NULL, "%s", text);
	cr_assert(strstr(text, "  3  fib pool w=2\n") != NULL, "%s", text);
	free(text);
	plan_free(&p);
}

Test(cli, parse_again_after_stopping_inside_a_cluster)
{
	struct cli_run r;

	/* --help found inside "-hq": getopt stops with "q" still pending */
	cr_assert_eq(cli_parse_run(tcli_args("-hq", NULL), tcli_argv, &r, err, sizeof err),
		     CLI_HELP);
	cli_run_free(&r);
	PARSE_OK(&r, "--workloads=fib");
	cr_assert_str_eq(r.workloads, "fib");
	cr_assert_not(r.headless.quiet, "-q left over from the previous command line");
	cli_run_free(&r);
}
