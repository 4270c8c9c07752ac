/*
 * params.c - table-driven parsing and formatting of workload parameters.
 */
#include "params.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Address of parameter d's field in cfg. */
static void *field(const struct param_desc *d, void *cfg)
{
	return (char *)cfg + d->offset;
}

static const void *cfield(const struct param_desc *d, const void *cfg)
{
	return (const char *)cfg + d->offset;
}

/* Parse one number of d within its range; message names where. */
static int parse_num(const struct param_desc *d, const char *where, const char *s,
		     uint64_t *out, char *err, size_t errlen)
{
	uint64_t v;

	if (parse_u64(s, &v) < 0) {
		bufprintf(err, errlen, "%s: '%s' is not a number (want %" PRIu64 "..%" PRIu64 ")",
			  where, s, d->min, d->max);
		return -1;
	}
	if (v < d->min || v > d->max) {
		bufprintf(err, errlen, "%s: %" PRIu64 " is out of range %" PRIu64 "..%" PRIu64,
			  where, v, d->min, d->max);
		return -1;
	}
	*out = v;
	return 0;
}

/* Parse a comma-separated list of numbers into l. */
static int parse_list(const struct param_desc *d, const char *where, const char *s,
		      struct u64_list *l, char *err, size_t errlen)
{
	char *copy = xstrdup(s), *save = NULL, *tok;
	struct u64_list tmp = { .n = 0 };
	int rc = 0;

	if (*s == '\0' || s[strlen(s) - 1] == ',' || *s == ',' || strstr(s, ",,") != NULL) {
		bufprintf(err, errlen, "%s: '%s' is not a list of numbers (e.g. 1,2,3)", where, s);
		free(copy);
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (tmp.n == PARAM_LIST_MAX) {
			bufprintf(err, errlen, "%s: more than %d values", where, PARAM_LIST_MAX);
			rc = -1;
			break;
		}
		if (parse_num(d, where, tok, &tmp.v[tmp.n], err, errlen) < 0) {
			rc = -1;
			break;
		}
		tmp.n++;
	}
	free(copy);
	if (rc == 0)
		*l = tmp;
	return rc;
}

/* Parse a value of any type into parameter d of cfg. */
static int parse_value(const struct param_desc *d, void *cfg, const char *where,
		       const char *value, char *err, size_t errlen)
{
	switch (d->type) {
	case PT_U64_OPT:
		if (strcmp(value, "none") == 0) {
			*(uint64_t *)field(d, cfg) = PARAM_NONE;
			return 0;
		}
		/* fall through */
	case PT_U64:
		return parse_num(d, where, value, (uint64_t *)field(d, cfg), err, errlen);
	case PT_LIST:
		return parse_list(d, where, value, (struct u64_list *)field(d, cfg), err, errlen);
	case PT_RANGE: {
		struct u64_list *l = field(d, cfg);
		uint64_t n;

		if (strchr(value, ',') != NULL)
			return parse_list(d, where, value, l, err, errlen);
		if (parse_u64(value, &n) < 0 || n == 0 || n > PARAM_LIST_MAX) {
			bufprintf(err, errlen, "%s: '%s' is neither a count 1..%d (meaning 0..N-1) "
				  "nor a list a,b,c", where, value, PARAM_LIST_MAX);
			return -1;
		}
		if (n - 1 > d->max) {
			bufprintf(err, errlen, "%s: values 0..%" PRIu64 " exceed the maximum %" PRIu64,
				  where, n - 1, d->max);
			return -1;
		}
		l->n = (unsigned)n;
		for (unsigned i = 0; i < l->n; i++)
			l->v[i] = i;
		return 0;
	}
	case PT_ENUM:
		for (unsigned i = 0; d->choices[i] != NULL; i++) {
			if (strcmp(d->choices[i], value) == 0) {
				*(unsigned *)field(d, cfg) = i;
				return 0;
			}
		}
		{
			char opts[256] = "";
			size_t n = 0;

			for (unsigned i = 0; d->choices[i] != NULL; i++) {
				strncat(opts, i ? ", " : "", sizeof opts - strlen(opts) - 1);
				strncat(opts, d->choices[i], sizeof opts - strlen(opts) - 1);
				n++;
			}
			const char *near = str_closest(value, d->choices, n);

			if (near != NULL)
				bufprintf(err, errlen, "%s: unknown value '%s' (did you mean '%s'? "
					  "choices: %s)", where, value, near, opts);
			else
				bufprintf(err, errlen, "%s: unknown value '%s' (choices: %s)",
					  where, value, opts);
		}
		return -1;
	}
	bufprintf(err, errlen, "%s: bad parameter type", where);
	return -1;
}

