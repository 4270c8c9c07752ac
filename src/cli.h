/*
 * cli.h - the `benchtop run` command line: options into a plan.
 *
 * Owns: option parsing (kept apart from main() so tests and the fuzz
 * harness can drive it) and the order in which a profile and the flags
 * combine: profile, then -w, -m, -n, --cores, -r, --warmup, --chunksize,
 * --bind, --timeout, --fail-fast, then every -P in the order given.
 */
#ifndef BENCHTOP_CLI_H
#define BENCHTOP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "headless.h"
#include "plan.h"
#include "topo.h"

#define CLI_HELP 1

/* Parsed `run` options; strings point into argv. */
struct cli_run {
	const char *profile, *workloads, *modes, *workers, *cores, *runs, *warmup;
	const char *chunksize, *bind, *timeout, *synthetic;
	const char **params;    /* owned array of -P values */
	size_t nparams;
	bool fail_fast, dry_run, no_publish;
	struct headless_opts headless;
};

/* Parse argv (argv[0] is the command name). Returns 0, CLI_HELP for --help,
 * or -1 with a message naming the flag in err. */
int cli_parse_run(int argc, char **argv, struct cli_run *r, char *err, size_t errlen);

/* Build the plan the options ask for. Returns 0, or -1 with a message;
 * on success the caller owns *plan (plan_free). */
int cli_build_plan(const struct cli_run *r, const struct topo *t, struct plan *plan, char *err,
		   size_t errlen);

/* Release what cli_parse_run() allocated. */
void cli_run_free(struct cli_run *r);

/* Print the configurations of a plan, one per line (--dry-run). */
void cli_print_plan(FILE *out, const struct plan *plan);

/* Usage-error return for an unknown option or missing argument reported by
 * getopt_long (c is '?' or ':'); prints a message naming the flag. */
int cli_bad_option(const char *cmd, char **argv, int c);

#endif
