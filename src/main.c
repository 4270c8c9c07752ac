/*
 * main.c - argument parsing and sub-commands; picks the front-end.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"
#include "headless.h"
#include "plan.h"
#include "profile.h"
#include "results_json.h"
#include "shm.h"
#include "topo.h"
#include "tui.h"
#include "util.h"
#include "workload.h"

#ifndef BENCHTOP_VERSION
#define BENCHTOP_VERSION "0.0.0"
#endif

static const char usage_main[] =
	"usage: benchtop [COMMAND] [OPTIONS]\n"
	"\n"
	"  benchtop [-p PROFILE] [--refresh MS] [--no-color]\n"
	"                              the dashboard (on a terminal; the built-in\n"
	"                              default profile unless -p); not on a terminal,\n"
	"                              the same as 'benchtop run'\n"
	"  benchtop watch [PID]        watch a headless 'benchtop run' live (read-only)\n"
	"  benchtop run [OPTIONS]      run headless: table on stdout, --json FILE\n"
	"  benchtop topo [--json]      the detected topology\n"
	"  benchtop list               workloads, parameters and profiles\n"
	"  benchtop clean              remove stats segments of dead benchtops\n"
	"  benchtop bench              micro-benchmarks of benchtop itself (make bench)\n"
	"\n"
	"  benchtop COMMAND --help     options of a command\n"
	"  benchtop --version\n";

static const char usage_run[] =
	"usage: benchtop run [OPTIONS]\n"
	"\n"
	"Run a plan headless. Without -p the built-in default profile is used; with\n"
	"-w and no -p, the workloads start from their own (the tutorial's) defaults.\n"
	"\n"
	"  -p, --profile NAME|FILE   profile (benchtop list shows them)\n"
	"  -w, --workloads LIST      fib,heavy,...\n"
	"  -m, --modes LIST          single,process,pool\n"
	"  -n, --workers SPEC        1,2,4 | cores | pus | sweep | sweep:N | sweep:Nx\n"
	"      --cores SPEC          restrict runs to the first k cores: 1,2 | sweep | all\n"
	"  -r, --runs N              measured runs per configuration (default 5)\n"
	"      --warmup N            warm-up runs per configuration (default 1)\n"
	"      --chunksize N|auto    pool chunk size (auto: ceil(tasks / (4 workers)))\n"
	"      --bind none|core|pu   worker binding (core: spread over cores; pu: compact)\n"
	"  -P, --param W.K=V         workload parameter, e.g. -P fib.n=30,32 (repeatable);\n"
	"                            fault injection: -P fault.crash_task=3\n"
	"      --timeout SECONDS     fail a configuration that runs longer\n"
	"      --fail-fast           stop at the first failed configuration\n"
	"      --json FILE           write the JSON results to FILE ('-' = stdout)\n"
	"      --dry-run             print the configurations and exit\n"
	"  -q, --quiet               no progress on stderr\n"
	"      --no-shm              do not create a named stats region (no watch)\n"
	"      --no-publish          workers do not publish live stats\n"
	"\n"
	"Exit status: 0 ok, 1 a run failed or did not verify, 2 bad usage or input,\n"
	"130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP.\n";

static const char usage_topo[] =
	"usage: benchtop topo [--json] [--synthetic DESC]\n"
	"\n"
	"Print the machine's topology as hwloc sees it (or a synthetic one, e.g.\n"
	"--synthetic \"pack:2 core:4 pu:2\").\n";

static const char usage_list[] =
	"usage: benchtop list\n"
	"\n"
	"List workloads with their parameters and defaults, modes, and profiles.\n";

static const char usage_watch[] =
	"usage: benchtop watch [--refresh MS] [--no-color] [PID]\n"
	"\n"
	"Attach a read-only dashboard to a running 'benchtop run' (the one with\n"
	"process id PID, else the newest) through its shared-memory stats region:\n"
	"its configuration, phase and run, and one live row per worker process.\n"
	"Exits when the run ends. Exit status 2 when there is nothing to watch.\n";

static const char usage_dashboard[] =
	"usage: benchtop [-p PROFILE] [--refresh MS] [--no-color]\n"
	"\n"
	"The dashboard (stdout must be a terminal):\n"
	"  -p, --profile NAME|FILE   preselect a profile (benchtop list shows them)\n"
	"      --refresh MS          frame period, 10..10000 ms (default 100: 10 Hz)\n"
	"      --no-color            monochrome (so does a non-empty NO_COLOR)\n"
	"Keys: Enter run, s stop, Tab view, ? help, q quit.\n";

static const char usage_clean[] =
	"usage: benchtop clean\n"
	"\n"
	"Remove shared-memory stats segments whose benchtop is no longer running.\n";

/* Print msg, a hint, and return the usage exit code. */
static int usage_error(const char *cmd, const char *msg)
{
	fprintf(stderr, "benchtop: %s\n", msg);
	fprintf(stderr, "try 'benchtop %s%s--help'\n", cmd ? cmd : "", cmd ? " " : "");
	return EXIT_USAGE;
}

