/*
 * topo.c - the machine's topology through hwloc (the only user of hwloc).
 *
 * A "core" below is an hwloc Core object, or a PU when the topology has no
 * cores at all. Cores are taken in hwloc logical order, so "the first k
 * cores" are those with logical index 0..k-1.
 */
#include "topo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>
#include <hwloc/glibc-sched.h>

#include "util.h"

struct topo {
	hwloc_topology_t hw;
	hwloc_obj_type_t unit; /* HWLOC_OBJ_CORE, or HWLOC_OBJ_PU if none */
	unsigned nunits;
};

/* Dynamic array of tree lines. */
struct lines {
	char **v;
	size_t n;
	size_t cap;
};

static const char *bind_names[] = {
	[BIND_NONE] = "none",
	[BIND_CORE] = "core",
	[BIND_PU] = "pu"
};

/* Load the real machine or a synthetic topology. */
struct topo *topo_load(const char *synthetic, char *err, size_t errlen)
{
	struct topo *t;
	hwloc_topology_t hw;
	int e;

	if (hwloc_topology_init(&hw) != 0) {
		bufprintf(err, errlen, "hwloc: cannot initialise topology: %s",
				strerror(errno));
		return NULL;
	}
	/* Keep instruction caches so the cache list matches lstopo. */
	hwloc_topology_set_icache_types_filter(hw, HWLOC_TYPE_FILTER_KEEP_ALL);
	if (synthetic != NULL &&
			hwloc_topology_set_synthetic(hw, synthetic) != 0) {
		bufprintf(err, errlen, "invalid synthetic topology \"%s\" "
				"(expected e.g. \"pack:2 core:4 pu:2\")", synthetic);
		hwloc_topology_destroy(hw);
		return NULL;
	}
	if (hwloc_topology_load(hw) != 0) {
		e = errno;
		if (synthetic != NULL)
			bufprintf(err, errlen, "cannot load synthetic topology "
					"\"%s\": %s", synthetic, strerror(e));
		else
			bufprintf(err, errlen, "hwloc: cannot load the "
					"machine's topology: %s", strerror(e));
		hwloc_topology_destroy(hw);
		return NULL;
	}

	t = xcalloc(1, sizeof *t);
	t->hw = hw;
	t->unit = HWLOC_OBJ_CORE;
	e = hwloc_get_nbobjs_by_type(hw, HWLOC_OBJ_CORE);
	if (e <= 0) {
		t->unit = HWLOC_OBJ_PU;
		e = hwloc_get_nbobjs_by_type(hw, HWLOC_OBJ_PU);
	}
	if (e <= 0) {
		bufprintf(err, errlen, "topology has no processing units");
		topo_free(t);
		return NULL;
	}
	t->nunits = (unsigned)e;
	return t;
}

/* Free a topology. */
void topo_free(struct topo *t)
{
	if (t == NULL)
		return;
	hwloc_topology_destroy(t->hw);
	free(t);
}

/* Number of objects of a type, at least one. */
static unsigned count_at_least_one(const struct topo *t, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(t->hw, type);

	return n > 0 ? (unsigned)n : 1;
}

/* Cache type name used in struct topo_cache. */
static const char *cache_type_name(hwloc_obj_cache_type_t type)
{
	switch (type) {
	case HWLOC_OBJ_CACHE_DATA:
		return "data";
	case HWLOC_OBJ_CACHE_INSTRUCTION:
		return "instruction";
	default:
		return "unified";
	}
}

/* Sort rank of a cache type name: data, instruction, unified. */
static int cache_type_rank(const char *type)
{
	if (strcmp(type, "data") == 0)
		return 0;
	if (strcmp(type, "instruction") == 0)
		return 1;
	return 2;
}

/* qsort comparator: level, then type. */
static int cache_cmp(const void *a, const void *b)
{
	const struct topo_cache *ca = a, *cb = b;

	if (ca->level != cb->level)
		return ca->level < cb->level ? -1 : 1;
	return cache_type_rank(ca->type) - cache_type_rank(cb->type);
}

