/*
 * test_results_json.c - the JSON document: every key and its type, strict
 * JSON (null for NAN), hyperfine's result shape, Google Benchmark's view,
 * the topo document and atomic writes.
 */
#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "params.h"
#include "plan.h"
#include "results_json.h"
#include "topo.h"

#ifndef BENCHTOP_VERSION
#define BENCHTOP_VERSION "0.0.0"
#endif

#define SYNTH "pack:1 core:2 pu:1"
#define SYNTH_CACHES "pack:1 l2:1(size=1MiB) core:2 l1d:1(size=32KiB) pu:1"
#define BIG_SUM 18446744073709551557u /* > 2^53: not exact as a double */

/* Everything a test needs, released by fixture_free(). */
struct fixture {
	struct topo *topo;
	struct plan plan;
	struct bt_result res[3];
	const struct bt_result *ptrs[3];
	char dir[64];
};

/* Fill r as a finished configuration of plan's workload 0. */
static void make_result(struct bt_result *r, const struct plan *p, enum bt_mode mode,
			unsigned workers, unsigned cores, const double *times, size_t n)
{
	memset(r, 0, sizeof *r);
	r->cfg.wl = 0;
	r->cfg.mode = mode;
	r->cfg.workers = workers;
	r->cfg.cores = cores;
	r->wl = p->wls[0].wl;
	r->wlcfg = p->wls[0].cfg;
	snprintf(r->command, sizeof r->command, "%s %s w=%u", r->wl->name, mode_name(mode),
		 workers);
	r->nruns = n;
	r->times = calloc(n ? n : 1, sizeof(double));
	r->user = calloc(n ? n : 1, sizeof(double));
	r->sys = calloc(n ? n : 1, sizeof(double));
	r->startup = calloc(n ? n : 1, sizeof(double));
	r->teardown = calloc(n ? n : 1, sizeof(double));
	r->exit_codes = calloc(n ? n : 1, sizeof(int));
	cr_assert(r->times && r->user && r->sys && r->startup && r->teardown && r->exit_codes);
	for (size_t i = 0; i < n; i++) {
		r->times[i] = times[i];
		r->user[i] = times[i] * workers * 0.9;
		r->sys[i] = times[i] * 0.05;
		r->startup[i] = mode == MODE_POOL ? 0.001 * (double)(i + 1) : NAN;
		r->teardown[i] = mode == MODE_POOL ? 0.0005 : NAN;
	}
	measure_summary(r->times, n, &r->time);
	r->user_mean = measure_mean(r->user, n);
	r->sys_mean = measure_mean(r->sys, n);
	r->startup_median = mode == MODE_POOL ? measure_percentile(r->startup, n, 50) : NAN;
	r->teardown_median = mode == MODE_POOL ? 0.0005 : NAN;
	r->chunksize = mode == MODE_POOL ? 1 : 0;
	r->tasks = 4;
	r->ops = 4;
	r->nprocs = workers;
	r->checksum = r->expected = 192237;
	r->verified = true;
	r->throughput = 4.0 / r->time.median;
	r->unit = "tasks/s";
	r->speedup = NAN;
	r->efficiency = NAN;
	r->nper_worker = workers;
	r->per_worker = calloc(workers, sizeof *r->per_worker);
	cr_assert_not_null(r->per_worker);
	for (unsigned i = 0; i < workers; i++) {
		r->per_worker[i].pid = 1000 + (pid_t)i;
		r->per_worker[i].cpu = (int)i;
		r->per_worker[i].tasks = 2;
		r->per_worker[i].ops = 2;
		r->per_worker[i].busy = 0.01;
		r->per_worker[i].role = "worker";
	}
}

/* Free what make_result() allocated. */
static void free_result(struct bt_result *r)
{
	free(r->times);
	free(r->user);
	free(r->sys);
	free(r->startup);
	free(r->teardown);
	free(r->exit_codes);
	free(r->per_worker);
}

