/*
 * test_profile.c - unit tests for profile.c: the built-in and shipped
 * profiles, JSON errors that name source:line:column or the key path,
 * worker and core specifications resolved against synthetic topologies,
 * -w/-m/-P overrides, and labels for a workload listed twice.
 */
#include <criterion/criterion.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "profile.h"
#include "topo.h"

#define T16 "pack:2 core:4 pu:2"   /* 8 cores, 16 PUs */

static struct plan p;
static struct topo *topo;
static char err[1024];

static void tprof_setup(void)
{
	char e[256] = "";

	topo = topo_load(T16, e, sizeof e);
	cr_assert_not_null(topo, "%s", e);
	plan_init(&p);
	err[0] = '\0';
}

static void tprof_teardown(void)
{
	plan_free(&p);
	topo_free(topo);
}

TestSuite(profile, .init = tprof_setup, .fini = tprof_teardown);

/* Parse text as a profile; it must fail with every fragment in the message. */
static void tprof_bad(const char *text, const char *frag, ...)
{
	va_list ap;

	err[0] = '\0';
	cr_assert_eq(profile_parse(&p, text, "t.json", topo, err, sizeof err), -1,
		     "accepted: %s", text);
	cr_assert(strncmp(err, "t.json", 6) == 0, "message does not name the source: %s", err);
	va_start(ap, frag);
	for (const char *f = frag; f != NULL; f = va_arg(ap, const char *))
		cr_assert(strstr(err, f) != NULL, "'%s' lacks '%s' (profile %s)", err, f, text);
	va_end(ap);
}

/* Parse text as a profile, which must succeed. */
static void tprof_ok(const char *text)
{
	cr_assert_eq(profile_parse(&p, text, "t.json", topo, err, sizeof err), 0, "%s: %s", text, err);
}

/* The values of a resolved count array as "1,2,4". */
static const char *tprof_counts(const unsigned *v, size_t n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%u", i ? "," : "", v[i]);
	return buf;
}

/* A parameter of workload entry i, formatted. */
static const char *tprof_param(size_t i, const char *name, char *buf, size_t len)
{
	const struct param_desc *d = params_find(p.wls[i].wl->params, name);

	cr_assert_not_null(d, "%s has no parameter %s", p.wls[i].wl->name, name);
	params_format(d, p.wls[i].cfg, buf, len);
	return buf;
}

Test(profile, builtin_default_loads)
{
	char buf[128];

	cr_assert_eq(profile_load(&p, "default", topo, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(p.name, "default");
	cr_assert_eq(p.nwl, 2);
	cr_assert_str_eq(p.wls[0].wl->name, "fib");
	cr_assert_str_eq(p.wls[1].wl->name, "heavy");
	cr_assert_eq(p.nmodes, 2);
	cr_assert_eq(p.modes[0], MODE_SINGLE);
	cr_assert_eq(p.modes[1], MODE_POOL);
	cr_assert_str_eq(p.workers_spec, "sweep");
	cr_assert_str_eq(tprof_counts(p.workers, p.nworkers, buf, sizeof buf), "1,2,4,8,16");
	cr_assert_geq(p.runs, 1);
}

Test(profile, shipped_profiles_load)
{
	struct profile_info *all;
	size_t n = profile_list(&all);
	bool seen_default = false, seen_seed = false;

	cr_assert_geq(n, 1);
	cr_assert_str_eq(all[0].name, "default");
	cr_assert_str_eq(all[0].path, "");
	for (size_t i = 0; i < n; i++) {
		struct plan q;

		plan_init(&q);
		cr_assert_eq(profile_load(&q, all[i].path[0] ? all[i].path : all[i].name, topo, err,
					  sizeof err), 0, "%s: %s", all[i].name, err);
		cr_assert_gt(q.nwl, 0, "%s", all[i].name);
		seen_default |= strcmp(all[i].name, "default") == 0;
		seen_seed |= strcmp(all[i].name, "seed") == 0;
		plan_free(&q);
	}
	cr_assert(seen_default);
	if (!seen_seed)
		cr_log_warn("profiles/seed.json not found from here; skipped");
	free(all);
}

Test(profile, seed_is_the_tutorial)
{
	char buf[128];
	struct profile_info *all;
	size_t n = profile_list(&all);
	const char *path = NULL;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(all[i].name, "seed") == 0)
			path = all[i].path;
	}
	if (path == NULL) {
		free(all);
		cr_skip_test("profiles/seed.json not found");
	}
	cr_assert_eq(profile_load(&p, path, topo, err, sizeof err), 0, "%s", err);
	free(all);
	for (size_t i = 0; i < p.nwl; i++) {
		if (strcmp(p.wls[i].wl->name, "fib") == 0) {
			cr_assert_str_eq(tprof_param(i, "n", buf, sizeof buf), "20,22,24,26");
		} else if (strcmp(p.wls[i].wl->name, "heavy") == 0) {
			cr_assert_str_eq(tprof_param(i, "iters", buf, sizeof buf), "1000000");
			cr_assert_str_eq(tprof_param(i, "data", buf, sizeof buf), "0,1,2,3");
		}
	}
}