/* Add one cache object to the summary's list. */
static void add_cache(struct topo_summary *s, hwloc_obj_t obj)
{
	struct hwloc_cache_attr_s *a = &obj->attr->cache;
	const char *type = cache_type_name(a->type);
	struct topo_cache *c;
	unsigned i;

	for (i = 0; i < s->ncaches; i++) {
		c = &s->caches[i];
		if (c->level == a->depth && strcmp(c->type, type) == 0)
			break;
	}
	if (i == s->ncaches) {
		if (s->ncaches == TOPO_MAX_CACHES)
			return;
		c = &s->caches[s->ncaches++];
		memset(c, 0, sizeof *c);
		c->level = a->depth;
		bufprintf(c->type, sizeof c->type, "%s", type);
	}
	c = &s->caches[i];
	c->count++;
	/* Heterogeneous instances (hybrid CPUs): report the largest. */
	if (a->size > c->size) {
		c->size = a->size;
		c->linesize = a->linesize;
		c->ways = a->associativity > 0 ? (unsigned)a->associativity : 0;
	} else if (c->linesize == 0)
		c->linesize = a->linesize;
}

/* Fill the summary. */
void topo_get_summary(const struct topo *t, struct topo_summary *out)
{
	hwloc_obj_t obj = NULL;
	int depth, ndepths;

	memset(out, 0, sizeof *out);
	out->packages = count_at_least_one(t, HWLOC_OBJ_PACKAGE);
	out->numa_nodes = count_at_least_one(t, HWLOC_OBJ_NUMANODE);
	out->cores = t->nunits;
	out->pus = count_at_least_one(t, HWLOC_OBJ_PU);

	ndepths = hwloc_topology_get_depth(t->hw);
	for (depth = 0; depth < ndepths; depth++) {
		if (!hwloc_obj_type_is_cache(
				hwloc_get_depth_type(t->hw, depth)))
			continue;
		obj = NULL;
		while ((obj = hwloc_get_next_obj_by_depth(t->hw, depth,
				obj)) != NULL)
			add_cache(out, obj);
	}
	qsort(out->caches, out->ncaches, sizeof out->caches[0], cache_cmp);
}

/* Clamp a core count: 0 or too many means all cores. */
static unsigned clamp_cores(const struct topo *t, unsigned ncores)
{
	if (ncores == 0 || ncores > t->nunits)
		return t->nunits;
	return ncores;
}

/* The core with this logical index. */
static hwloc_obj_t get_core(const struct topo *t, unsigned idx)
{
	return hwloc_get_obj_by_type(t->hw, t->unit, idx);
}

/* New bitmap with the union of the PUs of the first ncores cores. */
static hwloc_bitmap_t first_cores_set(const struct topo *t, unsigned ncores)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	hwloc_obj_t core;
	unsigned k = clamp_cores(t, ncores), i;

	if (set == NULL)
		fatalx(EXIT_RUNFAIL, "hwloc_bitmap_alloc failed");
	for (i = 0; i < k; i++) {
		core = get_core(t, i);
		if (core != NULL && core->cpuset != NULL)
			hwloc_bitmap_or(set, set, core->cpuset);
	}
	return set;
}

/* PUs in the first ncores cores. */
unsigned topo_pus_in_cores(const struct topo *t, unsigned ncores)
{
	hwloc_bitmap_t set = first_cores_set(t, ncores);
	int n = hwloc_bitmap_weight(set);

	hwloc_bitmap_free(set);
	return n > 0 ? (unsigned)n : 0;
}

