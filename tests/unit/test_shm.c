/*
 * test_shm.c - unit tests for shm.c: the named segment (mode 0600, removed
 * on close), attaching and validating untrusted images, slot and header
 * round trips through the seqlock, and sweeping segments of dead owners.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm.h"

/* /dev/shm path of a region name ("/benchtop-..."). */
static void tshm_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "/dev/shm%s", name);
}

/* Whether the segment called name exists. */
static bool tshm_exists(const char *name)
{
	char path[128];
	struct stat st;

	tshm_path(name, path, sizeof path);
	return stat(path, &st) == 0;
}

/* A malloc'd copy of a fresh anonymous region of nslots slots. */
static void *tshm_image(unsigned nslots, size_t *len)
{
	struct shm_region r;
	char err[256];
	void *copy;

	cr_assert_eq(shm_create_anon(&r, nslots, err, sizeof err), 0, "%s", err);
	*len = r.size;
	copy = malloc(r.size);
	cr_assert_not_null(copy);
	memcpy(copy, r.hdr, r.size);
	shm_close(&r);
	return copy;
}

/* shm_validate must reject the image with a message containing frag. */
static void tshm_rejects(const void *img, size_t len, const char *frag)
{
	char err[256] = "";

	cr_assert_eq(shm_validate(img, len, err, sizeof err), -1, "accepted (want '%s')", frag);
	cr_assert(strstr(err, frag) != NULL, "message '%s' lacks '%s'", err, frag);
}

Test(shm, create_named_mode_and_removal)
{
	struct shm_region r;
	char err[256], path[128], want[64];
	struct stat st;

	cr_assert_eq(shm_create(&r, 4, err, sizeof err), 0, "%s", err);
	snprintf(want, sizeof want, "/" SHM_PREFIX "%ld-", (long)getpid());
	cr_assert(strncmp(r.name, want, strlen(want)) == 0, "name %s", r.name);
	cr_assert(r.owner);
	tshm_path(r.name, path, sizeof path);
	cr_assert_eq(stat(path, &st), 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", (unsigned)(st.st_mode & 0777));
	cr_assert_eq((size_t)st.st_size, r.size);
	cr_assert_eq(st.st_uid, geteuid());
	cr_assert_eq(r.hdr->magic, SHM_MAGIC);
	cr_assert_eq(r.hdr->nslots, 4);
	cr_assert_eq(r.hdr->owner_pid, getpid());
	cr_assert_eq(shm_validate(r.hdr, r.size, err, sizeof err), 0, "%s", err);
	for (unsigned i = 0; i < 4; i++) {
		struct slot_view v;

		shm_slot_read(&r, i, &v);
		cr_assert_eq(v.state, SLOT_EMPTY);
		cr_assert_eq(v.cpu, -1);
		cr_assert_eq((uintptr_t)&r.slots[i] % 64, 0, "slot %u not cache-line aligned", i);
	}
	shm_close(&r);
	cr_assert_not(tshm_exists(r.name), "%s still exists after shm_close", r.name);
	shm_close(&r);   /* twice is fine */
}

Test(shm, create_rejects_bad_slot_counts)
{
	struct shm_region r;
	char err[256];

	cr_assert_eq(shm_create(&r, 0, err, sizeof err), -1);
	cr_assert(strstr(err, "0 slots") != NULL, "%s", err);
	cr_assert_eq(shm_create(&r, SHM_MAX_SLOTS + 1, err, sizeof err), -1);
	cr_assert_eq(shm_create_anon(&r, 0, err, sizeof err), -1);
	cr_assert_eq(shm_create_anon(&r, SHM_MAX_SLOTS + 1, err, sizeof err), -1);
}

Test(shm, attach_and_validate)
{
	struct shm_region own, seen;
	struct header_view h;
	struct slot_view v;
	char err[256];

	cr_assert_eq(shm_create(&own, 3, err, sizeof err), 0, "%s", err);
	shm_header_publish(&own, PHASE_MEASURE, 2, 7, 1, 6, 3, 2, "fib pool w=3");
	shm_slot_reset(&own, 2, 2, 0, 500);
	shm_slot_progress(&own.slots[2], 9, 4, 250);

	/* with and without the leading slash */
	cr_assert_eq(shm_attach(&seen, own.name, err, sizeof err), 0, "%s", err);
	cr_assert_not(seen.owner);
	cr_assert_eq(seen.size, own.size);
	shm_header_read(&seen, &h);
	cr_assert_eq(h.phase, PHASE_MEASURE);
	cr_assert_eq(h.config_index, 2);
	cr_assert_eq(h.config_count, 7);
	cr_assert_eq(h.nactive, 3);
	cr_assert_eq(h.nslots, 3);
	cr_assert_eq(h.owner_pid, getpid());
	cr_assert_str_eq(h.label, "fib pool w=3");
	shm_slot_read(&seen, 2, &v);
	cr_assert_eq(v.ops_total, 500);
	cr_assert_eq(v.ops_done, 250);
	cr_assert_eq(v.task, 9);
	shm_close(&seen);
	cr_assert(tshm_exists(own.name), "a watcher's close removed the owner's segment");

	cr_assert_eq(shm_attach(&seen, own.name + 1, err, sizeof err), 0, "%s", err);
	shm_close(&seen);
	shm_close(&own);
	cr_assert_eq(shm_attach(&seen, own.name, err, sizeof err), -1, "attached to a removed segment");
	cr_assert(strstr(err, own.name) != NULL, "%s", err);
}

Test(shm, attach_rejects_garbage_segment)
{
	char name[64], err[256];
	struct shm_region r;
	int fd;

	snprintf(name, sizeof name, "/" SHM_PREFIX "%ld-7e570000", (long)getpid());
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	cr_assert_geq(fd, 0, "shm_open: %s", strerror(errno));
	cr_assert_eq(ftruncate(fd, 4096), 0);
	close(fd);
	int rc = shm_attach(&r, name, err, sizeof err);

	shm_unlink(name);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(err, "bad magic") != NULL, "%s", err);
}

