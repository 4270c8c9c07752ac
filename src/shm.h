/*
 * shm.h - the shared-memory stats region.
 *
 * Owns: the layout of the region (both the writer, benchtop's engine and its
 * workers, and readers such as `benchtop watch` map it, so the layout lives
 * here with every field commented), creating, attaching, validating and
 * removing the named segment, sweeping stale segments of dead owners, and
 * the seqlock protocol for slots.
 *
 * Protocol: the parent maps the region before any fork. Each slot has one
 * writer (the worker process it belongs to, or the parent before the worker
 * starts); a write bumps `seq` to odd, stores fields with relaxed atomics and
 * bumps `seq` to even with release order. Readers retry until they see the
 * same even `seq` before and after copying, so a snapshot is never torn.
 * The header's run fields are written only by the parent, under the header's
 * own `seq`.
 */
#ifndef BENCHTOP_SHM_H
#define BENCHTOP_SHM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SHM_MAGIC 0x504f5448434e4542ULL /* "BENCHTOP" little-endian */
#define SHM_VERSION 1u
#define SHM_PREFIX "benchtop-"          /* names are /benchtop-<pid>-<hex> */
#define SHM_MAX_SLOTS 8192u
#define SHM_LABEL_LEN 48

/* State of one worker slot. */
enum slot_state {
	SLOT_EMPTY = 0,   /* not used in this run */
	SLOT_STARTING,    /* forked, setting up (binding, waiting at barrier) */
	SLOT_IDLE,        /* ready, waiting for work */
	SLOT_RUNNING,     /* computing */
	SLOT_DONE,        /* finished normally */
	SLOT_FAILED       /* crashed, killed or verification failed */
};

/* Run phases published in the header. */
enum shm_phase {
	PHASE_IDLE = 0, PHASE_STARTUP, PHASE_WARMUP, PHASE_MEASURE, PHASE_FINISHED
};

/* One worker's live record: one cache line, one writer. */
struct shm_slot {
	_Atomic uint32_t seq;        /* seqlock counter: odd while being written */
	_Atomic uint32_t state;      /* enum slot_state */
	_Atomic int32_t pid;         /* worker pid, 0 before fork */
	_Atomic int32_t cpu;         /* CPU it was last seen on, -1 unknown */
	_Atomic uint32_t index;      /* worker index within the run */
	_Atomic uint32_t role;       /* workload-defined: 0 worker, 1 producer, 2 server */
	_Atomic uint64_t task;       /* current task index (UINT64_MAX: none) */
	_Atomic uint64_t tasks_done; /* tasks finished in this run */
	_Atomic uint64_t ops_done;   /* operations done (iterations, items, inserts) */
	_Atomic uint64_t ops_total;  /* operations this worker expects, 0 unknown */
	_Atomic uint64_t start_ns;   /* CLOCK_MONOTONIC when the worker started */
	_Atomic uint64_t update_ns;  /* CLOCK_MONOTONIC of the last publish */
} __attribute__((aligned(64)));

/* A plain copy of a slot, as returned by shm_slot_read(). */
struct slot_view {
	uint32_t state, index, role;
	int32_t pid, cpu;
	uint64_t task, tasks_done, ops_done, ops_total, start_ns, update_ns;
};

/* The region's header, followed by `nslots` slots at `slots_offset`. */
struct shm_header {
	uint64_t magic;                  /* SHM_MAGIC */
	uint32_t version;                /* SHM_VERSION */
	uint32_t header_size;            /* sizeof(struct shm_header) */
	uint64_t total_size;             /* bytes mapped: header + slots */
	uint32_t slot_size;              /* sizeof(struct shm_slot) */
	uint32_t nslots;                 /* slots in the region */
	uint64_t slots_offset;           /* byte offset of slot 0 */
	int32_t owner_pid;               /* pid of the benchtop that created it */
	uint32_t pad0;
	uint64_t created_ns;             /* CLOCK_REALTIME at creation */
	_Atomic uint32_t seq;            /* seqlock for the fields below */
	_Atomic uint32_t phase;          /* enum shm_phase */
	_Atomic uint32_t config_index;   /* configuration being run, 0-based */
	_Atomic uint32_t config_count;   /* configurations in the plan */
	_Atomic uint32_t run_index;      /* run within the configuration, 0-based */
	_Atomic uint32_t run_count;      /* warm-up + measured runs */
	_Atomic uint32_t nactive;        /* slots in use by the current run */
	_Atomic uint32_t finished;       /* configurations finished */
	_Atomic uint64_t run_start_ns;   /* CLOCK_MONOTONIC start of the current run */
	_Atomic uint64_t label[SHM_LABEL_LEN / 8]; /* "fib pool w=2", NUL-padded */
};