/*
 * Three results: fib single (3 runs), fib pool w=2 on 1 core (3 runs, the
 * second failed, a big checksum, a NAN metric), fib pool w=2 (1 run).
 */
static void fixture_init(struct fixture *f, const char *synthetic)
{
	static const double t1[] = { 0.30, 0.32, 0.31 };
	static const double t2[] = { 0.16, 0.5, 0.17 };
	static const double t3[] = { 0.2 };
	char err[256] = "";

	memset(f, 0, sizeof *f);
	f->topo = topo_load(synthetic, err, sizeof err);
	cr_assert_not_null(f->topo, "topo_load: %s", err);
	plan_init(&f->plan);
	cr_assert_eq(plan_workload(&f->plan, "fib"), 0);
	f->plan.workers[0] = 1;
	f->plan.workers[1] = 2;
	f->plan.nworkers = 2;
	snprintf(f->plan.workers_spec, sizeof f->plan.workers_spec, "1,2");

	make_result(&f->res[0], &f->plan, MODE_SINGLE, 1, 0, t1, 3);
	make_result(&f->res[1], &f->plan, MODE_POOL, 2, 1, t2, 3);
	f->res[1].exit_codes[1] = 139;
	f->res[1].failed = true;
	f->res[1].verified = false;
	snprintf(f->res[1].error, sizeof f->res[1].error, "worker 1 killed by SIGSEGV");
	f->res[1].checksum = BIG_SUM;
	f->res[1].expected = BIG_SUM - 1;
	f->res[1].speedup = 1.875;
	f->res[1].efficiency = 0.9375;
	f->res[1].per_worker[1].cpu = -1;
	f->res[1].nmetrics = 2;
	f->res[1].metrics[0] = (struct wl_metric){ "latency_p50", 0.25, "s" };
	f->res[1].metrics[1] = (struct wl_metric){ "latency_p99", NAN, "s" };
	make_result(&f->res[2], &f->plan, MODE_POOL, 2, 0, t3, 1);
	for (int i = 0; i < 3; i++)
		f->ptrs[i] = &f->res[i];
}

/* Release what fixture_init() made. */
static void fixture_free(struct fixture *f)
{
	for (int i = 0; i < 3; i++)
		free_result(&f->res[i]);
	plan_free(&f->plan);
	topo_free(f->topo);
}

/* Render f and parse it back (or fail); *text receives the text. */
static cJSON *render(struct fixture *f, size_t n, bool interrupted, char **text)
{
	char *s = results_json_render(&f->plan, f->topo, n ? f->ptrs : NULL, n, interrupted);
	cJSON *doc;

	cr_assert_not_null(s);
	doc = cJSON_Parse(s);
	cr_assert_not_null(doc, "not JSON near: %.60s", cJSON_GetErrorPtr());
	if (text != NULL)
		*text = s;
	else
		free(s);
	return doc;
}

/* o[key], which must exist. */
static cJSON *get(const cJSON *o, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	cr_assert_not_null(v, "missing key \"%s\"", key);
	return v;
}

/* o[key] as a number, a string, a boolean; or check it is null. */
static double num(const cJSON *o, const char *key)
{
	cJSON *v = get(o, key);

	cr_assert(cJSON_IsNumber(v), "\"%s\" is not a number", key);
	return v->valuedouble;
}

static const char *str(const cJSON *o, const char *key)
{
	cJSON *v = get(o, key);

	cr_assert(cJSON_IsString(v), "\"%s\" is not a string", key);
	return v->valuestring;
}

static bool boolean(const cJSON *o, const char *key)
{
	cJSON *v = get(o, key);

	cr_assert(cJSON_IsBool(v), "\"%s\" is not a boolean", key);
	return cJSON_IsTrue(v);
}

static void is_null(const cJSON *o, const char *key)
{
	cr_assert(cJSON_IsNull(get(o, key)), "\"%s\" is not null", key);
}