Test(shm, validate_accepts_a_fresh_image)
{
	size_t len;
	void *img = tshm_image(5, &len);
	char err[256];

	cr_assert_eq(shm_validate(img, len, err, sizeof err), 0, "%s", err);
	/* a longer mapping (page rounding) is fine too */
	void *bigger = calloc(1, len + 4096);

	memcpy(bigger, img, len);
	cr_assert_eq(shm_validate(bigger, len + 4096, err, sizeof err), 0, "%s", err);
	free(bigger);
	free(img);
}

Test(shm, validate_rejects_bad_images)
{
	size_t len;
	struct shm_header *h = tshm_image(4, &len);
	struct shm_header keep = *h;

	tshm_rejects(NULL, 0, "too small");
	tshm_rejects(h, sizeof *h - 1, "too small");

	h->magic ^= 1;
	tshm_rejects(h, len, "bad magic");
	*h = keep;

	h->version = SHM_VERSION + 1;
	tshm_rejects(h, len, "version");
	*h = keep;

	h->header_size += 8;
	tshm_rejects(h, len, "size mismatch");
	*h = keep;

	h->slot_size = 32;
	tshm_rejects(h, len, "size mismatch");
	*h = keep;

	/* truncated: the image is shorter than the header says */
	tshm_rejects(h, len - 1, "cannot hold");
	tshm_rejects(h, len - sizeof(struct shm_slot), "cannot hold");

	/* more slots than the mapping holds, with or without a matching total */
	h->nslots = 5;
	tshm_rejects(h, len, "cannot hold");
	h->total_size += sizeof(struct shm_slot);
	tshm_rejects(h, len, "cannot hold");
	*h = keep;

	h->nslots = 0;
	tshm_rejects(h, len, "claims 0 slots");
	*h = keep;

	h->nslots = SHM_MAX_SLOTS + 1;
	tshm_rejects(h, len, "slots");
	*h = keep;

	h->slots_offset = 8;
	tshm_rejects(h, len, "offset");
	h->slots_offset = keep.slots_offset + 1;
	tshm_rejects(h, len, "offset");
	h->slots_offset = (uint64_t)len + 64;
	tshm_rejects(h, len, "offset");
	*h = keep;

	h->total_size = 1;
	tshm_rejects(h, len, "cannot hold");
	*h = keep;

	char err[256];

	cr_assert_eq(shm_validate(h, len, err, sizeof err), 0, "restored image: %s", err);
	free(h);
}

