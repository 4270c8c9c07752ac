/*
 * shdict.c - the tutorial's Manager experiment: writer processes each put
 * their keys into one shared dictionary (d[k] = k * 10) and append them to
 * one shared list (l.append(k)).
 *
 * `keys` is the total over all writers (writer w of W takes the contiguous
 * keys [keys * w / W, keys * (w + 1) / W)), so single mode and every worker
 * count do the same work and their times compare directly; with the
 * tutorial's five keys and five workers each writer inserts one key, as in
 * the tutorial.
 *
 * The dictionary is an open-addressing table (linear probing, the
 * splitmix64 hash, home slot by multiply-high so any size works). A slot
 * is one 64-bit word, key + 1 in the high half and the value in the low
 * half (keys < 10^8, values k * 10 < 2^32), 0 marking an empty slot: one
 * store or one compare-and-swap puts a key in with its value, and the table
 * is half the size of one with separate words, which matters because every
 * insert is a cache miss. The list is an array of 32-bit key + 1 with a
 * length.
 * Each writer populates the page tables of the table and list before the
 * start barrier (attach: start-up, outside the timing in single and pool
 * mode): a child of fork has no page-table entries for the shared area,
 * and a fault for every 4 KiB page first written at random costs more than
 * the inserts themselves. Backends:
 * - lock: one process-shared robust mutex around table and list.
 * - striped: the table is cut into `stripes` runs of slots, each with its
 *   own robust mutex; a probe that leaves a run releases its lock and takes
 *   the next one's (safe because slots are never emptied: a run seen full
 *   stays full). List positions are reserved as for lockfree.
 * - lockfree: a slot is claimed by compare-and-swap from 0 to key and value;
 *   list positions come from an atomic fetch_add on the length, 64 at a
 *   time, so writers neither fight over the counter for every key nor write
 *   into the same cache lines of the list.
 * - server: one more process owns the table and list in its private
 *   memory; writers connect to its SOCK_SEQPACKET socket (abstract UNIX
 *   name, nothing on the file system) and send `batch` requests per round
 *   trip, each SET k v or APPEND k, and wait for the acknowledgement: the
 *   analogue of Python's Manager. At the end the server copies its table
 *   and list into the shared area for verify. Both sides poll for up to
 *   SHDICT_SPIN_NS before they sleep (writers: recv with MSG_DONTWAIT and
 *   sched_yield; the server: epoll_wait with timeout 0 after its last
 *   request): on this kind of virtual machine a sleep and wake-up costs
 *   more than the request, and the poll is bounded, so an idle server
 *   sleeps.
 * single mode: one process inserts every key into the table and list with
 * plain stores, no lock and no IPC (the baseline).
 *
 * A writer that dies holding a robust mutex does not block the others: the
 * next one to lock gets EOWNERDEAD, marks the mutex consistent, counts the
 * recovery and goes on; verify then reports the run as failed because the
 * table may hold a half-done insert. die_holding_lock injects that fault.
 */
#include "shdict.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"
#include "workload.h"

enum sd_backend { SDB_LOCK, SDB_STRIPED, SDB_LOCKFREE, SDB_SERVER };

struct shdict_cfg {
	uint64_t keys;              /* keys in total, split over the writers */
	unsigned backend;           /* enum sd_backend */
	uint64_t batch;             /* server: requests per round trip */
	uint64_t stripes;           /* striped: locks */
	uint64_t slots;             /* table slots; 0 = auto */
	uint64_t die_holding_lock;  /* fault injection: writer index, PARAM_NONE = off */
};

static const char *const sd_backends[] = { "lock", "striped", "lockfree", "server", NULL };

static const struct param_desc sd_params[] = {
	{ .name = "keys", .type = PT_U64, .offset = offsetof(struct shdict_cfg, keys),
	  .def = "5", .min = 0, .max = 100000000,
	  .help = "keys in total, split over the writers (the tutorial's d[i] = i * 10 for 5)" },
	{ .name = "backend", .type = PT_ENUM, .offset = offsetof(struct shdict_cfg, backend),
	  .def = "lock", .choices = sd_backends,
	  .help = "lock: one robust mutex; striped; lockfree: CAS; server: a Manager-like process" },
	{ .name = "batch", .type = PT_U64, .offset = offsetof(struct shdict_cfg, batch),
	  .def = "1", .min = 1, .max = 1024,
	  .help = "server: requests per round trip (2 requests per key: set and append)" },
	{ .name = "stripes", .type = PT_U64, .offset = offsetof(struct shdict_cfg, stripes),
	  .def = "64", .min = 1, .max = 4096,
	  .help = "striped: locks, each over an equal run of table slots" },
	{ .name = "slots", .type = PT_U64, .offset = offsetof(struct shdict_cfg, slots),
	  .def = "0", .min = 0, .max = 1ull << 31,
	  .help = "table slots, at least keys; 0 = auto (power of two >= 2 x keys)" },
	{ .name = "die_holding_lock", .type = PT_U64_OPT,
	  .offset = offsetof(struct shdict_cfg, die_holding_lock), .def = "none", .min = 0,
	  .max = 4095,
	  .help = "fault injection (lock, striped): this writer kills itself mid-insert, "
		  "holding the lock" },
	{ .name = NULL }
};