/* o[key] as an array (of len items unless len < 0), or an object. */
static cJSON *array(const cJSON *o, const char *key, int len)
{
	cJSON *v = get(o, key);

	cr_assert(cJSON_IsArray(v), "\"%s\" is not an array", key);
	if (len >= 0)
		cr_assert_eq(cJSON_GetArraySize(v), len, "\"%s\" has %d items, not %d", key,
			     cJSON_GetArraySize(v), len);
	return v;
}

static cJSON *object(const cJSON *o, const char *key)
{
	cJSON *v = get(o, key);

	cr_assert(cJSON_IsObject(v), "\"%s\" is not an object", key);
	return v;
}

/* Whether s is "YYYY-MM-DDTHH:MM:SSZ". */
static bool iso_utc(const char *s)
{
	const char *pat = "dddd-dd-ddTdd:dd:ddZ";

	if (strlen(s) != strlen(pat))
		return false;
	for (size_t i = 0; pat[i] != '\0'; i++) {
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return false;
	}
	return true;
}

/* Check the topology counts of SYNTH in o. */
static void check_counts(const cJSON *o)
{
	cr_assert_eq(num(o, "packages"), 1);
	cr_assert_eq(num(o, "numa_nodes"), 1);
	cr_assert_eq(num(o, "cores"), 2);
	cr_assert_eq(num(o, "pus"), 2);
	array(o, "caches", -1);
}

Test(results_json, top_level)
{
	struct fixture f;
	cJSON *doc, *tool, *host, *load, *it;

	fixture_init(&f, SYNTH);
	doc = render(&f, 3, false, NULL);
	cr_assert_str_eq(str(doc, "schema"), "benchtop/1");
	tool = object(doc, "tool");
	cr_assert_str_eq(str(tool, "name"), "benchtop");
	cr_assert_str_eq(str(tool, "version"), BENCHTOP_VERSION);
	cr_assert(iso_utc(str(doc, "created")), "created: %s", str(doc, "created"));
	cr_assert_eq(boolean(doc, "interrupted"), false);
	array(doc, "results", 3);

	host = object(doc, "host");
	str(host, "hostname");
	str(host, "os");
	str(host, "kernel");
	str(host, "arch");
	str(host, "cpu_model");
	check_counts(object(host, "topology"));
	load = array(host, "load_avg", 3);
	cJSON_ArrayForEach(it, load)
		cr_assert(cJSON_IsNumber(it) || cJSON_IsNull(it));
	object(doc, "plan");
	object(doc, "context");
	array(doc, "benchmarks", -1);
	cJSON_Delete(doc);
	fixture_free(&f);
}

Test(results_json, interrupted_and_empty)
{
	struct fixture f;
	cJSON *doc;

	fixture_init(&f, SYNTH);
	doc = render(&f, 0, true, NULL);
	cr_assert_eq(boolean(doc, "interrupted"), true);
	array(doc, "results", 0);
	array(doc, "benchmarks", 0);
	cJSON_Delete(doc);
	fixture_free(&f);
}

