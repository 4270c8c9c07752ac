/*
 * bench_ipc.c - `benchtop bench`, IPC part: the prodcons queues and the
 * shdict backends next to bare loops of the same mechanisms and next to
 * the tutorial's Python code, all measured in one run (see bench_ipc.h).
 *
 * Workload figures come from real runs of the workloads (workloads/
 * grouprun.c: forked processes released together from a barrier, timed
 * from the release to the last one done, stats publishing on, verified).
 * The bare loops are tiny WL_GROUP workloads defined here and run the same
 * way; each does only the mechanism (no checks, no stats, no sentinels),
 * touches its memory before a second barrier and reports the time from
 * that barrier, so it is the mechanism's own limit on this machine. Every
 * figure is the median of IPC_REPS runs sized to take about IPC_TARGET
 * seconds each.
 */
#include "bench_ipc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <mqueue.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "measure.h"
#include "util.h"
#include "workload.h"
#include "workloads/grouprun.h"
#include "workloads/ring.h"
#include "workloads/shdict.h"

#define IPC_REPS 5
#define IPC_TARGET 0.4         /* seconds per measured run */
#define IPC_TIMEOUT 120.0      /* seconds before a hung run is killed */
#define IPC_RING_CAP 4096u     /* prodcons' automatic capacity */
#define IPC_RING_BATCH 256u    /* items per ring_put/ring_get, as prodcons */
#define IPC_DICT_KEYS 1000000u
#define IPC_DICT_WRITERS 2u

/* ---- bare loops as tiny group workloads -------------------------------- */

enum bare_kind { BARE_RING, BARE_PIPE, BARE_MQ, BARE_CAS, BARE_MUTEX, BARE_SOCKET };

struct bare_cfg {
	unsigned kind;       /* enum bare_kind */
	uint64_t n;          /* items, keys, lock rounds or round trips in total */
	uint64_t capacity;   /* ring slots, mq depth, pipe records */
	bool cold;           /* CAS: take the table's page faults inside the timing */
};

/* The bare loops' shared area header; a ring or a table follows it. */
struct bare_shared {
	_Atomic uint32_t arrived;        /* second barrier, after warm-up */
	_Atomic uint64_t t_start;        /* set by the last to arrive */
	_Atomic uint64_t t_end;          /* the latest end */
	_Atomic uint64_t result[2];      /* per process: sum, count or inserts */
	int fd[2];                       /* pipe or socket pair */
	mqd_t mq;
	uint64_t counter;                /* bare mutex: rounds done under the lock */
	_Alignas(64) pthread_mutex_t m;
	_Alignas(64) unsigned char data[];
};

static const struct param_desc bare_params[] = { { .name = NULL } };

/* Two processes for every bare loop. */
static unsigned bare_nprocs(const void *cfg, unsigned workers, enum bt_mode mode)
{
	(void)cfg;
	(void)workers;
	(void)mode;
	return 2;
}

/* Header plus the ring or table. */
static size_t bare_size(const void *cfg, unsigned workers, enum bt_mode mode)
{
	const struct bare_cfg *c = cfg;
	size_t n = sizeof(struct bare_shared);

	(void)workers;
	(void)mode;
	if (c->kind == BARE_RING)
		n += ring_bytes(c->capacity, sizeof(uint64_t));
	if (c->kind == BARE_CAS)
		n += shdict_auto_slots(c->n) * sizeof(uint64_t);
	return n;
}

/* A number from a /proc file, or def. */
static long read_proc(const char *path, long def)
{
	FILE *f = fopen(path, "r");
	long v = def;

	if (f == NULL)
		return def;
	if (fscanf(f, "%ld", &v) != 1)
		v = def;
	fclose(f);
	return v;
}

