/*
 * test_shdict.c - the shdict workload with every backend, run the way the
 * engine runs it (workloads/grouprun.c), at small sizes and edge cases,
 * including a writer killed while it holds the lock.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm.h"
#include "workload.h"
#include "tgroup.h"
#include "workloads/grouprun.h"
#include "workloads/shdict.h"

#define SD_TIMEOUT 60.0 /* seconds before a hung run is killed (and fails) */

static const char *const backends[] = { "lock", "striped", "lockfree", "server" };

/* Run shdict with the settings; returns grouprun's code, res filled. */
static int run_sd(const char *const *settings, unsigned workers, enum bt_mode mode,
		  struct shm_region *stats, struct grouprun_result *res)
{
	char err[256] = "";
	void *cfg = grouprun_config(&wl_shdict, settings, err, sizeof err);
	int rc;

	cr_assert_not_null(cfg, "config: %s", err);
	rc = grouprun(&wl_shdict, cfg, workers, mode, stats, SD_TIMEOUT, res, err, sizeof err);
	cr_assert_neq(rc, -1, "run did not start: %s", err);
	cr_assert(!res->timed_out, "run hung (killed after %g s)", SD_TIMEOUT);
	free(cfg);
	return rc;
}

/* Run and require every process to succeed and a verified outcome. */
static void expect_ok(const char *const *settings, unsigned workers, enum bt_mode mode,
		      uint64_t keys)
{
	struct grouprun_result res;
	int rc = run_sd(settings, workers, mode, NULL, &res);

	cr_assert_eq(rc, 0, "%s w=%u: %s", settings[0], workers, res.failure);
	cr_assert(res.out.verified, "%s w=%u: %s", settings[0], workers, res.out.msg);
	cr_assert_eq(res.out.ops, keys);
	cr_assert_eq(tgroup_metric(&res.out, "entries"), (double)keys);
	cr_assert_eq(tgroup_metric(&res.out, "list_length"), (double)keys);
	cr_assert_eq(res.out.checksum, res.out.expected);
	/* sum of k * 10 for k < keys */
	cr_assert_eq(res.out.expected, keys ? keys * (keys - 1) / 2 * 10 : 0);
}

Test(shdict, tutorial_defaults, .timeout = 120)
{
	/* five writers, one key each: d[i] = i * 10, l.append(i) */
	struct grouprun_result res;
	const char *const s[] = { NULL };

	cr_assert_eq(run_sd(s, 5, MODE_POOL, NULL, &res), 0, "%s", res.failure);
	cr_assert(res.out.verified, "%s", res.out.msg);
	cr_assert_eq(res.nprocs, 5);
	cr_assert_eq(res.out.checksum, 0 + 10 + 20 + 30 + 40);
}

Test(shdict, every_backend_two_writers, .timeout = 120)
{
	for (size_t b = 0; b < 4; b++) {
		char be[32];

		snprintf(be, sizeof be, "backend=%s", backends[b]);
		const char *const s[] = { be, "keys=50000", NULL };

		expect_ok(s, 2, MODE_POOL, 50000);
		expect_ok(s, 3, MODE_PROCESS, 50000);
	}
}

Test(shdict, single_mode_every_backend, .timeout = 120)
{
	for (size_t b = 0; b < 4; b++) {
		char be[32];
		struct grouprun_result res;

		snprintf(be, sizeof be, "backend=%s", backends[b]);
		const char *const s[] = { be, "keys=20000", NULL };

		cr_assert_eq(run_sd(s, 1, MODE_SINGLE, NULL, &res), 0, "%s", res.failure);
		cr_assert_eq(res.nprocs, 1, "no server process in single mode");
		cr_assert(res.out.verified, "%s: %s", be, res.out.msg);
		cr_assert_eq(res.out.ops, 20000);
	}
}

Test(shdict, one_key_and_no_keys, .timeout = 120)
{
	for (size_t b = 0; b < 4; b++) {
		char be[32];

		snprintf(be, sizeof be, "backend=%s", backends[b]);
		const char *const one[] = { be, "keys=1", NULL };
		const char *const none[] = { be, "keys=0", NULL };

		/* two of the three writers have no key at all */
		expect_ok(one, 3, MODE_POOL, 1);
		expect_ok(one, 1, MODE_SINGLE, 1);
		expect_ok(none, 2, MODE_POOL, 0);
	}
}