Test(results_json, hyperfine_keys)
{
	struct fixture f;
	cJSON *doc, *r, *times, *codes, *params, *it;
	double sum = 0;
	int i = 0;

	fixture_init(&f, SYNTH);
	doc = render(&f, 3, false, NULL);
	r = cJSON_GetArrayItem(get(doc, "results"), 0);
	cr_assert_str_eq(str(r, "command"), "fib single w=1");
	cr_assert_float_eq(num(r, "mean"), 0.31, 1e-12);
	cr_assert_float_eq(num(r, "stddev"), 0.01, 1e-12);
	cr_assert_float_eq(num(r, "median"), 0.31, 1e-12);
	cr_assert_float_eq(num(r, "min"), 0.30, 1e-12);
	cr_assert_float_eq(num(r, "max"), 0.32, 1e-12);
	cr_assert_float_eq(num(r, "user"), 0.31 * 0.9, 1e-12);
	cr_assert_float_eq(num(r, "system"), 0.31 * 0.05, 1e-12);
	times = array(r, "times", 3);
	cJSON_ArrayForEach(it, times) {
		cr_assert(cJSON_IsNumber(it));
		cr_assert_float_eq(it->valuedouble, f.res[0].times[i], 1e-12);
		sum += it->valuedouble;
		i++;
	}
	cr_assert_float_eq(sum, 0.93, 1e-12);
	codes = array(r, "exit_codes", 3);
	cJSON_ArrayForEach(it, codes)
		cr_assert(cJSON_IsNumber(it) && it->valueint == 0);

	/* exactly one parameter, the worker count as a string */
	params = object(r, "parameters");
	cr_assert_eq(cJSON_GetArraySize(params), 1);
	cr_assert_str_eq(str(params, "workers"), "1");
	params = object(cJSON_GetArrayItem(get(doc, "results"), 1), "parameters");
	cr_assert_eq(cJSON_GetArraySize(params), 1);
	cr_assert_str_eq(str(params, "workers"), "2");

	/* the failed run's exit code is kept; one run has no stddev */
	codes = get(cJSON_GetArrayItem(get(doc, "results"), 1), "exit_codes");
	cr_assert_eq(cJSON_GetArrayItem(codes, 1)->valueint, 139);
	r = cJSON_GetArrayItem(get(doc, "results"), 2);
	array(r, "times", 1);
	is_null(r, "stddev");
	cJSON_Delete(doc);
	fixture_free(&f);
}

Test(results_json, benchtop_keys)
{
	struct fixture f;
	cJSON *doc, *r, *pw, *w, *metrics, *params;
	char *text, pbuf[256];

	fixture_init(&f, SYNTH);
	doc = render(&f, 3, false, &text);

	r = cJSON_GetArrayItem(get(doc, "results"), 0);
	cr_assert_str_eq(str(r, "workload"), "fib");
	cr_assert_str_eq(str(r, "mode"), "single");
	cr_assert_eq(num(r, "workers"), 1);
	cr_assert_eq(num(r, "cores"), 2, "cores 0 = the topology's 2 cores");
	cr_assert_str_eq(str(r, "bind"), "none");
	params = object(r, "params");
	params_format(params_find(f.plan.wls[0].wl->params, "n"), f.plan.wls[0].cfg, pbuf,
		      sizeof pbuf);
	cr_assert_str_eq(str(params, "n"), pbuf);
	cr_assert_str_eq(pbuf, "20,22,24,26");
	is_null(r, "chunksize");
	cr_assert_eq(num(r, "tasks"), 4);
	cr_assert_eq(num(r, "ops"), 4);
	cr_assert_eq(num(r, "checksum"), 192237);
	cr_assert_eq(num(r, "expected"), 192237);
	cr_assert_eq(boolean(r, "verified"), true);
	cr_assert_float_eq(num(r, "throughput"), 4.0 / 0.31, 1e-9);
	cr_assert_str_eq(str(r, "throughput_unit"), "tasks/s");
	is_null(r, "speedup");
	is_null(r, "efficiency");
	is_null(r, "startup");
	is_null(r, "teardown");
	cJSON_ArrayForEach(w, array(r, "startup_times", 3))
		cr_assert(cJSON_IsNull(w));
	array(r, "per_worker", 1);
	cr_assert_eq(cJSON_GetArraySize(object(r, "metrics")), 0);
	cr_assert_eq(boolean(r, "failed"), false);
	cr_assert_eq(boolean(r, "interrupted"), false);
	is_null(r, "error");

	r = cJSON_GetArrayItem(get(doc, "results"), 1);
	cr_assert_str_eq(str(r, "mode"), "pool");
	cr_assert_eq(num(r, "cores"), 1);
	cr_assert_eq(num(r, "chunksize"), 1);
	cr_assert_float_eq(num(r, "speedup"), 1.875, 1e-12);
	cr_assert_float_eq(num(r, "efficiency"), 0.9375, 1e-12);
	cr_assert_float_eq(num(r, "startup"), 0.002, 1e-12);
	cr_assert_float_eq(num(r, "teardown"), 0.0005, 1e-12);
	cr_assert_float_eq(cJSON_GetArrayItem(array(r, "startup_times", 3), 2)->valuedouble,
			   0.003, 1e-12);
	cr_assert_eq(boolean(r, "verified"), false);
	cr_assert_eq(boolean(r, "failed"), true);
	cr_assert_str_eq(str(r, "error"), "worker 1 killed by SIGSEGV");
	/* a checksum above 2^53 is a number written with its exact digits */
	num(r, "checksum");
	num(r, "expected");
	cr_assert_not_null(strstr(text, "\"checksum\":\t18446744073709551557"), "%s", text);
	cr_assert_not_null(strstr(text, "\"expected\":\t18446744073709551556"));
	pw = array(r, "per_worker", 2);
	w = cJSON_GetArrayItem(pw, 0);
	cr_assert_eq(num(w, "pid"), 1000);
	cr_assert_eq(num(w, "cpu"), 0);
	cr_assert_eq(num(w, "tasks"), 2);
	cr_assert_eq(num(w, "ops"), 2);
	cr_assert_float_eq(num(w, "busy"), 0.01, 1e-12);
	cr_assert_str_eq(str(w, "role"), "worker");
	is_null(cJSON_GetArrayItem(pw, 1), "cpu");
	metrics = object(r, "metrics");
	cr_assert_float_eq(num(metrics, "latency_p50"), 0.25, 1e-12);
	is_null(metrics, "latency_p99");
	free(text);
	cJSON_Delete(doc);
	fixture_free(&f);
}