Test(shm, slot_round_trip)
{
	struct shm_region r;
	struct slot_view v;
	char err[256];

	cr_assert_eq(shm_create_anon(&r, 2, err, sizeof err), 0, "%s", err);
	shm_slot_reset(&r, 1, 7, 2, 12345);
	shm_slot_read(&r, 1, &v);
	cr_assert_eq(v.state, SLOT_STARTING);
	cr_assert_eq(v.index, 7);
	cr_assert_eq(v.role, 2);
	cr_assert_eq(v.ops_total, 12345);
	cr_assert_eq(v.task, UINT64_MAX);
	cr_assert_eq(v.tasks_done, 0);
	cr_assert_eq(v.pid, 0);
	cr_assert_eq(v.cpu, -1);

	shm_slot_progress(&r.slots[1], 3, 2, 6000);
	shm_slot_state(&r.slots[1], SLOT_RUNNING);
	shm_slot_read(&r, 1, &v);
	cr_assert_eq(v.state, SLOT_RUNNING);
	cr_assert_eq(v.task, 3);
	cr_assert_eq(v.tasks_done, 2);
	cr_assert_eq(v.ops_done, 6000);
	cr_assert_geq(v.cpu, 0, "the cpu is filled in");
	cr_assert_gt(v.update_ns, 0);

	shm_slot_begin(&r.slots[1]);
	cr_assert_eq(atomic_load(&r.slots[1].seq) % 2, 1, "seq odd while writing");
	SLOT_SET(&r.slots[1], pid, 4242);
	SLOT_SET(&r.slots[1], start_ns, 99);
	shm_slot_end(&r.slots[1]);
	cr_assert_eq(atomic_load(&r.slots[1].seq) % 2, 0, "seq even after writing");
	shm_slot_state(&r.slots[1], SLOT_DONE);
	shm_slot_read(&r, 1, &v);
	cr_assert_eq(v.pid, 4242);
	cr_assert_eq(v.start_ns, 99);
	cr_assert_eq(v.state, SLOT_DONE);
	cr_assert_eq(v.ops_done, 6000, "a state change keeps the progress");

	/* slot 0 was never touched */
	shm_slot_read(&r, 0, &v);
	cr_assert_eq(v.state, SLOT_EMPTY);
	cr_assert_eq(v.ops_done, 0);

	/* NULL slots (publishing off) are ignored */
	shm_slot_progress(NULL, 1, 1, 1);
	shm_slot_state(NULL, SLOT_FAILED);
	shm_close(&r);
}

Test(shm, slot_written_by_another_process)
{
	struct shm_region r;
	struct slot_view v;
	char err[256];
	int status;

	cr_assert_eq(shm_create_anon(&r, 1, err, sizeof err), 0, "%s", err);
	shm_slot_reset(&r, 0, 0, 0, 100);
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		for (uint64_t i = 1; i <= 100; i++)
			shm_slot_progress(&r.slots[0], i - 1, i, i);
		shm_slot_state(&r.slots[0], SLOT_DONE);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	shm_slot_read(&r, 0, &v);
	cr_assert_eq(v.state, SLOT_DONE);
	cr_assert_eq(v.tasks_done, 100);
	cr_assert_eq(v.ops_done, 100);
	cr_assert_eq(v.task, 99);
	shm_close(&r);
}

