/*
 * fuzz_profile.c - libFuzzer harness of the profile parser: the input is
 * the text of a profile file. Any input must give 0 and a plan, or -1 and a
 * NUL-terminated message, without a crash, a leak or undefined behaviour.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "plan.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input: parse it as a profile, expand the plan, free everything. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char err[512];
	struct plan p;
	int rc;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(err, 'x', sizeof err);
	plan_init(&p);
	rc = profile_parse(&p, text, "fuzz.json", fuzz_topo(), err, sizeof err);
	if (rc < 0) {
		if (memchr(err, '\0', sizeof err) == NULL || err[0] == '\0')
			abort();   /* a failure must say why */
	} else {
		struct plan_config *v;
		size_t n = plan_expand(&p, &v);

		for (size_t i = 0; i < n; i++) {
			char label[96];

			plan_config_label(&p, &v[i], label, sizeof label);
			if (v[i].workers == 0 || v[i].workers > PLAN_MAX_WORKERS)
				abort();   /* validation let a bad worker count through */
		}
		if (p.runs < 1)
			abort();
		free(v);
	}
	plan_free(&p);
	free(text);
	return 0;
}