#define SD_MAGIC 0x5443494448534453ull
#define SD_PUBLISH 4096u       /* keys between progress updates */
#ifndef SD_PREFETCH
#define SD_PREFETCH 8u         /* keys ahead whose home slot is prefetched */
#endif
#ifndef SD_SPIN
#define SD_SPIN 100u           /* trylock attempts before blocking */
#endif
#define SD_LIST_CHUNK 64u      /* list positions reserved per fetch_add */
#define SD_EXIT_FAIL 4         /* table full, lock unusable, socket error */

enum { SD_NEW, SD_DUP, SD_FULL };
/* SD_OP_HELLO is a writer's first message: key = the run's token. */
#define SD_AUTHED (1ull << 32)   /* epoll data: the connection said hello */
enum { SD_OP_SET = 1, SD_OP_APPEND = 2, SD_OP_HELLO = 3 };

/* A table slot: 0 empty, else (key + 1) << 32 | value. */
typedef _Atomic uint64_t sd_slot;

#define SD_PACK(key, value) (((uint64_t)(key) + 1) << 32 | (uint64_t)(value))
#define SD_KEY1(w) ((w) >> 32)             /* key + 1 of a slot word, 0 empty */
#define SD_VALUE(w) ((w) & 0xffffffffu)
#define SD_VALUE_MAX 0xffffffffu

/* A robust mutex on its own cache line. */
struct sd_lock {
	pthread_mutex_t m;
} __attribute__((aligned(64)));

/* Per-writer results, written only by that writer. */
struct sd_writer {
	uint64_t inserted;        /* new keys inserted */
	uint64_t dups;            /* keys that were there already */
	uint64_t full;            /* keys that found no free slot */
	uint64_t round_trips;     /* server: requests sent, acknowledged */
	int32_t err;              /* errno of a failed lock or socket call */
	uint32_t finished;
} __attribute__((aligned(64)));

/* One request to the server. */
struct sd_req {
	uint32_t op;              /* SD_OP_SET, SD_OP_APPEND */
	uint32_t pad;
	uint64_t key;
	uint64_t value;
};

/* The server's answer to one message of requests. */
struct sd_ack {
	uint32_t applied;         /* requests done */
	uint32_t failed;          /* requests refused (table full, bad op) */
};

/* The shared area's header; locks, writers, table and list follow. */
struct sd_shared {
	uint64_t magic;
	uint64_t total;            /* keys over all writers */
	uint64_t cap;              /* table slots */
	uint64_t nstripes, segsize; /* locks, slots per lock */
	unsigned writers;
	unsigned backend;
	size_t off_locks, off_writers, off_table, off_list;
	int listen_fd;             /* server: listening socket, -1 when closed */
	struct sockaddr_un addr;   /* server: abstract address the kernel chose */
	uint64_t token;            /* server: random; a writer's hello carries it */
	socklen_t addrlen;
	int locks_ready;           /* mutexes initialised (cleanup destroys them) */
	uint64_t server_entries;   /* server: entries it holds at the end */
	int32_t server_err;        /* server: errno of a failure, 0 none */
	uint32_t server_finished;
	_Alignas(64) _Atomic uint64_t list_len;  /* list length */
	_Alignas(64) _Atomic uint64_t recovered; /* EOWNERDEAD recoveries */
	_Atomic uint32_t victim_locked;          /* die_holding_lock: victim holds it */
};

