/*
 * test_params.c - unit tests for params.c: every parameter type through a
 * table of the test's own, defaults, range errors that name where the
 * value came from, "did you mean" suggestions, formatting round trips and
 * equality.
 */
#include <criterion/criterion.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "workload.h"

struct tp_cfg {
	uint64_t iters;
	uint64_t limit;
	struct u64_list n;
	struct u64_list data;
	unsigned queue;
	struct u64_list small;
};

static const char *const tp_queues[] = { "pipe", "mq", "ring", NULL };

static const struct param_desc tp_params[] = {
	{ .name = "iters", .type = PT_U64, .offset = offsetof(struct tp_cfg, iters),
	  .def = "1000000", .min = 1, .max = 1000000000000ull, .help = "iterations" },
	{ .name = "limit", .type = PT_U64_OPT, .offset = offsetof(struct tp_cfg, limit),
	  .def = "none", .min = 0, .max = 1000, .help = "optional limit" },
	{ .name = "n", .type = PT_LIST, .offset = offsetof(struct tp_cfg, n),
	  .def = "20,22,24,26", .min = 0, .max = 70, .help = "list" },
	{ .name = "data", .type = PT_RANGE, .offset = offsetof(struct tp_cfg, data),
	  .def = "4", .min = 0, .max = 1000000, .help = "range" },
	{ .name = "queue", .type = PT_ENUM, .offset = offsetof(struct tp_cfg, queue),
	  .def = "pipe", .choices = tp_queues, .help = "enum" },
	{ .name = "small", .type = PT_RANGE, .offset = offsetof(struct tp_cfg, small),
	  .def = "2", .min = 0, .max = 9, .help = "range with a low maximum" },
	{ .name = NULL }
};

static struct tp_cfg cfg;
static char err[512];

/* Fresh defaults before every test. */
static void setup(void)
{
	memset(&cfg, 0x5a, sizeof cfg);
	params_defaults(tp_params, &cfg);
	err[0] = '\0';
}

TestSuite(params, .init = setup);

/* Set name=value, which must succeed. */
static void set_ok(const char *name, const char *value)
{
	int rc = params_set(tp_params, &cfg, "-P t", name, value, err, sizeof err);

	cr_assert_eq(rc, 0, "%s=%s: %s", name, value, err);
}

/* Set name=value, which must fail with a message holding every fragment
 * (NULL-terminated) and starting with the `where`. */
static void set_bad(const char *name, const char *value, const char *frag, ...)
{
	char where[64];
	int rc;

	snprintf(where, sizeof where, "-P t.%s", name);
	err[0] = '\0';
	rc = params_set(tp_params, &cfg, where, name, value, err, sizeof err);
	cr_assert_eq(rc, -1, "%s=%s was accepted", name, value);
	cr_assert(strncmp(err, where, strlen(where)) == 0, "message does not start with '%s': %s",
		  where, err);
	va_list ap;

	va_start(ap, frag);
	for (const char *f = frag; f != NULL; f = va_arg(ap, const char *))
		cr_assert(strstr(err, f) != NULL, "%s=%s: '%s' lacks '%s'", name, value, err, f);
	va_end(ap);
}

/* The list must hold exactly the given values. */
static void check_list(const struct u64_list *l, unsigned n, const uint64_t *v)
{
	cr_assert_eq(l->n, n, "list has %u values, want %u", l->n, n);
	for (unsigned i = 0; i < n; i++)
		cr_assert_eq(l->v[i], v[i], "value %u is %llu, want %llu", i,
			     (unsigned long long)l->v[i], (unsigned long long)v[i]);
}

/* Formatted value of parameter name. */
static const char *fmt(const void *c, const char *name, char *buf, size_t len)
{
	const struct param_desc *d = params_find(tp_params, name);

	cr_assert_not_null(d, "no parameter %s", name);
	params_format(d, c, buf, len);
	return buf;
}

Test(params, defaults)
{
	static const uint64_t n[] = { 20, 22, 24, 26 }, data[] = { 0, 1, 2, 3 }, small[] = { 0, 1 };

	cr_assert_eq(cfg.iters, 1000000);
	cr_assert_eq(cfg.limit, PARAM_NONE);
	check_list(&cfg.n, 4, n);
	check_list(&cfg.data, 4, data);
	cr_assert_eq(cfg.queue, 0);
	check_list(&cfg.small, 2, small);
}

