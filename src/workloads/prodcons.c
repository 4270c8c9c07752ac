/*
 * prodcons.c - the tutorial's Queue experiment: producers put items on a
 * queue, consumers take them until each sees its sentinel (the tutorial's
 * None).
 *
 * Processes: consumers are the worker count, `producers` more processes
 * produce; index 0..C-1 are consumers, C..C+P-1 producers. In single mode
 * one process runs the same pipeline through an in-process buffer (no
 * IPC): the baseline that shows what the queue costs.
 *
 * Items: producer p sends its items s = 0, 1, ... as the 8-byte value
 * ((s + 1) << 16) | p, padded to `payload` bytes with the byte s & 0xff.
 * A value names its producer and sequence, so each consumer checks that
 * every producer's items reach it in order, and the count, sum and sum of
 * squares of all values have closed forms the parent checks: an item lost,
 * doubled or altered cannot go unnoticed. When every producer is done the
 * last one sends one sentinel (all-ones) per consumer; a consumer that
 * takes several sentinels in one batch puts the extras back.
 *
 * Latency: producers stamp every stride-th item of theirs (CLOCK_MONOTONIC)
 * into a table in the shared area indexed by the item's sequence, the
 * consumer that takes it stamps the receive time next to it; verify turns
 * the pairs into p50 and p99. (An 8-byte item has no room for a stamp, so
 * the stamp travels beside the item rather than in it.)
 *
 * Queues:
 * - pipe: one write() of one record per item (records <= PIPE_BUF bytes,
 *   so writes of several producers never interleave); consumers read as
 *   many whole records as are there, up to 64 KiB. capacity sets the pipe
 *   buffer (F_SETPIPE_SZ, capacity * payload bytes; the kernel rounds it up
 *   to a power of two pages, at least one page; auto stays within
 *   fs.pipe-max-size).
 * - mq: a POSIX message queue, one message per item, depth = capacity
 *   (auto: at most fs.mqueue.msg_max, often 10).
 *   Created O_EXCL under a unique name and unlinked at once: the processes
 *   inherit the descriptor across fork, so the name is never needed again.
 * - ring: ring.c in the shared area; producers put and consumers take up
 *   to 256 items per reservation.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <mqueue.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "measure.h"
#include "ring.h"
#include "util.h"
#include "workload.h"

enum pc_queue { PCQ_PIPE, PCQ_MQ, PCQ_RING };

struct prodcons_cfg {
	uint64_t items;      /* items in total, over all producers */
	uint64_t producers;  /* producer processes (single: interleaved in one) */
	unsigned queue;      /* enum pc_queue */
	uint64_t capacity;   /* queue depth in items; 0 = auto */
	uint64_t payload;    /* bytes per item, >= 8 */
	uint64_t work;       /* busy iterations per item in the consumer */
};

static const char *const pc_queues[] = { "pipe", "mq", "ring", NULL };

static const struct param_desc pc_params[] = {
	{ .name = "items", .type = PT_U64, .offset = offsetof(struct prodcons_cfg, items),
	  .def = "3", .min = 0, .max = 1000000000000ull,
	  .help = "items in total over all producers (the tutorial's 'A', 'B', 'C')" },
	{ .name = "producers", .type = PT_U64,
	  .offset = offsetof(struct prodcons_cfg, producers), .def = "1", .min = 1, .max = 1024,
	  .help = "producer processes; consumers are the worker count" },
	{ .name = "queue", .type = PT_ENUM, .offset = offsetof(struct prodcons_cfg, queue),
	  .def = "pipe", .choices = pc_queues,
	  .help = "pipe: a write() per item; mq: POSIX message queue; ring: shared memory" },
	{ .name = "capacity", .type = PT_U64, .offset = offsetof(struct prodcons_cfg, capacity),
	  .def = "0", .min = 0, .max = 16777216,
	  .help = "queue depth in items; 0 = auto: 4096 within the system's pipe and mq limits" },
	{ .name = "payload", .type = PT_U64, .offset = offsetof(struct prodcons_cfg, payload),
	  .def = "8", .min = 8, .max = 4096,
	  .help = "bytes per item, at most PIPE_BUF so pipe writes stay atomic" },
	{ .name = "work", .type = PT_U64, .offset = offsetof(struct prodcons_cfg, work),
	  .def = "0", .min = 0, .max = 1000000000,
	  .help = "busy iterations per item in the consumer (where more consumers pay)" },
	{ .name = NULL }
};

#define PC_SENTINEL UINT64_MAX
#define PC_PBITS 16                  /* producer index bits of a value */
#define PC_AUTO_CAPACITY 4096u
#define PC_RING_BATCH 256u           /* items per ring reservation */
#define PC_PIPE_READ 65536u          /* bytes per pipe read() */
#define PC_PUBLISH 4096u             /* items between progress updates */
#define PC_MIN_STRIDE 64u            /* every 64th item is a latency sample... */
#define PC_SAMPLE_BUDGET (1u << 20)  /* ...unless that makes more than this */
#define PC_EXIT_IO 4                 /* a queue operation failed */
#define PC_MQ_HARD_MAX 65536         /* the kernel's HARD_MSGMAX: no msg_max goes higher */
#define PC_MAGIC 0x534e4f4344525050ull

