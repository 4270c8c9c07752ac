/*
 * profile.c - profiles (built-in and JSON files) and command-line overrides
 * into a plan, with validation that names the flag, file, line or key.
 */
#include "profile.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#ifndef BENCHTOP_DATADIR
#define BENCHTOP_DATADIR "/usr/local/share/benchtop"
#endif

#define PROFILE_MAX_BYTES (1u << 20)

/* The built-in default profile: fib and heavy, single and pool over a worker
 * sweep, sized so that a measured single run takes a few tenths of a second
 * on a current x86-64 core. */
static const char builtin_default[] =
	"{\n"
	"  \"name\": \"default\",\n"
	"  \"description\": \"fib and heavy, single vs pool, workers 1..PUs\",\n"
	"  \"workloads\": {\n"
	"    \"fib\": { \"n\": \"36,36,36,36,36,36,36,36,36,36,36,36\" },\n"
	"    \"heavy\": { \"iters\": 50000000, \"data\": 16 }\n"
	"  },\n"
	"  \"modes\": [\"single\", \"pool\"],\n"
	"  \"workers\": \"sweep\",\n"
	"  \"cores\": \"all\",\n"
	"  \"runs\": 5,\n"
	"  \"warmup\": 1\n"
	"}\n";

static const char *const top_keys[] = {
	"name", "description", "workloads", "modes", "workers", "cores", "runs", "warmup",
	"chunksize", "bind", "timeout", "fail_fast"
};

static const char *const fault_names[] = { "crash_task", "hang_task", "exit_task" };