Test(params, find)
{
	cr_assert_eq(params_find(tp_params, "iters"), &tp_params[0]);
	cr_assert_eq(params_find(tp_params, "queue"), &tp_params[4]);
	cr_assert_null(params_find(tp_params, "iter"));
	cr_assert_null(params_find(tp_params, ""));
}

Test(params, u64_plain_and_suffixes)
{
	set_ok("iters", "1");
	cr_assert_eq(cfg.iters, 1);
	set_ok("iters", "5k");
	cr_assert_eq(cfg.iters, 5000);
	set_ok("iters", "7K");
	cr_assert_eq(cfg.iters, 7000);
	set_ok("iters", "2M");
	cr_assert_eq(cfg.iters, 2000000);
	set_ok("iters", "3G");
	cr_assert_eq(cfg.iters, 3000000000ull);
	set_ok("iters", "1000G");
	cr_assert_eq(cfg.iters, 1000000000000ull);
}

Test(params, u64_errors)
{
	set_bad("iters", "abc", "'abc' is not a number", "1..1000000000000", NULL);
	set_bad("iters", "", "is not a number", NULL);
	set_bad("iters", "-1", "'-1'", NULL);
	set_bad("iters", "1.5", "'1.5'", NULL);
	set_bad("iters", "5m", "'5m'", NULL);
	set_bad("iters", "5kk", "'5kk'", NULL);
	set_bad("iters", " 5", "' 5'", NULL);
	set_bad("iters", "99999999999999999999", "is not a number", NULL);
	set_bad("iters", "20000000000G", "is not a number", NULL);
	set_bad("iters", "0", "0 is out of range 1..1000000000000", NULL);
	set_bad("iters", "1001G", "1001000000000 is out of range", NULL);
	/* a failed set keeps the old value */
	cr_assert_eq(cfg.iters, 1000000);
}

Test(params, optional)
{
	set_ok("limit", "7");
	cr_assert_eq(cfg.limit, 7);
	set_ok("limit", "none");
	cr_assert_eq(cfg.limit, PARAM_NONE);
	set_ok("limit", "0");
	cr_assert_eq(cfg.limit, 0);
	set_ok("limit", "1k");
	cr_assert_eq(cfg.limit, 1000);
	set_bad("limit", "1001", "1001 is out of range 0..1000", NULL);
	set_bad("limit", "None", "'None' is not a number", NULL);
	cr_assert_eq(cfg.limit, 1000);
}

Test(params, list)
{
	static const uint64_t a[] = { 30 }, b[] = { 1, 2, 70, 0, 2 };

	set_ok("n", "30");
	check_list(&cfg.n, 1, a);
	set_ok("n", "1,2,70,0,2");
	check_list(&cfg.n, 5, b);
	set_bad("n", "", "is not a list of numbers", NULL);
	set_bad("n", ",1", "',1' is not a list", NULL);
	set_bad("n", "1,", "'1,' is not a list", NULL);
	set_bad("n", "1,,2", "'1,,2' is not a list", NULL);
	set_bad("n", "1,x,3", "'x' is not a number", NULL);
	set_bad("n", "1,71", "71 is out of range 0..70", NULL);
	/* every failure above left the list as it was */
	check_list(&cfg.n, 5, b);
}

Test(params, list_limit)
{
	char big[PARAM_LIST_MAX * 3 + 8];
	size_t used = 0;

	for (unsigned i = 0; i < PARAM_LIST_MAX; i++)
		used += (size_t)snprintf(big + used, sizeof big - used, "%s%u", i ? "," : "", i % 10);
	set_ok("n", big);
	cr_assert_eq(cfg.n.n, PARAM_LIST_MAX);
	cr_assert_eq(cfg.n.v[PARAM_LIST_MAX - 1], (PARAM_LIST_MAX - 1) % 10);
	snprintf(big + used, sizeof big - used, ",5");
	set_bad("n", big, "more than 256 values", NULL);
	cr_assert_eq(cfg.n.n, PARAM_LIST_MAX);
}

