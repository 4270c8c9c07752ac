/*
 * shm.c - the shared-memory stats region: create, attach and validate,
 * remove, sweep stale segments, and the seqlock reads and writes of slots.
 */
#include "shm.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define SHM_DIR "/dev/shm"
/* A reader retries this often (yielding after 64) before it accepts a
 * possibly torn copy: a writer that died between begin and end leaves seq
 * odd, and a yield can cost a time slice when the CPUs are busy. */
#define SEQ_MAX_SPINS 1000u

static const char *const state_names[] = {
	"empty", "starting", "idle", "running", "done", "failed"
};
static const char *const phase_names[] = {
	"idle", "startup", "warmup", "measure", "finished"
};

/* Bytes a region of nslots slots takes. */
static size_t region_size(unsigned nslots)
{
	size_t hdr = (sizeof(struct shm_header) + 63) & ~(size_t)63;

	return hdr + (size_t)nslots * sizeof(struct shm_slot);
}

/* Fill a fresh header and empty slots. */
static void region_init(struct shm_region *r, void *base, size_t size, unsigned nslots)
{
	struct shm_header *h = base;

	memset(base, 0, size);
	h->magic = SHM_MAGIC;
	h->version = SHM_VERSION;
	h->header_size = sizeof *h;
	h->total_size = size;
	h->slot_size = sizeof(struct shm_slot);
	h->nslots = nslots;
	h->slots_offset = (sizeof(struct shm_header) + 63) & ~(size_t)63;
	h->owner_pid = (int32_t)getpid();
	h->created_ns = wall_ns();
	r->hdr = h;
	r->slots = (struct shm_slot *)((char *)base + h->slots_offset);
	r->size = size;
	for (unsigned i = 0; i < nslots; i++)
		atomic_store_explicit(&r->slots[i].cpu, -1, memory_order_relaxed);
}

/* Create the named segment with O_EXCL, mode 0600, and map it. */
int shm_create(struct shm_region *r, unsigned nslots, char *err, size_t errlen)
{
	size_t size;
	void *base;
	int fd = -1;

	memset(r, 0, sizeof *r);
	if (nslots == 0 || nslots > SHM_MAX_SLOTS) {
		bufprintf(err, errlen, "stats region: %u slots (limit %u)", nslots, SHM_MAX_SLOTS);
		errno = EINVAL;
		return -1;
	}
	size = region_size(nslots);
	for (int attempt = 0; attempt < 8 && fd < 0; attempt++) {
		uint32_t rnd;

		if (getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) != sizeof rnd)
			rnd = (uint32_t)now_ns() ^ (uint32_t)attempt * 2654435761u;
		bufprintf(r->name, sizeof r->name, "/" SHM_PREFIX "%ld-%08" PRIx32,
			  (long)getpid(), rnd);
		fd = shm_open(r->name, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		bufprintf(err, errlen, "stats region: shm_open %s: %s", r->name, strerror(errno));
		return -1;
	}
	if (ftruncate(fd, (off_t)size) < 0 || (errno = posix_fallocate(fd, 0, (off_t)size)) != 0) {
		int e = errno;

		/* posix_fallocate reserves the pages now: a full /dev/shm fails
		 * here with ENOSPC, not as SIGBUS in a worker later. */
		bufprintf(err, errlen, "stats region: cannot size %s to %zu bytes (is %s full?): %s",
			  r->name, size, SHM_DIR, strerror(e));
		close(fd);
		shm_unlink(r->name);
		errno = e;
		return -1;
	}
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		int e = errno;

		bufprintf(err, errlen, "stats region: mmap %s: %s", r->name, strerror(e));
		close(fd);
		shm_unlink(r->name);
		errno = e;
		return -1;
	}
	close(fd);
	r->owner = true;
	region_init(r, base, size, nslots);
	return 0;
}

/* Create an anonymous region with the same layout. */
int shm_create_anon(struct shm_region *r, unsigned nslots, char *err, size_t errlen)
{
	size_t size;
	void *base;

	memset(r, 0, sizeof *r);
	if (nslots == 0 || nslots > SHM_MAX_SLOTS) {
		bufprintf(err, errlen, "stats region: %u slots (limit %u)", nslots, SHM_MAX_SLOTS);
		errno = EINVAL;
		return -1;
	}
	size = region_size(nslots);
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		bufprintf(err, errlen, "stats region: mmap %zu bytes: %s", size, strerror(errno));
		return -1;
	}
	region_init(r, base, size, nslots);
	return 0;
}

