/*
 * topo.h - the machine's topology, and the only module that uses hwloc.
 *
 * Owns: loading the topology (the real machine or a synthetic hwloc
 * description for tests), counting packages, NUMA nodes, cores, PUs and
 * caches, the text tree shown by `benchtop topo` and the dashboard, and the
 * CPU sets that bind worker processes under a binding policy.
 *
 * The CPU sets are glibc cpu_set_t so that a freshly forked worker binds
 * itself with sched_setaffinity() without touching hwloc.
 */
#ifndef BENCHTOP_TOPO_H
#define BENCHTOP_TOPO_H

#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct topo;

/* Binding policies for worker processes. */
enum bind_policy {
	BIND_NONE, /* any PU of the run's cores (the --cores restriction) */
	BIND_CORE, /* worker i on all PUs of core (i mod k): spread over cores */
	BIND_PU    /* worker i on PU (i mod p) in logical order: compact */
};

#define TOPO_MAX_CACHES 8

/* One cache level/type, e.g. L2 unified 1 MiB x 2. */
struct topo_cache {
	unsigned level;     /* 1, 2, 3 ... */
	char type[12];      /* "data", "instruction", "unified" */
	uint64_t size;      /* bytes per instance */
	unsigned linesize;  /* bytes, 0 when unknown */
	unsigned ways;      /* associativity, 0 when unknown or full */
	unsigned count;     /* instances of this cache in the machine */
};

/* Counts of the machine (or synthetic topology). */
struct topo_summary {
	unsigned packages;
	unsigned numa_nodes;
	unsigned cores;
	unsigned pus;
	unsigned ncaches;
	struct topo_cache caches[TOPO_MAX_CACHES]; /* sorted by level, then type */
};

/* Load the topology: the real machine when synthetic is NULL, else an hwloc
 * synthetic description such as "pack:2 core:4 pu:2". Returns a topology the
 * caller frees with topo_free(), or NULL with a message in err. */
struct topo *topo_load(const char *synthetic, char *err, size_t errlen);

/* Release a topology; NULL is allowed. */
void topo_free(struct topo *t);

/* Fill *out with the counts and caches of t. */
void topo_get_summary(const struct topo *t, struct topo_summary *out);

/* The number of PUs in the first ncores cores (ncores 0 or larger than the
 * core count means all cores). */
unsigned topo_pus_in_cores(const struct topo *t, unsigned ncores);

/* Fill *set with the CPUs worker `index` may run on, under `policy`, in a run
 * restricted to the first `ncores` cores (0 = all). Never empty. */
void topo_worker_cpuset(const struct topo *t, enum bind_policy policy,
			unsigned ncores, unsigned index, cpu_set_t *set);

/* Print a human-readable summary and tree (as `benchtop topo` shows it). */
void topo_print(const struct topo *t, FILE *out);

/* The topology tree as text lines, one per object, indented two spaces per
 * level, e.g. "Package L#0", "  L3 (32MB)", "    Core L#0", "      PU L#0 (P#0)".
 * Returns the number of lines; *lines is a caller-freed array of
 * caller-freed strings (free each, then the array). */
size_t topo_tree_lines(const struct topo *t, char ***lines);

/* Name of a binding policy ("none", "core", "pu"). */
const char *topo_bind_name(enum bind_policy p);
/* Parse a binding policy name; returns 0, or -1 when unknown. */
int topo_bind_parse(const char *s, enum bind_policy *out);

#endif
