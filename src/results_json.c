/*
 * results_json.c - results, plan, host and topology as JSON (cJSON), and
 * atomic writes of the documents.
 */
#include "results_json.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host.h"
#include "measure.h"
#include "params.h"
#include "util.h"

#ifndef BENCHTOP_VERSION
#define BENCHTOP_VERSION "0.0.0"
#endif

#define SCHEMA "benchtop/1"

/*
 * A JSON number, or null when v is not finite. Every double goes through
 * here: JSON has no NaN or Infinity, and cJSON versions differ in what they
 * print for them.
 */
static cJSON *jnum(double v)
{
	return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

/*
 * An exact unsigned integer. cJSON keeps numbers as doubles and prints only
 * 15 significant digits when that round-trips "closely enough", so values
 * of 10^15 and more would come out rounded; the digits go in raw instead.
 */
static cJSON *ju64(uint64_t v)
{
	char buf[24];

	bufprintf(buf, sizeof buf, "%" PRIu64, v);
	return cJSON_CreateRaw(buf);
}

/* An exact unsigned integer, or null for PARAM_NONE. */
static cJSON *opt_u64(uint64_t v)
{
	return v == PARAM_NONE ? cJSON_CreateNull() : ju64(v);
}

/* A string, or null for NULL. */
static cJSON *jstr(const char *s)
{
	return s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* Add item to object o under key; returns item. */
static cJSON *add(cJSON *o, const char *key, cJSON *item)
{
	if (item == NULL)
		fatalx(EXIT_RUNFAIL, "out of memory building JSON");
	cJSON_AddItemToObject(o, key, item);
	return item;
}

/* Append item to array a. */
static void push(cJSON *a, cJSON *item)
{
	if (item == NULL)
		fatalx(EXIT_RUNFAIL, "out of memory building JSON");
	cJSON_AddItemToArray(a, item);
}

/* A new object, never NULL. */
static cJSON *new_object(void)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		fatalx(EXIT_RUNFAIL, "out of memory building JSON");
	return o;
}

/* A new array, never NULL. */
static cJSON *new_array(void)
{
	cJSON *a = cJSON_CreateArray();

	if (a == NULL)
		fatalx(EXIT_RUNFAIL, "out of memory building JSON");
	return a;
}

/* Print o formatted into a caller-freed string and delete o. */
static char *finish(cJSON *o)
{
	char *s = cJSON_Print(o), *copy;

	if (s == NULL)
		fatalx(EXIT_RUNFAIL, "out of memory printing JSON");
	copy = xstrdup(s);
	cJSON_free(s);
	cJSON_Delete(o);
	return copy;
}

/* The current UTC time as ISO 8601, e.g. "2026-11-25T19:46:37Z". */
static void utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		bufprintf(buf, len, "1970-01-01T00:00:00Z");
}

/* Array of three load averages. */
static cJSON *load_json(const double *load)
{
	cJSON *a = new_array();

	for (int i = 0; i < 3; i++)
		push(a, jnum(load[i]));
	return a;
}

/* One cache level of the topology. */
static cJSON *cache_json(const struct topo_cache *c)
{
	cJSON *o = new_object();

	add(o, "level", jnum(c->level));
	add(o, "type", jstr(c->type));
	add(o, "size", ju64(c->size));
	add(o, "linesize", jnum(c->linesize));
	add(o, "ways", jnum(c->ways));
	add(o, "count", jnum(c->count));
	return o;
}

/* Add the topology counts and caches to o. */
static void add_counts(cJSON *o, const struct topo_summary *s)
{
	cJSON *caches;

	add(o, "packages", jnum(s->packages));
	add(o, "numa_nodes", jnum(s->numa_nodes));
	add(o, "cores", jnum(s->cores));
	add(o, "pus", jnum(s->pus));
	caches = add(o, "caches", new_array());
	for (unsigned i = 0; i < s->ncaches && i < TOPO_MAX_CACHES; i++)
		push(caches, cache_json(&s->caches[i]));
}

/* The "host" object; with the topology when s is not NULL. */
static cJSON *host_json(const struct host_info *h, const struct topo_summary *s)
{
	cJSON *o = new_object();

	add(o, "hostname", jstr(h->hostname));
	add(o, "os", jstr(h->os));
	add(o, "kernel", jstr(h->kernel));
	add(o, "arch", jstr(h->arch));
	add(o, "cpu_model", jstr(h->cpu_model));
	if (s != NULL)
		add_counts(add(o, "topology", new_object()), s);
	add(o, "load_avg", load_json(h->load_avg));
	return o;
}