/* Line and column (1-based) of offset `at` in text. */
static void line_col(const char *text, const char *at, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (const char *p = text; p < at && *p != '\0'; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* Split "a,b,c" and call fn on each trimmed item; stops at the first error. */
static int each_item(const char *list, const char *where, char *err, size_t errlen,
		     int (*fn)(void *ctx, const char *item, char *err, size_t errlen), void *ctx)
{
	char *copy = xstrdup(list), *save = NULL;
	int rc = 0, n = 0;

	for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		char *end = tok + strlen(tok);

		while (end > tok && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if ((rc = fn(ctx, tok, err, errlen)) < 0)
			break;
		n++;
	}
	free(copy);
	if (rc == 0 && n == 0) {
		bufprintf(err, errlen, "%s: empty list", where);
		rc = -1;
	}
	return rc;
}

struct wl_sel {
	struct plan *p;
	const char *where;
	struct plan_workload keep[PLAN_MAX_WL];
	bool taken[PLAN_MAX_WL];
	size_t n;
};

/* Keep (or add) the entries of one workload name. */
static int select_one(void *ctx, const char *name, char *err, size_t errlen)
{
	struct wl_sel *s = ctx;
	const struct workload *wl = workload_find(name);
	bool found = false;

	if (wl == NULL) {
		size_t n;
		const struct workload *const *all = workload_all(&n);
		const char *names[PLAN_MAX_WL];

		for (size_t i = 0; i < n && i < PLAN_MAX_WL; i++)
			names[i] = all[i]->name;
		const char *near = str_closest(name, names, n);

		bufprintf(err, errlen, "%s: unknown workload '%s'%s%s%s (see benchtop list)", s->where,
			  name, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
		return -1;
	}
	for (size_t i = 0; i < s->p->nwl; i++) {
		if (s->p->wls[i].wl == wl && !s->taken[i]) {
			s->taken[i] = true;
			s->keep[s->n++] = s->p->wls[i];
			found = true;
		}
	}
	if (!found) {
		for (size_t i = 0; i < s->n; i++) {
			if (s->keep[i].wl == wl)
				return 0;   /* listed twice */
		}
		if (s->n == PLAN_MAX_WL) {
			bufprintf(err, errlen, "%s: more than %d workloads", s->where, PLAN_MAX_WL);
			return -1;
		}
		s->keep[s->n].wl = wl;
		s->keep[s->n].cfg = xcalloc(1, wl->cfg_size);
		s->keep[s->n].label[0] = '\0';
		params_defaults(wl->params, s->keep[s->n].cfg);
		s->n++;
	}
	return 0;
}

/* -w: keep exactly the listed workloads, in the listed order. */
int profile_set_workloads(struct plan *p, const char *list, const char *where, char *err,
			  size_t errlen)
{
	struct wl_sel s;

	memset(&s, 0, sizeof s);
	s.p = p;
	s.where = where;
	if (each_item(list, where, err, errlen, select_one, &s) < 0) {
		for (size_t i = 0; i < s.n; i++) {
			bool from_plan = false;

			for (size_t j = 0; j < p->nwl; j++)
				from_plan |= p->wls[j].cfg == s.keep[i].cfg;
			if (!from_plan)
				free(s.keep[i].cfg);
		}
		return -1;
	}
	for (size_t i = 0; i < p->nwl; i++) {
		if (!s.taken[i])
			free(p->wls[i].cfg);
	}
	memcpy(p->wls, s.keep, s.n * sizeof *s.keep);
	p->nwl = s.n;
	profile_label_workloads(p);
	return 0;
}

struct mode_sel {
	struct plan *p;
	const char *where;
	enum bt_mode modes[MODE_COUNT];
	size_t n;
};

/* Add one mode name to the selection. */
static int mode_one(void *ctx, const char *name, char *err, size_t errlen)
{
	static const char *const names[] = { "single", "process", "pool" };
	struct mode_sel *s = ctx;
	enum bt_mode m;

	if (mode_parse(name, &m) < 0) {
		const char *near = str_closest(name, names, ARRAY_LEN(names));

		bufprintf(err, errlen, "%s: unknown mode '%s'%s%s%s (single, process, pool)", s->where,
			  name, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
		return -1;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->modes[i] == m)
			return 0;
	}
	s->modes[s->n++] = m;
	return 0;
}

/* -m: the modes to run, in order. */
int profile_set_modes(struct plan *p, const char *list, const char *where, char *err,
		      size_t errlen)
{
	struct mode_sel s = { .p = p, .where = where, .n = 0 };

	if (each_item(list, where, err, errlen, mode_one, &s) < 0)
		return -1;
	memcpy(p->modes, s.modes, sizeof s.modes);
	p->nmodes = s.n;
	return 0;
}

/* Insert v into the sorted unique array a of *n values. */
static void add_sorted(unsigned *a, size_t *n, unsigned v)
{
	size_t i = 0;

	while (i < *n && a[i] < v)
		i++;
	if (i < *n && a[i] == v)
		return;
	if (*n == PLAN_MAX_COUNTS)
		return;
	memmove(a + i + 1, a + i, (*n - i) * sizeof *a);
	a[i] = v;
	(*n)++;
}

/* 1, 2, 4 ... below max, plus `also` and max itself. */
static size_t sweep(unsigned *out, unsigned max, unsigned also)
{
	size_t n = 0;

	for (unsigned v = 1; v < max && v <= PLAN_MAX_WORKERS; v *= 2)
		add_sorted(out, &n, v);
	if (also >= 1 && also <= max)
		add_sorted(out, &n, also);
	add_sorted(out, &n, max);
	return n;
}

/* Parse a list of whole numbers in [min, max] into out. */
static int number_list(const char *spec, unsigned min, unsigned max, const char *where,
		       unsigned *out, size_t *n, char *err, size_t errlen)
{
	char *copy = xstrdup(spec), *save = NULL;
	size_t k = 0;
	int rc = 0;

	if (*spec == '\0' || *spec == ',' || spec[strlen(spec) - 1] == ',' || strstr(spec, ",,")) {
		bufprintf(err, errlen, "%s: '%s' is not a list of numbers", where, spec);
		free(copy);
		return -1;
	}
	for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		uint64_t v;

		if (parse_u64(tok, &v) < 0 || v < min || v > max) {
			bufprintf(err, errlen, "%s: '%s' is not a number from %u to %u", where, tok,
				  min, max);
			rc = -1;
			break;
		}
		if (k == PLAN_MAX_COUNTS) {
			bufprintf(err, errlen, "%s: more than %d values", where, PLAN_MAX_COUNTS);
			rc = -1;
			break;
		}
		/* keep the given order, drop repeats */
		bool dup = false;

		for (size_t i = 0; i < k; i++)
			dup |= out[i] == (unsigned)v;
		if (!dup)
			out[k++] = (unsigned)v;
	}
	free(copy);
	if (rc == 0)
		*n = k;
	return rc;
}

/* Worker counts from "1,2,4", "cores", "pus", "sweep", "sweep:N" or
 * "sweep:Nx" (N x PUs) into v (PLAN_MAX_COUNTS entries) and *nout. */
static int parse_workers(const char *spec, const struct topo *t, const char *where,
			 unsigned *v, size_t *nout, char *err, size_t errlen)
{
	struct topo_summary s;
	size_t n = 0;

	topo_get_summary(t, &s);
	if (strcmp(spec, "cores") == 0) {
		v[n++] = s.cores;
	} else if (strcmp(spec, "pus") == 0) {
		v[n++] = s.pus;
	} else if (strcmp(spec, "sweep") == 0) {
		n = sweep(v, s.pus, s.cores);
	} else if (strncmp(spec, "sweep:", 6) == 0) {
		const char *arg = spec + 6;
		size_t len = strlen(arg);
		uint64_t k;
		char num[32];

		if (len == 0 || len >= sizeof num) {
			bufprintf(err, errlen, "%s: '%s': want sweep:N or sweep:Nx", where, spec);
			return -1;
		}
		memcpy(num, arg, len + 1);
		bool times = num[len - 1] == 'x';

		if (times)
			num[len - 1] = '\0';
		if (parse_u64(num, &k) < 0 || k == 0 ||
		    (times ? k * s.pus : k) > PLAN_MAX_WORKERS) {
			bufprintf(err, errlen, "%s: '%s': want sweep:N (1..%u) or sweep:Nx (N times "
				  "the %u PUs)", where, spec, PLAN_MAX_WORKERS, s.pus);
			return -1;
		}
		n = sweep(v, times ? (unsigned)k * s.pus : (unsigned)k, s.cores);
	} else if (number_list(spec, 1, PLAN_MAX_WORKERS, where, v, &n, err, errlen) < 0) {
		bufprintf(err + strlen(err), errlen - strlen(err),
			  " (or cores, pus, sweep, sweep:N, sweep:Nx)");
		return -1;
	}
	*nout = n;
	return 0;
}

/* -n: "1,2,4", "cores", "pus", "sweep", "sweep:N" or "sweep:Nx" (N x PUs). */
int profile_set_workers(struct plan *p, const char *spec, const struct topo *t,
			const char *where, char *err, size_t errlen)
{
	unsigned v[PLAN_MAX_COUNTS];
	size_t n;

	if (parse_workers(spec, t, where, v, &n, err, errlen) < 0)
		return -1;
	plan_clear_entry_workers(p);   /* these counts now apply to every workload */
	memcpy(p->workers, v, n * sizeof *v);
	p->nworkers = n;
	bufprintf(p->workers_spec, sizeof p->workers_spec, "%s", spec);
	return 0;
}

/* --cores: "all", "sweep" or a list of core counts (the first k cores). */
int profile_set_cores(struct plan *p, const char *spec, const struct topo *t, const char *where,
		      char *err, size_t errlen)
{
	struct topo_summary s;
	unsigned v[PLAN_MAX_COUNTS];
	size_t n = 0;

	topo_get_summary(t, &s);
	if (strcmp(spec, "all") == 0) {
		v[n++] = 0;
	} else if (strcmp(spec, "sweep") == 0) {
		n = sweep(v, s.cores, 0);
	} else if (number_list(spec, 1, s.cores, where, v, &n, err, errlen) < 0) {
		bufprintf(err + strlen(err), errlen - strlen(err), " (this machine has %u cores; "
			  "or all, sweep)", s.cores);
		return -1;
	}
	memcpy(p->cores, v, n * sizeof *v);
	p->ncores = n;
	bufprintf(p->cores_spec, sizeof p->cores_spec, "%s", spec);
	return 0;
}

/* Fault injection settings (-P fault.crash_task=3). */
static int set_fault(struct plan *p, const char *name, const char *value, const char *where,
		     char *err, size_t errlen)
{
	uint64_t *field[] = { &p->fault.crash_task, &p->fault.hang_task, &p->fault.exit_task };
	uint64_t v;

	for (size_t i = 0; i < ARRAY_LEN(fault_names); i++) {
		if (strcmp(name, fault_names[i]) != 0)
			continue;
		if (strcmp(value, "none") == 0) {
			*field[i] = PARAM_NONE;
			return 0;
		}
		if (parse_u64(value, &v) < 0 || v == PARAM_NONE) {
			bufprintf(err, errlen, "%s: '%s' is not a task index (or none)", where, value);
			return -1;
		}
		*field[i] = v;
		return 0;
	}
	const char *near = str_closest(name, fault_names, ARRAY_LEN(fault_names));

	bufprintf(err, errlen, "%s: unknown fault '%s'%s%s%s (crash_task, hang_task, exit_task)",
		  where, name, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
	return -1;
}

/* -P wl.name=value on every entry of wl, or fault.name=value. */
int profile_set_param(struct plan *p, const char *assignment, const char *where, char *err,
		      size_t errlen)
{
	const char *dot = strchr(assignment, '.'), *eq = strchr(assignment, '=');
	char wlname[64], name[64], whr[160];
	const struct workload *wl;
	bool any = false;

	if (dot == NULL || eq == NULL || dot > eq || dot == assignment || eq == dot + 1 ||
	    (size_t)(dot - assignment) >= sizeof wlname || (size_t)(eq - dot - 1) >= sizeof name) {
		bufprintf(err, errlen, "%s: '%s' is not WORKLOAD.PARAM=VALUE (e.g. fib.n=30,32)",
			  where, assignment);
		return -1;
	}
	memcpy(wlname, assignment, (size_t)(dot - assignment));
	wlname[dot - assignment] = '\0';
	memcpy(name, dot + 1, (size_t)(eq - dot - 1));
	name[eq - dot - 1] = '\0';
	bufprintf(whr, sizeof whr, "%s %s.%s", where, wlname, name);
	if (strcmp(wlname, "fault") == 0)
		return set_fault(p, name, eq + 1, whr, err, errlen);
	wl = workload_find(wlname);
	if (wl == NULL) {
		size_t n;
		const struct workload *const *all = workload_all(&n);
		const char *names[PLAN_MAX_WL + 1];

		for (size_t i = 0; i < n && i < PLAN_MAX_WL; i++)
			names[i] = all[i]->name;
		const char *near = str_closest(wlname, names, n);

		bufprintf(err, errlen, "%s: unknown workload '%s'%s%s%s", whr, wlname,
			  near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
		return -1;
	}
	for (size_t i = 0; i < p->nwl; i++) {
		if (p->wls[i].wl != wl)
			continue;
		if (params_set(wl->params, p->wls[i].cfg, whr, name, eq + 1, err, errlen) < 0)
			return -1;
		if (wl->check != NULL && wl->check(p->wls[i].cfg, err, errlen) < 0)
			return -1;
		any = true;
	}
	if (!any) {
		bufprintf(err, errlen, "%s: workload %s is not selected (add it with -w)", whr, wlname);
		return -1;
	}
	profile_label_workloads(p);
	return 0;
}

/* --chunksize N|auto. */
int profile_set_chunksize(struct plan *p, const char *spec, const char *where, char *err,
			  size_t errlen)
{
	uint64_t v;

	if (strcmp(spec, "auto") == 0) {
		p->chunksize = 0;
		return 0;
	}
	if (parse_u64(spec, &v) < 0 || v == 0 || v > (1ull << 40)) {
		bufprintf(err, errlen, "%s: '%s' is not a chunk size (a number >= 1, or auto)", where,
			  spec);
		return -1;
	}
	p->chunksize = v;
	return 0;
}

/* --bind none|core|pu. */
int profile_set_bind(struct plan *p, const char *spec, const char *where, char *err,
		     size_t errlen)
{
	static const char *const names[] = { "none", "core", "pu" };

	if (topo_bind_parse(spec, &p->bind) == 0)
		return 0;
	const char *near = str_closest(spec, names, ARRAY_LEN(names));

	bufprintf(err, errlen, "%s: unknown binding '%s'%s%s%s (none, core, pu)", where, spec,
		  near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
	return -1;
}

/* A whole number within [min, max]. */
int profile_set_uint(unsigned *out, const char *spec, unsigned min, unsigned max,
		     const char *where, char *err, size_t errlen)
{
	uint64_t v;

	if (parse_u64(spec, &v) < 0 || v < min || v > max) {
		bufprintf(err, errlen, "%s: '%s' is not a number from %u to %u", where, spec, min, max);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* Positive seconds, decimals allowed. */
int profile_set_seconds(double *out, const char *spec, const char *where, char *err,
			size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(spec, &end);
	if (end == spec || *end != '\0' || errno != 0 || !(v > 0) || v > 1e7) {
		bufprintf(err, errlen, "%s: '%s' is not a number of seconds (> 0)", where, spec);
		return -1;
	}
	*out = v;
	return 0;
}

/* Labels for workloads listed more than once: name/enum-values. */
void profile_label_workloads(struct plan *p)
{
	for (size_t i = 0; i < p->nwl; i++) {
		size_t same = 0;

		for (size_t j = 0; j < p->nwl; j++)
			same += p->wls[j].wl == p->wls[i].wl;
		if (same < 2) {
			p->wls[i].label[0] = '\0';
			continue;
		}
		char buf[sizeof p->wls[i].label];
		size_t used = (size_t)snprintf(buf, sizeof buf, "%s", p->wls[i].wl->name);

		for (const struct param_desc *d = p->wls[i].wl->params; d->name != NULL; d++) {
			char v[64];

			if (d->type != PT_ENUM || used >= sizeof buf - 1)
				continue;
			params_format(d, p->wls[i].cfg, v, sizeof v);
			used += (size_t)snprintf(buf + used, sizeof buf - used, "/%s", v);
		}
		memcpy(p->wls[i].label, buf, sizeof buf);
	}
	/* still equal: number them */
	for (size_t i = 0; i < p->nwl; i++) {
		unsigned k = 0;

		for (size_t j = 0; j < i; j++)
			k += p->wls[j].label[0] != '\0' && strcmp(p->wls[j].label, p->wls[i].label) == 0;
		if (k > 0 && p->wls[i].label[0] != '\0') {
			size_t len = strlen(p->wls[i].label);

			snprintf(p->wls[i].label + (len > 32 ? 32 : len),
				 sizeof p->wls[i].label - (len > 32 ? 32 : len), "#%u", k + 1);
		}
	}
}

/* ---- JSON profiles ---------------------------------------------------- */

/* Text of a JSON scalar or array of numbers, for the shared setters. */
static int json_text(const cJSON *v, const char *path, char *buf, size_t len, char *err,
		     size_t errlen)
{
	if (cJSON_IsString(v)) {
		bufprintf(buf, len, "%s", v->valuestring);
		return 0;
	}
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d < 0 || d != floor(d) || d > 9007199254740992.0) {
			bufprintf(err, errlen, "%s: %g is not a whole number >= 0", path, d);
			return -1;
		}
		bufprintf(buf, len, "%.0f", d);
		return 0;
	}
	if (cJSON_IsArray(v)) {
		size_t used = 0;
		int i = 0;
		const cJSON *x;

		buf[0] = '\0';
		cJSON_ArrayForEach(x, v) {
			char one[64], sub[300];

			bufprintf(sub, sizeof sub, "%s[%d]", path, i);
			if (cJSON_IsArray(x) || cJSON_IsObject(x) ||
			    json_text(x, sub, one, sizeof one, err, errlen) < 0) {
				if (cJSON_IsArray(x) || cJSON_IsObject(x))
					bufprintf(err, errlen, "%s: want a number or string", sub);
				return -1;
			}
			int w = snprintf(buf + used, len - used, "%s%s", i ? "," : "", one);

			if (w < 0 || (size_t)w >= len - used) {
				bufprintf(err, errlen, "%s: list too long", path);
				return -1;
			}
			used += (size_t)w;
			i++;
		}
		if (i == 0) {
			bufprintf(err, errlen, "%s: empty list", path);
			return -1;
		}
		return 0;
	}
	bufprintf(err, errlen, "%s: want a number, a string or a list", path);
	return -1;
}

/* Unknown key in an object: name it with a suggestion. */
static int unknown_key(const char *path, const char *key, const char *const *names, size_t n,
		       char *err, size_t errlen)
{
	const char *near = str_closest(key, names, n);

	bufprintf(err, errlen, "%s: unknown key '%s'%s%s%s", path, key,
		  near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
	return -1;
}

/* Add one workload entry with its parameters. */
static int json_workload(struct plan *p, const char *name, const cJSON *params, const char *path,
			 char *err, size_t errlen)
{
	const struct workload *wl = workload_find(name);
	struct plan_workload *pw;
	const cJSON *v;

	if (wl == NULL) {
		size_t n;
		const struct workload *const *all = workload_all(&n);
		const char *names[PLAN_MAX_WL];

		for (size_t i = 0; i < n && i < PLAN_MAX_WL; i++)
			names[i] = all[i]->name;
		const char *near = str_closest(name, names, n);

		bufprintf(err, errlen, "%s: unknown workload '%s'%s%s%s", path, name,
			  near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
		return -1;
	}
	if (p->nwl == PLAN_MAX_WL) {
		bufprintf(err, errlen, "%s: more than %d workloads", path, PLAN_MAX_WL);
		return -1;
	}
	if (params != NULL && !cJSON_IsObject(params)) {
		bufprintf(err, errlen, "%s: want an object of parameters", path);
		return -1;
	}
	pw = &p->wls[p->nwl];
	pw->wl = wl;
	pw->cfg = xcalloc(1, wl->cfg_size);
	pw->label[0] = '\0';
	pw->nworkers = 0;
	params_defaults(wl->params, pw->cfg);
	p->nwl++;   /* owned by the plan from here, freed by plan_free on error */
	cJSON_ArrayForEach(v, params) {
		char text[4096], sub[300];

		bufprintf(sub, sizeof sub, "%s.%s", path, v->string);
		if (json_text(v, sub, text, sizeof text, err, errlen) < 0)
			return -1;
		if (params_set(wl->params, pw->cfg, sub, v->string, text, err, errlen) < 0)
			return -1;
	}
	if (wl->check != NULL && wl->check(pw->cfg, err, errlen) < 0) {
		char inner[256];

		bufprintf(inner, sizeof inner, "%s", err);
		bufprintf(err, errlen, "%s: %s", path, inner);
		return -1;
	}
	return 0;
}

/* The "workloads" key: {"fib": {...}} or [{"workload": "fib", "params": {...}}]. */
static int json_workloads(struct plan *p, const cJSON *w, const char *src,
			  const struct topo *t, char *err, size_t errlen)
{
	static const char *const entry_keys[] = { "workload", "params", "workers" };
	const cJSON *v;
	int i = 0;

	if (cJSON_IsObject(w)) {
		cJSON_ArrayForEach(v, w) {
			char path[300];

			bufprintf(path, sizeof path, "%s: workloads.%s", src, v->string);
			if (json_workload(p, v->string, v, path, err, errlen) < 0)
				return -1;
		}
	} else if (cJSON_IsArray(w)) {
		cJSON_ArrayForEach(v, w) {
			char path[300];
			const cJSON *k, *name;

			bufprintf(path, sizeof path, "%s: workloads[%d]", src, i++);
			if (!cJSON_IsObject(v)) {
				bufprintf(err, errlen, "%s: want {\"workload\": NAME, \"params\": {...}}",
					  path);
				return -1;
			}
			cJSON_ArrayForEach(k, v) {
				bool known = false;

				for (size_t j = 0; j < ARRAY_LEN(entry_keys); j++)
					known |= strcmp(k->string, entry_keys[j]) == 0;
				if (!known)
					return unknown_key(path, k->string, entry_keys,
							   ARRAY_LEN(entry_keys), err, errlen);
			}
			name = cJSON_GetObjectItemCaseSensitive(v, "workload");
			if (!cJSON_IsString(name)) {
				bufprintf(err, errlen, "%s.workload: want a workload name", path);
				return -1;
			}
			if (json_workload(p, name->valuestring,
					  cJSON_GetObjectItemCaseSensitive(v, "params"), path, err,
					  errlen) < 0)
				return -1;
			k = cJSON_GetObjectItemCaseSensitive(v, "workers");
			if (k != NULL) {
				struct plan_workload *pw = &p->wls[p->nwl - 1];
				char text[4096], sub[320];

				bufprintf(sub, sizeof sub, "%s.workers", path);
				if (json_text(k, sub, text, sizeof text, err, errlen) < 0 ||
				    parse_workers(text, t, sub, pw->workers, &pw->nworkers, err,
						  errlen) < 0)
					return -1;
			}
		}
	} else {
		bufprintf(err, errlen, "%s: workloads: want an object or a list", src);
		return -1;
	}
	if (p->nwl == 0) {
		bufprintf(err, errlen, "%s: workloads: none given", src);
		return -1;
	}
	profile_label_workloads(p);
	return 0;
}

/* Apply a parsed profile document to p. */
static int json_apply(struct plan *p, const cJSON *root, const char *src, const struct topo *t,
		      char *err, size_t errlen)
{
	const cJSON *v;
	char text[4096], where[300];

	if (!cJSON_IsObject(root)) {
		bufprintf(err, errlen, "%s: a profile is a JSON object", src);
		return -1;
	}
	cJSON_ArrayForEach(v, root) {
		bool known = false;

		for (size_t i = 0; i < ARRAY_LEN(top_keys); i++)
			known |= strcmp(v->string, top_keys[i]) == 0;
		if (!known)
			return unknown_key(src, v->string, top_keys, ARRAY_LEN(top_keys), err, errlen);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "name")) != NULL) {
		if (!cJSON_IsString(v)) {
			bufprintf(err, errlen, "%s: name: want a string", src);
			return -1;
		}
		free(p->name);
		p->name = xstrdup(v->valuestring);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "description")) != NULL && !cJSON_IsString(v)) {
		bufprintf(err, errlen, "%s: description: want a string", src);
		return -1;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "workloads");
	if (v == NULL) {
		bufprintf(err, errlen, "%s: workloads: missing", src);
		return -1;
	}
#define KEY(name) (bufprintf(where, sizeof where, "%s: %s", src, name), \
		   (v = cJSON_GetObjectItemCaseSensitive(root, name)) != NULL)
#define TEXT() json_text(v, where, text, sizeof text, err, errlen)
	/* the plan's worker counts first: setting them drops entries' own */
	if (KEY("workers") && (TEXT() < 0 || profile_set_workers(p, text, t, where, err, errlen) < 0))
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(root, "workloads");
	for (size_t i = 0; i < p->nwl; i++)
		free(p->wls[i].cfg);
	p->nwl = 0;
	if (json_workloads(p, v, src, t, err, errlen) < 0)
		return -1;
	if (KEY("modes") && (TEXT() < 0 || profile_set_modes(p, text, where, err, errlen) < 0))
		return -1;
	if (KEY("cores") && (TEXT() < 0 || profile_set_cores(p, text, t, where, err, errlen) < 0))
		return -1;
	if (KEY("runs") && (TEXT() < 0 || profile_set_uint(&p->runs, text, 1, 100000, where, err,
							   errlen) < 0))
		return -1;
	if (KEY("warmup") && (TEXT() < 0 || profile_set_uint(&p->warmup, text, 0, 100000, where, err,
							     errlen) < 0))
		return -1;
	if (KEY("chunksize") && (TEXT() < 0 || profile_set_chunksize(p, text, where, err, errlen) < 0))
		return -1;
	if (KEY("bind") && (TEXT() < 0 || profile_set_bind(p, text, where, err, errlen) < 0))
		return -1;
	if (KEY("timeout")) {
		if (!cJSON_IsNumber(v) || !(v->valuedouble > 0)) {
			bufprintf(err, errlen, "%s: want a number of seconds > 0", where);
			return -1;
		}
		p->timeout = v->valuedouble;
	}
	if (KEY("fail_fast")) {
		if (!cJSON_IsBool(v)) {
			bufprintf(err, errlen, "%s: want true or false", where);
			return -1;
		}
		p->fail_fast = cJSON_IsTrue(v);
	}
#undef KEY
#undef TEXT
	return 0;
}

/* Parse JSON text, reporting syntax errors as source:line:column. */
int profile_parse(struct plan *p, const char *text, const char *source, const struct topo *t,
		  char *err, size_t errlen)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
	int rc;

	if (root == NULL) {
		int line, col;
		const char *at = end != NULL ? end : cJSON_GetErrorPtr();

		if (at == NULL)
			at = text;
		line_col(text, at, &line, &col);
		bufprintf(err, errlen, "%s:%d:%d: JSON syntax error near '%.12s'", source, line, col,
			  *at ? at : "end of file");
		return -1;
	}
	rc = json_apply(p, root, source, t, err, errlen);
	cJSON_Delete(root);
	return rc;
}

/* Read a whole regular file (up to PROFILE_MAX_BYTES) into a caller-freed
 * string. */
static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;
	size_t n;

	if (f == NULL) {
		bufprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) < 0)
		st.st_mode = 0;
	if (!S_ISREG(st.st_mode) || st.st_size > PROFILE_MAX_BYTES) {
		bufprintf(err, errlen, "%s: %s", path, !S_ISREG(st.st_mode) ?
			  "not a regular file" : "larger than 1 MiB, not a profile");
		fclose(f);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	n = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		bufprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	if (strlen(buf) != n) {
		bufprintf(err, errlen, "%s: contains a NUL byte, not a JSON profile", path);
		free(buf);
		return NULL;
	}
	return buf;
}