/* Round up to a cache line. */
static size_t line_up(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

/* Smallest power of two >= 2 x keys, at least 16. */
uint64_t shdict_auto_slots(uint64_t keys)
{
	uint64_t n = 16;

	while (n < 2 * keys)
		n <<= 1;
	return n;
}

/*
 * Prefault len bytes at p for writing in this process (a forked child has
 * no page-table entries for the shared area yet): one madvise instead of a
 * fault per page, then one read per page in order. The reads cost nothing
 * where the madvise did its job; under nested virtualisation (shadow page
 * tables) each page still traps once on first access, and taking those
 * traps here in order is much cheaper than at random later, some of them
 * inside the lock.
 */
void shdict_prefault(void *p, size_t len)
{
	long pg = sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(pg - 1);
	uintptr_t b = ((uintptr_t)p + len + (uintptr_t)pg - 1) & ~(uintptr_t)(pg - 1);

	if (len == 0)
		return;
	madvise((void *)a, b - a, MADV_POPULATE_WRITE);
	for (uintptr_t q = (uintptr_t)p; q < (uintptr_t)p + len; q += (uintptr_t)pg)
		(void)*(volatile const char *)q;
}

/* Writers of a run: one in single mode. */
static unsigned sd_writers(unsigned workers, enum bt_mode mode)
{
	return mode == MODE_SINGLE || workers == 0 ? 1 : workers;
}

/* Table slots for cfg. */
static uint64_t sd_cap(const struct shdict_cfg *c)
{
	return c->slots ? c->slots : shdict_auto_slots(c->keys);
}

/* Fill the layout fields of a header for cfg, workers, mode; returns the size. */
static size_t sd_layout(const struct shdict_cfg *c, unsigned workers, enum bt_mode mode,
			struct sd_shared *h)
{
	size_t off;

	memset(h, 0, sizeof *h);
	h->total = c->keys;
	h->cap = sd_cap(c);
	h->writers = sd_writers(workers, mode);
	h->backend = c->backend;
	h->nstripes = c->backend == SDB_STRIPED ? c->stripes : 1;
	if (h->nstripes > h->cap)
		h->nstripes = h->cap;
	h->segsize = (h->cap + h->nstripes - 1) / h->nstripes;
	off = line_up(sizeof *h);
	h->off_locks = off;
	off += h->nstripes * sizeof(struct sd_lock);
	h->off_writers = off;
	off += h->writers * sizeof(struct sd_writer);
	h->off_table = off;
	off += line_up(h->cap * sizeof(sd_slot));
	h->off_list = off;
	off += line_up((h->total ? h->total : 1) * sizeof(uint32_t));
	return off;
}

/* The mutexes: one (lock), one per stripe (striped). */
static struct sd_lock *sd_locks(struct sd_shared *h)
{
	return (struct sd_lock *)(void *)((char *)h + h->off_locks);
}

/* The writers' records. */
static struct sd_writer *sd_writer_recs(struct sd_shared *h)
{
	return (struct sd_writer *)(void *)((char *)h + h->off_writers);
}

/* The table's slots. */
static sd_slot *sd_table(struct sd_shared *h)
{
	return (sd_slot *)(void *)((char *)h + h->off_table);
}

/* The list's entries. */
static _Atomic uint32_t *sd_list(struct sd_shared *h)
{
	return (_Atomic uint32_t *)(void *)((char *)h + h->off_list);
}

/* Cross-parameter checks. */
static int sd_check(const void *cfg, char *err, size_t errlen)
{
	const struct shdict_cfg *c = cfg;

	if (c->slots != 0 && c->slots < c->keys) {
		bufprintf(err, errlen, "shdict: slots %" PRIu64 " cannot hold keys %" PRIu64,
			  c->slots, c->keys);
		return -1;
	}
	if (c->die_holding_lock != PARAM_NONE && c->backend != SDB_LOCK &&
	    c->backend != SDB_STRIPED) {
		bufprintf(err, errlen, "shdict: die_holding_lock needs backend lock or striped");
		return -1;
	}
	return 0;
}

/* Writers, plus the server process for backend=server; 1 in single mode. */
static unsigned sd_nprocs(const void *cfg, unsigned workers, enum bt_mode mode)
{
	const struct shdict_cfg *c = cfg;

	if (mode == MODE_SINGLE)
		return 1;
	return workers + (c->backend == SDB_SERVER);
}

/* Bytes of shared area. */
static size_t sd_shared_size(const void *cfg, unsigned workers, enum bt_mode mode)
{
	struct sd_shared h;

	return sd_layout(cfg, workers, mode, &h);
}

/*
 * Create the server's listening socket. Binding with only the address
 * family makes the kernel choose an unused abstract name (autobind), read
 * back with getsockname. An abstract socket has no permissions, so anyone
 * may connect: the server counts only connections whose first message is a
 * hello with the run's random token, and closes the others.
 */
static int sd_listen(struct sd_shared *h, char *err, size_t errlen)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	sa_family_t fam = AF_UNIX;

	if (fd < 0) {
		bufprintf(err, errlen, "backend=server: socket: %s", strerror(errno));
		return -1;
	}
	memset(&h->addr, 0, sizeof h->addr);
	h->addrlen = sizeof h->addr;
	if (bind(fd, (const struct sockaddr *)(const void *)&fam, sizeof fam) < 0 ||
	    getsockname(fd, (struct sockaddr *)&h->addr, &h->addrlen) < 0 ||
	    listen(fd, SOMAXCONN) < 0) {
		bufprintf(err, errlen, "backend=server: bind/listen: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (getrandom(&h->token, sizeof h->token, 0) != (ssize_t)sizeof h->token)
		h->token = now_ns() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)h;
	h->listen_fd = fd;
	return 0;
}

int shdict_server_addr(const void *shared, struct sockaddr_un *addr, socklen_t *len)
{
	const struct sd_shared *h = shared;

	if (h == NULL || h->magic != SD_MAGIC || h->listen_fd < 0)
		return -1;
	*addr = h->addr;
	*len = h->addrlen;
	return 0;
}

/* Release what prepare made. Safe to call twice. */
static void sd_cleanup(const void *cfg, void *shared, unsigned workers, enum bt_mode mode)
{
	struct sd_shared *h = shared;

	(void)cfg;
	(void)workers;
	(void)mode;
	if (h == NULL || h->magic != SD_MAGIC)
		return;
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	h->listen_fd = -1;
	if (h->locks_ready) {
		for (uint64_t i = 0; i < h->nstripes; i++)
			pthread_mutex_destroy(&sd_locks(h)[i].m);
		h->locks_ready = 0;
	}
}

/* Empty table and list, fresh robust mutexes, the server's socket. */
static int sd_prepare(const void *cfg, void *shared, unsigned workers, enum bt_mode mode,
		      char *err, size_t errlen)
{
	const struct shdict_cfg *c = cfg;
	struct sd_shared *h = shared;
	pthread_mutexattr_t a;
	size_t size = sd_layout(c, workers, mode, h);

	memset((char *)shared + sizeof *h, 0, size - sizeof *h);
	h->magic = SD_MAGIC;
	h->listen_fd = -1;
	atomic_init(&h->list_len, 0);
	atomic_init(&h->recovered, 0);
	atomic_init(&h->victim_locked, 0);
	if (h->cap < h->total) {
		bufprintf(err, errlen, "shdict: slots %" PRIu64 " cannot hold keys %" PRIu64,
			  h->cap, h->total);
		return -1;
	}
	if (pthread_mutexattr_init(&a) != 0 ||
	    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) != 0 ||
	    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST) != 0) {
		bufprintf(err, errlen, "shdict: no process-shared robust mutexes here");
		return -1;
	}
	for (uint64_t i = 0; i < h->nstripes; i++)
		pthread_mutex_init(&sd_locks(h)[i].m, &a);
	pthread_mutexattr_destroy(&a);
	h->locks_ready = 1;
	if (c->backend == SDB_SERVER && mode != MODE_SINGLE && sd_listen(h, err, errlen) < 0) {
		sd_cleanup(cfg, shared, workers, mode);
		return -1;
	}
	return 0;
}