/* {name: value text} of every parameter of workload wl in cfg. */
static cJSON *params_json(const struct workload *wl, const void *cfg)
{
	cJSON *o = new_object();
	char buf[PARAM_LIST_MAX * 21 + 1];

	if (wl == NULL || wl->params == NULL || cfg == NULL)
		return o;
	for (const struct param_desc *d = wl->params; d->name != NULL; d++) {
		params_format(d, cfg, buf, sizeof buf);
		add(o, d->name, jstr(buf));
	}
	return o;
}

/* Array of n unsigned numbers. */
static cJSON *uints_json(const unsigned *v, size_t n)
{
	cJSON *a = new_array();

	for (size_t i = 0; i < n; i++)
		push(a, jnum(v[i]));
	return a;
}

/* The "plan" object: the effective profile. */
static cJSON *plan_json(const struct plan *p)
{
	cJSON *o = new_object(), *wls, *modes;

	add(o, "name", jstr(p->name));
	wls = add(o, "workloads", new_array());
	for (size_t i = 0; i < p->nwl && i < PLAN_MAX_WL; i++) {
		cJSON *w = new_object();

		add(w, "workload", jstr(p->wls[i].wl != NULL ? p->wls[i].wl->name : NULL));
		if (p->wls[i].label[0] != '\0')
			add(w, "label", jstr(p->wls[i].label));
		add(w, "params", params_json(p->wls[i].wl, p->wls[i].cfg));
		if (p->wls[i].nworkers > 0)   /* its own worker counts */
			add(w, "workers", uints_json(p->wls[i].workers,
						     p->wls[i].nworkers < PLAN_MAX_COUNTS ?
						     p->wls[i].nworkers : PLAN_MAX_COUNTS));
		push(wls, w);
	}
	modes = add(o, "modes", new_array());
	for (size_t i = 0; i < p->nmodes && i < MODE_COUNT; i++)
		push(modes, jstr(mode_name(p->modes[i])));
	add(o, "workers", uints_json(p->workers, p->nworkers < PLAN_MAX_COUNTS ?
				     p->nworkers : PLAN_MAX_COUNTS));
	add(o, "workers_spec", jstr(p->workers_spec));
	add(o, "cores", uints_json(p->cores, p->ncores < PLAN_MAX_COUNTS ?
				   p->ncores : PLAN_MAX_COUNTS));
	add(o, "cores_spec", jstr(p->cores_spec));
	add(o, "runs", jnum(p->runs));
	add(o, "warmup", jnum(p->warmup));
	add(o, "chunksize", p->chunksize == 0 ? jstr("auto") : ju64(p->chunksize));
	add(o, "bind", jstr(topo_bind_name(p->bind)));
	add(o, "timeout", jnum(p->timeout));
	add(o, "fail_fast", cJSON_CreateBool(p->fail_fast));
	add(o, "publish", cJSON_CreateBool(p->publish));
	if (p->fault.crash_task != PARAM_NONE || p->fault.hang_task != PARAM_NONE ||
	    p->fault.exit_task != PARAM_NONE) {
		cJSON *f = add(o, "fault", new_object());

		add(f, "crash_task", opt_u64(p->fault.crash_task));
		add(f, "hang_task", opt_u64(p->fault.hang_task));
		add(f, "exit_task", opt_u64(p->fault.exit_task));
	}
	return o;
}

/* Array of n doubles (nulls where not finite); [] when v is NULL. */
static cJSON *doubles_json(const double *v, size_t n)
{
	cJSON *a = new_array();

	for (size_t i = 0; v != NULL && i < n; i++)
		push(a, jnum(v[i]));
	return a;
}

/* The cores a configuration was restricted to: 0 or too many = all. */
static unsigned config_cores(const struct plan_config *c, const struct topo_summary *s)
{
	return c->cores == 0 || c->cores > s->cores ? s->cores : c->cores;
}