/* The queue, mutex or socket pair of a bare loop. */
static int bare_prepare(const void *cfg, void *shared, unsigned workers, enum bt_mode mode,
			char *err, size_t errlen)
{
	const struct bare_cfg *c = cfg;
	struct bare_shared *b = shared;
	pthread_mutexattr_t a;
	struct mq_attr ma;
	char name[64];

	(void)workers;
	(void)mode;
	memset(b, 0, sizeof *b);
	b->fd[0] = b->fd[1] = -1;
	b->mq = (mqd_t)-1;
	switch (c->kind) {
	case BARE_RING:
		ring_init(b->data, c->capacity, sizeof(uint64_t));
		break;
	case BARE_PIPE:
		if (pipe2(b->fd, O_CLOEXEC) < 0 ||
		    fcntl(b->fd[1], F_SETPIPE_SZ, (int)(c->capacity * sizeof(uint64_t))) < 0) {
			bufprintf(err, errlen, "bare pipe: %s", strerror(errno));
			return -1;
		}
		break;
	case BARE_MQ:
		memset(&ma, 0, sizeof ma);
		ma.mq_maxmsg = (long)c->capacity;
		ma.mq_msgsize = sizeof(uint64_t);
		bufprintf(name, sizeof name, "/benchtop-bare-%ld", (long)getpid());
		b->mq = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &ma);
		if (b->mq == (mqd_t)-1) {
			bufprintf(err, errlen, "bare mq (depth %ld): %s", ma.mq_maxmsg, strerror(errno));
			return -1;
		}
		mq_unlink(name);
		break;
	case BARE_CAS:
		memset(b->data, 0, shdict_auto_slots(c->n) * sizeof(uint64_t));
		break;
	case BARE_MUTEX:
		pthread_mutexattr_init(&a);
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
		pthread_mutex_init(&b->m, &a);
		pthread_mutexattr_destroy(&a);
		break;
	case BARE_SOCKET:
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, b->fd) < 0) {
			bufprintf(err, errlen, "bare socketpair: %s", strerror(errno));
			return -1;
		}
		break;
	}
	return 0;
}

/* Close what bare_prepare opened. */
static void bare_cleanup(const void *cfg, void *shared, unsigned workers, enum bt_mode mode)
{
	const struct bare_cfg *c = cfg;
	struct bare_shared *b = shared;

	(void)workers;
	(void)mode;
	for (int i = 0; i < 2; i++) {
		if (b->fd[i] >= 0)
			close(b->fd[i]);
		b->fd[i] = -1;
	}
	if (b->mq != (mqd_t)-1)
		mq_close(b->mq);
	b->mq = (mqd_t)-1;
	if (c->kind == BARE_MUTEX)
		pthread_mutex_destroy(&b->m);
}

/* The second barrier: both processes warmed up; the last one starts the clock. */
static void bare_barrier(struct bare_shared *b)
{
	if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) + 1 == 2) {
		atomic_store_explicit(&b->t_start, now_ns(), memory_order_release);
		return;
	}
	while (atomic_load_explicit(&b->arrived, memory_order_acquire) < 2)
		sched_yield();
}

/* Record this process's end (the latest one wins). */
static void bare_end(struct bare_shared *b)
{
	uint64_t t = now_ns(), old = atomic_load_explicit(&b->t_end, memory_order_relaxed);

	while (old < t && !atomic_compare_exchange_weak_explicit(&b->t_end, &old, t,
								 memory_order_relaxed,
								 memory_order_relaxed))
		;
}

/* Read exactly n bytes; false on error or end of file. */
static bool read_full(int fd, void *buf, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, buf, n);

		if (r <= 0 && !(r < 0 && errno == EINTR))
			return false;
		if (r > 0) {
			buf = (char *)buf + r;
			n -= (size_t)r;
		}
	}
	return true;
}

