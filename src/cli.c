/*
 * cli.c - `benchtop run` options and how they combine with a profile.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "util.h"

enum {
	OPT_CORES = 256, OPT_WARMUP, OPT_CHUNK, OPT_BIND, OPT_JSON, OPT_TIMEOUT, OPT_FAILFAST,
	OPT_DRYRUN, OPT_NOSHM, OPT_NOPUBLISH, OPT_SYNTH
};

static const struct option run_opts[] = {
	{ "profile", required_argument, NULL, 'p' },
	{ "workloads", required_argument, NULL, 'w' },
	{ "modes", required_argument, NULL, 'm' },
	{ "workers", required_argument, NULL, 'n' },
	{ "cores", required_argument, NULL, OPT_CORES },
	{ "runs", required_argument, NULL, 'r' },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "chunksize", required_argument, NULL, OPT_CHUNK },
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "param", required_argument, NULL, 'P' },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "fail-fast", no_argument, NULL, OPT_FAILFAST },
	{ "dry-run", no_argument, NULL, OPT_DRYRUN },
	{ "quiet", no_argument, NULL, 'q' },
	{ "no-shm", no_argument, NULL, OPT_NOSHM },
	{ "no-publish", no_argument, NULL, OPT_NOPUBLISH },
	{ "synthetic", required_argument, NULL, OPT_SYNTH },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Name of the option getopt just stopped at, for messages. */
static const char *bad_name(char **argv, char *buf, size_t len)
{
	if (optopt != 0) {
		for (const struct option *o = run_opts; o->name != NULL; o++) {
			if (o->val == optopt && optopt > 255)
				return bufprintf(buf, len, "--%s", o->name);
		}
		if (optopt < 256)
			return bufprintf(buf, len, "-%c", optopt);
	}
	return bufprintf(buf, len, "%s", argv[optind - 1]);
}

/* Append " (did you mean '--json'?)" to err for a mistyped long option. */
static void suggest_option(const char *name, char *err, size_t errlen)
{
	const char *names[ARRAY_LEN(run_opts)];
	char word[96];
	size_t n = 0, used = strlen(err);
	const char *near;

	if (strncmp(name, "--", 2) != 0)
		return;
	bufprintf(word, sizeof word, "%s", name + 2);
	word[strcspn(word, "=")] = '\0';
	for (const struct option *o = run_opts; o->name != NULL; o++)
		names[n++] = o->name;
	near = str_closest(word, names, n);
	if (near != NULL && used < errlen)
		bufprintf(err + used, errlen - used, " (did you mean '--%s'?)", near);
}

/* Message for getopt's '?' (unknown) and ':' (missing argument). */
int cli_bad_option(const char *cmd, char **argv, int c)
{
	char name[96];

	bad_name(argv, name, sizeof name);
	if (c == ':')
		fprintf(stderr, "benchtop: %s: option %s needs a value\n", cmd, name);
	else
		fprintf(stderr, "benchtop: %s: unknown option %s\n", cmd, name);
	fprintf(stderr, "try 'benchtop %s --help'\n", cmd);
	return EXIT_USAGE;
}

