/*
 * ring.c - the shared-memory MPMC ring buffer (see ring.h).
 *
 * Four ticket counters, as in DPDK's rte_ring: producers reserve a run of
 * free slots by advancing prod_head with a compare-and-swap, copy their
 * items in, then publish them by advancing prod_tail, in reservation order
 * (a producer waits until prod_tail reaches the start of its run).
 * Consumers do the same with cons_head and cons_tail over the slots
 * between cons_head and prod_tail. Item slots are written only by
 * producers and read only by consumers, and each side touches the other's
 * counter once per batch, so a batch of 8-byte items costs a few cache-line
 * transfers plus the items themselves (8 to a line).
 *
 * Sleeping uses an eventcount per side: a waiter reads the epoch, counts
 * itself in `waiters`, re-checks its condition and only then sleeps on the
 * epoch; a notifier publishes, issues a full fence and wakes only when it
 * sees a waiter. Either the waiter sees the published state or the
 * notifier sees the waiter, so no wake-up is lost and the fast path makes
 * no system call.
 */
#include "ring.h"

#include <limits.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <linux/futex.h>
#include <unistd.h>

#include "util.h"

#define RING_MAGIC 0x474e4952u /* "RING" */
/* Polls of a condition before sleeping: about 10 microseconds. */
#define RING_SPIN 512u

/* One side's sleeping place. */
struct ring_evc {
	_Atomic uint32_t epoch;    /* futex word, bumped by each wake-up */
	_Atomic uint32_t waiters;  /* processes between counting and sleeping */
	_Atomic uint64_t sleeps;   /* futex waits so far (statistics) */
};

/* The ring's header, followed by its item slots. */
struct ring {
	uint64_t cap;              /* slots */
	uint32_t itemsize;         /* bytes per item */
	uint32_t magic;
	_Alignas(64) _Atomic uint64_t prod_head; /* tickets reserved by producers */
	_Alignas(64) _Atomic uint64_t prod_tail; /* tickets filled and published */
	_Alignas(64) _Atomic uint64_t cons_head; /* tickets claimed by consumers */
	_Alignas(64) _Atomic uint64_t cons_tail; /* tickets emptied and released */
	_Alignas(64) struct ring_evc data;  /* sleep here for prod_tail to move */
	_Alignas(64) struct ring_evc space; /* sleep here for cons_tail to move */
	_Alignas(64) unsigned char slots[];
};

/* Memory for a ring: header, then the slots, rounded up to a cache line. */
size_t ring_bytes(uint64_t capacity, size_t itemsize)
{
	size_t n = sizeof(struct ring) + (size_t)capacity * itemsize;

	return (n + 63) & ~(size_t)63;
}

/* Lay out an empty ring. */
struct ring *ring_init(void *mem, uint64_t capacity, size_t itemsize)
{
	struct ring *r = mem;

	memset(r, 0, sizeof *r);
	r->cap = capacity;
	r->itemsize = (uint32_t)itemsize;
	r->magic = RING_MAGIC;
	atomic_thread_fence(memory_order_seq_cst);
	return r;
}

/* Wake the sleepers of ev, if any (after publishing). */
static inline void evc_notify(struct ring_evc *ev)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&ev->waiters, memory_order_relaxed) != 0) {
		atomic_fetch_add_explicit(&ev->epoch, 1, memory_order_release);
		futex_shared(&ev->epoch, FUTEX_WAKE, INT_MAX, NULL);
	}
}

/*
 * Whether the condition a sleeper waits for holds: *word + add > x, or,
 * when eq is set, *word == x.
 */
static inline bool cond_met(_Atomic uint64_t *word, uint64_t x, uint64_t add, bool eq)
{
	uint64_t v = atomic_load_explicit(word, memory_order_seq_cst);

	return eq ? v == x : v + add > x;
}

/* Spin, then sleep on ev until cond_met(word, x, add, eq). */
static void ring_wait(struct ring_evc *ev, _Atomic uint64_t *word, uint64_t x, uint64_t add,
		      bool eq)
{
	for (unsigned i = 0; i < RING_SPIN; i++) {
		if (cond_met(word, x, add, eq))
			return;
		/* with more processes than cores the one we wait for may need this core */
		if (i % 64 == 63)
			sched_yield();
		else
			cpu_relax();
	}
	while (!cond_met(word, x, add, eq)) {
		uint32_t e = atomic_load_explicit(&ev->epoch, memory_order_acquire);

		atomic_fetch_add_explicit(&ev->waiters, 1, memory_order_seq_cst);
		if (!cond_met(word, x, add, eq)) {
			atomic_fetch_add_explicit(&ev->sleeps, 1, memory_order_relaxed);
			futex_shared(&ev->epoch, FUTEX_WAIT, e, NULL);
		}
		atomic_fetch_sub_explicit(&ev->waiters, 1, memory_order_relaxed);
	}
}