Test(shdict, colliding_keys, .timeout = 120)
{
	unsigned homes[8] = { 0 }, shared_home = 0;

	/* eight keys in eight slots: homes collide and probes wrap around */
	for (uint64_t k = 0; k < 8; k++)
		homes[shdict_home(k, 8)]++;
	for (unsigned i = 0; i < 8; i++)
		shared_home += homes[i] > 1;
	cr_assert_gt(shared_home, 0, "the test needs keys that share a home slot");
	for (size_t b = 0; b < 4; b++) {
		char be[32];

		snprintf(be, sizeof be, "backend=%s", backends[b]);
		const char *const full[] = { be, "keys=8", "slots=8", "stripes=4", NULL };
		const char *const odd[] = { be, "keys=997", "slots=997", "stripes=7", NULL };

		expect_ok(full, 4, MODE_POOL, 8);
		expect_ok(full, 1, MODE_SINGLE, 8);
		/* a full table of a size that is no power of two, crossing stripes */
		expect_ok(odd, 3, MODE_POOL, 997);
	}
}

Test(shdict, server_batches, .timeout = 120)
{
	const char *const b7[] = { "backend=server", "keys=10001", "batch=7", NULL };
	const char *const b1k[] = { "backend=server", "keys=10001", "batch=1024", NULL };
	struct grouprun_result res;

	expect_ok(b7, 3, MODE_POOL, 10001);
	expect_ok(b1k, 2, MODE_POOL, 10001);
	/* two requests per key, 7 per trip: ceil(2 * share / 7) per writer */
	cr_assert_eq(run_sd(b7, 1, MODE_POOL, NULL, &res), 0);
	cr_assert_eq(tgroup_metric(&res.out, "round_trips"), (double)((2 * 10001 + 6) / 7));
}

Test(shdict, many_writers, .timeout = 120)
{
	for (size_t b = 0; b < 4; b++) {
		char be[32];

		snprintf(be, sizeof be, "backend=%s", backends[b]);
		const char *const s[] = { be, "keys=30000", "stripes=3", NULL };

		expect_ok(s, 9, MODE_POOL, 30000);
	}
}

/* A writer dies holding the lock: the others finish, verify says so. */
static void killed_holder(const char *backend)
{
	struct grouprun_result res;
	const char *const s[] = { backend, "keys=30000", "die_holding_lock=1", "stripes=4", NULL };
	int rc = run_sd(s, 3, MODE_POOL, NULL, &res);

	cr_assert_eq(rc, 1, "the victim must fail");
	cr_assert_eq(res.failed, 1, "only the victim fails: %s", res.failure);
	cr_assert(strstr(res.failure, "writer 1 killed by signal 9") != NULL, "%s", res.failure);
	cr_assert(!res.out.verified);
	cr_assert(strstr(res.out.msg, "EOWNERDEAD") != NULL, "%s", res.out.msg);
	cr_assert_geq(tgroup_metric(&res.out, "lock_recoveries"), 1.0);
	/* the survivors' keys (two thirds) all made it */
	cr_assert_geq(tgroup_metric(&res.out, "entries"), 20000.0);
}

Test(shdict, killed_writer_holding_the_lock, .timeout = 120)
{
	killed_holder("backend=lock");
}

Test(shdict, killed_writer_holding_a_stripe, .timeout = 120)
{
	killed_holder("backend=striped");
}

Test(shdict, verify_rejects_what_did_not_happen, .timeout = 120)
{
	for (size_t b = 0; b < 4; b++) {
		char be[32], err[256];

		snprintf(be, sizeof be, "backend=%s", backends[b]);
		const char *const s[] = { be, "keys=1000", "slots=4096", NULL };
		const char *const more[] = { be, "keys=1001", "slots=4096", NULL };
		void *cfg = grouprun_config(&wl_shdict, s, err, sizeof err);
		void *cfg2 = grouprun_config(&wl_shdict, more, err, sizeof err);
		size_t size = wl_shdict.shared_size(cfg2, 2, MODE_POOL);
		void *shared = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				    -1, 0);
		struct wl_outcome out;

		cr_assert_neq(shared, MAP_FAILED);
		tgroup_run_raw(&wl_shdict, cfg, shared, 2, MODE_POOL);
		wl_shdict.verify(cfg, shared, 2, MODE_POOL, &out);
		cr_assert(out.verified, "%s: %s", be, out.msg);
		wl_shdict.cleanup(cfg, shared, 2, MODE_POOL);
		/* the same table judged as if there were one key more: one is lost */
		wl_shdict.verify(cfg2, shared, 2, MODE_POOL, &out);
		cr_assert(!out.verified, "%s", be);
		cr_assert(strstr(out.msg, "1000 of 1001") != NULL, "%s: %s", be, out.msg);
		munmap(shared, size);
		free(cfg);
		free(cfg2);
	}
}

/* Strangers connected to the server's socket before the writers (garbage,
 * a hello with a wrong token, nothing at all) must not take their places:
 * the run ends and verifies. (They used to be counted as writers, and the
 * run hung.) */