Test(results_json, nan_and_infinity_are_null)
{
	struct fixture f;
	cJSON *doc, *r;
	char *text;

	fixture_init(&f, SYNTH);
	f.res[0].times[1] = NAN;
	f.res[0].throughput = INFINITY;
	f.res[0].time.mean = -INFINITY;
	f.res[0].user_mean = NAN;
	doc = render(&f, 1, false, &text);
	r = cJSON_GetArrayItem(get(doc, "results"), 0);
	cr_assert(cJSON_IsNull(cJSON_GetArrayItem(get(r, "times"), 1)));
	is_null(r, "throughput");
	is_null(r, "mean");
	is_null(r, "user");
	/* cJSON's parser rejects these tokens, so parsing proves strictness */
	cr_assert_null(cJSON_Parse("[nan]"));
	cr_assert_null(cJSON_Parse("[-nan]"));
	cr_assert_null(cJSON_Parse("[inf]"));
	cr_assert_null(cJSON_Parse("[-Infinity]"));
	/* the run without a time is left out of Google Benchmark's view */
	cr_assert_eq(cJSON_GetArraySize(get(doc, "benchmarks")), 2 + 3);
	free(text);
	cJSON_Delete(doc);
	fixture_free(&f);
}

Test(results_json, plan_echo)
{
	struct fixture f;
	cJSON *doc, *p, *w, *it;
	unsigned want[] = { 1, 2 };
	int i = 0;

	fixture_init(&f, SYNTH);
	doc = render(&f, 0, false, NULL);
	p = object(doc, "plan");
	cr_assert_str_eq(str(p, "name"), "default");
	w = cJSON_GetArrayItem(array(p, "workloads", 1), 0);
	cr_assert_str_eq(str(w, "workload"), "fib");
	cr_assert_str_eq(str(object(w, "params"), "n"), "20,22,24,26");
	cJSON_ArrayForEach(it, array(p, "modes", 2))
		cr_assert(cJSON_IsString(it));
	cr_assert_str_eq(cJSON_GetArrayItem(get(p, "modes"), 0)->valuestring, "single");
	cr_assert_str_eq(cJSON_GetArrayItem(get(p, "modes"), 1)->valuestring, "pool");
	cJSON_ArrayForEach(it, array(p, "workers", 2)) {
		cr_assert_eq(it->valuedouble, want[i]);
		i++;
	}
	cr_assert_str_eq(str(p, "workers_spec"), "1,2");
	cr_assert_eq(cJSON_GetArrayItem(array(p, "cores", 1), 0)->valuedouble, 0);
	cr_assert_str_eq(str(p, "cores_spec"), "all");
	cr_assert_eq(num(p, "runs"), f.plan.runs);
	cr_assert_eq(num(p, "warmup"), f.plan.warmup);
	cr_assert_str_eq(str(p, "chunksize"), "auto");
	cr_assert_str_eq(str(p, "bind"), "none");
	cr_assert_eq(num(p, "timeout"), 0);
	cr_assert_eq(boolean(p, "fail_fast"), false);
	cr_assert_null(cJSON_GetObjectItem(p, "fault"));
	cJSON_Delete(doc);

	f.plan.chunksize = 8;
	f.plan.bind = BIND_CORE;
	f.plan.fail_fast = true;
	f.plan.timeout = 2.5;
	f.plan.fault.crash_task = 3;
	doc = render(&f, 0, false, NULL);
	p = object(doc, "plan");
	cr_assert_eq(num(p, "chunksize"), 8);
	cr_assert_str_eq(str(p, "bind"), "core");
	cr_assert_eq(boolean(p, "fail_fast"), true);
	cr_assert_float_eq(num(p, "timeout"), 2.5, 1e-12);
	cr_assert_eq(num(object(p, "fault"), "crash_task"), 3);
	is_null(get(p, "fault"), "hang_task");
	cJSON_Delete(doc);
	fixture_free(&f);
}