/* Per-consumer results, written only by that consumer. */
struct pc_consumer {
	uint64_t count;        /* items taken */
	uint64_t sum, sumsq;   /* of their values, modulo 2^64 */
	uint64_t sentinels;    /* sentinels kept (extras put back are not counted) */
	uint64_t put_back;     /* extra sentinels put back */
	uint64_t order_errors; /* a producer's item after a later one of its own */
	uint64_t bad;          /* values no producer sends */
	uint64_t corrupt;      /* padding bytes not as sent */
	uint64_t dup_samples;  /* a latency sample received twice */
	uint64_t worksum;      /* result of the busy work (keeps it from folding away) */
	int32_t err;           /* errno of a failed queue operation, 0 none */
	uint32_t finished;     /* 1 once the consumer ended normally */
} __attribute__((aligned(64)));

/* Per-producer results, written only by that producer. */
struct pc_producer {
	uint64_t sent;         /* items sent */
	uint64_t sentinels;    /* sentinels sent */
	int32_t err;           /* errno of a failed queue operation, 0 none */
	uint32_t finished;
} __attribute__((aligned(64)));

/* Where things are in the shared area (computed from cfg, workers, mode). */
struct pc_layout {
	unsigned consumers, producers;
	uint64_t capacity;       /* effective depth (ring and single buffer) */
	uint64_t stride, shift;  /* latency sample every stride-th item; log2 */
	uint64_t nsamples;       /* sample entries per producer */
	size_t off_cons, off_prod, off_send, off_recv, off_ring, size;
};

/* The shared area's header. */
struct pc_shared {
	uint64_t magic;
	struct pc_layout lay;
	int pipefd[2];             /* pipe queue, -1 when closed */
	mqd_t mq;                  /* mq queue, (mqd_t)-1 when closed */
	char mqname[64];
	_Alignas(64) _Atomic uint32_t producers_done;
};

/* Everything a consumer keeps in registers and private memory. */
struct pc_cons {
	uint64_t nprod;
	uint64_t *np;            /* items per producer */
	uint64_t *last;          /* per producer: last sequence taken + 1 */
	uint64_t mask, shift, nsamples;
	_Atomic uint64_t *recv;  /* receive stamps */
	size_t payload;
	uint64_t work;
	uint64_t count, sum, sumsq, sentinels, order, bad, corrupt, dups, worksum;
};

static unsigned pc_name_counter;

