/*
 * workload.c - the registry of workloads and mode names.
 */
#include "workload.h"

#include <string.h>

#include "util.h"

#define WL_ENTRY(n) &wl_##n,
static const struct workload *const registry[] = { WORKLOADS(WL_ENTRY) };
#undef WL_ENTRY

static const char *const mode_names[MODE_COUNT] = { "single", "process", "pool" };

/* Every registered workload. */
const struct workload *const *workload_all(size_t *n)
{
	*n = ARRAY_LEN(registry);
	return registry;
}

/* Look a workload up by name. */
const struct workload *workload_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(registry); i++) {
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	}
	return NULL;
}

/* Name of mode m. */
const char *mode_name(enum bt_mode m)
{
	return (unsigned)m < MODE_COUNT ? mode_names[m] : "?";
}

/* Parse a mode name. */
int mode_parse(const char *s, enum bt_mode *out)
{
	for (unsigned i = 0; i < MODE_COUNT; i++) {
		if (strcmp(s, mode_names[i]) == 0) {
			*out = (enum bt_mode)i;
			return 0;
		}
	}
	return -1;
}