/* Bare ring: 256-item batches, no checks beyond a sum. */
static uint64_t bare_ring(const struct bare_cfg *c, struct bare_shared *b, unsigned me)
{
	struct ring *r = (struct ring *)(void *)b->data;
	uint64_t buf[IPC_RING_BATCH], sum = 0, done = 0;

	bare_barrier(b);
	while (done < c->n) {
		uint64_t k = c->n - done < IPC_RING_BATCH ? c->n - done : IPC_RING_BATCH;

		if (me == 1) {
			for (uint64_t j = 0; j < k; j++)
				buf[j] = done + j + 1;
			ring_put(r, buf, (unsigned)k);
		} else {
			k = ring_get(r, buf, IPC_RING_BATCH);
			for (uint64_t j = 0; j < k; j++)
				sum += buf[j];
		}
		done += k;
	}
	return sum;
}

/* Bare pipe or mq: one write (send) and one read (receive) per 8-byte record. */
static uint64_t bare_queue(const struct bare_cfg *c, struct bare_shared *b, unsigned me)
{
	uint64_t sum = 0;

	bare_barrier(b);
	for (uint64_t i = 1; i <= c->n; i++) {
		uint64_t v = i;

		if (me == 1 && c->kind == BARE_PIPE) {
			if (write(b->fd[1], &v, sizeof v) != sizeof v)
				return 0;
		} else if (me == 1) {
			if (mq_send(b->mq, (const char *)&v, sizeof v, 0) < 0)
				return 0;
		} else if (c->kind == BARE_PIPE) {
			if (!read_full(b->fd[0], &v, sizeof v))
				return 0;
			sum += v;
		} else {
			if (mq_receive(b->mq, (char *)&v, sizeof v, NULL) != sizeof v)
				return 0;
			sum += v;
		}
	}
	return sum;
}

/* Bare CAS inserts of this process's half of the keys into shdict's table
 * layout, the table prefaulted before the clock starts (warm) or after. */
static uint64_t bare_cas(const struct bare_cfg *c, struct bare_shared *b, unsigned me)
{
	uint64_t cap = shdict_auto_slots(c->n), lo = c->n * me / 2, hi = c->n * (me + 1) / 2, n = 0;
	_Atomic uint64_t *t = (_Atomic uint64_t *)(void *)b->data;

	if (!c->cold)
		shdict_prefault(b->data, cap * sizeof *t);
	bare_barrier(b);
	if (c->cold)
		shdict_prefault(b->data, cap * sizeof *t);
	for (uint64_t k = lo; k < hi; k++) {
		uint64_t i = shdict_home(k, cap);

		if (k + 8 < hi)
			__builtin_prefetch(&t[shdict_home(k + 8, cap)], 1);
		for (;;) {
			uint64_t e = 0;

			if (atomic_compare_exchange_strong_explicit(&t[i], &e, (k + 1) << 32 | k * 10,
								    memory_order_acq_rel,
								    memory_order_acquire)) {
				n++;
				break;
			}
			if (++i == cap)
				i = 0;
		}
	}
	return n;
}

/* Bare mutex: lock, count, unlock, this process's half of the rounds. */
static uint64_t bare_mutex(const struct bare_cfg *c, struct bare_shared *b, unsigned me)
{
	uint64_t n = c->n * (me + 1) / 2 - c->n * me / 2;

	bare_barrier(b);
	for (uint64_t i = 0; i < n; i++) {
		if (pthread_mutex_lock(&b->m) != 0)
			return 0;
		b->counter++;
		pthread_mutex_unlock(&b->m);
	}
	return n;
}

/* Bare socket round trips: 24-byte request, 8-byte reply, as shdict's server. */
static uint64_t bare_socket(const struct bare_cfg *c, struct bare_shared *b, unsigned me)
{
	unsigned char req[24] = { 0 }, ack[8] = { 0 };
	int fd = b->fd[me];
	uint64_t n = 0;

	bare_barrier(b);
	for (uint64_t i = 0; i < c->n; i++) {
		/* waiting as shdict's server backend waits: poll, then sleep */
		if (me == 1) {
			if (send(fd, req, sizeof req, 0) != sizeof req ||
			    shdict_recv_spin(fd, ack, sizeof ack) != sizeof ack)
				return n;
		} else {
			if (shdict_recv_spin(fd, req, sizeof req) != sizeof req ||
			    send(fd, ack, sizeof ack, 0) != sizeof ack)
				return n;
		}
		n++;
	}
	return n;
}