/* Round up to a cache line. */
static size_t line_up(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

/* Items producer p of nprod sends. */
static uint64_t pc_share(uint64_t items, uint64_t nprod, uint64_t p)
{
	return items / nprod + (p < items % nprod);
}

/* Compute the layout of the shared area. */
static void pc_layout(const struct prodcons_cfg *c, unsigned workers, enum bt_mode mode,
		      struct pc_layout *l)
{
	uint64_t nmax, budget;
	size_t off;

	memset(l, 0, sizeof *l);
	l->consumers = mode == MODE_SINGLE ? 1 : (workers ? workers : 1);
	l->producers = (unsigned)c->producers;
	l->capacity = c->capacity ? c->capacity : PC_AUTO_CAPACITY;
	nmax = pc_share(c->items, c->producers, 0);
	budget = PC_SAMPLE_BUDGET / c->producers;
	if (budget == 0)
		budget = 1;
	l->stride = PC_MIN_STRIDE;
	l->shift = 6;
	while ((nmax + l->stride - 1) / l->stride > budget) {
		l->stride <<= 1;
		l->shift++;
	}
	l->nsamples = (nmax + l->stride - 1) / l->stride;
	off = line_up(sizeof(struct pc_shared));
	l->off_cons = off;
	off += line_up(l->consumers * sizeof(struct pc_consumer));
	l->off_prod = off;
	off += line_up(l->producers * sizeof(struct pc_producer));
	l->off_send = off;
	off += line_up(l->producers * l->nsamples * sizeof(uint64_t));
	l->off_recv = off;
	off += line_up(l->producers * l->nsamples * sizeof(uint64_t));
	l->off_ring = off;
	if (c->queue == PCQ_RING && mode != MODE_SINGLE)
		off += ring_bytes(l->capacity, c->payload);
	l->size = off;
}

/* The consumers' records. */
static struct pc_consumer *pc_consumers(void *shared)
{
	return (struct pc_consumer *)((char *)shared + ((struct pc_shared *)shared)->lay.off_cons);
}

/* The producers' records. */
static struct pc_producer *pc_producers(void *shared)
{
	return (struct pc_producer *)((char *)shared + ((struct pc_shared *)shared)->lay.off_prod);
}

/* Send stamps: producers x nsamples. */
static _Atomic uint64_t *pc_send_stamps(void *shared)
{
	return (_Atomic uint64_t *)(void *)((char *)shared +
					    ((struct pc_shared *)shared)->lay.off_send);
}

/* Receive stamps, in the same order. */
static _Atomic uint64_t *pc_recv_stamps(void *shared)
{
	return (_Atomic uint64_t *)(void *)((char *)shared +
					    ((struct pc_shared *)shared)->lay.off_recv);
}

/* The ring (queue=ring, not in single mode). */
static struct ring *pc_ring(void *shared)
{
	return (struct ring *)(void *)((char *)shared + ((struct pc_shared *)shared)->lay.off_ring);
}

/* Cross-parameter checks. */
static int pc_check(const void *cfg, char *err, size_t errlen)
{
	const struct prodcons_cfg *c = cfg;
	uint64_t cap = c->capacity ? c->capacity : PC_AUTO_CAPACITY;

	if (cap * c->payload > (1ull << 30)) {
		bufprintf(err, errlen, "prodcons: capacity %" PRIu64 " x payload %" PRIu64
			  " bytes exceeds 1 GiB", cap, c->payload);
		return -1;
	}
	return 0;
}

/* One process in single mode, else consumers plus producers. */
static unsigned pc_nprocs(const void *cfg, unsigned workers, enum bt_mode mode)
{
	const struct prodcons_cfg *c = cfg;

	return mode == MODE_SINGLE ? 1 : workers + (unsigned)c->producers;
}

/* Bytes of shared area. */
static size_t pc_shared_size(const void *cfg, unsigned workers, enum bt_mode mode)
{
	struct pc_layout l;

	pc_layout(cfg, workers, mode, &l);
	return l.size;
}

/* Read a number from a /proc file; -1 when unreadable. */
static long pc_read_proc(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Explain why mq_open refused a queue, naming the limit. */
static void pc_mq_error(int e, long depth, long msgsize, char *err, size_t errlen)
{
	long msg_max = pc_read_proc("/proc/sys/fs/mqueue/msg_max");
	long size_max = pc_read_proc("/proc/sys/fs/mqueue/msgsize_max");
	struct rlimit rl;

	if (e == EINVAL && depth > PC_MQ_HARD_MAX)
		bufprintf(err, errlen, "queue=mq: capacity %ld exceeds the kernel's limit of %d "
			  "messages per queue (HARD_MSGMAX; lower prodcons.capacity)", depth,
			  PC_MQ_HARD_MAX);
	else if (e == EINVAL && msg_max >= 0 && depth > msg_max)
		bufprintf(err, errlen, "queue=mq: /proc/sys/fs/mqueue/msg_max is %ld, capacity %ld "
			  "exceeds it (lower prodcons.capacity, or raise fs.mqueue.msg_max)",
			  msg_max, depth);
	else if (e == EINVAL && size_max >= 0 && msgsize > size_max)
		bufprintf(err, errlen, "queue=mq: /proc/sys/fs/mqueue/msgsize_max is %ld, payload "
			  "%ld exceeds it", size_max, msgsize);
	else if (e == EMFILE && getrlimit(RLIMIT_MSGQUEUE, &rl) == 0)
		bufprintf(err, errlen, "queue=mq: mq_open: %s (RLIMIT_MSGQUEUE, ulimit -q, is %llu "
			  "bytes; %ld messages of %ld bytes need more)", strerror(e),
			  (unsigned long long)rl.rlim_cur, depth, msgsize);
	else if (e == ENOSPC)
		bufprintf(err, errlen, "queue=mq: mq_open: %s (/proc/sys/fs/mqueue/queues_max is %ld)",
			  strerror(e), pc_read_proc("/proc/sys/fs/mqueue/queues_max"));
	else if (e == ENOSYS)
		bufprintf(err, errlen, "queue=mq: this kernel has no POSIX message queues");
	else
		bufprintf(err, errlen, "queue=mq: mq_open (depth %ld, %ld-byte messages): %s",
			  depth, msgsize, strerror(e));
}

/* Create the message queue: unique name, O_EXCL, unlinked at once. */
static int pc_mq_create(const struct prodcons_cfg *c, struct pc_shared *sh, char *err,
			size_t errlen)
{
	struct mq_attr a;
	long depth = (long)c->capacity;

	if (depth == 0) {
		long lim = pc_read_proc("/proc/sys/fs/mqueue/msg_max");

		depth = PC_AUTO_CAPACITY;
		if (lim > 0 && lim < depth)
			depth = lim;
	}
	memset(&a, 0, sizeof a);
	a.mq_maxmsg = depth;
	a.mq_msgsize = (long)c->payload;
	bufprintf(sh->mqname, sizeof sh->mqname, "/benchtop-pc-%ld-%u", (long)getpid(),
		  pc_name_counter++);
	sh->mq = mq_open(sh->mqname, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
	if (sh->mq == (mqd_t)-1) {
		pc_mq_error(errno, depth, a.mq_msgsize, err, errlen);
		sh->mqname[0] = '\0';
		return -1;
	}
	/* every process inherits the descriptor: the name is not needed */
	mq_unlink(sh->mqname);
	sh->mqname[0] = '\0';
	sh->lay.capacity = (uint64_t)depth;
	return 0;
}

/* Create the pipe and size its buffer to capacity records. */
static int pc_pipe_create(const struct prodcons_cfg *c, struct pc_shared *sh, char *err,
			  size_t errlen)
{
	uint64_t bytes = sh->lay.capacity * c->payload;
	long max = pc_read_proc("/proc/sys/fs/pipe-max-size");

	if (c->capacity == 0 && max > 0 && bytes > (uint64_t)max)
		bytes = (uint64_t)max; /* auto: what an unprivileged user may ask for */
	if (pipe2(sh->pipefd, O_CLOEXEC) < 0) {
		bufprintf(err, errlen, "queue=pipe: pipe: %s", strerror(errno));
		sh->pipefd[0] = sh->pipefd[1] = -1;
		return -1;
	}
	if (bytes > INT32_MAX || fcntl(sh->pipefd[1], F_SETPIPE_SZ, (int)bytes) < 0) {
		int e = bytes > INT32_MAX ? EINVAL : errno;

		if (e == EPERM)
			bufprintf(err, errlen, "queue=pipe: /proc/sys/fs/pipe-max-size is %ld bytes, "
				  "capacity %" PRIu64 " x payload %" PRIu64 " exceeds it", max,
				  sh->lay.capacity, c->payload);
		else
			bufprintf(err, errlen, "queue=pipe: F_SETPIPE_SZ %" PRIu64 " bytes: %s", bytes,
				  strerror(e));
		close(sh->pipefd[0]);
		close(sh->pipefd[1]);
		sh->pipefd[0] = sh->pipefd[1] = -1;
		return -1;
	}
	return 0;
}

/* Reset the shared area and create the queue for one run. */
static int pc_prepare(const void *cfg, void *shared, unsigned workers, enum bt_mode mode,
		      char *err, size_t errlen)
{
	const struct prodcons_cfg *c = cfg;
	struct pc_shared *sh = shared;
	struct pc_layout l;

	pc_layout(c, workers, mode, &l);
	memset(shared, 0, l.off_ring);
	sh->magic = PC_MAGIC;
	sh->lay = l;
	sh->pipefd[0] = sh->pipefd[1] = -1;
	sh->mq = (mqd_t)-1;
	atomic_init(&sh->producers_done, 0);
	if (mode == MODE_SINGLE)
		return 0;
	switch (c->queue) {
	case PCQ_PIPE:
		return pc_pipe_create(c, sh, err, errlen);
	case PCQ_MQ:
		return pc_mq_create(c, sh, err, errlen);
	case PCQ_RING:
		ring_init(pc_ring(shared), l.capacity, c->payload);
		return 0;
	}
	return 0;
}

/* Close what prepare opened. Safe to call twice. */
static void pc_cleanup(const void *cfg, void *shared, unsigned workers, enum bt_mode mode)
{
	struct pc_shared *sh = shared;

	(void)cfg;
	(void)workers;
	(void)mode;
	if (sh == NULL || sh->magic != PC_MAGIC)
		return;
	for (int i = 0; i < 2; i++) {
		if (sh->pipefd[i] >= 0)
			close(sh->pipefd[i]);
		sh->pipefd[i] = -1;
	}
	if (sh->mq != (mqd_t)-1)
		mq_close(sh->mq);
	sh->mq = (mqd_t)-1;
	if (sh->mqname[0] != '\0')
		mq_unlink(sh->mqname);
	sh->mqname[0] = '\0';
}

/* Busy work on an item: an LCG chain the compiler cannot shortcut. */
static inline uint64_t pc_work(uint64_t x, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
	return x;
}

/* Build item s of producer p into rec. */
static inline void pc_item(unsigned char *rec, size_t payload, uint64_t p, uint64_t s)
{
	uint64_t v = ((s + 1) << PC_PBITS) | p;

	memcpy(rec, &v, sizeof v);
	if (payload > sizeof v)
		memset(rec + sizeof v, (int)(s & 0xff), payload - sizeof v);
}

/* Build a sentinel into rec. */
static void pc_sentinel(unsigned char *rec, size_t payload)
{
	memset(rec, 0xff, payload);
}

/*
 * Take n records from buf; returns whether one was a sentinel. Works on
 * local copies of the counters: stores into c->last could alias them, and
 * the compiler would otherwise reload and store every counter per item.
 */
static bool pc_take(struct pc_cons *c, const unsigned char *buf, size_t n)
{
	const uint64_t *np = c->np, nprod = c->nprod, mask = c->mask, shift = c->shift;
	const size_t payload = c->payload;
	uint64_t *last = c->last, count = c->count, sum = c->sum, sumsq = c->sumsq;
	uint64_t order = c->order, bad = c->bad, corrupt = c->corrupt, dups = c->dups;
	uint64_t worksum = c->worksum, sentinels = c->sentinels;

	for (size_t i = 0; i < n; i++) {
		const unsigned char *rec = buf + i * payload;
		uint64_t v, p, s;

		memcpy(&v, rec, sizeof v);
		if (v == PC_SENTINEL) {
			sentinels++;
			continue;
		}
		p = v & ((1u << PC_PBITS) - 1);
		s = (v >> PC_PBITS) - 1;
		if (p >= nprod || s >= np[p]) {
			bad++;
			continue;
		}
		order += s < last[p];
		last[p] = s + 1;
		count++;
		sum += v;
		sumsq += v * v;
		if (payload > sizeof v &&
		    (rec[sizeof v] != (unsigned char)s || rec[payload - 1] != (unsigned char)s))
			corrupt++;
		if ((s & mask) == 0) {
			_Atomic uint64_t *r = &c->recv[p * c->nsamples + (s >> shift)];

			if (atomic_load_explicit(r, memory_order_relaxed) != 0)
				dups++;
			else
				atomic_store_explicit(r, now_ns(), memory_order_relaxed);
		}
		if (c->work != 0)
			worksum += pc_work(v, c->work);
	}
	c->count = count;
	c->sum = sum;
	c->sumsq = sumsq;
	c->order = order;
	c->bad = bad;
	c->corrupt = corrupt;
	c->dups = dups;
	c->worksum = worksum;
	bool sentinel = sentinels != c->sentinels;

	c->sentinels = sentinels;
	return sentinel;
}

/* Set up a consumer's private state. */
static void pc_cons_init(struct pc_cons *c, const struct prodcons_cfg *cfg, void *shared)
{
	const struct pc_layout *l = &((struct pc_shared *)shared)->lay;
	uint64_t *np = xcalloc(l->producers, sizeof *np);

	memset(c, 0, sizeof *c);
	for (unsigned p = 0; p < l->producers; p++)
		np[p] = pc_share(cfg->items, l->producers, p);
	c->nprod = l->producers;
	c->np = np;
	c->last = xcalloc(l->producers, sizeof *c->last);
	c->mask = l->stride - 1;
	c->shift = l->shift;
	c->nsamples = l->nsamples;
	c->recv = pc_recv_stamps(shared);
	c->payload = cfg->payload;
	c->work = cfg->work;
}

/* Store a consumer's results in its shared record and free its state. */
static void pc_cons_finish(struct pc_cons *c, struct pc_consumer *out, uint64_t put_back,
			   int err)
{
	out->count = c->count;
	out->sum = c->sum;
	out->sumsq = c->sumsq;
	out->sentinels = c->sentinels - put_back;
	out->put_back = put_back;
	out->order_errors = c->order;
	out->bad = c->bad;
	out->corrupt = c->corrupt;
	out->dup_samples = c->dups;
	out->worksum = c->worksum;
	out->err = err;
	out->finished = err == 0;
	free(c->np);
	free(c->last);
}

/* Set this process's role (and expected ops) in its stats slot. */
static void pc_slot_role(struct shm_slot *slot, uint32_t role, uint64_t total)
{
	if (slot == NULL)
		return;
	shm_slot_begin(slot);
	SLOT_SET(slot, role, role);
	SLOT_SET(slot, ops_total, total);
	SLOT_SET(slot, task, 0);
	shm_slot_end(slot);
}

/* write() all of a record (a pipe write <= PIPE_BUF is all or nothing). */
static int pc_write(int fd, const void *buf, size_t n)
{
	for (;;) {
		ssize_t w = write(fd, buf, n);

		if (w == (ssize_t)n)
			return 0;
		if (w < 0 && errno == EINTR)
			continue;
		return w < 0 ? errno : EIO;
	}
}

/* Send n records of payload bytes from buf through the queue. */
static int pc_send(const struct prodcons_cfg *c, void *shared, const unsigned char *buf,
		   unsigned n)
{
	struct pc_shared *sh = shared;

	switch (c->queue) {
	case PCQ_RING:
		ring_put(pc_ring(shared), buf, n);
		return 0;
	case PCQ_PIPE:
		for (unsigned i = 0; i < n; i++) {
			int e = pc_write(sh->pipefd[1], buf + (size_t)i * c->payload, c->payload);

			if (e != 0)
				return e;
		}
		return 0;
	case PCQ_MQ:
		for (unsigned i = 0; i < n; i++) {
			while (mq_send(sh->mq, (const char *)buf + (size_t)i * c->payload, c->payload,
				       0) < 0) {
				if (errno != EINTR)
					return errno;
			}
		}
		return 0;
	}
	return EINVAL;
}

/*
 * Receive between 1 and max records into buf; returns the count, or -1
 * with *err set.
 */
static long pc_recv(const struct prodcons_cfg *c, void *shared, unsigned char *buf,
		    unsigned max, int *err)
{
	struct pc_shared *sh = shared;

	switch (c->queue) {
	case PCQ_RING:
		return ring_get(pc_ring(shared), buf, max);
	case PCQ_PIPE:
		for (;;) {
			ssize_t r = read(sh->pipefd[0], buf, (size_t)max * c->payload);

			if (r > 0 && (size_t)r % c->payload == 0)
				return (long)((size_t)r / c->payload);
			if (r < 0 && errno == EINTR)
				continue;
			/* whole records only: atomic writes, reads of whole records */
			*err = r < 0 ? errno : r == 0 ? EPIPE : EPROTO;
			return -1;
		}
	case PCQ_MQ:
		for (;;) {
			ssize_t r = mq_receive(sh->mq, (char *)buf, c->payload, NULL);

			if (r == (ssize_t)c->payload)
				return 1;
			if (r < 0 && errno == EINTR)
				continue;
			*err = r < 0 ? errno : EPROTO;
			return -1;
		}
	}
	*err = EINVAL;
	return -1;
}

/* Records a process receives per call. */
static unsigned pc_batch(const struct prodcons_cfg *c)
{
	if (c->queue == PCQ_RING)
		return PC_RING_BATCH;
	if (c->queue == PCQ_PIPE)
		return (unsigned)(PC_PIPE_READ / c->payload);
	return 1;
}

/* Consumer: take items until a sentinel; put extra sentinels back. */
static int pc_consumer(const struct prodcons_cfg *c, const struct wl_env *env)
{
	unsigned max = pc_batch(c);
	unsigned char *buf = xmalloc((size_t)max * c->payload);
	struct pc_cons k;
	uint64_t published = 0, put_back = 0;
	int err = 0;

	pc_cons_init(&k, c, env->shared);
	pc_slot_role(env->slot, 0, 0);
	while (k.sentinels == 0) {
		long n = pc_recv(c, env->shared, buf, max, &err);

		if (n < 0)
			break;
		pc_take(&k, buf, (size_t)n);
		if (k.count - published >= PC_PUBLISH) {
			published = k.count;
			shm_slot_progress(env->slot, 0, 0, published);
		}
	}
	/* a batch holds sentinels only at its end: put the extras back */
	if (err == 0 && k.sentinels > 1) {
		put_back = k.sentinels - 1;
		pc_sentinel(buf, c->payload);
		for (uint64_t i = 0; i < put_back && err == 0; i++)
			err = pc_send(c, env->shared, buf, 1);
	}
	wl_group_finish(env, k.count);
	pc_cons_finish(&k, &pc_consumers(env->shared)[env->index], put_back, err);
	free(buf);
	return err == 0 ? 0 : PC_EXIT_IO;
}

/* Producer p: send its items in order, the last one done sends sentinels. */
static int pc_producer(const struct prodcons_cfg *c, const struct wl_env *env, unsigned p)
{
	struct pc_shared *sh = env->shared;
	struct pc_producer *me = &pc_producers(env->shared)[p];
	unsigned max = c->queue == PCQ_RING ? PC_RING_BATCH : 1;
	unsigned char *buf = xmalloc((size_t)max * c->payload);
	_Atomic uint64_t *send = pc_send_stamps(env->shared) + (uint64_t)p * sh->lay.nsamples;
	uint64_t n = pc_share(c->items, sh->lay.producers, p), mask = sh->lay.stride - 1;
	uint64_t s = 0, published = 0;
	int err = 0;

	pc_slot_role(env->slot, 1, n);
	while (s < n && err == 0) {
		unsigned k = n - s < max ? (unsigned)(n - s) : max;

		for (unsigned i = 0; i < k; i++, s++) {
			pc_item(buf + (size_t)i * c->payload, c->payload, p, s);
			if ((s & mask) == 0)
				atomic_store_explicit(&send[s >> sh->lay.shift], now_ns(),
						      memory_order_relaxed);
		}
		err = pc_send(c, env->shared, buf, k);
		if (s - published >= PC_PUBLISH) {
			published = s;
			shm_slot_progress(env->slot, 0, 0, s);
		}
	}
	me->sent = err == 0 ? n : 0;
	if (atomic_fetch_add_explicit(&sh->producers_done, 1, memory_order_acq_rel) + 1 ==
	    sh->lay.producers) {
		pc_sentinel(buf, c->payload);
		for (unsigned i = 0; i < sh->lay.consumers && err == 0; i++) {
			err = pc_send(c, env->shared, buf, 1);
			me->sentinels += err == 0;
		}
	}
	wl_group_finish(env, s);
	me->err = err;
	me->finished = err == 0;
	free(buf);
	return err == 0 ? 0 : PC_EXIT_IO;
}

/*
 * Single mode: the producers (interleaved round-robin) fill an in-process
 * buffer of `capacity` items, the consumer empties it, until all items and
 * one sentinel went through.
 */
static int pc_single(const struct prodcons_cfg *c, const struct wl_env *env)
{
	struct pc_shared *sh = env->shared;
	uint64_t cap = sh->lay.capacity, mask = sh->lay.stride - 1, nprod = sh->lay.producers;
	unsigned char *buf = xmalloc((size_t)cap * c->payload);
	_Atomic uint64_t *send = pc_send_stamps(env->shared);
	uint64_t p = 0, s = 0, done = 0, published = 0;
	struct pc_cons k;
	bool sentinel = false;

	pc_cons_init(&k, c, env->shared);
	pc_slot_role(env->slot, 0, c->items);
	while (!sentinel) {
		uint64_t n = 0;

		for (; n < cap && done < c->items; n++, done++) {
			pc_item(buf + n * c->payload, c->payload, p, s);
			if ((s & mask) == 0)
				atomic_store_explicit(&send[p * sh->lay.nsamples + (s >> sh->lay.shift)],
						      now_ns(), memory_order_relaxed);
			if (++p == nprod) {
				p = 0;
				s++;
			}
		}
		if (n < cap && done == c->items)
			pc_sentinel(buf + n++ * c->payload, c->payload);
		sentinel = pc_take(&k, buf, n);
		if (k.count - published >= PC_PUBLISH) {
			published = k.count;
			shm_slot_progress(env->slot, 0, 0, published);
		}
	}
	for (unsigned q = 0; q < nprod; q++)
		pc_producers(env->shared)[q].sent = pc_share(c->items, nprod, q);
	pc_producers(env->shared)[nprod - 1].sentinels = 1;
	wl_group_finish(env, k.count);
	pc_cons_finish(&k, &pc_consumers(env->shared)[0], 0, 0);
	free(buf);
	return 0;
}

/* Run process env->index: a consumer, a producer, or the single pipeline. */
static int pc_run(const struct wl_env *env)
{
	const struct prodcons_cfg *c = env->cfg;
	const struct pc_shared *sh = env->shared;

	if (sh->magic != PC_MAGIC)
		return PC_EXIT_IO;
	if (env->mode == MODE_SINGLE)
		return pc_single(c, env);
	if (env->index < sh->lay.consumers)
		return pc_consumer(c, env);
	return pc_producer(c, env, env->index - sh->lay.consumers);
}

/* Sum and sum of squares of every value sent, modulo 2^64 (closed forms). */
static void pc_expect(const struct prodcons_cfg *c, uint64_t *sum, uint64_t *sumsq)
{
	*sum = *sumsq = 0;
	for (uint64_t p = 0; p < c->producers; p++) {
		unsigned __int128 n = pc_share(c->items, c->producers, p);
		unsigned __int128 tri = n * (n + 1) / 2, sq = n * (n + 1) * (2 * n + 1) / 6;

		/* values (s + 1) * 2^16 + p for s = 0..n-1 */
		*sum += (uint64_t)(tri << PC_PBITS) + (uint64_t)(n * p);
		*sumsq += (uint64_t)(sq << (2 * PC_PBITS)) + (uint64_t)((tri * p) << (PC_PBITS + 1)) +
			  (uint64_t)(n * p * p);
	}
}

/* Latency percentiles from the stamp pairs; false when a sample is missing. */
static bool pc_latency(const struct prodcons_cfg *c, void *shared, struct wl_outcome *out)
{
	const struct pc_layout *l = &((struct pc_shared *)shared)->lay;
	_Atomic uint64_t *send = pc_send_stamps(shared), *recv = pc_recv_stamps(shared);
	double *lat = xmalloc((l->producers * l->nsamples + 1) * sizeof *lat);
	size_t n = 0, missing = 0;

	for (unsigned p = 0; p < l->producers; p++) {
		uint64_t np = pc_share(c->items, l->producers, p);
		uint64_t want = (np + l->stride - 1) / l->stride;

		for (uint64_t i = 0; i < want; i++) {
			uint64_t a = atomic_load_explicit(&send[p * l->nsamples + i],
							  memory_order_relaxed);
			uint64_t b = atomic_load_explicit(&recv[p * l->nsamples + i],
							  memory_order_relaxed);

			if (a == 0 || b == 0)
				missing++;
			else
				lat[n++] = b > a ? (double)(b - a) / 1e9 : 0.0;
		}
	}
	wl_add_metric(out, "latency_p50", n ? measure_percentile(lat, n, 50) : NAN, "s");
	wl_add_metric(out, "latency_p99", n ? measure_percentile(lat, n, 99) : NAN, "s");
	wl_add_metric(out, "latency_samples", (double)n, "samples");
	free(lat);
	if (missing != 0 && !out->msg[0])
		bufprintf(out->msg, sizeof out->msg, "%zu latency-sampled items never arrived",
			  missing);
	return missing == 0;
}

/* Check count, sums, order, sentinels and samples of the run. */
static void pc_verify(const void *cfg, void *shared, unsigned workers, enum bt_mode mode,
		      struct wl_outcome *out)
{
	const struct prodcons_cfg *c = cfg;
	const struct pc_shared *sh = shared;
	const struct pc_consumer *cons = pc_consumers(shared);
	const struct pc_producer *prod = pc_producers(shared);
	uint64_t count = 0, sum = 0, sumsq = 0, sent = 0, esum, esumsq;
	bool ok = true;

	(void)workers;
	(void)mode;
	memset(out, 0, sizeof *out);
	pc_expect(c, &esum, &esumsq);
	for (unsigned i = 0; i < sh->lay.consumers; i++) {
		const struct pc_consumer *k = &cons[i];

		count += k->count;
		sum += k->sum;
		sumsq += k->sumsq;
		if (!ok)
			continue;
		ok = false;
		if (!k->finished)
			bufprintf(out->msg, sizeof out->msg, "consumer %u did not finish (%s)", i,
				  k->err ? strerror(k->err) : "no sentinel");
		else if (k->sentinels != 1)
			bufprintf(out->msg, sizeof out->msg, "consumer %u kept %" PRIu64
				  " sentinels, not 1", i, k->sentinels);
		else if (k->order_errors != 0)
			bufprintf(out->msg, sizeof out->msg, "consumer %u took items of one producer "
				  "out of order %" PRIu64 " times", i, k->order_errors);
		else if (k->bad != 0)
			bufprintf(out->msg, sizeof out->msg, "consumer %u took %" PRIu64
				  " items no producer sent", i, k->bad);
		else if (k->corrupt != 0)
			bufprintf(out->msg, sizeof out->msg, "consumer %u took %" PRIu64
				  " items with altered payload", i, k->corrupt);
		else if (k->dup_samples != 0)
			bufprintf(out->msg, sizeof out->msg, "consumer %u took %" PRIu64
				  " sampled items a second time", i, k->dup_samples);
		else
			ok = true;
	}
	for (unsigned p = 0; p < sh->lay.producers; p++) {
		sent += prod[p].sent;
		if (ok && prod[p].err != 0) {
			bufprintf(out->msg, sizeof out->msg, "producer %u failed: %s", p,
				  strerror(prod[p].err));
			ok = false;
		}
	}
	if (ok && sent != c->items) {
		bufprintf(out->msg, sizeof out->msg, "producers sent %" PRIu64 " of %" PRIu64
			  " items", sent, c->items);
		ok = false;
	}
	if (ok && count != c->items) {
		bufprintf(out->msg, sizeof out->msg, "consumers took %" PRIu64 " of %" PRIu64
			  " items", count, c->items);
		ok = false;
	}
	if (ok && (sum != esum || sumsq != esumsq)) {
		bufprintf(out->msg, sizeof out->msg, "sum of items %" PRIu64 ", expected %" PRIu64
			  " (an item lost, doubled or altered)", sum, esum);
		ok = false;
	}
	if (!pc_latency(c, shared, out))
		ok = false;
	if (c->queue == PCQ_RING && mode != MODE_SINGLE) {
		uint64_t space, data;

		ring_sleeps(pc_ring(shared), &space, &data);
		wl_add_metric(out, "space_sleeps", (double)space, "sleeps");
		wl_add_metric(out, "data_sleeps", (double)data, "sleeps");
	}
	out->checksum = sum;
	out->expected = esum;
	out->ops = count;
	out->verified = ok;
}

/* "consumer" or "producer" (single: "pipeline"). */
static const char *pc_role_name(const void *cfg, unsigned workers, enum bt_mode mode,
				unsigned i)
{
	(void)cfg;
	if (mode == MODE_SINGLE)
		return "pipeline";
	return i < workers ? "consumer" : "producer";
}

const struct workload wl_prodcons = {
	.name = "prodcons",
	.summary = "producers and consumers through a pipe, mq or shared ring (the tutorial's Queue)",
	.kind = WL_GROUP,
	.params = pc_params,
	.cfg_size = sizeof(struct prodcons_cfg),
	.unit = "items/s",
	.check = pc_check,
	.nprocs = pc_nprocs,
	.shared_size = pc_shared_size,
	.prepare = pc_prepare,
	.run = pc_run,
	.verify = pc_verify,
	.cleanup = pc_cleanup,
	.role_name = pc_role_name,
};