/* CPU set of one worker under a binding policy. */
void topo_worker_cpuset(const struct topo *t, enum bind_policy policy,
		unsigned ncores, unsigned index, cpu_set_t *set)
{
	hwloc_bitmap_t cores = first_cores_set(t, ncores), out;
	hwloc_obj_t obj;
	unsigned k = clamp_cores(t, ncores);
	int p;

	out = hwloc_bitmap_dup(cores);
	if (out == NULL)
		fatalx(EXIT_RUNFAIL, "hwloc_bitmap_dup failed");
	switch (policy) {
	case BIND_CORE:
		obj = get_core(t, index % k);
		if (obj != NULL && obj->cpuset != NULL)
			hwloc_bitmap_copy(out, obj->cpuset);
		break;
	case BIND_PU:
		p = hwloc_get_nbobjs_inside_cpuset_by_type(t->hw, cores,
				HWLOC_OBJ_PU);
		if (p <= 0)
			break;
		obj = hwloc_get_obj_inside_cpuset_by_type(t->hw, cores,
				HWLOC_OBJ_PU, index % (unsigned)p);
		if (obj != NULL && obj->cpuset != NULL)
			hwloc_bitmap_copy(out, obj->cpuset);
		break;
	case BIND_NONE:
	default:
		break;
	}
	/* Never hand out an empty set. */
	if (hwloc_bitmap_iszero(out))
		hwloc_bitmap_copy(out, hwloc_topology_get_topology_cpuset(t->hw));

	CPU_ZERO(set);
	hwloc_cpuset_to_glibc_sched_affinity(t->hw, out, set, sizeof *set);
	if (CPU_COUNT(set) == 0)
		CPU_SET(0, set);
	hwloc_bitmap_free(out);
	hwloc_bitmap_free(cores);
}

/* Format a byte count with binary units and three significant digits. */
static char *format_size(char *buf, size_t len, uint64_t bytes)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	size_t u = 0;
	char num[32], *dot, *end;

	while (v >= 1024 && u + 1 < ARRAY_LEN(units)) {
		v /= 1024;
		u++;
	}
	if (u == 0 || v >= 100)
		bufprintf(num, sizeof num, "%.0f", v);
	else if (v >= 10)
		bufprintf(num, sizeof num, "%.1f", v);
	else
		bufprintf(num, sizeof num, "%.2f", v);
	dot = strchr(num, '.');
	if (dot != NULL) {
		end = num + strlen(num) - 1;
		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*dot = '\0';
	}
	return bufprintf(buf, len, "%s %s", num, units[u]);
}

/* Short cache name: "L1d", "L1i", "L2". */
static char *cache_name(char *buf, size_t len, const struct topo_cache *c)
{
	const char *suffix = "";

	if (strcmp(c->type, "data") == 0)
		suffix = "d";
	else if (strcmp(c->type, "instruction") == 0)
		suffix = "i";
	return bufprintf(buf, len, "L%u%s", c->level, suffix);
}

/* Append a line to the list. */
static void lines_add(struct lines *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = s;
}

/* Is obj a group that adds nothing to the tree? */
static int boring_group(hwloc_obj_t obj)
{
	if (obj->type != HWLOC_OBJ_GROUP)
		return 0;
	if (obj->arity <= 1)
		return 1;
	return obj->parent != NULL && obj->parent->cpuset != NULL &&
			obj->cpuset != NULL &&
			hwloc_bitmap_isequal(obj->parent->cpuset, obj->cpuset);
}

/* One object's line text at the given depth. */
static char *object_line(hwloc_obj_t obj, unsigned depth)
{
	char type[64], size[32];
	int ind = (int)depth * 2;

	hwloc_obj_type_snprintf(type, sizeof type, obj, 0);
	if (hwloc_obj_type_is_cache(obj->type) ||
			obj->type == HWLOC_OBJ_MEMCACHE) {
		format_size(size, sizeof size, obj->attr->cache.size);
		return xasprintf("%*s%s L#%u (%s)", ind, "", type,
				obj->logical_index, size);
	}
	if (obj->type == HWLOC_OBJ_PU)
		return xasprintf("%*s%s L#%u (P#%u)", ind, "", type,
				obj->logical_index, obj->os_index);
	if (obj->type == HWLOC_OBJ_NUMANODE) {
		if (obj->attr->numanode.local_memory == 0)
			return xasprintf("%*s%s L#%u (P#%u)", ind, "", type,
					obj->logical_index, obj->os_index);
		format_size(size, sizeof size,
				obj->attr->numanode.local_memory);
		return xasprintf("%*s%s L#%u (P#%u %s)", ind, "", type,
				obj->logical_index, obj->os_index, size);
	}
	return xasprintf("%*s%s L#%u", ind, "", type, obj->logical_index);
}