/* Run process env->index of a bare loop. */
static int bare_run(const struct wl_env *env)
{
	const struct bare_cfg *c = env->cfg;
	struct bare_shared *b = env->shared;
	unsigned me = env->index;
	uint64_t r = 0;

	switch (c->kind) {
	case BARE_RING:
		r = bare_ring(c, b, me);
		break;
	case BARE_PIPE:
	case BARE_MQ:
		r = bare_queue(c, b, me);
		break;
	case BARE_CAS:
		r = bare_cas(c, b, me);
		break;
	case BARE_MUTEX:
		r = bare_mutex(c, b, me);
		break;
	case BARE_SOCKET:
		r = bare_socket(c, b, me);
		break;
	}
	bare_end(b);
	atomic_store_explicit(&b->result[me], r, memory_order_relaxed);
	return 0;
}

/* Check the bare loop's result; its time is the metric "seconds". */
static void bare_verify(const void *cfg, void *shared, unsigned workers, enum bt_mode mode,
			struct wl_outcome *out)
{
	const struct bare_cfg *c = cfg;
	struct bare_shared *b = shared;
	uint64_t r0 = atomic_load_explicit(&b->result[0], memory_order_relaxed);
	uint64_t r1 = atomic_load_explicit(&b->result[1], memory_order_relaxed);
	uint64_t t0 = atomic_load_explicit(&b->t_start, memory_order_relaxed);
	uint64_t t1 = atomic_load_explicit(&b->t_end, memory_order_relaxed);

	(void)workers;
	(void)mode;
	memset(out, 0, sizeof *out);
	out->ops = c->n;
	switch (c->kind) {
	case BARE_RING:
	case BARE_PIPE:
	case BARE_MQ:
		out->checksum = r0;
		out->expected = c->n * (c->n + 1) / 2;
		break;
	case BARE_CAS:
		out->checksum = r0 + r1;
		out->expected = c->n;
		break;
	case BARE_MUTEX:
		out->checksum = b->counter;
		out->expected = c->n;
		break;
	case BARE_SOCKET:
		out->checksum = r0 + r1;
		out->expected = 2 * c->n;
		break;
	}
	out->verified = out->checksum == out->expected;
	if (!out->verified)
		bufprintf(out->msg, sizeof out->msg, "bare loop result %llu, expected %llu",
			  (unsigned long long)out->checksum, (unsigned long long)out->expected);
	out->nmetrics = 1;
	out->metrics[0] = (struct wl_metric){ "seconds", t1 > t0 ? (double)(t1 - t0) / 1e9 : NAN,
					      "s" };
}

static const struct workload wl_bare = {
	.name = "bare",
	.summary = "bare IPC loops for the bench",
	.kind = WL_GROUP,
	.params = bare_params,
	.cfg_size = sizeof(struct bare_cfg),
	.unit = "ops/s",
	.nprocs = bare_nprocs,
	.shared_size = bare_size,
	.prepare = bare_prepare,
	.run = bare_run,
	.verify = bare_verify,
	.cleanup = bare_cleanup,
};

/* ---- measuring ----------------------------------------------------------- */

/* One verified run; returns its seconds (bare loops: from their own barrier)
 * and fills out. Dies when the run fails or does not verify. */
static double run_once(const struct workload *wl, const void *cfg, unsigned workers,
		       enum bt_mode mode, struct shm_region *stats, struct wl_outcome *out)
{
	struct grouprun_result res;
	char err[256] = "";
	int rc = grouprun(wl, cfg, workers, mode, stats, IPC_TIMEOUT, &res, err, sizeof err);

	if (rc != 0)
		fatalx(EXIT_RUNFAIL, "bench: %s run failed: %s%s%s", wl->name, err, res.failure,
		       res.timed_out ? " (timed out)" : "");
	if (!res.out.verified)
		fatalx(EXIT_RUNFAIL, "bench: %s did not verify: %s", wl->name, res.out.msg);
	*out = res.out;
	if (wl == &wl_bare)
		return res.out.metrics[0].value;
	return res.seconds;
}