/* Make a mutex whose owner died usable again, and count it. */
static int sd_recover(struct sd_shared *h, pthread_mutex_t *m)
{
	atomic_fetch_add_explicit(&h->recovered, 1, memory_order_relaxed);
	return pthread_mutex_consistent(m);
}

/* Lock a robust mutex: a few attempts, then block; 0 or an errno. */
static int sd_lock(struct sd_shared *h, pthread_mutex_t *m)
{
	int rc;

	for (unsigned i = 0; i < SD_SPIN; i++) {
		rc = pthread_mutex_trylock(m);
		if (rc == 0)
			return 0;
		if (rc == EOWNERDEAD)
			return sd_recover(h, m);
		if (rc != EBUSY)
			return rc;
		cpu_relax();
	}
	rc = pthread_mutex_lock(m);
	if (rc == EOWNERDEAD)
		return sd_recover(h, m);
	return rc;
}

/* Insert key -> value by linear probing from slot i, the caller holding
 * whatever protects the slots it probes (or being alone). */
static inline int sd_put_plain(sd_slot *t, uint64_t cap, uint64_t i, uint64_t key,
			       uint64_t value)
{
	for (uint64_t n = 0; n < cap; n++) {
		uint64_t w = atomic_load_explicit(&t[i], memory_order_relaxed);

		if (w == 0 || SD_KEY1(w) == key + 1) {
			atomic_store_explicit(&t[i], SD_PACK(key, value), memory_order_relaxed);
			return w == 0 ? SD_NEW : SD_DUP;
		}
		if (++i == cap)
			i = 0;
	}
	return SD_FULL;
}

/* Insert without locks: claim an empty slot by compare-and-swap. */
static inline int sd_put_cas(sd_slot *t, uint64_t cap, uint64_t i, uint64_t key,
			     uint64_t value)
{
	for (uint64_t n = 0; n < cap; n++) {
		uint64_t w = atomic_load_explicit(&t[i], memory_order_acquire);

		if (w == 0 && atomic_compare_exchange_strong_explicit(&t[i], &w, SD_PACK(key, value),
								      memory_order_acq_rel,
								      memory_order_acquire))
			return SD_NEW;
		if (SD_KEY1(w) == key + 1) {
			atomic_store_explicit(&t[i], SD_PACK(key, value), memory_order_release);
			return SD_DUP;
		}
		if (++i == cap)
			i = 0;
	}
	return SD_FULL;
}

/*
 * Insert under the stripe locks: lock the run of the slot being probed,
 * moving to the next run's lock (never holding two) when the probe leaves
 * it. Returns SD_* or -errno from the lock.
 */
static int sd_put_striped(struct sd_shared *h, sd_slot *t, uint64_t i, uint64_t key,
			  uint64_t value)
{
	struct sd_lock *locks = sd_locks(h);
	uint64_t cur = i / h->segsize;
	int rc = sd_lock(h, &locks[cur].m), res = SD_FULL;

	if (rc != 0)
		return -rc;
	for (uint64_t n = 0; n < h->cap; n++) {
		uint64_t w, s = i / h->segsize;

		if (s != cur) {
			pthread_mutex_unlock(&locks[cur].m);
			cur = s;
			if ((rc = sd_lock(h, &locks[cur].m)) != 0)
				return -rc;
		}
		w = atomic_load_explicit(&t[i], memory_order_relaxed);
		if (w == 0 || SD_KEY1(w) == key + 1) {
			atomic_store_explicit(&t[i], SD_PACK(key, value), memory_order_relaxed);
			res = w == 0 ? SD_NEW : SD_DUP;
			break;
		}
		if (++i == h->cap)
			i = 0;
	}
	pthread_mutex_unlock(&locks[cur].m);
	return res;
}

/* Count an insert's result in the writer's record. */
static inline void sd_count(struct sd_writer *me, int r)
{
	if (r == SD_NEW)
		me->inserted++;
	else if (r == SD_DUP)
		me->dups++;
	else
		me->full++;
}

/*
 * Fault injection: take the lock of key's home slot, claim a slot for the
 * key (when claim) without storing its value, and die. In fault runs the other writers wait for
 * this before they start, so they are sure to meet the dead owner's lock.
 */