/* Directory of the running binary's source tree profiles (build/../profiles). */
static void exe_profiles_dir(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	buf[0] = '\0';
	if (n <= 0)
		return;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');

	if (slash == NULL)
		return;
	*slash = '\0';
	/* build/benchtop or build/san/benchtop: walk up to the tree with profiles/ */
	for (int up = 0; up < 3; up++) {
		char cand[PATH_MAX + 16];
		struct stat st;

		bufprintf(cand, sizeof cand, "%s/profiles", exe);
		if (stat(cand, &st) == 0 && S_ISDIR(st.st_mode)) {
			bufprintf(buf, len, "%s", cand);
			return;
		}
		slash = strrchr(exe, '/');
		if (slash == NULL || slash == exe)
			return;
		*slash = '\0';
	}
}

/* Candidate directories: $BENCHTOP_PROFILES, ./profiles, the source tree's,
 * the installed data directory. */
static size_t profile_dirs(char dirs[][PATH_MAX], size_t max)
{
	size_t n = 0;
	const char *envdir = getenv("BENCHTOP_PROFILES");

	if (envdir != NULL && *envdir != '\0' && n < max)
		bufprintf(dirs[n++], PATH_MAX, "%s", envdir);
	if (n < max)
		bufprintf(dirs[n++], PATH_MAX, "profiles");
	if (n < max) {
		exe_profiles_dir(dirs[n], PATH_MAX);
		if (dirs[n][0] != '\0' && strcmp(dirs[n], "profiles") != 0)
			n++;
	}
	if (n < max)
		bufprintf(dirs[n++], PATH_MAX, "%s/profiles", BENCHTOP_DATADIR);
	return n;
}