/* Parse `run` options (cli_parse_run() frees on failure). */
static int parse_run(int argc, char **argv, struct cli_run *r, char *err, size_t errlen)
{
	int c;

	memset(r, 0, sizeof *r);
	opterr = 0;
	/* 0, not 1: glibc then forgets a cluster such as "-hq" that -h left
	 * half scanned in an earlier call, whose argv may be gone */
	optind = 0;
	while ((c = getopt_long(argc, argv, ":p:w:m:n:r:P:qh", run_opts, NULL)) != -1) {
		switch (c) {
		case 'p': r->profile = optarg; break;
		case 'w': r->workloads = optarg; break;
		case 'm': r->modes = optarg; break;
		case 'n': r->workers = optarg; break;
		case OPT_CORES: r->cores = optarg; break;
		case 'r': r->runs = optarg; break;
		case OPT_WARMUP: r->warmup = optarg; break;
		case OPT_CHUNK: r->chunksize = optarg; break;
		case OPT_BIND: r->bind = optarg; break;
		case 'P':
			r->params = xreallocarray(r->params, r->nparams + 1, sizeof *r->params);
			r->params[r->nparams++] = optarg;
			break;
		case OPT_JSON: r->headless.json_path = optarg; break;
		case OPT_TIMEOUT: r->timeout = optarg; break;
		case OPT_FAILFAST: r->fail_fast = true; break;
		case OPT_DRYRUN: r->dry_run = true; break;
		case 'q': r->headless.quiet = true; break;
		case OPT_NOSHM: r->headless.no_shm = true; break;
		case OPT_NOPUBLISH: r->no_publish = true; break;
		case OPT_SYNTH: r->synthetic = optarg; break;
		case 'h': return CLI_HELP;
		case ':': {
			char name[96];

			bufprintf(err, errlen, "run: option %s needs a value",
				  bad_name(argv, name, sizeof name));
			return -1;
		}
		default: {
			char name[96];

			bad_name(argv, name, sizeof name);
			bufprintf(err, errlen, "run: unknown option %s", name);
			suggest_option(name, err, errlen);
			return -1;
		}
		}
	}
	if (optind < argc) {
		bufprintf(err, errlen, "run: unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (r->headless.json_path != NULL && r->headless.json_path[0] == '\0') {
		bufprintf(err, errlen, "--json: empty file name");
		return -1;
	}
	return 0;
}

/* Parse `run` options; nothing stays allocated unless it returns 0. */
int cli_parse_run(int argc, char **argv, struct cli_run *r, char *err, size_t errlen)
{
	int rc = parse_run(argc, argv, r, err, errlen);

	if (rc != 0)
		cli_run_free(r);
	return rc;
}

/* Profile first, then the flags in a fixed order, then every -P. */
int cli_build_plan(const struct cli_run *r, const struct topo *t, struct plan *p, char *err,
		   size_t errlen)
{
	plan_init(p);
	if (profile_load(p, r->profile ? r->profile : "default", t, err, errlen) < 0)
		goto fail;
	if (r->workloads != NULL) {
		if (r->profile == NULL) {
			/* no profile named: the workloads' own (tutorial) parameters */
			for (size_t i = 0; i < p->nwl; i++)
				free(p->wls[i].cfg);
			p->nwl = 0;
		}
		if (profile_set_workloads(p, r->workloads, "-w", err, errlen) < 0)
			goto fail;
	}
	if (r->modes && profile_set_modes(p, r->modes, "-m", err, errlen) < 0)
		goto fail;
	if (r->workers && profile_set_workers(p, r->workers, t, "-n", err, errlen) < 0)
		goto fail;
	if (r->cores && profile_set_cores(p, r->cores, t, "--cores", err, errlen) < 0)
		goto fail;
	if (r->runs && profile_set_uint(&p->runs, r->runs, 1, 100000, "-r", err, errlen) < 0)
		goto fail;
	if (r->warmup && profile_set_uint(&p->warmup, r->warmup, 0, 100000, "--warmup", err,
					  errlen) < 0)
		goto fail;
	if (r->chunksize && profile_set_chunksize(p, r->chunksize, "--chunksize", err, errlen) < 0)
		goto fail;
	if (r->bind && profile_set_bind(p, r->bind, "--bind", err, errlen) < 0)
		goto fail;
	if (r->timeout && profile_set_seconds(&p->timeout, r->timeout, "--timeout", err, errlen) < 0)
		goto fail;
	if (r->fail_fast)
		p->fail_fast = true;
	if (r->no_publish)
		p->publish = false;
	for (size_t i = 0; i < r->nparams; i++) {
		if (profile_set_param(p, r->params[i], "-P", err, errlen) < 0)
			goto fail;
	}
	return 0;
fail:
	plan_free(p);
	return -1;
}

/* Free the -P array. */
void cli_run_free(struct cli_run *r)
{
	free(r->params);
	r->params = NULL;
	r->nparams = 0;
}

/* One line per configuration, then the settings. */
void cli_print_plan(FILE *out, const struct plan *plan)
{
	struct plan_config *v;
	size_t n = plan_expand(plan, &v);

	fprintf(out, "profile %s: %zu configurations, %u warm-up + %u measured runs each\n",
		plan->name, n, plan->warmup, plan->runs);
	for (size_t i = 0; i < plan->nwl; i++) {
		const struct plan_workload *w = &plan->wls[i];

		fprintf(out, "  %s:", w->label[0] ? w->label : w->wl->name);
		for (const struct param_desc *d = w->wl->params; d->name != NULL; d++) {
			char val[512];

			params_format(d, w->cfg, val, sizeof val);
			fprintf(out, " %s=%s", d->name, val);
		}
		fputc('\n', out);
	}
	for (size_t i = 0; i < n; i++) {
		char label[96];

		plan_config_label(plan, &v[i], label, sizeof label);
		fprintf(out, "%3zu  %s\n", i + 1, label);
	}
	free(v);
}