static _Noreturn void sd_die_holding_lock(struct sd_shared *h, uint64_t key, bool claim)
{
	sd_slot *t = sd_table(h);
	uint64_t i = shdict_home(key, h->cap);

	sd_lock(h, &sd_locks(h)[i / h->segsize].m);
	if (claim) {
		for (uint64_t n = 0; n < h->cap &&
		     atomic_load_explicit(&t[i], memory_order_relaxed) != 0; n++)
			i = i + 1 == h->cap ? 0 : i + 1;
		atomic_store_explicit(&t[i], SD_PACK(key, 0), memory_order_relaxed);
	}
	atomic_store_explicit(&h->victim_locked, 1, memory_order_release);
	kill(getpid(), SIGKILL);
	for (;;)
		pause();
}

/* Prefault the table and the list: every writer may touch all of them. */
static void sd_populate_all(struct sd_shared *h)
{
	shdict_prefault((char *)h + h->off_table, h->cap * sizeof(sd_slot));
	shdict_prefault((char *)h + h->off_list, h->total * sizeof(uint32_t));
}

/* Set this process's role (and expected ops) in its stats slot. */
static void sd_slot_role(struct shm_slot *slot, uint32_t role, uint64_t total)
{
	if (slot == NULL)
		return;
	shm_slot_begin(slot);
	SLOT_SET(slot, role, role);
	SLOT_SET(slot, ops_total, total);
	SLOT_SET(slot, task, 0);
	shm_slot_end(slot);
}

/* A writer of the lock, striped or lockfree backend, or the single writer. */
static int sd_writer_shared(const struct shdict_cfg *c, const struct wl_env *env, uint64_t lo,
			    uint64_t hi)
{
	struct sd_shared *h = env->shared;
	struct sd_writer *me = &sd_writer_recs(h)[env->mode == MODE_SINGLE ? 0 : env->index];
	sd_slot *t = sd_table(h);
	_Atomic uint32_t *list = sd_list(h);
	pthread_mutex_t *big = &sd_locks(h)[0].m;
	uint64_t cap = h->cap, published = lo, lpos = 0, lleft = 0;
	bool single = env->mode == MODE_SINGLE;
	int err = 0;

	if (c->die_holding_lock != PARAM_NONE && !single) {
		if (env->index == c->die_holding_lock)
			sd_die_holding_lock(h, lo, lo < hi);
		if (c->die_holding_lock < env->workers) {
			while (!atomic_load_explicit(&h->victim_locked, memory_order_acquire))
				usleep(100);
		}
	}
	for (uint64_t k = lo; k < hi && err == 0; k++) {
		uint64_t i = shdict_home(k, cap);
		int r;

		if (k + SD_PREFETCH < hi)
			__builtin_prefetch(&t[shdict_home(k + SD_PREFETCH, cap)], 1);
		if (single) {
			r = sd_put_plain(t, cap, i, k, k * 10);
			uint64_t n = atomic_load_explicit(&h->list_len, memory_order_relaxed);

			atomic_store_explicit(&list[n], (uint32_t)(k + 1), memory_order_relaxed);
			atomic_store_explicit(&h->list_len, n + 1, memory_order_relaxed);
		} else if (c->backend == SDB_LOCK) {
			if ((err = sd_lock(h, big)) != 0)
				break;
			r = sd_put_plain(t, cap, i, k, k * 10);
			uint64_t n = atomic_load_explicit(&h->list_len, memory_order_relaxed);

			atomic_store_explicit(&list[n], (uint32_t)(k + 1), memory_order_relaxed);
			atomic_store_explicit(&h->list_len, n + 1, memory_order_relaxed);
			pthread_mutex_unlock(big);
		} else {
			if (c->backend == SDB_STRIPED)
				r = sd_put_striped(h, t, i, k, k * 10);
			else
				r = sd_put_cas(t, cap, i, k, k * 10);
			if (r < 0) {
				err = -r;
				break;
			}
			if (lleft == 0) {
				lleft = hi - k < SD_LIST_CHUNK ? hi - k : SD_LIST_CHUNK;
				lpos = atomic_fetch_add_explicit(&h->list_len, lleft, memory_order_relaxed);
			}
			atomic_store_explicit(&list[lpos++], (uint32_t)(k + 1), memory_order_relaxed);
			lleft--;
		}
		sd_count(me, r);
		if (r == SD_FULL)
			err = ENOSPC;
		if (k + 1 - published >= SD_PUBLISH) {
			published = k + 1;
			shm_slot_progress(env->slot, 0, 0, published - lo);
		}
	}
	wl_group_finish(env, me->inserted + me->dups);
	me->err = err;
	me->finished = err == 0;
	return err == 0 ? 0 : SD_EXIT_FAIL;
}

/* Connect to the server's socket; the backlog may be momentarily full. */
static int sd_connect(const struct sd_shared *h)
{
	for (unsigned tries = 0;; tries++) {
		int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -1;
		if (connect(fd, (const struct sockaddr *)&h->addr, h->addrlen) == 0)
			return fd;
		int e = errno;

		close(fd);
		if ((e != EAGAIN && e != ECONNREFUSED && e != EINTR) || tries > 20000) {
			errno = e;
			return -1;
		}
		usleep(100);
	}
}