Test(profile, load_errors_name_the_profile)
{
	cr_assert_eq(profile_load(&p, "no-such-profile", topo, err, sizeof err), -1);
	cr_assert(strstr(err, "-p: no profile 'no-such-profile'") != NULL, "%s", err);
	cr_assert_eq(profile_load(&p, "sede", topo, err, sizeof err), -1);
	cr_assert(strstr(err, "did you mean 'seed'?") != NULL || strstr(err, "no profile 'sede'"),
		  "%s", err);
	cr_assert_eq(profile_load(&p, "/nonexistent/dir/x.json", topo, err, sizeof err), -1);
	cr_assert(strstr(err, "/nonexistent/dir/x.json") != NULL, "%s", err);
}

Test(profile, minimal_profile_and_settings)
{
	char buf[128];

	tprof_ok("{\"name\": \"mine\", \"description\": \"d\", \"workloads\": {\"heavy\": "
		 "{\"iters\": 5000, \"data\": [3, 5]}}, \"modes\": \"pool\", \"workers\": [2, 6], "
		 "\"cores\": \"sweep\", \"runs\": 3, \"warmup\": 0, \"chunksize\": 2, "
		 "\"bind\": \"core\", \"timeout\": 2.5, \"fail_fast\": true}");
	cr_assert_str_eq(p.name, "mine");
	cr_assert_eq(p.nwl, 1);
	cr_assert_str_eq(tprof_param(0, "iters", buf, sizeof buf), "5000");
	cr_assert_str_eq(tprof_param(0, "data", buf, sizeof buf), "3,5");
	cr_assert_eq(p.nmodes, 1);
	cr_assert_eq(p.modes[0], MODE_POOL);
	cr_assert_str_eq(tprof_counts(p.workers, p.nworkers, buf, sizeof buf), "2,6");
	cr_assert_str_eq(tprof_counts(p.cores, p.ncores, buf, sizeof buf), "1,2,4,8");
	cr_assert_eq(p.runs, 3);
	cr_assert_eq(p.warmup, 0);
	cr_assert_eq(p.chunksize, 2);
	cr_assert_eq(p.bind, BIND_CORE);
	cr_assert_float_eq(p.timeout, 2.5, 1e-9);
	cr_assert(p.fail_fast);
}

Test(profile, json_syntax_error_line_column)
{
	/* the comma missing between two members on line 3 */
	tprof_bad("{\n  \"name\": \"x\",\n  \"runs\": 3 \"warmup\": 1,\n  \"workloads\": {\"fib\": {}}\n}\n",
		  "t.json:3:13:", "syntax error", NULL);
	/* missing at the end of line 3: found at the next token, line 4 */
	tprof_bad("{\n  \"name\": \"x\",\n  \"runs\": 3\n  \"warmup\": 1\n}\n", "t.json:4:3:", NULL);
	tprof_bad("", "t.json:1:1:", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {}}", "t.json:1:", NULL);
	tprof_bad("\n\n\n   nonsense", "t.json:4:4:", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {}}} trailing", "t.json:1:", NULL);
}