/* Copy k items from buf into the slots of tickets t.. */
static inline void ring_copy_in(struct ring *r, uint64_t t, const unsigned char *buf, uint64_t k)
{
	uint64_t idx = t % r->cap, first = r->cap - idx < k ? r->cap - idx : k;
	size_t sz = r->itemsize;

	memcpy(r->slots + idx * sz, buf, first * sz);
	memcpy(r->slots, buf + first * sz, (k - first) * sz);
}

/* Copy k items out of the slots of tickets t.. into buf. */
static inline void ring_copy_out(const struct ring *r, uint64_t t, unsigned char *buf, uint64_t k)
{
	uint64_t idx = t % r->cap, first = r->cap - idx < k ? r->cap - idx : k;
	size_t sz = r->itemsize;

	memcpy(buf, r->slots + idx * sz, first * sz);
	memcpy(buf + first * sz, r->slots, (k - first) * sz);
}

/* Reserve free slots, fill them, publish them in reservation order. */
void ring_put(struct ring *r, const void *items, unsigned n)
{
	const unsigned char *src = items;

	while (n > 0) {
		uint64_t h = atomic_load_explicit(&r->prod_head, memory_order_relaxed), k;

		for (;;) {
			uint64_t ct = atomic_load_explicit(&r->cons_tail, memory_order_acquire);
			uint64_t room = r->cap - (h - ct);

			if (room == 0 || h - ct > r->cap) {
				ring_wait(&r->space, &r->cons_tail, h, r->cap, false);
				h = atomic_load_explicit(&r->prod_head, memory_order_relaxed);
				continue;
			}
			k = room < n ? room : n;
			if (atomic_compare_exchange_weak_explicit(&r->prod_head, &h, h + k,
								  memory_order_relaxed,
								  memory_order_relaxed))
				break;
		}
		ring_copy_in(r, h, src, k);
		/* acquire: the producer before us may have published through the
		 * one before it; a consumer that sees our tail must see all of it */
		if (atomic_load_explicit(&r->prod_tail, memory_order_acquire) != h)
			ring_wait(&r->data, &r->prod_tail, h, 0, true);
		atomic_store_explicit(&r->prod_tail, h + k, memory_order_release);
		evc_notify(&r->data);
		src += k * r->itemsize;
		n -= (unsigned)k;
	}
}

/* Claim published slots, copy them out, release them in claim order. */
unsigned ring_get(struct ring *r, void *out, unsigned max)
{
	uint64_t h = atomic_load_explicit(&r->cons_head, memory_order_relaxed), k;

	for (;;) {
		uint64_t pt = atomic_load_explicit(&r->prod_tail, memory_order_acquire);

		if (pt <= h) {
			ring_wait(&r->data, &r->prod_tail, h, 0, false);
			h = atomic_load_explicit(&r->cons_head, memory_order_relaxed);
			continue;
		}
		k = pt - h < max ? pt - h : max;
		if (atomic_compare_exchange_weak_explicit(&r->cons_head, &h, h + k,
							  memory_order_relaxed, memory_order_relaxed))
			break;
	}
	ring_copy_out(r, h, out, k);
	/* acquire, as in ring_put: the slots released before ours are free */
	if (atomic_load_explicit(&r->cons_tail, memory_order_acquire) != h)
		ring_wait(&r->space, &r->cons_tail, h, 0, true);
	atomic_store_explicit(&r->cons_tail, h + k, memory_order_release);
	evc_notify(&r->space);
	return (unsigned)k;
}

/* Futex sleeps waiting for space and for data so far. */
void ring_sleeps(const struct ring *r, uint64_t *space, uint64_t *data)
{
	*space = atomic_load_explicit(&r->space.sleeps, memory_order_relaxed);
	*data = atomic_load_explicit(&r->data.sleeps, memory_order_relaxed);
}
