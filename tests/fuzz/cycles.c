/*
 * cycles.c - 1000 start/stop cycles of a tiny run in one process: create the
 * named stats region, run a nop pool of 2 workers through the engine, free
 * the engine and close the region. After a warm-up, the open descriptors,
 * the heap in use, the RSS and this process's /dev/shm segments must not
 * grow, and no child process may be left unreaped.
 *
 *   cycles [CYCLES]     exit 0 when nothing grew, 1 otherwise
 *
 * Built by `make fuzz` and by tests/e2e/rel_cycles.sh (with cc, against the
 * src objects except main.o).
 */
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.h"
#include "plan.h"
#include "profile.h"
#include "shm.h"
#include "topo.h"

#if defined(__SANITIZE_ADDRESS__)
#define CYCLES_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CYCLES_ASAN 1
#endif
#endif
#ifdef CYCLES_ASAN
/* from <sanitizer/allocator_interface.h>, which gcc does not install */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#define WARMUP_CYCLES 50

/* Heap bytes in use (ASan's allocator replaces malloc's and its RSS holds
 * the quarantine, so under ASan only the heap figure means anything). */
static size_t heap_in_use(void)
{
#ifdef CYCLES_ASAN
	return __sanitizer_get_current_allocated_bytes();
#else
	return mallinfo2().uordblks;
#endif
}

/* Entries of /proc/self/fd (the directory's own descriptor excluded). */
static long count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	long n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return n - 1;
}

/* Resident pages from /proc/self/statm. */
static long rss_pages(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, rss = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss;
}

/* Segments in /dev/shm named after this process. */
static long count_segments(void)
{
	char prefix[64];
	DIR *d = opendir("/dev/shm");
	struct dirent *de;
	long n = 0;

	if (d == NULL)
		return 0;
	snprintf(prefix, sizeof prefix, SHM_PREFIX "%ld-", (long)getpid());
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* Build the tiny plan: nop, 10 tasks, pool of 2, 1 run, no warm-up. */
static void build_plan(struct plan *p, const struct topo *t)
{
	char err[256];

	plan_init(p);
	if (profile_set_workloads(p, "nop", "-w", err, sizeof err) < 0 ||
	    profile_set_modes(p, "pool", "-m", err, sizeof err) < 0 ||
	    profile_set_workers(p, "2", t, "-n", err, sizeof err) < 0 ||
	    profile_set_uint(&p->runs, "1", 1, 100000, "-r", err, sizeof err) < 0 ||
	    profile_set_uint(&p->warmup, "0", 0, 100000, "--warmup", err, sizeof err) < 0 ||
	    profile_set_param(p, "nop.tasks=10", "-P", err, sizeof err) < 0) {
		fprintf(stderr, "cycles: plan: %s\n", err);
		exit(2);
	}
}

/* One start/stop cycle; returns 0 when the run verified. */
static int one_cycle(const struct plan *p, const struct topo *t, unsigned i)
{
	struct shm_region region;
	struct engine *e;
	struct engine_event ev;
	char err[256];
	int rc = 0, guard = 0;

	if (shm_create(&region, engine_slots_needed(p), err, sizeof err) < 0) {
		fprintf(stderr, "cycles: cycle %u: %s\n", i, err);
		return -1;
	}
	e = engine_new(p, t, &region, err, sizeof err);
	if (e == NULL) {
		fprintf(stderr, "cycles: cycle %u: %s\n", i, err);
		shm_close(&region);
		return -1;
	}
	while (engine_tick(e, 100)) {
		while (engine_next_event(e, &ev)) {
		}
		if (++guard > 600) {   /* 60 s: stuck */
			fprintf(stderr, "cycles: cycle %u did not finish\n", i);
			rc = -1;
			break;
		}
	}
	while (engine_next_event(e, &ev)) {
	}
	if (rc == 0 && (engine_nresults(e) != 1 || engine_exit_code(e) != 0 ||
			!engine_result(e, 0)->verified)) {
		fprintf(stderr, "cycles: cycle %u: the run failed: %s\n", i,
			engine_nresults(e) ? engine_result(e, 0)->error : "no result");
		rc = -1;
	}
	/* a stop on a finished engine must be harmless too */
	if (i % 2 == 0)
		engine_stop(e);
	engine_free(e);
	shm_close(&region);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned cycles = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000;
	long fd0 = 0, rss0 = 0, seg0 = 0;
	size_t heap0 = 0;
	struct plan plan;
	struct topo *t;
	char err[256];
	int bad = 0;

	if (cycles <= WARMUP_CYCLES)
		cycles = WARMUP_CYCLES + 1;
	t = topo_load(NULL, err, sizeof err);
	if (t == NULL) {
		fprintf(stderr, "cycles: topology: %s\n", err);
		return 2;
	}
	build_plan(&plan, t);
	for (unsigned i = 0; i < cycles; i++) {
		if (one_cycle(&plan, t, i) < 0)
			return 1;
		if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD) {
			fprintf(stderr, "cycles: cycle %u left a child process\n", i);
			return 1;
		}
		if (i + 1 == WARMUP_CYCLES) {
			fd0 = count_fds();
			rss0 = rss_pages();
			seg0 = count_segments();
			heap0 = heap_in_use();
		}
	}
	long fd1 = count_fds(), rss1 = rss_pages(), seg1 = count_segments();
	size_t heap1 = heap_in_use();
	long page_kb = sysconf(_SC_PAGESIZE) / 1024;

	printf("cycles: %u; after %u: fds %ld, heap %zu B, rss %ld kB, segments %ld; "
	       "at the end: fds %ld, heap %zu B, rss %ld kB, segments %ld\n",
	       cycles, WARMUP_CYCLES, fd0, heap0, rss0 * page_kb, seg0, fd1, heap1,
	       rss1 * page_kb, seg1);
	if (fd1 != fd0) {
		fprintf(stderr, "cycles: open descriptors grew from %ld to %ld\n", fd0, fd1);
		bad = 1;
	}
	if (seg1 != 0 || seg0 != 0) {
		fprintf(stderr, "cycles: %ld segment(s) of this process in /dev/shm\n", seg1);
		bad = 1;
	}
	/* the heap in use must come back to the same figure; allow 1 kB of
	 * allocator bookkeeping, not a per-cycle leak (1000 cycles x bytes) */
	if (heap1 > heap0 + 1024) {
		fprintf(stderr, "cycles: heap in use grew from %zu to %zu bytes\n", heap0, heap1);
		bad = 1;
	}
	/* RSS: generous (stdio, lazily touched pages), a leak of a page per
	 * cycle would show as megabytes */
#ifdef CYCLES_ASAN
	rss1 = rss0;
#endif
	if (rss1 > rss0 + 256 / page_kb) {
		fprintf(stderr, "cycles: RSS grew from %ld to %ld kB\n", rss0 * page_kb,
			rss1 * page_kb);
		bad = 1;
	}
	plan_free(&plan);
	topo_free(t);
	return bad;
}
