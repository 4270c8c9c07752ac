/*
 * test_topo.c - unit tests for topo.c, on synthetic hwloc topologies only so
 * that they do not depend on the machine running them.
 */
#include <criterion/criterion.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo.h"

#define T16 "pack:2 core:4 pu:2"
#define TCACHE "pack:2 l3:1(size=32MiB) core:4 l2:1 l1d:1(size=48KiB) l1i:1 pu:2"

/* Load a synthetic topology or fail the test. */
static struct topo *load(const char *synthetic)
{
	char err[256] = "";
	struct topo *t = topo_load(synthetic, err, sizeof err);

	cr_assert_not_null(t, "topo_load(\"%s\"): %s", synthetic, err);
	return t;
}

/* A cpu_set_t holding exactly the listed CPUs (terminated by -1). */
static cpu_set_t mkset(int first, ...)
{
	cpu_set_t set;
	va_list ap;

	CPU_ZERO(&set);
	va_start(ap, first);
	for (int c = first; c >= 0; c = va_arg(ap, int))
		CPU_SET(c, &set);
	va_end(ap);
	return set;
}

/* The worker cpuset must equal the expected set. */
static void check_set(const struct topo *t, enum bind_policy policy,
		unsigned ncores, unsigned index, cpu_set_t want)
{
	cpu_set_t got;

	memset(&got, 0xff, sizeof got);
	topo_worker_cpuset(t, policy, ncores, index, &got);
	cr_assert_gt(CPU_COUNT(&got), 0);
	cr_assert(CPU_EQUAL(&got, &want),
			"policy %s ncores %u index %u: got %d CPUs, want %d",
			topo_bind_name(policy), ncores, index, CPU_COUNT(&got),
			CPU_COUNT(&want));
}

/* Number of lines that start with prefix after their indentation. */
static size_t count_lines(char **lines, size_t n, const char *prefix)
{
	size_t found = 0;

	for (size_t i = 0; i < n; i++) {
		const char *p = lines[i] + strspn(lines[i], " ");

		if (strncmp(p, prefix, strlen(prefix)) == 0)
			found++;
	}
	return found;
}

/* Free lines returned by topo_tree_lines. */
static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

Test(topo, summary_two_packages)
{
	struct topo *t = load(T16);
	struct topo_summary s;

	topo_get_summary(t, &s);
	cr_expect_eq(s.packages, 2);
	cr_expect_eq(s.numa_nodes, 1);
	cr_expect_eq(s.cores, 8);
	cr_expect_eq(s.pus, 16);
	cr_expect_eq(s.ncaches, 0);
	topo_free(t);
}

Test(topo, summary_small)
{
	struct topo *t = load("pack:1 core:2 pu:1");
	struct topo_summary s;

	topo_get_summary(t, &s);
	cr_expect_eq(s.packages, 1);
	cr_expect_eq(s.numa_nodes, 1);
	cr_expect_eq(s.cores, 2);
	cr_expect_eq(s.pus, 2);
	topo_free(t);
}

Test(topo, summary_numa)
{
	struct topo *t = load("pack:2 numa:1 core:2 pu:2");
	struct topo_summary s;

	topo_get_summary(t, &s);
	cr_expect_eq(s.packages, 2);
	cr_expect_eq(s.numa_nodes, 2);
	cr_expect_eq(s.cores, 4);
	cr_expect_eq(s.pus, 8);
	topo_free(t);
}

Test(topo, summary_no_cores_counts_pus)
{
	struct topo *t = load("pack:2 pu:3");
	struct topo_summary s;

	topo_get_summary(t, &s);
	cr_expect_eq(s.packages, 2);
	cr_expect_eq(s.cores, 6);
	cr_expect_eq(s.pus, 6);
	cr_expect_eq(topo_pus_in_cores(t, 4), 4);
	check_set(t, BIND_CORE, 0, 4, mkset(4, -1));
	check_set(t, BIND_CORE, 2, 3, mkset(1, -1));
	topo_free(t);
}

Test(topo, caches_counted_and_sorted)
{
	struct topo *t = load(TCACHE);
	struct topo_summary s;

	topo_get_summary(t, &s);
	cr_assert_eq(s.ncaches, 4);

	cr_expect_eq(s.caches[0].level, 1);
	cr_expect_str_eq(s.caches[0].type, "data");
	cr_expect_eq(s.caches[0].size, 48 * 1024);
	cr_expect_eq(s.caches[0].count, 8);
	cr_expect_eq(s.caches[0].linesize, 64);

	cr_expect_eq(s.caches[1].level, 1);
	cr_expect_str_eq(s.caches[1].type, "instruction");
	cr_expect_eq(s.caches[1].count, 8);

	cr_expect_eq(s.caches[2].level, 2);
	cr_expect_str_eq(s.caches[2].type, "unified");
	cr_expect_eq(s.caches[2].count, 8);

	cr_expect_eq(s.caches[3].level, 3);
	cr_expect_str_eq(s.caches[3].type, "unified");
	cr_expect_eq(s.caches[3].size, 32 * 1024 * 1024);
	cr_expect_eq(s.caches[3].count, 2);

	cr_expect_eq(s.cores, 8);
	cr_expect_eq(s.pus, 16);
	topo_free(t);
}