/* Per-worker figures of the last measured run. */
static cJSON *per_worker_json(const struct bt_result *r)
{
	cJSON *a = new_array();

	for (unsigned i = 0; r->per_worker != NULL && i < r->nper_worker; i++) {
		const struct worker_stat *w = &r->per_worker[i];
		cJSON *o = new_object();

		add(o, "pid", jnum(w->pid));
		add(o, "cpu", w->cpu >= 0 ? jnum(w->cpu) : cJSON_CreateNull());
		add(o, "tasks", ju64(w->tasks));
		add(o, "ops", ju64(w->ops));
		add(o, "busy", jnum(w->busy));
		add(o, "role", jstr(w->role));
		push(a, o);
	}
	return a;
}

/* One result: hyperfine's keys first, then benchtop's. */
static cJSON *result_json(const struct plan *p, const struct topo_summary *s,
			  const struct bt_result *r)
{
	cJSON *o = new_object(), *a, *params, *metrics;
	char buf[24];

	/* hyperfine's export */
	add(o, "command", jstr(r->command));
	add(o, "mean", jnum(r->time.mean));
	add(o, "stddev", jnum(r->time.stddev));
	add(o, "median", jnum(r->time.median));
	add(o, "user", jnum(r->user_mean));
	add(o, "system", jnum(r->sys_mean));
	add(o, "min", jnum(r->time.min));
	add(o, "max", jnum(r->time.max));
	add(o, "times", doubles_json(r->times, r->nruns));
	a = add(o, "exit_codes", new_array());
	for (size_t i = 0; r->exit_codes != NULL && i < r->nruns; i++)
		push(a, jnum(r->exit_codes[i]));
	params = add(o, "parameters", new_object());
	add(params, "workers", jstr(bufprintf(buf, sizeof buf, "%u", r->cfg.workers)));

	/* benchtop's own */
	add(o, "workload", jstr(r->wl != NULL ? r->wl->name : NULL));
	add(o, "mode", jstr(mode_name(r->cfg.mode)));
	add(o, "workers", jnum(r->cfg.workers));
	add(o, "cores", jnum(config_cores(&r->cfg, s)));
	add(o, "bind", jstr(topo_bind_name(p->bind)));
	add(o, "params", params_json(r->wl, r->wlcfg));
	add(o, "chunksize", r->chunksize != 0 ? ju64(r->chunksize) : cJSON_CreateNull());
	add(o, "processes", jnum(r->nprocs));
	add(o, "tasks", ju64(r->tasks));
	add(o, "ops", ju64(r->ops));
	add(o, "checksum", ju64(r->checksum));
	add(o, "expected", ju64(r->expected));
	add(o, "verified", cJSON_CreateBool(r->verified));
	add(o, "throughput", jnum(r->throughput));
	add(o, "throughput_unit", jstr(r->unit));
	add(o, "speedup", jnum(r->speedup));
	add(o, "efficiency", jnum(r->efficiency));
	add(o, "startup", jnum(r->startup_median));
	add(o, "teardown", jnum(r->teardown_median));
	add(o, "startup_times", doubles_json(r->startup, r->nruns));
	add(o, "teardown_times", doubles_json(r->teardown, r->nruns));
	add(o, "per_worker", per_worker_json(r));
	metrics = add(o, "metrics", new_object());
	for (unsigned i = 0; i < r->nmetrics && i < WL_MAX_METRICS; i++) {
		if (r->metrics[i].name != NULL)
			add(metrics, r->metrics[i].name, jnum(r->metrics[i].value));
	}
	add(o, "failed", cJSON_CreateBool(r->failed));
	add(o, "interrupted", cJSON_CreateBool(r->interrupted));
	add(o, "error", r->error[0] != '\0' ? jstr(r->error) : cJSON_CreateNull());
	return o;
}