Test(profile, unknown_keys_suggest)
{
	tprof_bad("{\"workloads\": {\"fib\": {}}, \"wrokers\": 2}", "unknown key 'wrokers'",
		  "did you mean 'workers'?", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {}}, \"warmups\": 2}", "did you mean 'warmup'?", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {}}, \"zzzzzzzzzzzz\": 2}", "unknown key 'zzzzzzzzzzzz'",
		  NULL);
	cr_assert_null(strstr(err, "did you mean"), "%s", err);
	tprof_bad("{\"workloads\": [{\"workload\": \"fib\", \"parms\": {}}]}",
		  "workloads[0]: unknown key 'parms'", "did you mean 'params'?", NULL);
}

Test(profile, bad_types_name_the_key_path)
{
	tprof_bad("[1]", "a profile is a JSON object", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {\"n\": {\"a\": 1}}}}", "t.json: workloads.fib.n:", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {\"n\": true}}}", "t.json: workloads.fib.n:", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {\"n\": -1}}}", "workloads.fib.n: -1 is not a whole", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {\"n\": 1.5}}}", "workloads.fib.n: 1.5", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {\"n\": [[1]]}}}", "workloads.fib.n[0]:", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {\"n\": []}}}", "workloads.fib.n: empty list", NULL);
	tprof_bad("{\"workloads\": {\"fib\": 3}}", "workloads.fib: want an object", NULL);
	tprof_bad("{\"workloads\": 3}", "workloads: want an object or a list", NULL);
	tprof_bad("{\"workloads\": [3]}", "workloads[0]: want", NULL);
	tprof_bad("{\"workloads\": [{\"params\": {}}]}", "workloads[0].workload:", NULL);
	tprof_bad("{\"name\": 3, \"workloads\": {\"fib\": {}}}", "t.json: name: want a string", NULL);
	tprof_bad("{\"description\": [], \"workloads\": {\"fib\": {}}}", "description: want a string",
		  NULL);
	tprof_bad("{\"workloads\": {\"fib\": {}}, \"runs\": \"x\"}", "t.json: runs: 'x'", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {}}, \"runs\": 0}", "t.json: runs: '0'", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {}}, \"warmup\": {}}", "t.json: warmup: want", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {}}, \"modes\": [\"single\", 7]}", "t.json: modes:", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {}}, \"timeout\": \"1\"}", "t.json: timeout:", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {}}, \"timeout\": 0}", "t.json: timeout:", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {}}, \"fail_fast\": 1}", "t.json: fail_fast:", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {}}, \"bind\": \"cores\"}", "t.json: bind:",
		  "did you mean 'core'?", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {}}, \"chunksize\": 0}", "t.json: chunksize:", NULL);
}