Test(results_json, google_benchmark_view)
{
	struct fixture f;
	cJSON *doc, *ctx, *b, *e, *c;
	int i = 0;

	fixture_init(&f, SYNTH_CACHES);
	doc = render(&f, 3, false, NULL);
	ctx = object(doc, "context");
	str(ctx, "date");
	str(ctx, "host_name");
	cr_assert_str_eq(str(ctx, "executable"), "benchtop");
	cr_assert_eq(num(ctx, "num_cpus"), 2);
	cr_assert(num(ctx, "mhz_per_cpu") >= 0);
	cr_assert_eq(boolean(ctx, "cpu_scaling_enabled"), false);
	array(ctx, "load_avg", 3);
	cr_assert_str_eq(str(ctx, "library_build_type"), "release");
	cr_assert_eq(num(ctx, "json_schema_version"), 1);
	c = array(ctx, "caches", 2);
	e = cJSON_GetArrayItem(c, 0);
	cr_assert_str_eq(str(e, "type"), "Data");
	cr_assert_eq(num(e, "level"), 1);
	cr_assert_eq(num(e, "size"), 32 * 1024);
	cr_assert_eq(num(e, "num_sharing"), 1);
	e = cJSON_GetArrayItem(c, 1);
	cr_assert_str_eq(str(e, "type"), "Unified");
	cr_assert_eq(num(e, "level"), 2);
	cr_assert_eq(num(e, "size"), 1024 * 1024);
	cr_assert_eq(num(e, "num_sharing"), 2);

	/* 3 runs + 3 aggregates; 2 good runs (one failed) + 3; 1 run */
	b = array(doc, "benchmarks", 6 + 5 + 1);
	cJSON_ArrayForEach(e, b) {
		bool agg = i == 3 || i == 4 || i == 5 || i == 8 || i == 9 || i == 10;
		const char *run = i < 6 ? "fib/single/workers:1" :
				  i < 11 ? "fib/pool/workers:2/cores:1" : "fib/pool/workers:2";

		cr_assert_str_eq(str(e, "run_name"), run);
		cr_assert_str_eq(str(e, "run_type"), agg ? "aggregate" : "iteration");
		cr_assert_eq(num(e, "threads"), 1);
		cr_assert_str_eq(str(e, "time_unit"), "ms");
		cr_assert_eq(num(e, "family_index"), i < 6 ? 0 : i < 11 ? 1 : 2);
		cr_assert_eq(num(e, "repetitions"), i < 6 ? 3 : i < 11 ? 2 : 1);
		num(e, "real_time");
		num(e, "cpu_time");
		num(e, "iterations");
		if (!agg) {
			cr_assert_str_eq(str(e, "name"), run);
			num(e, "repetition_index");
		} else {
			char want[128];

			snprintf(want, sizeof want, "%s_%s", run, str(e, "aggregate_name"));
			cr_assert_str_eq(str(e, "name"), want);
		}
		i++;
	}
	e = cJSON_GetArrayItem(b, 1);
	cr_assert_eq(num(e, "repetition_index"), 1);
	cr_assert_float_eq(num(e, "real_time"), 320.0, 1e-9);
	cr_assert_float_eq(num(e, "cpu_time"), 0.32 * 0.95 * 1e3, 1e-9);
	e = cJSON_GetArrayItem(b, 3);
	cr_assert_str_eq(str(e, "aggregate_name"), "mean");
	cr_assert_float_eq(num(e, "real_time"), 310.0, 1e-9);
	e = cJSON_GetArrayItem(b, 5);
	cr_assert_str_eq(str(e, "aggregate_name"), "stddev");
	cr_assert_float_eq(num(e, "real_time"), 10.0, 1e-9);
	/* the failed second run of result 1 is skipped: 160 and 170 ms */
	cr_assert_float_eq(num(cJSON_GetArrayItem(b, 7), "real_time"), 170.0, 1e-9);
	cr_assert_float_eq(num(cJSON_GetArrayItem(b, 9), "real_time"), 165.0, 1e-9);
	cJSON_Delete(doc);
	fixture_free(&f);
}

