/*
 * fuzz_shm.c - libFuzzer harness of the stats-region reader used by
 * `benchtop watch`: the input is a region image (hostile or truncated).
 * shm_validate() must reject it or accept it; an accepted image is read
 * like watch reads it (header, then every slot through a struct shm_region
 * built over the bytes), which must neither crash nor hang.
 *
 * A seq left odd (a writer that died mid-update) makes a reader retry, then
 * give up: that bounded wait is checked once at start-up (a dead writer's
 * slot and header must be read in well under a second), and the fuzzing
 * loop makes every seq even so that it runs at full speed.
 *
 * With FUZZ_SHM_SEED=FILE in the environment, the harness writes a valid
 * image (an anonymous region of 4 slots with a run in progress) to FILE
 * and exits: that is how tests/fuzz/corpus/shm/ was seeded.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Write a valid region image to path (seeding the corpus). */
static void write_seed(const char *path)
{
	struct shm_region r;
	char err[256];
	FILE *f;

	if (shm_create_anon(&r, 4, err, sizeof err) < 0) {
		fprintf(stderr, "fuzz_shm: %s\n", err);
		exit(1);
	}
	shm_header_publish(&r, PHASE_MEASURE, 1, 3, 0, 6, 2, 1, "fib pool w=2");
	for (unsigned i = 0; i < 2; i++) {
		shm_slot_reset(&r, i, i, 0, 1000);
		shm_slot_state(&r.slots[i], SLOT_RUNNING);
		shm_slot_progress(&r.slots[i], 7 + i, 3, 400);
	}
	f = fopen(path, "wb");
	if (f == NULL || fwrite(r.hdr, 1, r.size, f) != r.size || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	shm_close(&r);
	exit(0);
}

/* Monotonic seconds. */
static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A writer died between begin and end: readers must not spin forever. */
static void check_dead_writer(void)
{
	struct shm_region r;
	struct slot_view v;
	struct header_view h;
	char err[256];
	double t0;

	if (shm_create_anon(&r, 2, err, sizeof err) < 0) {
		fprintf(stderr, "fuzz_shm: %s\n", err);
		abort();
	}
	shm_slot_reset(&r, 0, 0, 0, 10);
	shm_slot_begin(&r.slots[0]);          /* ... and the writer dies */
	atomic_fetch_add(&r.hdr->seq, 1);     /* the parent too, mid-publish */
	t0 = mono();
	shm_slot_read(&r, 0, &v);
	shm_header_read(&r, &h);
	if (mono() - t0 > 1.0 || v.ops_total != 10) {
		fprintf(stderr, "fuzz_shm: reading a dead writer's slot took %.3f s\n", mono() - t0);
		abort();
	}
	/* the parent's next write makes the slot readable again */
	shm_slot_state(&r.slots[0], SLOT_FAILED);
	if (atomic_load(&r.slots[0].seq) & 1u) {
		fprintf(stderr, "fuzz_shm: a dead writer's slot stays odd after a new write\n");
		abort();
	}
	shm_close(&r);
}

/* Seed mode, when asked for; else the dead-writer check. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seed = getenv("FUZZ_SHM_SEED");

	(void)argc;
	(void)argv;
	if (seed != NULL && *seed != '\0')
		write_seed(seed);
	check_dead_writer();
	return 0;
}

/* One input: validate, and read everything when valid. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the real mapping is page-aligned: copy to (cache-line) aligned memory */
	void *base = NULL;
	struct shm_region r;
	struct header_view h;
	char err[256];
	uint64_t sum = 0;

	if (posix_memalign(&base, 64, size ? size : 1) != 0)
		return 0;
	memcpy(base, data, size);
	err[0] = '\0';
	if (shm_validate(base, size, err, sizeof err) < 0) {
		if (err[0] == '\0')
			abort();
		free(base);
		return 0;
	}
	memset(&r, 0, sizeof r);
	r.hdr = base;
	r.slots = (struct shm_slot *)((char *)base + r.hdr->slots_offset);
	r.size = size;
	/* odd seqs: the bounded retry is checked at start-up, not per input */
	atomic_fetch_and(&r.hdr->seq, ~1u);
	for (unsigned i = 0; i < r.hdr->nslots; i++)
		atomic_fetch_and(&r.slots[i].seq, ~1u);
	shm_header_read(&r, &h);
	sum += strlen(h.label) + strlen(shm_phase_name(h.phase));
	if (h.nactive > h.nslots)
		abort();
	for (unsigned i = 0; i < h.nslots; i++) {
		struct slot_view v;

		shm_slot_read(&r, i, &v);
		sum += v.tasks_done + v.ops_done + (uint64_t)v.pid + strlen(shm_state_name(v.state));
	}
	/* keep the reads observable */
	if (sum == 0xdeadbeefdeadbeefull)
		fputc('.', stderr);
	free(base);
	return 0;
}