Test(params, range)
{
	static const uint64_t three[] = { 0, 1, 2 }, list[] = { 5, 7, 1000000 }, one[] = { 0 };

	set_ok("data", "3");
	check_list(&cfg.data, 3, three);
	set_ok("data", "1");
	check_list(&cfg.data, 1, one);
	set_ok("data", "5,7,1000000");
	check_list(&cfg.data, 3, list);
	set_ok("data", "256");
	cr_assert_eq(cfg.data.n, 256);
	cr_assert_eq(cfg.data.v[255], 255);
	set_bad("data", "0", "'0' is neither a count", NULL);
	set_bad("data", "257", "'257' is neither a count 1..256", NULL);
	set_bad("data", "x", "'x'", NULL);
	set_bad("data", "1,1000001", "1000001 is out of range 0..1000000", NULL);
	cr_assert_eq(cfg.data.n, 256);
	/* a count whose values pass the maximum */
	set_ok("small", "10");
	cr_assert_eq(cfg.small.n, 10);
	set_bad("small", "11", "values 0..10 exceed the maximum 9", NULL);
	set_bad("small", "3,10", "10 is out of range 0..9", NULL);
	cr_assert_eq(cfg.small.n, 10);
}

Test(params, enumeration)
{
	set_ok("queue", "ring");
	cr_assert_eq(cfg.queue, 2);
	set_ok("queue", "mq");
	cr_assert_eq(cfg.queue, 1);
	set_bad("queue", "rng", "unknown value 'rng'", "did you mean 'ring'?", "pipe, mq, ring", NULL);
	set_bad("queue", "", "unknown value ''", NULL);
	set_bad("queue", "zzzzzzzz", "unknown value 'zzzzzzzz'", "choices: pipe, mq, ring", NULL);
	cr_assert_eq(cfg.queue, 1);
	cr_assert_null(strstr(err, "did you mean"), "no suggestion for nothing: %s", err);
}

Test(params, unknown_name_suggests)
{
	set_bad("itres", "5", "unknown parameter 'itres'", "did you mean 'iters'?", NULL);
	set_bad("queu", "ring", "did you mean 'queue'?", NULL);
	set_bad("xyzzyplugh", "1", "unknown parameter 'xyzzyplugh'",
		"known: iters, limit, n, data, queue, small", NULL);
	cr_assert_null(strstr(err, "did you mean"), "%s", err);
}

Test(params, where_is_in_every_message)
{
	const char *where = "seed.json: workloads.t.n";
	int rc = params_set(tp_params, &cfg, where, "n", "99", err, sizeof err);

	cr_assert_eq(rc, -1);
	cr_assert(strncmp(err, where, strlen(where)) == 0, "%s", err);
	cr_assert(strstr(err, "99") != NULL, "%s", err);
}

Test(params, short_error_buffer)
{
	char small[16];
	int rc = params_set(tp_params, &cfg, "-P t.iters", "iters", "abc", small, sizeof small);

	cr_assert_eq(rc, -1);
	cr_assert_eq(strlen(small), sizeof small - 1, "message not truncated to the buffer");
}

Test(params, format_values)
{
	char buf[4096];

	cr_assert_str_eq(fmt(&cfg, "iters", buf, sizeof buf), "1000000");
	cr_assert_str_eq(fmt(&cfg, "limit", buf, sizeof buf), "none");
	cr_assert_str_eq(fmt(&cfg, "n", buf, sizeof buf), "20,22,24,26");
	cr_assert_str_eq(fmt(&cfg, "data", buf, sizeof buf), "0,1,2,3");
	cr_assert_str_eq(fmt(&cfg, "queue", buf, sizeof buf), "pipe");
	set_ok("limit", "12");
	set_ok("queue", "ring");
	set_ok("iters", "2G");
	cr_assert_str_eq(fmt(&cfg, "limit", buf, sizeof buf), "12");
	cr_assert_str_eq(fmt(&cfg, "queue", buf, sizeof buf), "ring");
	cr_assert_str_eq(fmt(&cfg, "iters", buf, sizeof buf), "2000000000");
	/* a short buffer is still terminated */
	char tiny[6];

	memset(tiny, 'x', sizeof tiny);
	fmt(&cfg, "n", tiny, sizeof tiny);
	cr_assert(memchr(tiny, '\0', sizeof tiny) != NULL, "not terminated");
	cr_assert(strncmp(tiny, "20,22", strlen(tiny)) == 0, "'%s'", tiny);
}