ssize_t shdict_recv_spin(int fd, void *buf, size_t len)
{
	uint64_t until = now_ns() + SHDICT_SPIN_NS;
	ssize_t r;

	while ((r = recv(fd, buf, len, MSG_DONTWAIT)) < 0 && (errno == EAGAIN || errno == EINTR) &&
	       now_ns() < until)
		sched_yield();   /* let the peer run if it shares this CPU */
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		while ((r = recv(fd, buf, len, 0)) < 0 && errno == EINTR)
			;
	return r;
}

/* Send n requests in one message and wait for their acknowledgement. */
static int sd_round_trip(int fd, const struct sd_req *req, unsigned n, struct sd_writer *me)
{
	struct sd_ack ack;
	ssize_t r;

	while ((r = send(fd, req, n * sizeof *req, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (r != (ssize_t)(n * sizeof *req))
		return r < 0 ? errno : EIO;
	r = shdict_recv_spin(fd, &ack, sizeof ack);
	if (r != (ssize_t)sizeof ack)
		return r < 0 ? errno : EPROTO;
	me->round_trips++;
	me->full += ack.failed;
	return ack.applied + ack.failed == n ? 0 : EPROTO;
}

/* A writer of the server backend: SET and APPEND requests, batch per trip. */
static int sd_writer_client(const struct shdict_cfg *c, const struct wl_env *env, uint64_t lo,
			    uint64_t hi)
{
	struct sd_shared *h = env->shared;
	struct sd_writer *me = &sd_writer_recs(h)[env->index];
	struct sd_req *req = xcalloc(c->batch, sizeof *req);
	unsigned n = 0;
	uint64_t published = lo;
	int fd, err = 0;

	close(h->listen_fd); /* our inherited copy; the parent keeps its own */
	fd = sd_connect(h);
	struct sd_req hello = { .op = SD_OP_HELLO, .key = h->token, .value = env->index };

	if (fd < 0 || send(fd, &hello, sizeof hello, MSG_NOSIGNAL) != (ssize_t)sizeof hello) {
		me->err = errno;
		if (fd >= 0)
			close(fd);
		free(req);
		return SD_EXIT_FAIL;
	}
	for (uint64_t k = lo; k < hi && err == 0; k++) {
		req[n++] = (struct sd_req){ .op = SD_OP_SET, .key = k, .value = k * 10 };
		if (n == c->batch) {
			err = sd_round_trip(fd, req, n, me);
			n = 0;
		}
		if (err == 0)
			req[n++] = (struct sd_req){ .op = SD_OP_APPEND, .key = k };
		if (err == 0 && n == c->batch) {
			err = sd_round_trip(fd, req, n, me);
			n = 0;
		}
		me->inserted++;
		if (k + 1 - published >= SD_PUBLISH) {
			published = k + 1;
			shm_slot_progress(env->slot, 0, 0, published - lo);
		}
	}
	if (err == 0 && n > 0)
		err = sd_round_trip(fd, req, n, me);
	close(fd);
	wl_group_finish(env, hi - lo);
	me->err = err;
	me->finished = err == 0;
	free(req);
	return err == 0 ? 0 : SD_EXIT_FAIL;
}

/* The server's private dictionary and list. */
struct sd_store {
	sd_slot *t;
	uint64_t cap, entries;
	uint32_t *list;
	uint64_t len, max;
};

/* Apply a message of requests; returns how many failed. */
static uint32_t sd_apply(struct sd_store *s, const struct sd_req *req, size_t n)
{
	uint32_t failed = 0;

	for (size_t i = 0; i < n; i++) {
		if (req[i].op == SD_OP_SET && req[i].key < SD_VALUE_MAX &&
		    req[i].value <= SD_VALUE_MAX) {
			int r = sd_put_plain(s->t, s->cap, shdict_home(req[i].key, s->cap), req[i].key,
					     req[i].value);

			s->entries += r == SD_NEW;
			failed += r == SD_FULL;
		} else if (req[i].op == SD_OP_APPEND && s->len < s->max &&
			   req[i].key < SD_VALUE_MAX) {
			s->list[s->len++] = (uint32_t)(req[i].key + 1);
		} else {
			failed++;
		}
	}
	return failed;
}

/* Raise the soft descriptor limit when many writers will connect. */
static void sd_raise_nofile(unsigned need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need + 16) {
		rl.rlim_cur = need + 16 < rl.rlim_max ? need + 16 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * The server: accept every writer, answer their messages until each has
 * hung up, then copy the dictionary and list into the shared area.
 */
static int sd_server(const struct shdict_cfg *c, const struct wl_env *env)
{
	struct sd_shared *h = env->shared;
	struct sd_store s = { .cap = h->cap, .max = h->total };
	unsigned writers = env->workers, accepted = 0, closed = 0;
	size_t bufsize = c->batch * sizeof(struct sd_req);
	struct sd_req *buf = xmalloc(bufsize);
	struct epoll_event ev, evs[64];
	uint64_t published = 0;
	int ep, err = 0;

	sd_raise_nofile(writers + 8);
	s.t = xcalloc(s.cap, sizeof *s.t);
	s.list = xcalloc(s.max ? s.max : 1, sizeof *s.list);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.u64 = (uint64_t)h->listen_fd;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, h->listen_fd, &ev) < 0)
		err = errno;
	uint64_t idle_since = now_ns();

	while (err == 0 && closed < writers) {
		/* poll without sleeping for a while after the last request */
		int n = epoll_wait(ep, evs, (int)ARRAY_LEN(evs),
				   now_ns() - idle_since < SHDICT_SPIN_NS ? 0 : -1);

		if (n > 0)
			idle_since = now_ns();

		if (n < 0 && errno != EINTR)
			err = errno;
		for (int i = 0; i < n && err == 0; i++) {
			/* data: the fd, and SD_AUTHED once its hello was right */
			int fd = (int)(evs[i].data.u64 & 0xffffffffu);
			bool authed = (evs[i].data.u64 & SD_AUTHED) != 0;

			if (fd == h->listen_fd) {
				int cfd = accept4(h->listen_fd, NULL, NULL, SOCK_CLOEXEC);

				if (cfd < 0) {
					if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
						err = errno;
					continue;
				}
				ev.events = EPOLLIN;
				ev.data.u64 = (uint64_t)cfd;
				if (epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev) < 0)
					err = errno;
				continue;
			}
			ssize_t r = recv(fd, buf, bufsize, 0);

			if (r < 0 && errno == EINTR)
				continue;
			if (!authed) {
				/* the first message must be the run's hello; anything else
				 * is not one of our writers and does not count */
				bool ok = r == (ssize_t)sizeof *buf && buf[0].op == SD_OP_HELLO &&
					  buf[0].key == h->token && accepted < writers;

				if (ok) {
					ev.events = EPOLLIN;
					ev.data.u64 = (uint64_t)fd | SD_AUTHED;
					if (epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) < 0)
						err = errno;
					if (++accepted == writers)
						epoll_ctl(ep, EPOLL_CTL_DEL, h->listen_fd, NULL);
				} else {
					epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
					close(fd);
				}
				continue;
			}
			if (r <= 0) { /* hung up (or reset: a writer died) */
				epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
				close(fd);
				closed++;
				continue;
			}
			size_t nreq = (size_t)r / sizeof *buf;
			uint32_t refused = sd_apply(&s, buf, nreq);
			/* a torn request (not a whole number of them) counts as refused */
			struct sd_ack ack = { .applied = (uint32_t)nreq - refused,
					      .failed = refused + ((size_t)r % sizeof *buf != 0) };

			if (send(fd, &ack, sizeof ack, MSG_NOSIGNAL) < 0 && errno != EPIPE &&
			    errno != ECONNRESET)
				err = errno;
			if (s.entries - published >= SD_PUBLISH) {
				published = s.entries;
				shm_slot_progress(env->slot, 0, 0, published);
			}
		}
	}
	/* hand the final state to verify */
	sd_populate_all(h);
	for (uint64_t i = 0; i < s.cap; i++)
		atomic_store_explicit(&sd_table(h)[i], atomic_load_explicit(&s.t[i],
					memory_order_relaxed), memory_order_relaxed);
	for (uint64_t i = 0; i < s.len; i++)
		atomic_store_explicit(&sd_list(h)[i], s.list[i], memory_order_relaxed);
	atomic_store_explicit(&h->list_len, s.len, memory_order_relaxed);
	h->server_entries = s.entries;
	h->server_err = err;
	h->server_finished = err == 0;
	wl_group_finish(env, s.entries);
	if (ep >= 0)
		close(ep);
	free(s.t);
	free(s.list);
	free(buf);
	return err == 0 ? 0 : SD_EXIT_FAIL;
}