Test(profile, bad_param_values_name_the_key_path)
{
	/* params.h: `where` names the parameter, e.g. "profile.json: workloads.fib.n" */
	tprof_bad("{\"workloads\": {\"fib\": {\"n\": \"abc\"}}}", "t.json: workloads.fib.n: ",
		  "'abc' is not a number", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {\"n\": 71}}}", "t.json: workloads.fib.n: ",
		  "71 is out of range 0..70", NULL);
	tprof_bad("{\"workloads\": {\"heavy\": {\"iters\": 0}}}", "t.json: workloads.heavy.iters: ",
		  NULL);
	tprof_bad("{\"workloads\": [{\"workload\": \"heavy\", \"params\": {\"data\": \"x\"}}]}",
		  "t.json: workloads[0].data: ", NULL);
}

Test(profile, unknown_workload_and_param)
{
	tprof_bad("{\"workloads\": {\"fibb\": {}}}", "t.json: workloads.fibb: unknown workload 'fibb'",
		  "did you mean 'fib'?", NULL);
	tprof_bad("{\"workloads\": {\"fib\": {\"nn\": 3}}}", "t.json: workloads.fib",
		  "unknown parameter 'nn'", "did you mean 'n'?", NULL);
	tprof_bad("{\"workloads\": {}}", "workloads: none given", NULL);
	tprof_bad("{\"workloads\": []}", "workloads: none given", NULL);
	tprof_bad("{\"name\": \"x\"}", "workloads: missing", NULL);
}

Test(profile, workloads_array_twice_gets_distinct_labels)
{
	char a[96], b[96];
	struct plan_config *v;

	tprof_ok("{\"workloads\": [{\"workload\": \"fib\"}, {\"workload\": \"fib\", \"params\": "
		 "{\"n\": \"5\"}}, {\"workload\": \"heavy\"}], \"modes\": [\"single\"]}");
	cr_assert_eq(p.nwl, 3);
	cr_assert_str_neq(p.wls[0].label, p.wls[1].label);
	cr_assert_str_eq(p.wls[2].label, "", "a workload listed once has no label");
	size_t n = plan_expand(&p, &v);

	cr_assert_eq(n, 3);
	plan_config_label(&p, &v[0], a, sizeof a);
	plan_config_label(&p, &v[1], b, sizeof b);
	cr_assert_str_neq(a, b);
	cr_assert(strstr(a, "fib") == a && strstr(b, "fib") == b, "%s / %s", a, b);
	free(v);
	/* -w keeps both entries of a workload listed twice */
	cr_assert_eq(profile_set_workloads(&p, "fib", "-w", err, sizeof err), 0, "%s", err);
	cr_assert_eq(p.nwl, 2);
	cr_assert_str_neq(p.wls[0].label, p.wls[1].label);
}

/* A list entry's own "workers" replaces the plan's for that entry only;
 * -n (profile_set_workers + plan_clear_entry_workers, as cli.c does) drops it. */
Test(profile, entry_workers_override_the_plan)
{
	struct plan_config *v;
	size_t n;

	tprof_ok("{\"workloads\": [{\"workload\": \"fib\"}, {\"workload\": \"shdict\", "
		 "\"workers\": [5]}, {\"workload\": \"heavy\", \"workers\": \"cores\"}], "
		 "\"modes\": [\"single\", \"pool\"], \"workers\": [1, 2]}");
	cr_assert_eq(p.nwl, 3);
	n = plan_expand(&p, &v);
	/* fib: single + pool 1, 2; shdict: single + pool 5; heavy: single + pool 8 */
	cr_assert_eq(n, 7);
	cr_assert(v[0].wl == 0 && v[0].mode == MODE_SINGLE && v[0].workers == 1);
	cr_assert(v[1].wl == 0 && v[1].workers == 1 && v[2].workers == 2);
	cr_assert(v[3].wl == 1 && v[3].mode == MODE_SINGLE);
	cr_assert(v[4].wl == 1 && v[4].mode == MODE_POOL && v[4].workers == 5);
	cr_assert(v[6].wl == 2 && v[6].mode == MODE_POOL && v[6].workers == 8);
	free(v);
	cr_assert_eq(profile_set_workers(&p, "3", topo, "-n", err, sizeof err), 0, "%s", err);
	plan_clear_entry_workers(&p);
	n = plan_expand(&p, &v);
	cr_assert_eq(n, 6);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(v[i].workers, v[i].mode == MODE_SINGLE ? 1u : 3u);
	free(v);
	tprof_bad("{\"workloads\": [{\"workload\": \"fib\", \"workers\": \"many\"}]}",
		  "workloads[0].workers", "'many'", NULL);
}

/* Resolve a worker spec on synthetic topology desc; compare with want. */
static void tprof_workers(const char *desc, const char *spec, const char *want)
{
	char e[256] = "", buf[256];
	struct topo *t = topo_load(desc, e, sizeof e);

	cr_assert_not_null(t, "%s", e);
	cr_assert_eq(profile_set_workers(&p, spec, t, "-n", err, sizeof err), 0, "%s on %s: %s",
		     spec, desc, err);
	cr_assert_str_eq(tprof_counts(p.workers, p.nworkers, buf, sizeof buf), want,
			 "-n %s on \"%s\"", spec, desc);
	cr_assert_str_eq(p.workers_spec, spec);
	topo_free(t);
}

Test(profile, worker_specs)
{
	tprof_workers(T16, "sweep", "1,2,4,8,16");
	tprof_workers(T16, "cores", "8");
	tprof_workers(T16, "pus", "16");
	tprof_workers(T16, "sweep:2x", "1,2,4,8,16,32");
	tprof_workers(T16, "sweep:1x", "1,2,4,8,16");
	tprof_workers(T16, "sweep:12", "1,2,4,8,12");
	tprof_workers(T16, "sweep:4", "1,2,4");
	tprof_workers(T16, "sweep:1", "1");
	tprof_workers(T16, "3", "3");
	tprof_workers(T16, "3,1,3,2", "3,1,2");
	tprof_workers(T16, "4096", "4096");
	tprof_workers(T16, "2k", "2000");
	/* the core count is always in a sweep */
	tprof_workers("pack:1 core:3 pu:2", "sweep", "1,2,3,4,6");
	tprof_workers("pack:1 core:6 pu:1", "sweep", "1,2,4,6");
	tprof_workers("pack:1 core:1 pu:1", "sweep", "1");
	tprof_workers("pack:1 core:1 pu:1", "sweep:3x", "1,2,3");
	tprof_workers("pack:1 core:2 pu:1", "cores", "2");
}

Test(profile, bad_worker_specs)
{
	/* each bad spec and the part of it the message must quote */
	static const char *const bad[][2] = {
		{ "0", "'0'" }, { "4097", "'4097'" }, { "-1", "'-1'" }, { "abc", "'abc'" },
		{ "", "''" }, { ",", "','" }, { "1,", "'1,'" }, { ",1", "',1'" },
		{ "1,,2", "'1,,2'" }, { "1,x", "'x'" }, { "sweep:", "'sweep:'" },
		{ "sweep:0", "'sweep:0'" }, { "sweep:x", "'sweep:x'" }, { "sweep:3y", "'sweep:3y'" },
		{ "sweep:5000", "'sweep:5000'" }, { "sweep:300x", "'sweep:300x'" },
		{ "sweep:-1", "'sweep:-1'" }, { "Sweep", "'Sweep'" }, { "core", "'core'" },
		{ "1.5", "'1.5'" },
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		cr_assert_eq(profile_set_workers(&p, bad[i][0], topo, "-n", err, sizeof err), -1,
			     "-n '%s' accepted", bad[i][0]);
		cr_assert(strncmp(err, "-n: ", 4) == 0, "-n '%s': %s", bad[i][0], err);
		cr_assert(strstr(err, bad[i][1]) != NULL, "-n '%s': message lacks %s: %s",
			  bad[i][0], bad[i][1], err);
	}
	/* a failed spec leaves the plan's workers alone */
	cr_assert_eq(p.nworkers, 1);
	cr_assert_eq(p.workers[0], 1);
}

/* Resolve a core spec on desc; compare with want. */
static void tprof_cores(const char *desc, const char *spec, const char *want)
{
	char e[256] = "", buf[256];
	struct topo *t = topo_load(desc, e, sizeof e);

	cr_assert_not_null(t, "%s", e);
	cr_assert_eq(profile_set_cores(&p, spec, t, "--cores", err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(tprof_counts(p.cores, p.ncores, buf, sizeof buf), want,
			 "--cores %s on \"%s\"", spec, desc);
	cr_assert_str_eq(p.cores_spec, spec);
	topo_free(t);
}

Test(profile, core_specs)
{
	tprof_cores(T16, "all", "0");
	tprof_cores(T16, "sweep", "1,2,4,8");
	tprof_cores(T16, "3", "3");
	tprof_cores(T16, "8,1", "8,1");
	tprof_cores("pack:1 core:6 pu:1", "sweep", "1,2,4,6");
	tprof_cores("pack:1 core:1 pu:4", "sweep", "1");

	static const char *const bad[] = { "0", "9", "x", "", "1,,2", "sweep:2", "none" };

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		cr_assert_eq(profile_set_cores(&p, bad[i], topo, "--cores", err, sizeof err), -1,
			     "--cores '%s' accepted", bad[i]);
		cr_assert(strncmp(err, "--cores: ", 9) == 0, "%s", err);
	}
	cr_assert(strstr(err, "8 cores") != NULL, "the message says how many cores: %s", err);
}

Test(profile, modes_and_workloads)
{
	cr_assert_eq(profile_set_modes(&p, "pool,single,pool", "-m", err, sizeof err), 0, "%s", err);
	cr_assert_eq(p.nmodes, 2);
	cr_assert_eq(p.modes[0], MODE_POOL);
	cr_assert_eq(p.modes[1], MODE_SINGLE);
	cr_assert_eq(profile_set_modes(&p, " process , pool ", "-m", err, sizeof err), 0, "%s", err);
	cr_assert_eq(p.modes[0], MODE_PROCESS);
	cr_assert_eq(profile_set_modes(&p, "poll", "-m", err, sizeof err), -1);
	cr_assert(strstr(err, "-m: unknown mode 'poll'") && strstr(err, "did you mean 'pool'?"),
		  "%s", err);
	cr_assert_eq(profile_set_modes(&p, ",", "-m", err, sizeof err), -1);
	cr_assert(strstr(err, "-m: empty list") != NULL, "%s", err);
	cr_assert_eq(p.modes[0], MODE_PROCESS, "a failed -m keeps the modes");

	cr_assert_eq(profile_set_workloads(&p, "heavy,fib,heavy", "-w", err, sizeof err), 0, "%s",
		     err);
	cr_assert_eq(p.nwl, 2);
	cr_assert_str_eq(p.wls[0].wl->name, "heavy");
	cr_assert_str_eq(p.wls[1].wl->name, "fib");
	cr_assert_eq(profile_set_workloads(&p, "fib", "-w", err, sizeof err), 0, "%s", err);
	cr_assert_eq(p.nwl, 1);
	cr_assert_eq(profile_set_workloads(&p, "fib,fibb", "-w", err, sizeof err), -1);
	cr_assert(strstr(err, "-w: unknown workload 'fibb'") && strstr(err, "did you mean 'fib'?"),
		  "%s", err);
	cr_assert_eq(p.nwl, 1, "a failed -w keeps the workloads");
}

Test(profile, set_param)
{
	char buf[128];

	cr_assert_eq(profile_load(&p, "default", topo, err, sizeof err), 0, "%s", err);
	cr_assert_eq(profile_set_param(&p, "fib.n=5,6", "-P", err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(tprof_param(0, "n", buf, sizeof buf), "5,6");
	cr_assert_eq(profile_set_param(&p, "heavy.iters=2k", "-P", err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(tprof_param(1, "iters", buf, sizeof buf), "2000");

	cr_assert_eq(profile_set_param(&p, "fault.crash_task=3", "-P", err, sizeof err), 0, "%s", err);
	cr_assert_eq(p.fault.crash_task, 3);
	cr_assert_eq(profile_set_param(&p, "fault.hang_task=0", "-P", err, sizeof err), 0, "%s", err);
	cr_assert_eq(p.fault.hang_task, 0);
	cr_assert_eq(profile_set_param(&p, "fault.exit_task=7", "-P", err, sizeof err), 0, "%s", err);
	cr_assert_eq(p.fault.exit_task, 7);
	cr_assert_eq(profile_set_param(&p, "fault.crash_task=none", "-P", err, sizeof err), 0);
	cr_assert_eq(p.fault.crash_task, PARAM_NONE);

	static const struct { const char *a, *frag; } bad[] = {
		{ "nope.x=1", "-P nope.x: unknown workload 'nope'" },
		{ "fibb.n=1", "did you mean 'fib'?" },
		{ "fib.nn=1", "-P fib.nn: unknown parameter 'nn' (did you mean 'n'?)" },
		{ "heavy.itres=5", "-P heavy.itres: unknown parameter 'itres' (did you mean 'iters'?)" },
		{ "fib.n=abc", "-P fib.n: 'abc' is not a number" },
		{ "fib.n=71", "-P fib.n: 71 is out of range 0..70" },
		{ "heavy.iters=0", "-P heavy.iters: 0 is out of range" },
		{ "fault.crash=1", "-P fault.crash: unknown fault 'crash'" },
		{ "fault.crash_task=x", "-P fault.crash_task: 'x' is not a task index" },
		{ "fib=1", "-P: 'fib=1' is not WORKLOAD.PARAM=VALUE" },
		{ "fib.n", "is not WORKLOAD.PARAM=VALUE" },
		{ ".n=1", "is not WORKLOAD.PARAM=VALUE" },
		{ "fib.=1", "is not WORKLOAD.PARAM=VALUE" },
		{ "fib=n.1", "is not WORKLOAD.PARAM=VALUE" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		cr_assert_eq(profile_set_param(&p, bad[i].a, "-P", err, sizeof err), -1, "%s accepted",
			     bad[i].a);
		cr_assert(strstr(err, bad[i].frag) != NULL, "-P %s: '%s' lacks '%s'", bad[i].a, err,
			  bad[i].frag);
	}
	cr_assert_str_eq(tprof_param(0, "n", buf, sizeof buf), "5,6", "failed -P changed fib.n");
}

Test(profile, set_param_needs_the_workload_selected)
{
	cr_assert_eq(profile_set_workloads(&p, "fib", "-w", err, sizeof err), 0, "%s", err);
	cr_assert_eq(profile_set_param(&p, "heavy.iters=5", "-P", err, sizeof err), -1);
	cr_assert(strstr(err, "-P heavy.iters: workload heavy is not selected") != NULL, "%s", err);
}

Test(profile, set_param_reaches_every_entry)
{
	char a[64], b[64];

	tprof_ok("{\"workloads\": [{\"workload\": \"fib\"}, {\"workload\": \"fib\", \"params\": "
		 "{\"n\": \"5\"}}]}");
	cr_assert_eq(profile_set_param(&p, "fib.n=7,8", "-P", err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(tprof_param(0, "n", a, sizeof a), "7,8");
	cr_assert_str_eq(tprof_param(1, "n", b, sizeof b), "7,8");
}

Test(profile, other_setters)
{
	unsigned u = 99;
	double s = 0;

	cr_assert_eq(profile_set_chunksize(&p, "4", "--chunksize", err, sizeof err), 0);
	cr_assert_eq(p.chunksize, 4);
	cr_assert_eq(profile_set_chunksize(&p, "auto", "--chunksize", err, sizeof err), 0);
	cr_assert_eq(p.chunksize, 0);
	cr_assert_eq(profile_set_chunksize(&p, "0", "--chunksize", err, sizeof err), -1);
	cr_assert(strncmp(err, "--chunksize: ", 13) == 0, "%s", err);
	cr_assert_eq(profile_set_bind(&p, "pu", "--bind", err, sizeof err), 0);
	cr_assert_eq(p.bind, BIND_PU);
	cr_assert_eq(profile_set_bind(&p, "foo", "--bind", err, sizeof err), -1);
	cr_assert(strncmp(err, "--bind: unknown binding 'foo'", 29) == 0, "%s", err);
	cr_assert_eq(profile_set_uint(&u, "7", 1, 10, "-r", err, sizeof err), 0);
	cr_assert_eq(u, 7);
	cr_assert_eq(profile_set_uint(&u, "11", 1, 10, "-r", err, sizeof err), -1);
	cr_assert(strstr(err, "-r: '11' is not a number from 1 to 10") != NULL, "%s", err);
	cr_assert_eq(u, 7);
	cr_assert_eq(profile_set_seconds(&s, "0.25", "--timeout", err, sizeof err), 0);
	cr_assert_float_eq(s, 0.25, 1e-12);
	static const char *const bad_secs[] = { "0", "-1", "x", "", "1s", "nan", "inf", "1e9" };

	for (size_t i = 0; i < sizeof bad_secs / sizeof bad_secs[0]; i++) {
		cr_assert_eq(profile_set_seconds(&s, bad_secs[i], "--timeout", err, sizeof err), -1,
			     "'%s' accepted", bad_secs[i]);
		cr_assert(strncmp(err, "--timeout: ", 11) == 0, "%s", err);
	}
	cr_assert_float_eq(s, 0.25, 1e-12);
}