Test(topo, caches_sorted_data_before_instruction)
{
	/* The instruction cache is above the data cache in the string. */
	struct topo *t = load("pack:1 core:2 l1i:1 l1d:1 pu:1");
	struct topo_summary s;

	topo_get_summary(t, &s);
	cr_assert_eq(s.ncaches, 2);
	cr_expect_str_eq(s.caches[0].type, "data");
	cr_expect_str_eq(s.caches[1].type, "instruction");
	cr_expect_eq(s.caches[0].count, 2);
	cr_expect_eq(s.caches[1].count, 2);
	topo_free(t);
}

Test(topo, pus_in_cores)
{
	struct topo *t = load(T16);

	cr_expect_eq(topo_pus_in_cores(t, 0), 16);
	cr_expect_eq(topo_pus_in_cores(t, 1), 2);
	cr_expect_eq(topo_pus_in_cores(t, 3), 6);
	cr_expect_eq(topo_pus_in_cores(t, 8), 16);
	cr_expect_eq(topo_pus_in_cores(t, 100), 16);
	topo_free(t);
}

Test(topo, cpuset_none)
{
	struct topo *t = load(T16);
	cpu_set_t all;

	CPU_ZERO(&all);
	for (int c = 0; c < 16; c++)
		CPU_SET(c, &all);
	check_set(t, BIND_NONE, 0, 0, all);
	check_set(t, BIND_NONE, 100, 7, all);
	/* Every worker gets the same set: PUs of cores 0..2. */
	check_set(t, BIND_NONE, 3, 0, mkset(0, 1, 2, 3, 4, 5, -1));
	check_set(t, BIND_NONE, 3, 11, mkset(0, 1, 2, 3, 4, 5, -1));
	check_set(t, BIND_NONE, 1, 0, mkset(0, 1, -1));
	topo_free(t);
}

Test(topo, cpuset_core_spreads_and_wraps)
{
	struct topo *t = load(T16);

	/* Consecutive workers land on consecutive cores, both PUs each. */
	check_set(t, BIND_CORE, 3, 0, mkset(0, 1, -1));
	check_set(t, BIND_CORE, 3, 1, mkset(2, 3, -1));
	check_set(t, BIND_CORE, 3, 2, mkset(4, 5, -1));
	/* index >= k wraps around to core (index mod k). */
	check_set(t, BIND_CORE, 3, 3, mkset(0, 1, -1));
	check_set(t, BIND_CORE, 3, 7, mkset(2, 3, -1));
	/* All cores: worker 4 is the first core of the second package. */
	check_set(t, BIND_CORE, 0, 4, mkset(8, 9, -1));
	check_set(t, BIND_CORE, 0, 7, mkset(14, 15, -1));
	check_set(t, BIND_CORE, 0, 8, mkset(0, 1, -1));
	check_set(t, BIND_CORE, 1, 5, mkset(0, 1, -1));
	topo_free(t);
}

Test(topo, cpuset_pu_compact_and_wraps)
{
	struct topo *t = load(T16);

	/* First 3 cores: PUs 0..5, one per worker in logical order. */
	check_set(t, BIND_PU, 3, 0, mkset(0, -1));
	check_set(t, BIND_PU, 3, 1, mkset(1, -1));
	check_set(t, BIND_PU, 3, 5, mkset(5, -1));
	check_set(t, BIND_PU, 3, 6, mkset(0, -1));
	check_set(t, BIND_PU, 3, 13, mkset(1, -1));
	check_set(t, BIND_PU, 0, 15, mkset(15, -1));
	check_set(t, BIND_PU, 0, 16, mkset(0, -1));
	check_set(t, BIND_PU, 0, 9, mkset(9, -1));
	topo_free(t);
}

Test(topo, cpuset_numa_topology)
{
	struct topo *t = load("pack:2 numa:1 core:2 pu:2");

	check_set(t, BIND_CORE, 0, 3, mkset(6, 7, -1));
	check_set(t, BIND_PU, 2, 5, mkset(1, -1));
	check_set(t, BIND_NONE, 2, 1, mkset(0, 1, 2, 3, -1));
	topo_free(t);
}

Test(topo, bad_synthetic_fails_with_message)
{
	static const char *bad[] = {
		"bogus:3", "pack:2 core:", "pack:0 pu:1", "pack:2 core:4 pu:2 x", ""
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char err[256] = "";
		struct topo *t = topo_load(bad[i], err, sizeof err);

		cr_expect_null(t, "\"%s\" should fail", bad[i]);
		topo_free(t);
		cr_expect(strstr(err, "synthetic") != NULL, "err: %s", err);
		cr_expect(strstr(err, bad[i]) != NULL,
				"err should name \"%s\": %s", bad[i], err);
	}
}

