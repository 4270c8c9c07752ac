/*
 * fuzz_cli.c - libFuzzer harness of the `benchtop run` command line: the
 * input is split into arguments at NUL bytes and newlines, parsed with
 * cli_parse_run() and, when that succeeds, turned into a plan with
 * cli_build_plan() against a synthetic topology.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fuzz_common.h"
#include "plan.h"

#define FUZZ_MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether -p NAME is one this harness loads: none, or a shipped profile. */
static int fuzz_profile_ok(const char *name)
{
	static const char *const ok[] = { "default", "quick", "scaling", "seed" };

	if (name == NULL)
		return 1;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		if (strcmp(name, ok[i]) == 0)
			return 1;
	}
	return 0;
}

/* One input: argv from the bytes, parse, build, free. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char *argv[FUZZ_MAX_ARGS + 2];
	int argc = 0;
	struct cli_run r;
	struct plan p;
	char err[512];
	int rc;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = (char *)"run";
	for (size_t i = 0, start = 0; i <= size && argc <= FUZZ_MAX_ARGS; i++) {
		if (i == size || buf[i] == '\0' || buf[i] == '\n') {
			buf[i] = '\0';
			if (i > start || i < size)
				argv[argc++] = buf + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	err[0] = '\0';
	rc = cli_parse_run(argc, argv, &r, err, sizeof err);
	if (rc < 0 && err[0] == '\0')
		abort();   /* a usage error must say why */
	/* profile files are the profile harness's: a path could name a FIFO
	 * or /dev/stdin and block, and an unknown name makes profile_load()
	 * read every profile for its "did you mean" (1 MiB buffers: slow
	 * under ASan); the shipped profiles are parsed here */
	if (rc == 0 && fuzz_profile_ok(r.profile)) {
		err[0] = '\0';
		if (cli_build_plan(&r, fuzz_topo(), &p, err, sizeof err) == 0) {
			struct plan_config *v;
			size_t n = plan_expand(&p, &v);

			for (size_t i = 0; i < n; i++) {
				if (v[i].workers == 0 || v[i].workers > PLAN_MAX_WORKERS)
					abort();
			}
			if (p.runs < 1)
				abort();
			free(v);
			plan_free(&p);
		} else if (err[0] == '\0') {
			abort();
		}
	}
	if (rc == 0)
		cli_run_free(&r);
	else if (r.params != NULL)
		abort();   /* cli_parse_run() must not leave -P values allocated */
	free(buf);
	return 0;
}