/* Set every parameter to its default value. */
void params_defaults(const struct param_desc *tab, void *cfg)
{
	char err[256];

	for (const struct param_desc *d = tab; d->name != NULL; d++) {
		if (parse_value(d, cfg, d->name, d->def, err, sizeof err) < 0)
			fatalx(EXIT_RUNFAIL, "internal: bad default: %s", err);
	}
}

/* Look a parameter up by name. */
const struct param_desc *params_find(const struct param_desc *tab, const char *name)
{
	for (const struct param_desc *d = tab; d->name != NULL; d++) {
		if (strcmp(d->name, name) == 0)
			return d;
	}
	return NULL;
}

/* Parse name=value; unknown names get a suggestion. */
int params_set(const struct param_desc *tab, void *cfg, const char *where,
	       const char *name, const char *value, char *err, size_t errlen)
{
	const struct param_desc *d = params_find(tab, name);

	if (d == NULL) {
		const char *names[64];
		size_t n = 0;
		char all[512] = "";

		for (const struct param_desc *p = tab; p->name != NULL && n < ARRAY_LEN(names); p++) {
			names[n++] = p->name;
			strncat(all, n > 1 ? ", " : "", sizeof all - strlen(all) - 1);
			strncat(all, p->name, sizeof all - strlen(all) - 1);
		}
		const char *near = str_closest(name, names, n);

		if (near != NULL)
			bufprintf(err, errlen, "%s: unknown parameter '%s' (did you mean '%s'?)",
				  where, name, near);
		else
			bufprintf(err, errlen, "%s: unknown parameter '%s' (known: %s)", where,
				  name, all);
		return -1;
	}
	return parse_value(d, cfg, where, value, err, errlen);
}

/* Render parameter d of cfg as text. */
void params_format(const struct param_desc *d, const void *cfg, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	switch (d->type) {
	case PT_U64:
	case PT_U64_OPT: {
		uint64_t v = *(const uint64_t *)cfield(d, cfg);

		if (d->type == PT_U64_OPT && v == PARAM_NONE)
			bufprintf(buf, len, "none");
		else
			bufprintf(buf, len, "%" PRIu64, v);
		break;
	}
	case PT_LIST:
	case PT_RANGE: {
		const struct u64_list *l = cfield(d, cfg);

		for (unsigned i = 0; i < l->n && used + 1 < len; i++) {
			int w = snprintf(buf + used, len - used, "%s%" PRIu64, i ? "," : "", l->v[i]);

			if (w < 0)
				break;
			used += (size_t)w;
		}
		break;
	}
	case PT_ENUM:
		bufprintf(buf, len, "%s", d->choices[*(const unsigned *)cfield(d, cfg)]);
		break;
	}
}

/* Compare two configurations parameter by parameter. */
bool params_equal(const struct param_desc *tab, const void *a, const void *b)
{
	for (const struct param_desc *d = tab; d->name != NULL; d++) {
		char x[4096], y[4096];

		params_format(d, a, x, sizeof x);
		params_format(d, b, y, sizeof y);
		if (strcmp(x, y) != 0)
			return false;
	}
	return true;
}