/* The search path as one string. */
char *profile_search_path(void)
{
	char dirs[4][PATH_MAX];
	size_t n = profile_dirs(dirs, 4);
	char *s = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%s%s", s, i ? ":" : "", dirs[i]);

		free(s);
		s = t;
	}
	return s;
}

/* Load by name or path. */
int profile_load(struct plan *p, const char *name, const struct topo *t, char *err,
		 size_t errlen)
{
	char path[PATH_MAX + 80];
	char *text = NULL;

	if (strcmp(name, "default") == 0)
		return profile_parse(p, builtin_default, "built-in default profile", t, err, errlen);
	size_t len = strlen(name);

	if (strchr(name, '/') != NULL || (len > 5 && strcmp(name + len - 5, ".json") == 0)) {
		bufprintf(path, sizeof path, "%s", name);
		text = read_file(path, err, errlen);
	} else {
		char dirs[4][PATH_MAX];
		size_t n = profile_dirs(dirs, 4);

		for (size_t i = 0; i < n && text == NULL; i++) {
			bufprintf(path, sizeof path, "%s/%s.json", dirs[i], name);
			if (access(path, R_OK) == 0)
				text = read_file(path, err, errlen);
		}
		if (text == NULL) {
			struct profile_info *all;
			size_t k = profile_list(&all);
			const char *names[64];

			for (size_t i = 0; i < k && i < 64; i++)
				names[i] = all[i].name;
			const char *near = str_closest(name, names, k < 64 ? k : 64);
			char *sp = profile_search_path();

			bufprintf(err, errlen, "-p: no profile '%s'%s%s%s (looked in %s; see benchtop list)",
				  name, near ? " (did you mean '" : "", near ? near : "",
				  near ? "'?)" : "", sp);
			free(sp);
			free(all);
			return -1;
		}
	}
	if (text == NULL)
		return -1;
	int rc = profile_parse(p, text, path, t, err, errlen);

	free(text);
	if (rc == 0 && strcmp(p->name, "default") == 0) {
		free(p->name);
		p->name = xstrdup(name);
	}
	return rc;
}