/* Load the topology or die with exit code 2. */
static struct topo *load_topo(const char *synthetic)
{
	char err[256];
	struct topo *t;

	if (synthetic == NULL)
		synthetic = getenv("BENCHTOP_TOPOLOGY");
	if (synthetic != NULL && *synthetic == '\0')
		synthetic = NULL;
	t = topo_load(synthetic, err, sizeof err);
	if (t == NULL)
		fatalx(EXIT_USAGE, "%s", err);
	return t;
}

/* benchtop topo */
static int cmd_topo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "synthetic", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *synthetic = NULL;
	bool json = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 's': synthetic = optarg; break;
		case 'h': fputs(usage_topo, stdout); return EXIT_OK;
		default: return cli_bad_option("topo", argv, c);
		}
	}
	if (optind < argc)
		return usage_error("topo", "topo: unexpected argument");
	struct topo *t = load_topo(synthetic);

	if (json) {
		char *s = results_json_topo(t);

		puts(s);
		free(s);
	} else {
		topo_print(t, stdout);
	}
	topo_free(t);
	return EXIT_OK;
}

/* Print text word-wrapped to `width` columns, every line indented by
 * `indent` spaces. */
static void print_wrapped(const char *text, int indent, int width)
{
	const char *p = text;

	while (*p != '\0') {
		int room = width - indent, len = 0, brk = -1;

		while (*p == ' ')
			p++;
		while (p[len] != '\0' && len < room) {
			if (p[len] == ' ')
				brk = len;
			len++;
		}
		if (p[len] != '\0' && brk > 0)
			len = brk;   /* break at the last space that fits */
		printf("%*s%.*s\n", indent, "", len, p);
		p += len;
	}
}

/* benchtop list */
static int cmd_list(int argc, char **argv)
{
	size_t n;
	const struct workload *const *all = workload_all(&n);
	struct profile_info *profiles;
	size_t np;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage_list, stdout);
		return EXIT_OK;
	}
	if (argc > 1)
		return usage_error("list", "list: unexpected argument");
	printf("Workloads (-w NAME, parameters with -P NAME.PARAM=VALUE):\n");
	for (size_t i = 0; i < n; i++) {
		const struct workload *wl = all[i];
		void *cfg = xcalloc(1, wl->cfg_size);

		params_defaults(wl->params, cfg);
		printf("  %-10s %s\n", wl->name, wl->summary);
		for (const struct param_desc *d = wl->params; d->name != NULL; d++) {
			char def[256], range[96] = "";

			params_format(d, cfg, def, sizeof def);
			if (d->type == PT_ENUM) {
				size_t used = 0;

				for (unsigned k = 0; d->choices[k] != NULL && used < sizeof range; k++)
					used += (size_t)snprintf(range + used, sizeof range - used, "%s%s",
								 k ? "|" : "", d->choices[k]);
			} else {
				bufprintf(range, sizeof range, "%llu..%llu", (unsigned long long)d->min,
					  (unsigned long long)d->max);
			}
			printf("      %s.%-12s = %-20s %s (%s)\n", wl->name, d->name, def, d->help, range);
		}
		free(cfg);
	}
	printf("      fault.crash_task / fault.hang_task / fault.exit_task = none\n"
	       "                 fault injection: the worker running that task (or process\n"
	       "                 index) dies of SIGSEGV / never finishes / exits with 3\n");
	printf("\nModes (-m): single, process, pool\n");
	printf("\nProfiles (-p NAME):\n");
	np = profile_list(&profiles);
	for (size_t i = 0; i < np; i++) {
		printf("  %-10s %s\n", profiles[i].name,
		       profiles[i].path[0] ? profiles[i].path : "(built in)");
		print_wrapped(profiles[i].description, 13, 78);
	}
	free(profiles);
	return EXIT_OK;
}

/* benchtop clean */
static int cmd_clean(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage_clean, stdout);
		return EXIT_OK;
	}
	if (argc > 1)
		return usage_error("clean", "clean: unexpected argument");
	printf("removed %u stale stats segment(s)\n", shm_sweep_stale());
	return EXIT_OK;
}

/* Parse --refresh MS into *out; 0, or a usage error. */
static int parse_refresh(const char *cmd, const char *v, int *out)
{
	uint64_t ms;

	if (parse_u64(v, &ms) < 0 || ms < 10 || ms > 10000)
		return usage_error(cmd, "--refresh: expected milliseconds in 10..10000");
	*out = (int)ms;
	return 0;
}

