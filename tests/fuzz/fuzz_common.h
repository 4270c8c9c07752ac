/*
 * fuzz_common.h - what the libFuzzer harnesses share: the synthetic
 * topology every harness parses against (so results do not depend on the
 * machine), loaded once.
 */
#ifndef BENCHTOP_FUZZ_COMMON_H
#define BENCHTOP_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>

#include "topo.h"

#define FUZZ_TOPOLOGY "pack:1 core:4 pu:2"

/* The shared synthetic topology (never freed: the process ends with it). */
static inline const struct topo *fuzz_topo(void)
{
	static struct topo *t;
	char err[256];

	if (t == NULL) {
		t = topo_load(FUZZ_TOPOLOGY, err, sizeof err);
		if (t == NULL) {
			fprintf(stderr, "fuzz: topology: %s\n", err);
			abort();
		}
	}
	return t;
}

#endif