/* The metric called name in out, or NAN. */
static double metric(const struct wl_outcome *out, const char *name)
{
	for (unsigned i = 0; i < out->nmetrics; i++) {
		if (strcmp(out->metrics[i].name, name) == 0)
			return out->metrics[i].value;
	}
	return NAN;
}

/* What a measurement yields: ops/s at the median time, and extras. */
struct rate {
	double ops_s;         /* ops / median seconds */
	double seconds;       /* median seconds */
	double p50, p99;      /* median of the runs' latency percentiles (prodcons) */
};

/* Median over IPC_REPS runs (after one warm-up run). */
static struct rate measure(const struct workload *wl, const void *cfg, unsigned workers,
			   enum bt_mode mode, struct shm_region *stats)
{
	double t[IPC_REPS], p50[IPC_REPS], p99[IPC_REPS];
	struct wl_outcome out;
	struct rate r;

	run_once(wl, cfg, workers, mode, stats, &out);
	for (int i = 0; i < IPC_REPS; i++) {
		t[i] = run_once(wl, cfg, workers, mode, stats, &out);
		p50[i] = metric(&out, "latency_p50");
		p99[i] = metric(&out, "latency_p99");
	}
	r.seconds = measure_percentile(t, IPC_REPS, 50);
	r.ops_s = (double)out.ops / r.seconds;
	r.p50 = measure_percentile(p50, IPC_REPS, 50);
	r.p99 = measure_percentile(p99, IPC_REPS, 50);
	return r;
}

/* Parse "name=value" settings for wl; dies on a bad one. */
static void *config(const struct workload *wl, const char *const *settings)
{
	char err[256];
	void *cfg = grouprun_config(wl, settings, err, sizeof err);

	if (cfg == NULL)
		fatalx(EXIT_RUNFAIL, "bench: %s", err);
	return cfg;
}

/* A count that makes a run take about IPC_TARGET s at `rate` per second. */
static uint64_t size_for(double rate, uint64_t lo, uint64_t hi)
{
	double n = rate * IPC_TARGET;

	if (!(n > (double)lo))
		return lo;
	return n < (double)hi ? (uint64_t)n : hi;
}

/* "123.4M" style rendering of a rate. */
static const char *fmt_rate(double v, char *buf, size_t len)
{
	if (!isfinite(v))
		return bufprintf(buf, len, "-");
	if (v >= 1e9)
		return bufprintf(buf, len, "%.2fG", v / 1e9);
	if (v >= 1e6)
		return bufprintf(buf, len, "%.2fM", v / 1e6);
	if (v >= 1e3)
		return bufprintf(buf, len, "%.1fk", v / 1e3);
	return bufprintf(buf, len, "%.0f", v);
}

/* "12.3 us" style rendering of seconds. */
static const char *fmt_secs(double s, char *buf, size_t len)
{
	if (!isfinite(s))
		return bufprintf(buf, len, "-");
	if (s < 1e-3)
		return bufprintf(buf, len, "%.1f us", s * 1e6);
	if (s < 1)
		return bufprintf(buf, len, "%.2f ms", s * 1e3);
	return bufprintf(buf, len, "%.2f s", s);
}

/* ---- Python -------------------------------------------------------------- */

/* Path of tests/bench/<script>: from the working directory, or next to the
 * binary (build/benchtop, build/san/benchtop). Returns false when absent. */
static bool find_script(const char *script, char *path, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n;
	static const char *const up[] = { "/..", "/../.." };

	bufprintf(path, len, "tests/bench/%s", script);
	if (access(path, R_OK) == 0)
		return true;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');

	if (slash == NULL)
		return false;
	*slash = '\0';
	for (size_t i = 0; i < ARRAY_LEN(up); i++) {
		bufprintf(path, len, "%s%s/tests/bench/%s", exe, up[i], script);
		if (access(path, R_OK) == 0)
			return true;
	}
	return false;
}