/* Check an untrusted region image before anyone reads its slots. */
int shm_validate(const void *base, size_t len, char *err, size_t errlen)
{
	const struct shm_header *h = base;
	uint64_t need;

	if (base == NULL || len < sizeof *h) {
		bufprintf(err, errlen, "region too small (%zu bytes) for a header", len);
		return -1;
	}
	if (h->magic != SHM_MAGIC) {
		bufprintf(err, errlen, "not a benchtop stats region (bad magic)");
		return -1;
	}
	if (h->version != SHM_VERSION) {
		bufprintf(err, errlen, "stats region layout version %" PRIu32 ", this benchtop "
			  "reads version %u", h->version, SHM_VERSION);
		return -1;
	}
	if (h->header_size != sizeof *h || h->slot_size != sizeof(struct shm_slot)) {
		bufprintf(err, errlen, "stats region header/slot size mismatch");
		return -1;
	}
	if (h->nslots == 0 || h->nslots > SHM_MAX_SLOTS) {
		bufprintf(err, errlen, "stats region claims %" PRIu32 " slots", h->nslots);
		return -1;
	}
	if (h->slots_offset < sizeof *h || h->slots_offset % 64 != 0 ||
	    h->slots_offset > len) {
		bufprintf(err, errlen, "stats region slot offset %" PRIu64 " is invalid",
			  h->slots_offset);
		return -1;
	}
	need = h->slots_offset + (uint64_t)h->nslots * sizeof(struct shm_slot);
	if (h->total_size != need || need > len) {
		bufprintf(err, errlen, "stats region of %zu bytes cannot hold %" PRIu32
			  " slots (needs %" PRIu64 ", header says %" PRIu64 ")",
			  len, h->nslots, need, h->total_size);
		return -1;
	}
	return 0;
}