/* Run process env->index: a writer, or the server. */
/* Before the barrier: a writer that stores into the shared table and list
 * (every backend but server's writers) populates their page tables. */
static void sd_attach(const struct wl_env *env)
{
	const struct shdict_cfg *c = env->cfg;
	struct sd_shared *h = env->shared;

	if (h->magic == SD_MAGIC && (c->backend != SDB_SERVER || env->mode == MODE_SINGLE))
		sd_populate_all(h);
}

static int sd_run(const struct wl_env *env)
{
	const struct shdict_cfg *c = env->cfg;
	struct sd_shared *h = env->shared;
	unsigned w = h->writers;
	uint64_t lo, hi;

	if (h->magic != SD_MAGIC)
		return SD_EXIT_FAIL;
	if (c->backend == SDB_SERVER && env->mode != MODE_SINGLE && env->index == w) {
		sd_slot_role(env->slot, 2, h->total);
		return sd_server(c, env);
	}
	lo = h->total * env->index / w;
	hi = h->total * (env->index + 1) / w;
	if (env->mode == MODE_SINGLE) {
		lo = 0;
		hi = h->total;
	}
	sd_slot_role(env->slot, 0, hi - lo);
	if (c->backend == SDB_SERVER && env->mode != MODE_SINGLE)
		return sd_writer_client(c, env, lo, hi);
	return sd_writer_shared(c, env, lo, hi);
}

/* Set bit i of a bitmap; returns its old value. */
static bool sd_test_set(uint64_t *bits, uint64_t i)
{
	uint64_t m = 1ull << (i & 63);
	bool old = (bits[i >> 6] & m) != 0;

	bits[i >> 6] |= m;
	return old;
}