/* Whether argv holds only dashboard options (-p, --refresh, --no-color). */
static bool dashboard_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--no-color") == 0 || strncmp(a, "--profile=", 10) == 0 ||
		    strncmp(a, "--refresh=", 10) == 0 || (strncmp(a, "-p", 2) == 0 && a[2] != '\0'))
			continue;
		if (strcmp(a, "-p") == 0 || strcmp(a, "--profile") == 0 ||
		    strcmp(a, "--refresh") == 0) {
			i++;
			continue;
		}
		return false;
	}
	return true;
}

/* benchtop [-p PROFILE] [--refresh MS] [--no-color]: the dashboard */
static int cmd_dashboard(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "refresh", required_argument, NULL, 'r' },
		{ "no-color", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct tui_opts o = { .refresh_ms = TUI_REFRESH_MS };
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': o.profile = optarg; break;
		case 'r':
			if (parse_refresh(NULL, optarg, &o.refresh_ms) != 0)
				return EXIT_USAGE;
			break;
		case 'c': o.no_color = true; break;
		case 'h': fputs(usage_dashboard, stdout); return EXIT_OK;
		default: return cli_bad_option(NULL, argv, c);
		}
	}
	if (optind < argc)
		return usage_error(NULL, "unexpected argument");
	struct topo *t = load_topo(NULL);
	int rc = tui_main(&o, t);

	topo_free(t);
	return rc;
}

/* benchtop watch [PID] */
static int cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "refresh", required_argument, NULL, 'r' },
		{ "no-color", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct tui_opts o = { .refresh_ms = TUI_REFRESH_MS };
	uint64_t pid = 0;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (parse_refresh("watch", optarg, &o.refresh_ms) != 0)
				return EXIT_USAGE;
			break;
		case 'c': o.no_color = true; break;
		case 'h': fputs(usage_watch, stdout); return EXIT_OK;
		default: return cli_bad_option("watch", argv, c);
		}
	}
	if (optind + 1 < argc)
		return usage_error("watch", "watch: expected at most one PID");
	if (optind < argc && (parse_u64(argv[optind], &pid) < 0 || pid == 0 || pid > INT32_MAX))
		return usage_error("watch", "watch: PID must be a process id");
	struct topo *t = load_topo(NULL);
	int rc = tui_watch((pid_t)pid, &o, t);

	topo_free(t);
	return rc;
}

/* benchtop run */
static int cmd_run(int argc, char **argv)
{
	struct cli_run run;
	struct plan plan;
	char err[512];
	int rc;

	rc = cli_parse_run(argc, argv, &run, err, sizeof err);
	if (rc == CLI_HELP) {
		fputs(usage_run, stdout);
		return EXIT_OK;
	}
	if (rc < 0)
		return usage_error("run", err);
	struct topo *t = load_topo(run.synthetic);

	if (cli_build_plan(&run, t, &plan, err, sizeof err) < 0) {
		fprintf(stderr, "benchtop: %s\n", err);
		cli_run_free(&run);
		topo_free(t);
		return EXIT_USAGE;
	}
	if (run.dry_run) {
		cli_print_plan(stdout, &plan);
		rc = EXIT_OK;
	} else {
		rc = headless_run(&plan, t, &run.headless);
	}
	plan_free(&plan);
	cli_run_free(&run);
	topo_free(t);
	return rc;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (cmd == NULL || cmd[0] == '-') {
		if (cmd != NULL && strcmp(cmd, "--version") == 0) {
			printf("benchtop %s\n", BENCHTOP_VERSION);
			return EXIT_OK;
		}
		if (cmd != NULL && (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)) {
			fputs(usage_main, stdout);
			fputs("\n", stdout);
			fputs(usage_run, stdout);
			return EXIT_OK;
		}
		/* `benchtop [options]`: the dashboard on a terminal, else headless */
		if (isatty(STDOUT_FILENO) && dashboard_args(argc, argv))
			return cmd_dashboard(argc, argv);
		return cmd_run(argc, argv);
	}
	argc--;
	argv++;
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc, argv);
	if (strcmp(cmd, "topo") == 0)
		return cmd_topo(argc, argv);
	if (strcmp(cmd, "list") == 0)
		return cmd_list(argc, argv);
	if (strcmp(cmd, "clean") == 0)
		return cmd_clean(argc, argv);
	if (strcmp(cmd, "watch") == 0)
		return cmd_watch(argc, argv);
	if (strcmp(cmd, "bench") == 0)
		return bench_main(argc, argv);
	if (strcmp(cmd, "help") == 0) {
		fputs(usage_main, stdout);
		return EXIT_OK;
	}
	static const char *const cmds[] = { "run", "topo", "list", "clean", "bench", "help",
					     "watch" };
	const char *near = str_closest(cmd, cmds, ARRAY_LEN(cmds));
	char msg[160];

	bufprintf(msg, sizeof msg, "unknown command '%s'%s%s%s", cmd, near ? " (did you mean '" : "",
		  near ? near : "", near ? "'?)" : "");
	return usage_error(NULL, msg);
}