/* Google Benchmark's "context" (what tools/compare.py and its readers use). */
static cJSON *context_json(const struct host_info *h, const struct topo_summary *s,
			   const char *created)
{
	cJSON *o = new_object(), *caches;

	add(o, "date", jstr(created));
	add(o, "host_name", jstr(h->hostname));
	add(o, "executable", jstr("benchtop"));
	add(o, "num_cpus", jnum(s->pus));
	add(o, "mhz_per_cpu", jnum(round(h->cpu_mhz)));
	add(o, "cpu_scaling_enabled", cJSON_CreateBool(false));
	caches = add(o, "caches", new_array());
	for (unsigned i = 0; i < s->ncaches && i < TOPO_MAX_CACHES; i++) {
		const struct topo_cache *c = &s->caches[i];
		cJSON *e = new_object();
		char type[sizeof c->type];

		/* Google Benchmark capitalises: "Data", "Instruction", "Unified". */
		bufprintf(type, sizeof type, "%s", c->type);
		if (type[0] >= 'a' && type[0] <= 'z')
			type[0] = (char)(type[0] - 'a' + 'A');
		add(e, "type", jstr(type));
		add(e, "level", jnum(c->level));
		add(e, "size", ju64(c->size));
		add(e, "num_sharing", jnum(c->count > 0 ? s->pus / c->count : 0));
		push(caches, e);
	}
	add(o, "load_avg", load_json(h->load_avg));
	add(o, "library_build_type", jstr("release"));
	add(o, "json_schema_version", jnum(1));
	return o;
}

/* Google Benchmark's name for a result, e.g. "fib/pool/workers:2". */
static void bench_name(const struct bt_result *r, char *buf, size_t len)
{
	int w = snprintf(buf, len, "%s/%s/workers:%u", r->wl != NULL ? r->wl->name : "?",
			 mode_name(r->cfg.mode), r->cfg.workers);

	if (r->cfg.cores != 0 && w > 0 && (size_t)w < len)
		snprintf(buf + w, len - (size_t)w, "/cores:%u", r->cfg.cores);
	for (char *c = buf; *c != '\0'; c++) {
		if (*c == ' ')
			*c = '_';
	}
}

/* One Google Benchmark entry; index < 0 makes an aggregate. */
static cJSON *bench_entry(const char *name, const char *run_name, size_t family,
			  size_t reps, long index, const char *agg, double real_ms,
			  double cpu_ms)
{
	cJSON *e = new_object();

	add(e, "name", jstr(name));
	add(e, "family_index", jnum((double)family));
	add(e, "per_family_instance_index", jnum(0));
	add(e, "run_name", jstr(run_name));
	add(e, "run_type", jstr(agg == NULL ? "iteration" : "aggregate"));
	add(e, "repetitions", jnum((double)reps));
	if (agg == NULL)
		add(e, "repetition_index", jnum((double)index));
	add(e, "threads", jnum(1));
	if (agg != NULL) {
		add(e, "aggregate_name", jstr(agg));
		add(e, "aggregate_unit", jstr("time"));
	}
	add(e, "iterations", jnum(agg == NULL ? 1 : (double)reps));
	add(e, "real_time", jnum(real_ms));
	add(e, "cpu_time", jnum(cpu_ms));
	add(e, "time_unit", jstr("ms"));
	return e;
}

/*
 * Add result r's Google Benchmark entries to a: one "iteration" per
 * successful measured run (real time = wall time, CPU time = the workers'
 * user + system time, in ms), then the mean, median and stddev aggregates
 * that --benchmark_repetitions emits, when there are two runs or more.
 * Aggregates are named "<name>_mean" ... as Google Benchmark names them, so
 * compare.py keeps them apart from the runs.
 */
static void bench_add(cJSON *a, const struct bt_result *r, size_t family)
{
	static const char *const aggs[] = { "mean", "median", "stddev" };
	double *real = xcalloc(r->nruns, sizeof *real), *cpu = xcalloc(r->nruns, sizeof *cpu);
	struct summary sr, sc;
	char name[160], aname[176];
	size_t reps = 0;

	for (size_t i = 0; r->times != NULL && i < r->nruns; i++) {
		double c = 0;

		if (!isfinite(r->times[i]) || (r->exit_codes != NULL && r->exit_codes[i] != 0))
			continue;
		if (r->user != NULL && r->sys != NULL && isfinite(r->user[i] + r->sys[i]))
			c = r->user[i] + r->sys[i];
		real[reps] = r->times[i] * 1e3;
		cpu[reps] = c * 1e3;
		reps++;
	}
	bench_name(r, name, sizeof name);
	for (size_t i = 0; i < reps; i++)
		push(a, bench_entry(name, name, family, reps, (long)i, NULL, real[i], cpu[i]));
	if (reps >= 2) {
		measure_summary(real, reps, &sr);
		measure_summary(cpu, reps, &sc);
		for (size_t k = 0; k < ARRAY_LEN(aggs); k++) {
			double rv = k == 0 ? sr.mean : k == 1 ? sr.median : sr.stddev;
			double cv = k == 0 ? sc.mean : k == 1 ? sc.median : sc.stddev;

			bufprintf(aname, sizeof aname, "%s_%s", name, aggs[k]);
			push(a, bench_entry(aname, name, family, reps, -1, aggs[k], rv, cv));
		}
	}
	free(real);
	free(cpu);
}

