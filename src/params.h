/*
 * params.h - typed workload parameters described by tables.
 *
 * Owns: parsing "name=value" settings into a workload's configuration
 * struct through a table of descriptors (each names a field by offset),
 * defaults, range checks, "did you mean" suggestions, and formatting values
 * back to text for `benchtop list`, the dashboard and the JSON plan.
 */
#ifndef BENCHTOP_PARAMS_H
#define BENCHTOP_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PARAM_LIST_MAX 256
#define PARAM_NONE UINT64_MAX /* value of an optional number that is unset */

enum param_type {
	PT_U64,      /* one unsigned number, k/M/G suffixes allowed */
	PT_U64_OPT,  /* a number or "none" (stored as PARAM_NONE) */
	PT_LIST,     /* comma-separated numbers, stored as struct u64_list */
	PT_RANGE,    /* "N" meaning 0..N-1, or a list "a,b,c"; stored as u64_list */
	PT_ENUM      /* one of `choices`, stored as unsigned index */
};

/* A list of numbers (fib's n list, heavy's data). */
struct u64_list {
	unsigned n;
	uint64_t v[PARAM_LIST_MAX];
};

/* One parameter: where it lives in the configuration and what it accepts. */
struct param_desc {
	const char *name;             /* "n", "iters" ... */
	enum param_type type;
	size_t offset;                /* offsetof(struct xxx_cfg, field) */
	const char *def;              /* default, as text */
	uint64_t min, max;            /* range of every number */
	const char *const *choices;   /* PT_ENUM: NULL-terminated names */
	const char *help;             /* one line for `benchtop list` */
};

/* Set every parameter of table tab in cfg to its default. */
void params_defaults(const struct param_desc *tab, void *cfg);

/* Find a parameter by name; NULL when there is none. */
const struct param_desc *params_find(const struct param_desc *tab, const char *name);

/* Parse value into parameter `name` of cfg. On error returns -1 and writes a
 * message into err that names `where` (e.g. "-P fib.n" or "profile.json:
 * workloads.fib.n") and, for an unknown name, suggests the closest one. */
int params_set(const struct param_desc *tab, void *cfg, const char *where,
	       const char *name, const char *value, char *err, size_t errlen);

/* Format the value of parameter d in cfg as text (the form params_set reads). */
void params_format(const struct param_desc *d, const void *cfg, char *buf, size_t len);

/* Whether two configurations have equal values for every parameter in tab. */
bool params_equal(const struct param_desc *tab, const void *a, const void *b);

#endif