Test(shm, header_round_trip)
{
	struct shm_region r;
	struct header_view h;
	char err[256];
	char longlabel[100];

	cr_assert_eq(shm_create_anon(&r, 2, err, sizeof err), 0, "%s", err);
	shm_header_read(&r, &h);
	cr_assert_eq(h.phase, PHASE_IDLE);
	cr_assert_str_eq(h.label, "");
	shm_header_publish(&r, PHASE_WARMUP, 1, 4, 0, 6, 2, 1, "heavy pool w=2");
	shm_header_read(&r, &h);
	cr_assert_eq(h.phase, PHASE_WARMUP);
	cr_assert_eq(h.run_count, 6);
	cr_assert_eq(h.finished, 1);
	cr_assert_str_eq(h.label, "heavy pool w=2");
	cr_assert_gt(h.run_start_ns, 0);
	/* NULL keeps the label; a long one is cut, still terminated */
	shm_header_publish(&r, PHASE_FINISHED, 4, 4, 0, 0, 0, 4, NULL);
	shm_header_read(&r, &h);
	cr_assert_eq(h.phase, PHASE_FINISHED);
	cr_assert_str_eq(h.label, "heavy pool w=2");
	memset(longlabel, 'x', sizeof longlabel - 1);
	longlabel[sizeof longlabel - 1] = '\0';
	shm_header_publish(&r, PHASE_MEASURE, 0, 1, 0, 1, 5, 0, longlabel);
	shm_header_read(&r, &h);
	cr_assert_eq(strlen(h.label), SHM_LABEL_LEN - 1);
	/* nactive is clamped to the slots there are */
	cr_assert_eq(h.nactive, 2);
	cr_assert_eq(atomic_load(&r.hdr->seq) % 2, 0);
	shm_close(&r);
}

Test(shm, names)
{
	cr_assert_str_eq(shm_state_name(SLOT_RUNNING), "running");
	cr_assert_str_eq(shm_state_name(SLOT_FAILED), "failed");
	cr_assert_str_eq(shm_state_name(999), "?");
	cr_assert_str_eq(shm_phase_name(PHASE_MEASURE), "measure");
	cr_assert_str_eq(shm_phase_name(999), "?");
}

/* Create an empty segment called name with shm_open. */
static void tshm_make(const char *name)
{
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);

	cr_assert_geq(fd, 0, "shm_open %s: %s", name, strerror(errno));
	close(fd);
}

Test(shm, sweep_removes_dead_owners_only)
{
	char dead[64], live[64], other[64];
	pid_t pid = fork();
	int status;

	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);   /* reaped: pid is dead */
	snprintf(dead, sizeof dead, "/" SHM_PREFIX "%ld-deadbeef", (long)pid);
	snprintf(live, sizeof live, "/" SHM_PREFIX "%ld-cafef00d", (long)getpid());
	snprintf(other, sizeof other, "/benchtopx-%ld-deadbeef", (long)pid);
	shm_unlink(dead);
	shm_unlink(live);
	shm_unlink(other);
	tshm_make(dead);
	tshm_make(live);
	tshm_make(other);

	unsigned n = shm_sweep_stale();
	bool dead_left = tshm_exists(dead), live_left = tshm_exists(live);
	bool other_left = tshm_exists(other);

	shm_unlink(dead);
	shm_unlink(live);
	shm_unlink(other);
	cr_assert_geq(n, 1, "nothing swept");
	cr_assert_not(dead_left, "%s of a dead owner survived", dead);
	cr_assert(live_left, "%s of a live owner was removed", live);
	cr_assert(other_left, "%s is not benchtop's and was removed", other);
}

Test(shm, find_live_region)
{
	struct shm_region r;
	char err[256], name[64];

	cr_assert_eq(shm_create(&r, 1, err, sizeof err), 0, "%s", err);
	cr_assert_eq(shm_find(getpid(), name, sizeof name), 0);
	cr_assert_str_eq(name, r.name);
	shm_close(&r);
	cr_assert_eq(shm_find(getpid(), name, sizeof name), -1);
}