/*
 * Run `python3 tests/bench/<script> <arg>` in its own process group, read
 * its one line of output and return the number after `key`; NAN (with why
 * in note) when python3 or the script is missing, fails or takes too long.
 */
static double run_python(const char *script, const char *arg, const char *key, char *note,
			 size_t notelen)
{
	char path[PATH_MAX + 64], line[512] = "";
	size_t used = 0;
	int fd[2], status = 0;
	uint64_t deadline = now_ns() + (uint64_t)(IPC_TIMEOUT * 1e9);
	pid_t pid;

	if (!find_script(script, path, sizeof path)) {
		bufprintf(note, notelen, "tests/bench/%s not found", script);
		return NAN;
	}
	if (pipe2(fd, O_CLOEXEC) < 0)
		fatal("bench: pipe");
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fatal("bench: fork");
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fd[1], STDOUT_FILENO);
		execlp("python3", "python3", path, arg, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	for (;;) {
		struct pollfd p = { .fd = fd[0], .events = POLLIN };
		int64_t left = (int64_t)(deadline - now_ns());
		ssize_t r;

		if (left <= 0) {
			kill(-pid, SIGKILL);
			bufprintf(note, notelen, "%s took longer than %.0f s", script, IPC_TIMEOUT);
			break;
		}
		if (poll(&p, 1, (int)(left / 1000000 + 1)) <= 0)
			continue;
		r = read(fd[0], line + used, sizeof line - 1 - used);
		if (r <= 0)
			break;
		used += (size_t)r;
		if (used == sizeof line - 1)
			break;
	}
	line[used] = '\0';
	close(fd[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (note[0] == '\0')
			bufprintf(note, notelen, WIFEXITED(status) && WEXITSTATUS(status) == 127
				  ? "python3 not found" : "%s failed", script);
		return NAN;
	}
	const char *at = strstr(line, key);

	if (at == NULL) {
		bufprintf(note, notelen, "%s printed no %s", script, key);
		return NAN;
	}
	return strtod(at + strlen(key), NULL);
}

/* ---- the benchmark ------------------------------------------------------- */

/* Queues: each through prodcons (1 producer -> 1 consumer) and bare. */
static void bench_queues(FILE *out, struct shm_region *stats)
{
	static const char *const names[] = { "ring", "pipe", "mq" };
	static const unsigned kinds[] = { BARE_RING, BARE_PIPE, BARE_MQ };
	static const uint64_t probe[] = { 2000000, 50000, 50000 };
	double workload[3], py;
	long msg_max = read_proc("/proc/sys/fs/mqueue/msg_max", 10);
	char note[160] = "", a[32], b[32], c[32], d[32];

	fprintf(out, "\nprodcons queues: 1 producer -> 1 consumer, 8-byte items (median of %d)\n",
		IPC_REPS);
	fprintf(out, "  %-6s %14s %14s %7s   %-22s\n", "queue", "prodcons", "bare loop", "ratio",
		"latency p50 / p99");
	for (int q = 0; q < 3; q++) {
		char queue[32], items[48];
		const char *set[] = { queue, items, NULL };
		struct wl_outcome o;
		struct bare_cfg bc = { .kind = kinds[q] };
		void *cfg;
		uint64_t n;

		bufprintf(queue, sizeof queue, "queue=%s", names[q]);
		bufprintf(items, sizeof items, "items=%llu", (unsigned long long)probe[q]);
		cfg = config(&wl_prodcons, set);
		double t = run_once(&wl_prodcons, cfg, 1, MODE_POOL, stats, &o);

		n = size_for((double)probe[q] / t, 10000, 200000000);
		free(cfg);
		bufprintf(items, sizeof items, "items=%llu", (unsigned long long)n);
		cfg = config(&wl_prodcons, set);
		struct rate w = measure(&wl_prodcons, cfg, 1, MODE_POOL, stats);

		free(cfg);
		bc.n = n;
		bc.capacity = q == 2 ? (uint64_t)(msg_max < IPC_RING_CAP ? msg_max : IPC_RING_CAP)
				     : IPC_RING_CAP;
		struct rate bare = measure(&wl_bare, &bc, 1, MODE_POOL, NULL);

		workload[q] = w.ops_s;
		fprintf(out, "  %-6s %12s/s %12s/s %7.2f   %s / %s   (%s items)\n", names[q],
			fmt_rate(w.ops_s, a, sizeof a), fmt_rate(bare.ops_s, b, sizeof b),
			w.ops_s / bare.ops_s, fmt_secs(w.p50, c, sizeof c),
			fmt_secs(w.p99, d, sizeof d), fmt_rate((double)n, note, sizeof note));
		note[0] = '\0';
		fflush(out);
	}
	{
		const char *set[] = { "queue=ring", "items=20000000", NULL };
		void *cfg = config(&wl_prodcons, set);
		struct rate s = measure(&wl_prodcons, cfg, 1, MODE_SINGLE, stats);

		fprintf(out, "  %-6s %12s/s %14s %7s   (one process, in-process buffer: no IPC)\n",
			"single", fmt_rate(s.ops_s, a, sizeof a), "", "");
		free(cfg);
	}
	py = run_python("py_queue.py", "50000", "items_per_s=", note, sizeof note);
	if (isnan(py)) {
		fprintf(out, "  Python multiprocessing.Queue: not measured (%s)\n", note);
		return;
	}
	fprintf(out, "  Python multiprocessing.Queue: %s items/s; ring %.0fx, pipe %.1fx, mq %.1fx "
		"of it\n", fmt_rate(py, a, sizeof a), workload[0] / py, workload[1] / py,
		workload[2] / py);
}

/* shdict with backend (and more settings) at `keys`, 2 writers. */
static struct rate dict_rate(const char *backend, const char *extra, uint64_t keys,
			     struct shm_region *stats)
{
	char be[32], k[48];
	const char *set[] = { be, k, extra, NULL };
	void *cfg;
	struct rate r;

	bufprintf(be, sizeof be, "backend=%s", backend);
	bufprintf(k, sizeof k, "keys=%llu", (unsigned long long)keys);
	cfg = config(&wl_shdict, set);
	r = measure(&wl_shdict, cfg, IPC_DICT_WRITERS, MODE_POOL, stats);
	free(cfg);
	return r;
}

/* Keys that make a server run with batch (a "batch=N" setting) take about
 * IPC_TARGET seconds. */
static uint64_t server_keys(const char *batch, struct shm_region *stats)
{
	const char *set[] = { "backend=server", "keys=4000", batch, NULL };
	void *cfg = config(&wl_shdict, set);
	struct wl_outcome o;
	double t = run_once(&wl_shdict, cfg, IPC_DICT_WRITERS, MODE_POOL, stats, &o);

	free(cfg);
	return size_for(4000.0 / t, 2000, IPC_DICT_KEYS);
}

/* Dictionary backends: 2 writers, 1M keys, next to bare loops. */
static void bench_dicts(FILE *out, struct shm_region *stats)
{
	char a[32], b[32], c[32], note[160] = "";
	struct bare_cfg cas = { .kind = BARE_CAS, .n = IPC_DICT_KEYS };
	struct bare_cfg mtx = { .kind = BARE_MUTEX, .n = IPC_DICT_KEYS };
	struct rate lf, lk, st, s1, s64, warm, cold, mutex, sock, single;
	uint64_t k1 = server_keys("batch=1", stats), k64 = server_keys("batch=64", stats);
	struct bare_cfg sk = { .kind = BARE_SOCKET, .n = 2 * k1 };
	double py;

	fprintf(out, "\nshdict backends: %u writers, %u keys, a key = d[k] = k * 10 + l.append(k) "
		"(median of %d)\n", IPC_DICT_WRITERS, IPC_DICT_KEYS, IPC_REPS);
	lf = dict_rate("lockfree", NULL, IPC_DICT_KEYS, stats);
	cas.cold = true;
	cold = measure(&wl_bare, &cas, 1, MODE_POOL, NULL);
	cas.cold = false;
	warm = measure(&wl_bare, &cas, 1, MODE_POOL, NULL);
	fprintf(out, "  lockfree  %11s/s   bare CAS inserts %s/s (ratio %.2f, goal >= 30M/s); "
		"%s/s when the table's page faults are inside the clock\n",
		fmt_rate(lf.ops_s, a, sizeof a), fmt_rate(warm.ops_s, b, sizeof b),
		lf.ops_s / warm.ops_s, fmt_rate(cold.ops_s, c, sizeof c));
	fflush(out);
	lk = dict_rate("lock", NULL, IPC_DICT_KEYS, stats);
	mutex = measure(&wl_bare, &mtx, 1, MODE_POOL, NULL);
	fprintf(out, "  lock      %11s/s   bare robust-mutex lock+unlock %s/s (ratio %.2f, goal "
		">= 5M/s)\n",
		fmt_rate(lk.ops_s, a, sizeof a), fmt_rate(mutex.ops_s, b, sizeof b),
		lk.ops_s / mutex.ops_s);
	fflush(out);
	st = dict_rate("striped", NULL, IPC_DICT_KEYS, stats);
	fprintf(out, "  striped   %11s/s   64 stripes (%.2fx lock)\n", fmt_rate(st.ops_s, a, sizeof a),
		st.ops_s / lk.ops_s);
	fflush(out);
	s1 = dict_rate("server", "batch=1", k1, stats);
	sock = measure(&wl_bare, &sk, 1, MODE_POOL, NULL);
	fprintf(out, "  server    %11s/s   batch 1: 2 round trips per key; bare socket round trips "
		"%s/s = %s keys/s (ratio %.2f)\n", fmt_rate(s1.ops_s, a, sizeof a),
		fmt_rate(sock.ops_s, b, sizeof b), fmt_rate(sock.ops_s / 2, c, sizeof c),
		s1.ops_s / (sock.ops_s / 2));
	fflush(out);
	s64 = dict_rate("server", "batch=64", k64, stats);
	fprintf(out, "  server    %11s/s   batch 64: 64 requests per round trip\n",
		fmt_rate(s64.ops_s, a, sizeof a));
	{
		char keys[48];
		const char *set[] = { keys, NULL };

		bufprintf(keys, sizeof keys, "keys=%u", IPC_DICT_KEYS);
		void *cfg = config(&wl_shdict, set);

		single = measure(&wl_shdict, cfg, 1, MODE_SINGLE, stats);
		free(cfg);
	}
	fprintf(out, "  single    %11s/s   one writer, plain stores, nothing shared\n",
		fmt_rate(single.ops_s, a, sizeof a));
	py = run_python("py_manager.py", "10000", "ops_per_s=", note, sizeof note);
	if (isnan(py)) {
		fprintf(out, "  Python Manager dict + list: not measured (%s)\n", note);
		return;
	}
	fprintf(out, "  Python Manager dict + list, 2 writers: %s keys/s; server %.1fx of it at "
		"batch 1, %.0fx at batch 64 (goal >= 5x)\n", fmt_rate(py, a, sizeof a), s1.ops_s / py,
		s64.ops_s / py);
}

/* The IPC micro-benchmarks. */
void bench_ipc(FILE *out)
{
	struct shm_region stats;
	char err[256];

	if (shm_create_anon(&stats, 8, err, sizeof err) < 0)
		fatalx(EXIT_RUNFAIL, "bench: %s", err);
	fprintf(out, "\nIPC: workloads with stats publishing on, bare loops without; "
		"ratio = workload / bare\n");
	bench_queues(out, &stats);
	bench_dicts(out, &stats);
	shm_close(&stats);
}