/* Format every parameter of src and read it back into a fresh config. */
static void round_trip(const struct tp_cfg *src)
{
	struct tp_cfg back;

	memset(&back, 0, sizeof back);
	params_defaults(tp_params, &back);
	for (const struct param_desc *d = tp_params; d->name != NULL; d++) {
		char text[4096];

		params_format(d, src, text, sizeof text);
		cr_assert_eq(params_set(tp_params, &back, "rt", d->name, text, err, sizeof err), 0,
			     "%s=%s does not read back: %s", d->name, text, err);
	}
	cr_assert(params_equal(tp_params, src, &back), "round trip changed a value");
	cr_assert_eq(back.iters, src->iters);
	cr_assert_eq(back.limit, src->limit);
	check_list(&back.n, src->n.n, src->n.v);
	check_list(&back.data, src->data.n, src->data.v);
	cr_assert_eq(back.queue, src->queue);
}

Test(params, format_round_trip)
{
	round_trip(&cfg);
	set_ok("iters", "123456789012");
	set_ok("limit", "0");
	set_ok("n", "70,0,3");
	set_ok("data", "9,8,1000000");
	set_ok("queue", "mq");
	set_ok("small", "10");
	round_trip(&cfg);
	set_ok("limit", "1000");
	set_ok("data", "256");
	round_trip(&cfg);
}

Test(params, equality)
{
	struct tp_cfg other;

	memset(&other, 0x33, sizeof other);   /* different padding and spare list slots */
	params_defaults(tp_params, &other);
	cr_assert(params_equal(tp_params, &cfg, &other));
	cr_assert(params_equal(tp_params, &other, &cfg));

	static const char *const changes[][2] = {
		{ "iters", "1000001" }, { "limit", "0" }, { "n", "20,22,24" },
		{ "n", "20,22,24,26,0" }, { "n", "26,24,22,20" }, { "data", "0,1,2,4" },
		{ "queue", "mq" }, { "small", "3" },
	};
	for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
		struct tp_cfg changed = cfg;

		cr_assert_eq(params_set(tp_params, &changed, "eq", changes[i][0], changes[i][1], err,
					sizeof err), 0, "%s", err);
		cr_assert_not(params_equal(tp_params, &cfg, &changed), "%s=%s compares equal",
			      changes[i][0], changes[i][1]);
	}
	/* a range count and the same values as a list are equal */
	struct tp_cfg a = cfg, b = cfg;

	cr_assert_eq(params_set(tp_params, &a, "eq", "data", "3", err, sizeof err), 0);
	cr_assert_eq(params_set(tp_params, &b, "eq", "data", "0,1,2", err, sizeof err), 0);
	cr_assert(params_equal(tp_params, &a, &b));
}

Test(params, registered_workloads_have_sane_tables)
{
	size_t n;
	const struct workload *const *all = workload_all(&n);

	cr_assert_geq(n, 2);
	for (size_t i = 0; i < n; i++) {
		const struct workload *wl = all[i];
		void *c = calloc(1, wl->cfg_size), *d = calloc(1, wl->cfg_size);

		cr_assert_not_null(c);
		cr_assert_not_null(d);
		params_defaults(wl->params, c);
		params_defaults(wl->params, d);
		cr_assert(params_equal(wl->params, c, d), "%s", wl->name);
		for (const struct param_desc *p = wl->params; p->name != NULL; p++) {
			char text[4096];

			cr_assert(p->offset + sizeof(uint32_t) <= wl->cfg_size, "%s.%s", wl->name, p->name);
			cr_assert(p->help != NULL && p->help[0] != '\0', "%s.%s has no help",
				  wl->name, p->name);
			cr_assert(p->min <= p->max || p->type == PT_ENUM, "%s.%s", wl->name, p->name);
			params_format(p, c, text, sizeof text);
			cr_assert_eq(params_set(wl->params, d, "t", p->name, text, err, sizeof err), 0,
				     "%s.%s=%s: %s", wl->name, p->name, text, err);
		}
		cr_assert(params_equal(wl->params, c, d), "%s", wl->name);
		free(c);
		free(d);
	}
}