/* Map a named region read-only and validate it. */
int shm_attach(struct shm_region *r, const char *name, char *err, size_t errlen)
{
	struct stat st;
	void *base;
	int fd;

	memset(r, 0, sizeof *r);
	bufprintf(r->name, sizeof r->name, "%s%s", name[0] == '/' ? "" : "/", name);
	fd = shm_open(r->name, O_RDONLY, 0);
	if (fd < 0) {
		bufprintf(err, errlen, "cannot open stats region %s: %s", r->name, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		bufprintf(err, errlen, "stats region %s is empty", r->name);
		close(fd);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		bufprintf(err, errlen, "stats region %s belongs to another user", r->name);
		close(fd);
		return -1;
	}
	base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (base == MAP_FAILED) {
		bufprintf(err, errlen, "mmap stats region %s: %s", r->name, strerror(errno));
		return -1;
	}
	if (shm_validate(base, (size_t)st.st_size, err, errlen) < 0) {
		munmap(base, (size_t)st.st_size);
		return -1;
	}
	r->hdr = base;
	r->slots = (struct shm_slot *)((char *)base + r->hdr->slots_offset);
	r->size = (size_t)st.st_size;
	return 0;
}

/* Unmap, and unlink when owned. */
void shm_close(struct shm_region *r)
{
	if (r == NULL || r->hdr == NULL)
		return;
	munmap(r->hdr, r->size);
	if (r->owner && r->name[0] != '\0')
		shm_unlink(r->name);
	r->hdr = NULL;
	r->slots = NULL;
	r->owner = false;
}

/* Parse the owner pid out of "benchtop-<pid>-<hex>"; 0 when malformed. */
static pid_t name_pid(const char *name)
{
	char *end;
	long pid;

	if (strncmp(name, SHM_PREFIX, strlen(SHM_PREFIX)) != 0)
		return 0;
	pid = strtol(name + strlen(SHM_PREFIX), &end, 10);
	if (*end != '-' || pid <= 0)
		return 0;
	return (pid_t)pid;
}

/* Whether process pid exists (EPERM: it exists but is not ours). */
static int pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

/* Unlink segments whose owner is dead. */
unsigned shm_sweep_stale(void)
{
	DIR *d = opendir(SHM_DIR);
	struct dirent *de;
	unsigned n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		pid_t pid = name_pid(de->d_name);
		char path[300];
		struct stat st;

		if (pid == 0 || pid_alive(pid))
			continue;
		bufprintf(path, sizeof path, SHM_DIR "/%s", de->d_name);
		if (stat(path, &st) == 0 && st.st_uid != geteuid())
			continue;
		bufprintf(path, sizeof path, "/%s", de->d_name);
		if (shm_unlink(path) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* Find the newest live segment (or the one of pid). */
int shm_find(pid_t pid, char *name, size_t len)
{
	DIR *d = opendir(SHM_DIR);
	struct dirent *de;
	uint64_t best = 0;
	int found = -1;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		pid_t owner = name_pid(de->d_name);
		char path[300];
		struct stat st;
		uint64_t t;

		if (owner == 0 || (pid > 0 && owner != pid) || !pid_alive(owner))
			continue;
		bufprintf(path, sizeof path, SHM_DIR "/%s", de->d_name);
		if (stat(path, &st) < 0 || st.st_uid != geteuid())
			continue;
		t = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
		if (found < 0 || t >= best) {
			best = t;
			bufprintf(name, len, "/%s", de->d_name);
			found = 0;
		}
	}
	closedir(d);
	return found;
}

/* Make seq even again when the slot's previous writer died between
 * shm_slot_begin() and shm_slot_end(); only the slot's one writer calls it
 * (the parent once that worker is dead or before the fork, or the worker). */
static void slot_repair(struct shm_slot *s)
{
	uint32_t q = atomic_load_explicit(&s->seq, memory_order_relaxed);

	if (q & 1u)
		atomic_store_explicit(&s->seq, q + 1, memory_order_release);
}

/* Prepare slot i for a worker about to be forked. */
void shm_slot_reset(struct shm_region *r, unsigned i, uint32_t index, uint32_t role,
		    uint64_t ops_total)
{
	struct shm_slot *s = &r->slots[i];

	slot_repair(s);
	shm_slot_begin(s);
	SLOT_SET(s, state, SLOT_STARTING);
	SLOT_SET(s, pid, 0);
	SLOT_SET(s, cpu, -1);
	SLOT_SET(s, index, index);
	SLOT_SET(s, role, role);
	SLOT_SET(s, task, UINT64_MAX);
	SLOT_SET(s, tasks_done, 0);
	SLOT_SET(s, ops_done, 0);
	SLOT_SET(s, ops_total, ops_total);
	SLOT_SET(s, start_ns, 0);
	SLOT_SET(s, update_ns, 0);
	shm_slot_end(s);
}

/* Batched progress publication by the slot's worker. */
void shm_slot_progress(struct shm_slot *s, uint64_t task, uint64_t tasks_done, uint64_t ops_done)
{
	if (s == NULL)
		return;
	int cpu = sched_getcpu();

	shm_slot_begin(s);
	SLOT_SET(s, task, task);
	SLOT_SET(s, tasks_done, tasks_done);
	SLOT_SET(s, ops_done, ops_done);
	SLOT_SET(s, cpu, cpu);
	SLOT_SET(s, update_ns, now_ns());
	shm_slot_end(s);
}

/* Change the state of a slot (its worker, or the parent once it is dead). */
void shm_slot_state(struct shm_slot *s, enum slot_state st)
{
	if (s == NULL)
		return;
	slot_repair(s);
	shm_slot_begin(s);
	SLOT_SET(s, state, (uint32_t)st);
	SLOT_SET(s, update_ns, now_ns());
	shm_slot_end(s);
}

#define SLOT_GET(s, f) atomic_load_explicit(&(s)->f, memory_order_relaxed)

/* Seqlock read of slot i. */
void shm_slot_read(const struct shm_region *r, unsigned i, struct slot_view *v)
{
	struct shm_slot *s = &r->slots[i];

	for (unsigned spins = 0;; spins++) {
		uint32_t q1 = atomic_load_explicit(&s->seq, memory_order_acquire);
		/* A writer that died mid-update leaves seq odd forever; give up
		 * after a while and return what is there. */
		bool give_up = spins > SEQ_MAX_SPINS;

		if ((q1 & 1u) && !give_up) {
			if (spins > 64)
				sched_yield();
			continue;
		}
		v->state = SLOT_GET(s, state);
		v->pid = SLOT_GET(s, pid);
		v->cpu = SLOT_GET(s, cpu);
		v->index = SLOT_GET(s, index);
		v->role = SLOT_GET(s, role);
		v->task = SLOT_GET(s, task);
		v->tasks_done = SLOT_GET(s, tasks_done);
		v->ops_done = SLOT_GET(s, ops_done);
		v->ops_total = SLOT_GET(s, ops_total);
		v->start_ns = SLOT_GET(s, start_ns);
		v->update_ns = SLOT_GET(s, update_ns);
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&s->seq, memory_order_relaxed) == q1 || give_up)
			return;
	}
}