/* Check entries, values, list, lost and doubled keys, and recoveries. */
static void sd_verify(const void *cfg, void *shared, unsigned workers, enum bt_mode mode,
		      struct wl_outcome *out)
{
	const struct shdict_cfg *c = cfg;
	struct sd_shared *h = shared;
	sd_slot *t = sd_table(h);
	_Atomic uint32_t *list = sd_list(h);
	uint64_t n = c->keys, words = n / 64 + 1, entries = 0, sum = 0, wrong = 0, bad = 0;
	uint64_t doubled = 0, ldoubled = 0, holes = 0, lbad = 0, trips = 0;
	uint64_t len = atomic_load_explicit(&h->list_len, memory_order_relaxed);
	uint64_t recovered = atomic_load_explicit(&h->recovered, memory_order_relaxed);
	uint64_t *seen = xcalloc(words, sizeof *seen), *lseen = xcalloc(words, sizeof *lseen);
	unsigned unfinished = 0;
	char *m = out->msg;
	size_t ml = sizeof out->msg;

	(void)workers;
	memset(out, 0, sizeof *out);
	for (uint64_t i = 0; i < h->cap; i++) {
		uint64_t w = atomic_load_explicit(&t[i], memory_order_relaxed);
		uint64_t k = SD_KEY1(w), v = SD_VALUE(w);

		if (w == 0)
			continue;
		entries++;
		sum += v;
		if (k - 1 >= n)
			bad++;
		else if (sd_test_set(seen, k - 1))
			doubled++;
		else if (v != (k - 1) * 10)
			wrong++;
	}
	for (uint64_t i = 0; i < len && i < n; i++) {
		uint64_t e = atomic_load_explicit(&list[i], memory_order_relaxed);

		if (e == 0)
			holes++;
		else if (e - 1 >= n)
			lbad++;
		else if (sd_test_set(lseen, e - 1))
			ldoubled++;
	}
	for (unsigned w = 0; w < h->writers; w++) {
		unfinished += !sd_writer_recs(h)[w].finished;
		trips += sd_writer_recs(h)[w].round_trips;
	}
	if (c->backend == SDB_SERVER && mode != MODE_SINGLE && !h->server_finished)
		bufprintf(m, ml, "the server did not finish (%s)",
			  h->server_err ? strerror(h->server_err) : "killed");
	else if (recovered != 0)
		bufprintf(m, ml, "a writer died holding a lock: recovered %" PRIu64 " time%s with "
			  "EOWNERDEAD, the table may hold a half-done insert (%" PRIu64 " of %" PRIu64
			  " keys)", recovered, recovered == 1 ? "" : "s", entries, n);
	else if (unfinished != 0)
		bufprintf(m, ml, "%u writer%s did not finish", unfinished, unfinished == 1 ? "" : "s");
	else if (doubled != 0 || ldoubled != 0)
		bufprintf(m, ml, "keys doubled: %" PRIu64 " in the dictionary, %" PRIu64
			  " in the list", doubled, ldoubled);
	else if (bad != 0 || lbad != 0)
		bufprintf(m, ml, "keys no writer has: %" PRIu64 " in the dictionary, %" PRIu64
			  " in the list", bad, lbad);
	else if (entries != n)
		bufprintf(m, ml, "dictionary has %" PRIu64 " of %" PRIu64 " keys", entries, n);
	else if (wrong != 0)
		bufprintf(m, ml, "%" PRIu64 " keys have a value other than key * 10", wrong);
	else if (len != n || holes != 0)
		bufprintf(m, ml, "list has %" PRIu64 " of %" PRIu64 " keys (%" PRIu64 " holes)",
			  len - holes, n, holes);
	out->verified = m[0] == '\0';
	out->checksum = sum;
	out->expected = (uint64_t)((unsigned __int128)n * (n ? n - 1 : 0) / 2 * 10);
	if (out->verified && sum != out->expected) {
		bufprintf(m, ml, "sum of values %" PRIu64 ", expected %" PRIu64, sum, out->expected);
		out->verified = false;
	}
	out->ops = entries < n ? entries : n;
	wl_add_metric(out, "entries", (double)entries, "keys");
	wl_add_metric(out, "list_length", (double)len, "keys");
	if (c->backend == SDB_SERVER && mode != MODE_SINGLE)
		wl_add_metric(out, "round_trips", (double)trips, "trips");
	if (recovered != 0)
		wl_add_metric(out, "lock_recoveries", (double)recovered, "recoveries");
	free(seen);
	free(lseen);
}

/* "writer", or "server" for the extra process of backend=server. */
static const char *sd_role_name(const void *cfg, unsigned workers, enum bt_mode mode, unsigned i)
{
	const struct shdict_cfg *c = cfg;

	if (c->backend == SDB_SERVER && mode != MODE_SINGLE && i == workers)
		return "server";
	return "writer";
}

const struct workload wl_shdict = {
	.name = "shdict",
	.summary = "writers into one shared dict and list: lock, striped, lockfree, server "
		   "(the tutorial's Manager)",
	.kind = WL_GROUP,
	.params = sd_params,
	.cfg_size = sizeof(struct shdict_cfg),
	.unit = "ops/s",
	.check = sd_check,
	.nprocs = sd_nprocs,
	.shared_size = sd_shared_size,
	.prepare = sd_prepare,
	.attach = sd_attach,
	.run = sd_run,
	.verify = sd_verify,
	.cleanup = sd_cleanup,
	.role_name = sd_role_name,
};