/* Add the lines of obj's memory and normal children, recursively. */
static void tree_children(hwloc_obj_t obj, unsigned depth, struct lines *l)
{
	hwloc_obj_t c;

	for (c = obj->memory_first_child; c != NULL; c = c->next_sibling) {
		lines_add(l, object_line(c, depth));
		tree_children(c, depth + 1, l);
	}
	for (c = obj->first_child; c != NULL; c = c->next_sibling) {
		if (boring_group(c)) {
			tree_children(c, depth, l);
			continue;
		}
		lines_add(l, object_line(c, depth));
		tree_children(c, depth + 1, l);
	}
}

/* The tree below the Machine object as text lines. */
size_t topo_tree_lines(const struct topo *t, char ***lines)
{
	struct lines l = { NULL, 0, 0 };

	tree_children(hwloc_get_root_obj(t->hw), 0, &l);
	*lines = l.v;
	return l.n;
}

/* Minimum and maximum PUs per core. */
static void pus_per_core(const struct topo *t, unsigned *min, unsigned *max)
{
	hwloc_obj_t core;
	unsigned i, n;

	*min = *max = 0;
	for (i = 0; i < t->nunits; i++) {
		core = get_core(t, i);
		if (core == NULL || core->cpuset == NULL)
			continue;
		n = (unsigned)hwloc_bitmap_weight(core->cpuset);
		if (*max == 0 || n < *min)
			*min = n;
		if (n > *max)
			*max = n;
	}
}

/* Print the summary line, the cache line and the tree. */
void topo_print(const struct topo *t, FILE *out)
{
	struct topo_summary s;
	char name[16], size[32], **lines;
	unsigned i, min, max;
	size_t n, j;

	topo_get_summary(t, &s);
	pus_per_core(t, &min, &max);
	fprintf(out, "Machine: %u package%s, %u NUMA node%s, %u core%s, "
			"%u PU%s ", s.packages, s.packages == 1 ? "" : "s",
			s.numa_nodes, s.numa_nodes == 1 ? "" : "s",
			s.cores, s.cores == 1 ? "" : "s", s.pus, s.pus == 1 ? "" : "s");
	if (min == max)
		fprintf(out, "(%u PU%s per core)\n", max, max == 1 ? "" : "s");
	else
		fprintf(out, "(%u-%u PUs per core)\n", min, max);

	fputs("Caches: ", out);
	if (s.ncaches == 0)
		fputs(" none reported", out);
	for (i = 0; i < s.ncaches; i++) {
		fprintf(out, "%s %s %s x%u", i == 0 ? "" : ",",
				cache_name(name, sizeof name, &s.caches[i]),
				format_size(size, sizeof size, s.caches[i].size),
				s.caches[i].count);
	}
	fputc('\n', out);

	n = topo_tree_lines(t, &lines);
	for (j = 0; j < n; j++) {
		fprintf(out, "%s\n", lines[j]);
		free(lines[j]);
	}
	free(lines);
}

/* Name of a binding policy. */
const char *topo_bind_name(enum bind_policy p)
{
	if ((unsigned)p >= ARRAY_LEN(bind_names))
		return "unknown";
	return bind_names[p];
}

/* Parse a binding policy name. */
int topo_bind_parse(const char *s, enum bind_policy *out)
{
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < ARRAY_LEN(bind_names); i++) {
		if (strcmp(s, bind_names[i]) == 0) {
			*out = (enum bind_policy)i;
			return 0;
		}
	}
	return -1;
}