/* Render the whole document. */
char *results_json_render(const struct plan *plan, const struct topo *topo,
			  const struct bt_result *const *results, size_t n, bool interrupted)
{
	cJSON *doc = new_object(), *tool, *res, *bench;
	struct host_info host;
	struct topo_summary sum;
	char created[32];

	host_get(&host);
	topo_get_summary(topo, &sum);
	utc_now(created, sizeof created);

	add(doc, "schema", jstr(SCHEMA));
	tool = add(doc, "tool", new_object());
	add(tool, "name", jstr("benchtop"));
	add(tool, "version", jstr(BENCHTOP_VERSION));
	add(doc, "created", jstr(created));
	add(doc, "host", host_json(&host, &sum));
	add(doc, "plan", plan_json(plan));
	add(doc, "interrupted", cJSON_CreateBool(interrupted));
	res = add(doc, "results", new_array());
	for (size_t i = 0; i < n; i++)
		push(res, result_json(plan, &sum, results[i]));

	add(doc, "context", context_json(&host, &sum, created));
	bench = add(doc, "benchmarks", new_array());
	for (size_t i = 0; i < n; i++)
		bench_add(bench, results[i], i);
	return finish(doc);
}

/* The `benchtop topo --json` document. */
char *results_json_topo(const struct topo *topo)
{
	cJSON *doc = new_object(), *tree;
	struct host_info host;
	struct topo_summary sum;
	char **lines;
	size_t nlines;

	host_get(&host);
	topo_get_summary(topo, &sum);
	add_counts(doc, &sum);
	tree = add(doc, "tree", new_array());
	nlines = topo_tree_lines(topo, &lines);
	for (size_t i = 0; i < nlines; i++) {
		push(tree, jstr(lines[i]));
		free(lines[i]);
	}
	free(lines);
	add(doc, "host", host_json(&host, NULL));
	return finish(doc);
}

/* Write all of buf to fd; 0, or -1 with errno. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Sync the directory holding path so the rename is durable (best effort). */
static void sync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd != -1) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

/* Write text and a newline to standard output. */
static int save_stdout(const char *text, char *err, size_t errlen)
{
	if (fputs(text, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) == EOF) {
		bufprintf(err, errlen, "cannot write JSON to standard output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Write text and a newline to path atomically (temporary file + rename). */
int results_json_save(const char *path, const char *text, char *err, size_t errlen)
{
	char *tmp;
	const char *what = "create";
	mode_t mask;
	int fd, saved;

	if (strcmp(path, "-") == 0)
		return save_stdout(text, err, errlen);
	if (path[0] == '\0') {
		bufprintf(err, errlen, "cannot write JSON: empty file name");
		return -1;
	}
	tmp = xasprintf("%s.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		goto fail;
	/* mkstemp makes 0600; a results file gets the usual 0666 & ~umask. */
	mask = umask(0);
	umask(mask);
	what = "write";
	if (fchmod(fd, 0666 & ~mask) == -1 || write_all(fd, text, strlen(text)) == -1 ||
	    write_all(fd, "\n", 1) == -1 || fsync(fd) == -1)
		goto fail_fd;
	if (close(fd) == -1) {
		fd = -1;
		goto fail_fd;
	}
	fd = -1;
	what = "rename temporary file to";
	if (rename(tmp, path) == -1)
		goto fail_fd;
	sync_dir(path);
	free(tmp);
	return 0;

fail_fd:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = saved;
fail:
	bufprintf(err, errlen, "cannot %s %s: %s", what, path, strerror(errno));
	free(tmp);
	return -1;
}

/* Render the document and write it to path. */
int results_json_write(const char *path, const struct plan *plan, const struct topo *topo,
		       const struct bt_result *const *results, size_t n, bool interrupted,
		       char *err, size_t errlen)
{
	char *text = results_json_render(plan, topo, results, n, interrupted);
	int rc = results_json_save(path, text, err, errlen);

	free(text);
	return rc;
}
