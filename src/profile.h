/*
 * profile.h - profiles: the built-in default, JSON files in profiles/, and
 * command-line overrides, all turned into a struct plan.
 *
 * Owns: the profile file format (README "Profiles"), the specifications
 * shared by files and flags (worker counts, core counts, modes, parameters)
 * and their validation. Every error message names where the bad value came
 * from: the flag, or file:line:column for JSON syntax, or the key path.
 */
#ifndef BENCHTOP_PROFILE_H
#define BENCHTOP_PROFILE_H

#include <stddef.h>

#include "plan.h"
#include "topo.h"

/* A profile that `benchtop list` shows. */
struct profile_info {
	char name[64];
	char path[512];          /* "" for the built-in one */
	char description[512];
};

/* Load profile `name` into p (which must be plan_init()ed): "default" is the
 * built-in one; a name with '/' or ending in ".json" is a file; any other
 * name is looked up as NAME.json in the profile directories. Returns 0, or
 * -1 with a message in err. */
int profile_load(struct plan *p, const char *name, const struct topo *t, char *err,
		 size_t errlen);

/* Parse profile text (JSON); `source` names it in messages. Returns 0 or -1. */
int profile_parse(struct plan *p, const char *text, const char *source, const struct topo *t,
		  char *err, size_t errlen);

/* The profiles that can be found, built-in first. *out is caller-freed. */
size_t profile_list(struct profile_info **out);

/* The directories searched for NAME.json, in order, as one ':'-joined string
 * (for messages); caller-freed. */
char *profile_search_path(void);

/* Overrides, each naming `where` (e.g. "-n") in its error message. Each
 * returns 0, or -1 with a message in err. */
int profile_set_workloads(struct plan *p, const char *list, const char *where, char *err,
			  size_t errlen);
int profile_set_modes(struct plan *p, const char *list, const char *where, char *err,
		      size_t errlen);
int profile_set_workers(struct plan *p, const char *spec, const struct topo *t,
			const char *where, char *err, size_t errlen);
int profile_set_cores(struct plan *p, const char *spec, const struct topo *t, const char *where,
		      char *err, size_t errlen);
/* "wl.name=value" (every entry of workload wl) or "fault.name=value". */
int profile_set_param(struct plan *p, const char *assignment, const char *where, char *err,
		      size_t errlen);
int profile_set_chunksize(struct plan *p, const char *spec, const char *where, char *err,
			  size_t errlen);
int profile_set_bind(struct plan *p, const char *spec, const char *where, char *err,
		     size_t errlen);
/* A whole number in [min, max] into *out. */
int profile_set_uint(unsigned *out, const char *spec, unsigned min, unsigned max,
		     const char *where, char *err, size_t errlen);
/* Seconds (> 0, decimals allowed) into *out. */
int profile_set_seconds(double *out, const char *spec, const char *where, char *err,
			size_t errlen);

/* Give duplicate workload entries distinct labels ("prodcons/ring"). */
void profile_label_workloads(struct plan *p);

#endif