Test(topo, bad_synthetic_small_err_buffer)
{
	char err[8];

	memset(err, 'x', sizeof err);
	cr_expect_null(topo_load("bogus:3", err, sizeof err));
	cr_expect_lt(strlen(err), sizeof err);
}

Test(topo, free_null)
{
	topo_free(NULL);
}

Test(topo, tree_lines_16_pus)
{
	struct topo *t = load(T16);
	char **lines = NULL;
	size_t n = topo_tree_lines(t, &lines);

	cr_assert_gt(n, 0);
	cr_assert_not_null(lines);
	for (size_t i = 0; i < n; i++) {
		size_t ind = strspn(lines[i], " ");

		cr_expect_neq(lines[i][ind], '\0', "line %zu is blank", i);
		cr_expect_eq(ind % 2, 0, "odd indent: \"%s\"", lines[i]);
	}
	cr_expect_eq(count_lines(lines, n, "PU L#"), 16);
	cr_expect_eq(count_lines(lines, n, "Core L#"), 8);
	cr_expect_eq(count_lines(lines, n, "Package L#"), 2);
	cr_expect_eq(count_lines(lines, n, "PU L#15 (P#15)"), 1);
	cr_expect_eq(count_lines(lines, n, "NUMANode L#0"), 1);
	/* Packages at the top, cores below, PUs below cores. */
	cr_expect_eq(count_lines(lines, n, "Package L#1"), 1);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(lines[i], "Package", 7) == 0)
			continue;
		if (strstr(lines[i], "Core L#") != NULL)
			cr_expect_eq(strspn(lines[i], " "), 2, "%s", lines[i]);
		if (strstr(lines[i], "PU L#") != NULL)
			cr_expect_eq(strspn(lines[i], " "), 4, "%s", lines[i]);
	}
	free_lines(lines, n);
	topo_free(t);
}

Test(topo, tree_lines_caches_and_numa)
{
	struct topo *t = load(TCACHE);
	char **lines = NULL;
	size_t n = topo_tree_lines(t, &lines);

	cr_expect_eq(count_lines(lines, n, "L3 L#1 (32 MiB)"), 1);
	cr_expect_eq(count_lines(lines, n, "L1d L#7 (48 KiB)"), 1);
	cr_expect_eq(count_lines(lines, n, "L1i L#"), 8);
	cr_expect_eq(count_lines(lines, n, "PU L#15 (P#15)"), 1);
	free_lines(lines, n);
	topo_free(t);

	t = load("pack:2 numa:1 core:2 pu:2");
	n = topo_tree_lines(t, &lines);
	cr_expect_eq(count_lines(lines, n, "NUMANode L#"), 2);
	cr_expect_eq(count_lines(lines, n, "NUMANode L#1 (P#1 1 GiB)"), 1);
	free_lines(lines, n);
	topo_free(t);
}

Test(topo, print_summary)
{
	struct topo *t = load(TCACHE);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	topo_print(t, f);
	fclose(f);
	cr_expect(strstr(buf, "Machine: 2 packages, 1 NUMA node, 8 cores, "
			"16 PUs (2 PUs per core)\n") != NULL, "%s", buf);
	cr_expect(strstr(buf, "Caches:  L1d 48 KiB x8, L1i 32 KiB x8, "
			"L2 4 MiB x8, L3 32 MiB x2\n") != NULL, "%s", buf);
	cr_expect(strstr(buf, "PU L#15 (P#15)\n") != NULL, "%s", buf);
	free(buf);
	topo_free(t);
}

Test(topo, print_no_caches)
{
	static const char want[] = "Machine: 1 package, 1 NUMA node, "
			"2 cores, 2 PUs (1 PU per core)\n";
	struct topo *t = load("pack:1 core:2 pu:1");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	topo_print(t, f);
	fclose(f);
	cr_expect(strncmp(buf, want, strlen(want)) == 0, "%s", buf);
	cr_expect(strstr(buf, "Caches:  none reported\n") != NULL, "%s", buf);
	free(buf);
	topo_free(t);
}

Test(topo, bind_names)
{
	static const enum bind_policy all[] = { BIND_NONE, BIND_CORE, BIND_PU };
	enum bind_policy p;

	cr_expect_str_eq(topo_bind_name(BIND_NONE), "none");
	cr_expect_str_eq(topo_bind_name(BIND_CORE), "core");
	cr_expect_str_eq(topo_bind_name(BIND_PU), "pu");
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		p = (enum bind_policy)99;
		cr_assert_eq(topo_bind_parse(topo_bind_name(all[i]), &p), 0);
		cr_expect_eq(p, all[i]);
	}
	p = BIND_CORE;
	cr_expect_eq(topo_bind_parse("socket", &p), -1);
	cr_expect_eq(topo_bind_parse("", &p), -1);
	cr_expect_eq(topo_bind_parse("pus", &p), -1);
	cr_expect_eq(p, BIND_CORE, "failed parse must not change *out");
}