/* A header copy, as returned by shm_header_read(). */
struct header_view {
	uint32_t phase, config_index, config_count, run_index, run_count;
	uint32_t nactive, finished, nslots;
	int32_t owner_pid;
	uint64_t run_start_ns, created_ns;
	char label[SHM_LABEL_LEN + 1];
};

/* A mapped region; the owner created it, a watcher attached to it. */
struct shm_region {
	struct shm_header *hdr;
	struct shm_slot *slots;
	size_t size;
	char name[64];                   /* "/benchtop-<pid>-<hex>" */
	bool owner;                      /* created (and will unlink) it */
};

/* Create and map a new named region with nslots slots (mode 0600, O_EXCL).
 * Returns 0, or -1 with errno set and a message in err. */
int shm_create(struct shm_region *r, unsigned nslots, char *err, size_t errlen);

/* Create an anonymous (unnamed) region, for tests and --no-shm runs. */
int shm_create_anon(struct shm_region *r, unsigned nslots, char *err, size_t errlen);

/* Attach read-only to the named region `name` and validate it (magic,
 * version, sizes, slot count against the mapped size). Returns 0, or -1 with
 * a message in err. */
int shm_attach(struct shm_region *r, const char *name, char *err, size_t errlen);

/* Validate a region image of `len` bytes (what shm_attach checks); returns 0
 * or -1 with a message. Used on untrusted data (fuzzed by tests). */
int shm_validate(const void *base, size_t len, char *err, size_t errlen);

/* Unmap the region and, for its owner, unlink the name. Safe to call twice. */
void shm_close(struct shm_region *r);

/* Remove segments whose owner process is dead; returns how many. */
unsigned shm_sweep_stale(void);

/* Name of the newest live region, or of the one owned by pid when pid > 0.
 * Returns 0 and fills name, or -1 when none. */
int shm_find(pid_t pid, char *name, size_t len);

/* Reset slot i for a new worker (parent side, before fork). */
void shm_slot_reset(struct shm_region *r, unsigned i, uint32_t index, uint32_t role,
		    uint64_t ops_total);

/* Begin/end a slot write (writer side). Between them use the slot_set_*
 * helpers or relaxed atomic stores. */
static inline void shm_slot_begin(struct shm_slot *s)
{
	uint32_t q = atomic_load_explicit(&s->seq, memory_order_relaxed);

	atomic_store_explicit(&s->seq, q + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static inline void shm_slot_end(struct shm_slot *s)
{
	uint32_t q = atomic_load_explicit(&s->seq, memory_order_relaxed);

	atomic_store_explicit(&s->seq, q + 1, memory_order_release);
}

#define SLOT_SET(s, field, v) atomic_store_explicit(&(s)->field, (v), memory_order_relaxed)

/* Publish progress: tasks and ops done so far, current task (writer side).
 * Cheap: a handful of relaxed stores; call it in batches, not per op.
 * A NULL slot (stats publishing off) is allowed. */
void shm_slot_progress(struct shm_slot *s, uint64_t task, uint64_t tasks_done,
		       uint64_t ops_done);

/* Set a slot's state (writer side); NULL allowed. */
void shm_slot_state(struct shm_slot *s, enum slot_state st);

/* Consistent copy of slot i (reader side). */
void shm_slot_read(const struct shm_region *r, unsigned i, struct slot_view *out);

/* Consistent copy of the header's run fields (reader side). */
void shm_header_read(const struct shm_region *r, struct header_view *out);

/* Publish the header's run fields (parent only). label may be NULL to keep. */
void shm_header_publish(struct shm_region *r, enum shm_phase phase, uint32_t config_index,
			uint32_t config_count, uint32_t run_index, uint32_t run_count,
			uint32_t nactive, uint32_t finished, const char *label);

/* Name of a slot state ("running") and a phase ("measure"). */
const char *shm_state_name(uint32_t st);
const char *shm_phase_name(uint32_t ph);

#endif