/* The description of a profile file, or "" when unreadable. */
static void describe_file(const char *path, struct profile_info *pi)
{
	char err[64];
	char *text = read_file(path, err, sizeof err);
	cJSON *root, *d;

	pi->description[0] = '\0';
	if (text == NULL)
		return;
	root = cJSON_Parse(text);
	free(text);
	if (root == NULL) {
		bufprintf(pi->description, sizeof pi->description, "(not valid JSON)");
		return;
	}
	d = cJSON_GetObjectItemCaseSensitive(root, "description");
	if (cJSON_IsString(d))
		bufprintf(pi->description, sizeof pi->description, "%s", d->valuestring);
	cJSON_Delete(root);
}

/* Built-in profile plus every NAME.json found (first directory wins). */
size_t profile_list(struct profile_info **out)
{
	char dirs[4][PATH_MAX];
	size_t ndirs = profile_dirs(dirs, 4), n = 1, cap = 16;
	struct profile_info *v = xcalloc(cap, sizeof *v);

	bufprintf(v[0].name, sizeof v[0].name, "default");
	bufprintf(v[0].description, sizeof v[0].description,
		  "built in: fib and heavy, single vs pool, workers 1..PUs");
	for (size_t d = 0; d < ndirs; d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *de;

		if (dir == NULL)
			continue;
		while ((de = readdir(dir)) != NULL) {
			size_t len = strlen(de->d_name);
			bool dup = false;

			if (len <= 5 || len - 5 >= sizeof v[0].name ||
			    strcmp(de->d_name + len - 5, ".json") != 0)
				continue;
			for (size_t i = 0; i < n; i++)
				dup |= strncmp(v[i].name, de->d_name, len - 5) == 0 &&
				       v[i].name[len - 5] == '\0';
			if (dup)
				continue;
			if (n == cap) {
				cap *= 2;
				v = xreallocarray(v, cap, sizeof *v);
			}
			memset(&v[n], 0, sizeof v[n]);
			memcpy(v[n].name, de->d_name, len - 5);
			bufprintf(v[n].path, sizeof v[n].path, "%s/%s", dirs[d], de->d_name);
			describe_file(v[n].path, &v[n]);
			n++;
		}
		closedir(dir);
	}
	*out = v;
	return n;
}