Test(results_json, topo_document)
{
	char err[256] = "";
	struct topo *t = topo_load(SYNTH_CACHES, err, sizeof err);
	char *s, **lines;
	cJSON *doc, *tree, *c, *host;
	size_t n;

	cr_assert_not_null(t, "%s", err);
	s = results_json_topo(t);
	doc = cJSON_Parse(s);
	cr_assert_not_null(doc);
	check_counts(doc);
	c = cJSON_GetArrayItem(array(doc, "caches", 2), 1);
	cr_assert_eq(num(c, "level"), 2);
	cr_assert_str_eq(str(c, "type"), "unified");
	cr_assert_eq(num(c, "size"), 1024 * 1024);
	num(c, "linesize");
	num(c, "ways");
	cr_assert_eq(num(c, "count"), 1);
	n = topo_tree_lines(t, &lines);
	tree = array(doc, "tree", (int)n);
	cr_assert_gt(n, 0);
	for (size_t i = 0; i < n; i++) {
		cr_assert_str_eq(cJSON_GetArrayItem(tree, (int)i)->valuestring, lines[i]);
		free(lines[i]);
	}
	free(lines);
	host = object(doc, "host");
	str(host, "hostname");
	str(host, "kernel");
	array(host, "load_avg", 3);
	cJSON_Delete(doc);
	free(s);
	topo_free(t);
}

/* A fresh temporary directory for f, removed by rm_dir(). */
static void make_dir(struct fixture *f)
{
	snprintf(f->dir, sizeof f->dir, "/tmp/benchtop-test-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
}

/* Entries of f->dir other than . and .., removing them if rm. */
static int dir_entries(const struct fixture *f, bool rm)
{
	DIR *d = opendir(f->dir);
	struct dirent *de;
	int n = 0;
	char path[512];

	cr_assert_not_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		n++;
		if (rm) {
			snprintf(path, sizeof path, "%s/%s", f->dir, de->d_name);
			unlink(path);
		}
	}
	closedir(d);
	return n;
}

/* Remove f->dir and what it holds. */
static void rm_dir(const struct fixture *f)
{
	dir_entries(f, true);
	rmdir(f->dir);
}