Test(shdict, server_ignores_strangers, .timeout = 60)
{
	const char *const s[] = { "backend=server", "keys=2000", NULL };
	char err[256];
	void *cfg = grouprun_config(&wl_shdict, s, err, sizeof err);
	size_t size;
	void *shared;
	struct sockaddr_un addr;
	socklen_t alen;
	struct wl_outcome out;
	int strangers[3];
	const struct {
		uint32_t op, pad;
		uint64_t key, value;
	} bad_hello = { 3, 0, 12345, 0 };

	cr_assert_not_null(cfg, "%s", err);
	size = wl_shdict.shared_size(cfg, 2, MODE_POOL);
	shared = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(shared, MAP_FAILED);
	cr_assert_eq(wl_shdict.prepare(cfg, shared, 2, MODE_POOL, err, sizeof err), 0, "%s", err);
	cr_assert_eq(shdict_server_addr(shared, &addr, &alen), 0);
	for (int i = 0; i < 3; i++) {
		strangers[i] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		cr_assert_geq(strangers[i], 0);
		cr_assert_eq(connect(strangers[i], (struct sockaddr *)&addr, alen), 0, "%s",
			     strerror(errno));
	}
	cr_assert_eq(send(strangers[0], "garbage garbage garbage!", 24, 0), 24);
	cr_assert_eq(send(strangers[1], &bad_hello, sizeof bad_hello, 0), (ssize_t)sizeof bad_hello);
	tgroup_fork_reap(&wl_shdict, cfg, shared, 2, MODE_POOL);
	wl_shdict.verify(cfg, shared, 2, MODE_POOL, &out);
	cr_assert(out.verified, "%s", out.msg);
	cr_assert_eq(out.ops, 2000);
	for (int i = 0; i < 3; i++)
		close(strangers[i]);
	wl_shdict.cleanup(cfg, shared, 2, MODE_POOL);
	munmap(shared, size);
	free(cfg);
}

Test(shdict, stats_slots_carry_roles, .timeout = 120)
{
	struct shm_region r;
	char err[256];
	struct grouprun_result res;
	const char *const s[] = { "backend=server", "keys=9000", "batch=16", NULL };
	uint64_t written = 0;

	cr_assert_eq(shm_create_anon(&r, 4, err, sizeof err), 0, "%s", err);
	cr_assert_eq(run_sd(s, 3, MODE_POOL, &r, &res), 0, "%s", res.failure);
	cr_assert(res.out.verified, "%s", res.out.msg);
	for (unsigned i = 0; i < 4; i++) {
		struct slot_view v;

		shm_slot_read(&r, i, &v);
		cr_assert_eq(v.role, i < 3 ? 0u : 2u, "slot %u role %u", i, v.role);
		cr_assert_eq(v.state, SLOT_DONE);
		if (i < 3) {
			cr_assert_eq(v.ops_total, 3000);
			written += v.ops_done;
		} else {
			cr_assert_eq(v.ops_done, 9000, "the server's inserts");
		}
	}
	cr_assert_eq(written, 9000);
	shm_close(&r);
}

Test(shdict, nothing_left_open, .timeout = 120)
{
	int fds = tgroup_count_fds();
	const char *const s[] = { "backend=server", "keys=100", NULL };

	expect_ok(s, 2, MODE_POOL, 100);
	expect_ok(s, 2, MODE_PROCESS, 100);
	cr_assert_eq(tgroup_count_fds(), fds, "a socket leaked");
}

Test(shdict, bad_settings_are_refused)
{
	char err[256];
	const char *const small[] = { "keys=100", "slots=99", NULL };
	const char *const fault[] = { "backend=lockfree", "die_holding_lock=0", NULL };
	const char *const be[] = { "backend=lokc", NULL };

	cr_assert_null(grouprun_config(&wl_shdict, small, err, sizeof err));
	cr_assert(strstr(err, "slots 99") != NULL, "%s", err);
	cr_assert_null(grouprun_config(&wl_shdict, fault, err, sizeof err));
	cr_assert_null(grouprun_config(&wl_shdict, be, err, sizeof err));
	cr_assert(strstr(err, "lock") != NULL, "%s", err);
}

Test(shdict, auto_table_size)
{
	cr_assert_eq(shdict_auto_slots(0), 16);
	cr_assert_eq(shdict_auto_slots(5), 16);
	cr_assert_eq(shdict_auto_slots(9), 32);
	cr_assert_eq(shdict_auto_slots(1000000), 2097152);
	/* homes stay inside any table size */
	for (uint64_t k = 0; k < 10000; k++)
		cr_assert_lt(shdict_home(k, 997), 997);
}