/* Seqlock read of the header's run fields. */
void shm_header_read(const struct shm_region *r, struct header_view *v)
{
	struct shm_header *h = r->hdr;

	for (unsigned spins = 0;; spins++) {
		uint32_t q1 = atomic_load_explicit(&h->seq, memory_order_acquire);

		if (!(q1 & 1u)) {
			v->phase = atomic_load_explicit(&h->phase, memory_order_relaxed);
			v->config_index = atomic_load_explicit(&h->config_index, memory_order_relaxed);
			v->config_count = atomic_load_explicit(&h->config_count, memory_order_relaxed);
			v->run_index = atomic_load_explicit(&h->run_index, memory_order_relaxed);
			v->run_count = atomic_load_explicit(&h->run_count, memory_order_relaxed);
			v->nactive = atomic_load_explicit(&h->nactive, memory_order_relaxed);
			v->finished = atomic_load_explicit(&h->finished, memory_order_relaxed);
			v->run_start_ns = atomic_load_explicit(&h->run_start_ns, memory_order_relaxed);
			for (size_t k = 0; k < SHM_LABEL_LEN / 8; k++) {
				uint64_t w = atomic_load_explicit(&h->label[k], memory_order_relaxed);

				memcpy(v->label + 8 * k, &w, 8);
			}
			atomic_thread_fence(memory_order_acquire);
			if (atomic_load_explicit(&h->seq, memory_order_relaxed) == q1)
				break;
		}
		if (spins > SEQ_MAX_SPINS)
			break;
		if (spins > 64)
			sched_yield();
	}
	v->label[SHM_LABEL_LEN] = '\0';
	if (v->nactive > h->nslots)
		v->nactive = h->nslots;
	v->nslots = h->nslots;
	v->owner_pid = h->owner_pid;
	v->created_ns = h->created_ns;
}

/* Publish run position (parent only). */
void shm_header_publish(struct shm_region *r, enum shm_phase phase, uint32_t config_index,
			uint32_t config_count, uint32_t run_index, uint32_t run_count,
			uint32_t nactive, uint32_t finished, const char *label)
{
	struct shm_header *h = r->hdr;
	uint32_t q = atomic_load_explicit(&h->seq, memory_order_relaxed);

	atomic_store_explicit(&h->seq, q + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&h->phase, (uint32_t)phase, memory_order_relaxed);
	atomic_store_explicit(&h->config_index, config_index, memory_order_relaxed);
	atomic_store_explicit(&h->config_count, config_count, memory_order_relaxed);
	atomic_store_explicit(&h->run_index, run_index, memory_order_relaxed);
	atomic_store_explicit(&h->run_count, run_count, memory_order_relaxed);
	atomic_store_explicit(&h->nactive, nactive, memory_order_relaxed);
	atomic_store_explicit(&h->finished, finished, memory_order_relaxed);
	if (phase == PHASE_STARTUP || phase == PHASE_WARMUP || phase == PHASE_MEASURE)
		atomic_store_explicit(&h->run_start_ns, now_ns(), memory_order_relaxed);
	if (label != NULL) {
		char buf[SHM_LABEL_LEN] = { 0 };

		strncpy(buf, label, SHM_LABEL_LEN - 1);
		for (size_t k = 0; k < SHM_LABEL_LEN / 8; k++) {
			uint64_t w;

			memcpy(&w, buf + 8 * k, 8);
			atomic_store_explicit(&h->label[k], w, memory_order_relaxed);
		}
	}
	atomic_store_explicit(&h->seq, q + 2, memory_order_release);
}

/* Name of a slot state. */
const char *shm_state_name(uint32_t st)
{
	return st < ARRAY_LEN(state_names) ? state_names[st] : "?";
}

/* Name of a phase. */
const char *shm_phase_name(uint32_t ph)
{
	return ph < ARRAY_LEN(phase_names) ? phase_names[ph] : "?";
}