/* The whole content of path (caller-freed). */
static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long len;

	cr_assert_not_null(fp, "cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	buf = calloc((size_t)len + 1, 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	return buf;
}

Test(results_json, atomic_write)
{
	struct fixture f;
	char path[128], err[256] = "", *text;
	struct stat st;
	mode_t mask;
	cJSON *doc;

	fixture_init(&f, SYNTH);
	make_dir(&f);
	snprintf(path, sizeof path, "%s/out.json", f.dir);
	cr_assert_eq(results_json_write(path, &f.plan, f.topo, f.ptrs, 3, false, err, sizeof err),
		     0, "%s", err);
	cr_assert_eq(dir_entries(&f, false), 1, "a temporary file was left behind");
	text = slurp(path);
	cr_assert_eq(text[strlen(text) - 1], '\n');
	doc = cJSON_Parse(text);
	cr_assert_not_null(doc);
	array(doc, "results", 3);
	cJSON_Delete(doc);
	free(text);
	mask = umask(0);
	umask(mask);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0666 & ~mask);

	/* overwriting replaces the file */
	cr_assert_eq(results_json_write(path, &f.plan, f.topo, f.ptrs, 0, true, err, sizeof err),
		     0, "%s", err);
	cr_assert_eq(dir_entries(&f, false), 1);
	text = slurp(path);
	doc = cJSON_Parse(text);
	cr_assert_not_null(doc);
	array(doc, "results", 0);
	cr_assert_eq(boolean(doc, "interrupted"), true);
	cJSON_Delete(doc);
	free(text);
	rm_dir(&f);
	fixture_free(&f);
}

Test(results_json, write_fails_in_missing_directory)
{
	struct fixture f;
	char path[160], err[256] = "";

	fixture_init(&f, SYNTH);
	make_dir(&f);
	snprintf(path, sizeof path, "%s/no/such/dir/out.json", f.dir);
	cr_assert_eq(results_json_write(path, &f.plan, f.topo, f.ptrs, 3, false, err, sizeof err),
		     -1);
	cr_assert_not_null(strstr(err, path), "message \"%s\" does not name the path", err);
	cr_assert_eq(dir_entries(&f, false), 0);
	rm_dir(&f);
	fixture_free(&f);
}

Test(results_json, write_fails_over_a_directory)
{
	struct fixture f;
	char path[160], err[256] = "";

	fixture_init(&f, SYNTH);
	make_dir(&f);
	snprintf(path, sizeof path, "%s/sub", f.dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	cr_assert_eq(results_json_write(path, &f.plan, f.topo, f.ptrs, 1, false, err, sizeof err),
		     -1);
	cr_assert_not_null(strstr(err, path), "message \"%s\" does not name the path", err);
	/* only the directory itself remains: the temporary file is gone */
	cr_assert_eq(dir_entries(&f, false), 1);
	rmdir(path);
	rm_dir(&f);
	fixture_free(&f);
}

Test(results_json, dash_writes_stdout)
{
	struct fixture f;
	char err[256] = "", *text;
	int saved, fd, rc;
	cJSON *doc;

	fixture_init(&f, SYNTH);
	make_dir(&f);
	cr_assert_eq(chdir(f.dir), 0);
	/* catch standard output in a file of the temporary directory */
	fd = open("stdout.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	fflush(stdout);
	saved = dup(1);
	cr_assert_geq(saved, 0);
	cr_assert_eq(dup2(fd, 1), 1);
	rc = results_json_write("-", &f.plan, f.topo, f.ptrs, 3, false, err, sizeof err);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(fd);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(access("-", F_OK), -1, "\"-\" was created as a file");
	cr_assert_eq(dir_entries(&f, false), 1);
	text = slurp("stdout.txt");
	doc = cJSON_Parse(text);
	cr_assert_not_null(doc, "standard output is not the document");
	array(doc, "results", 3);
	cJSON_Delete(doc);
	free(text);
	cr_assert_eq(chdir("/"), 0);
	rm_dir(&f);
	fixture_free(&f);
}
