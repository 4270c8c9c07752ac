/*
 * test_prodcons.c - the prodcons workload through every queue, run the way
 * the engine runs it (workloads/grouprun.c: shared area, prepare, fork,
 * barrier, reap by pid, verify, cleanup), at small sizes and edge cases.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm.h"
#include "workload.h"
#include "tgroup.h"
#include "workloads/grouprun.h"

#define PC_TIMEOUT 60.0 /* seconds before a hung run is killed (and fails) */

static const char *const queues[] = { "pipe", "mq", "ring" };

/*
 * Run prodcons with the settings (NULL-terminated "name=value"), workers
 * consumers in mode, into res; asserts that the run started and every
 * process exited 0. Returns the parsed configuration (caller-freed).
 */
static void *run_pc(const char *const *settings, unsigned workers, enum bt_mode mode,
		    struct shm_region *stats, struct grouprun_result *res)
{
	char err[256] = "";
	void *cfg = grouprun_config(&wl_prodcons, settings, err, sizeof err);
	int rc;

	cr_assert_not_null(cfg, "config: %s", err);
	rc = grouprun(&wl_prodcons, cfg, workers, mode, stats, PC_TIMEOUT, res, err, sizeof err);
	cr_assert_eq(rc, 0, "run: rc %d: %s%s%s", rc, err, res->failure,
		     res->timed_out ? " (timed out)" : "");
	return cfg;
}

/* Run and require a verified outcome with `items` items. */
static void expect_ok(const char *const *settings, unsigned workers, enum bt_mode mode,
		      uint64_t items)
{
	struct grouprun_result res;
	void *cfg = run_pc(settings, workers, mode, NULL, &res);

	cr_assert(res.out.verified, "%s w=%u: %s", settings[0], workers, res.out.msg);
	cr_assert_eq(res.out.ops, items);
	cr_assert_eq(res.out.checksum, res.out.expected);
	free(cfg);
}

Test(prodcons, tutorial_defaults, .timeout = 120)
{
	struct grouprun_result res;
	const char *const s[] = { NULL };
	void *cfg = run_pc(s, 1, MODE_POOL, NULL, &res);

	cr_assert(res.out.verified, "%s", res.out.msg);
	cr_assert_eq(res.nprocs, 2, "one consumer and one producer");
	cr_assert_eq(res.out.ops, 3, "the tutorial's 'A', 'B', 'C'");
	/* values (s + 1) << 16 | 0 for s = 0, 1, 2 */
	cr_assert_eq(res.out.expected, (uint64_t)(1 + 2 + 3) << 16);
	cr_assert_eq(res.out.checksum, res.out.expected);
	free(cfg);
}

Test(prodcons, every_queue_two_by_two, .timeout = 120)
{
	for (size_t q = 0; q < 3; q++) {
		char queue[32];

		snprintf(queue, sizeof queue, "queue=%s", queues[q]);
		const char *const s[] = { queue, "items=100000", "producers=2", NULL };

		expect_ok(s, 2, MODE_POOL, 100000);
		expect_ok(s, 2, MODE_PROCESS, 100000);
	}
}

Test(prodcons, zero_items, .timeout = 120)
{
	for (size_t q = 0; q < 3; q++) {
		char queue[32];

		snprintf(queue, sizeof queue, "queue=%s", queues[q]);
		const char *const s[] = { queue, "items=0", "producers=2", NULL };

		expect_ok(s, 3, MODE_POOL, 0);
		expect_ok(s, 1, MODE_SINGLE, 0);
	}
}

Test(prodcons, capacity_one, .timeout = 120)
{
	for (size_t q = 0; q < 3; q++) {
		char queue[32];

		snprintf(queue, sizeof queue, "queue=%s", queues[q]);
		const char *const s[] = { queue, "items=5000", "capacity=1", "producers=2", NULL };

		expect_ok(s, 2, MODE_POOL, 5000);
		expect_ok(s, 1, MODE_SINGLE, 5000);
	}
}

Test(prodcons, more_consumers_than_items, .timeout = 120)
{
	for (size_t q = 0; q < 3; q++) {
		char queue[32];

		snprintf(queue, sizeof queue, "queue=%s", queues[q]);
		const char *const s[] = { queue, "items=2", NULL };

		expect_ok(s, 6, MODE_POOL, 2);
	}
}

Test(prodcons, several_producers_in_order, .timeout = 120)
{
	/* a small odd capacity wraps the ring often; 30001 items split 10001/10000/10000 */
	for (size_t q = 0; q < 3; q++) {
		char queue[32];

		snprintf(queue, sizeof queue, "queue=%s", queues[q]);
		const char *const s[] = { queue, "items=30001", "producers=3", "capacity=7", NULL };

		expect_ok(s, 2, MODE_POOL, 30001);
		expect_ok(s, 3, MODE_PROCESS, 30001);
	}
}

Test(prodcons, single_mode_every_queue, .timeout = 120)
{
	for (size_t q = 0; q < 3; q++) {
		char queue[32];
		struct grouprun_result res;

		snprintf(queue, sizeof queue, "queue=%s", queues[q]);
		const char *const s[] = { queue, "items=20000", "producers=3", "capacity=100", NULL };
		void *cfg = run_pc(s, 1, MODE_SINGLE, NULL, &res);

		cr_assert_eq(res.nprocs, 1);
		cr_assert(res.out.verified, "%s: %s", queue, res.out.msg);
		cr_assert_eq(res.out.ops, 20000);
		free(cfg);
	}
}

Test(prodcons, payloads_and_work, .timeout = 120)
{
	for (size_t q = 0; q < 3; q++) {
		char queue[32];

		snprintf(queue, sizeof queue, "queue=%s", queues[q]);
		const char *const big[] = { queue, "items=3000", "payload=4096", "producers=2",
					    "capacity=8", NULL };
		const char *const odd[] = { queue, "items=10000", "payload=13", "work=200", NULL };

		expect_ok(big, 2, MODE_POOL, 3000);
		expect_ok(odd, 2, MODE_POOL, 10000);
		expect_ok(odd, 1, MODE_SINGLE, 10000);
	}
}

Test(prodcons, latency_percentiles, .timeout = 120)
{
	for (size_t q = 0; q < 3; q++) {
		char queue[32];
		struct grouprun_result res;

		snprintf(queue, sizeof queue, "queue=%s", queues[q]);
		const char *const s[] = { queue, "items=64000", NULL };
		void *cfg = run_pc(s, 1, MODE_POOL, NULL, &res);
		double p50 = tgroup_metric(&res.out, "latency_p50"), p99 = tgroup_metric(&res.out, "latency_p99");

		cr_assert(res.out.verified, "%s", res.out.msg);
		/* every 64th item of the one producer is sampled */
		cr_assert_eq(tgroup_metric(&res.out, "latency_samples"), 1000.0);
		cr_assert(isfinite(p50) && isfinite(p99), "%s: p50 %g p99 %g", queue, p50, p99);
		cr_assert(p50 >= 0 && p50 <= p99, "%s: p50 %g p99 %g", queue, p50, p99);
		cr_assert(p99 < 10.0, "%s: p99 %g s is not a queue latency", queue, p99);
		free(cfg);
	}
}

Test(prodcons, verify_rejects_what_did_not_happen, .timeout = 120)
{
	char err[256];
	const char *const s[] = { "queue=ring", "items=1000", "producers=2", NULL };
	const char *const more[] = { "queue=ring", "items=1001", "producers=2", NULL };
	void *cfg = grouprun_config(&wl_prodcons, s, err, sizeof err);
	void *cfg2 = grouprun_config(&wl_prodcons, more, err, sizeof err);
	size_t size = wl_prodcons.shared_size(cfg, 2, MODE_POOL);
	void *shared = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct wl_outcome out;

	cr_assert_neq(shared, MAP_FAILED);
	tgroup_run_raw(&wl_prodcons, cfg, shared, 2, MODE_POOL);
	wl_prodcons.verify(cfg, shared, 2, MODE_POOL, &out);
	cr_assert(out.verified, "%s", out.msg);
	/* the same area judged against one item more must fail */
	wl_prodcons.verify(cfg2, shared, 2, MODE_POOL, &out);
	cr_assert(!out.verified);
	cr_assert(strstr(out.msg, "1001") != NULL, "%s", out.msg);
	wl_prodcons.cleanup(cfg, shared, 2, MODE_POOL);
	/* a prepared area where nothing ran fails too */
	cr_assert_eq(wl_prodcons.prepare(cfg, shared, 2, MODE_POOL, err, sizeof err), 0);
	wl_prodcons.verify(cfg, shared, 2, MODE_POOL, &out);
	cr_assert(!out.verified);
	cr_assert(strstr(out.msg, "did not finish") != NULL, "%s", out.msg);
	wl_prodcons.cleanup(cfg, shared, 2, MODE_POOL);
	munmap(shared, size);
	free(cfg);
	free(cfg2);
}

Test(prodcons, mq_depth_error_names_the_limit)
{
	/* above HARD_MSGMAX (65536): refused even with CAP_SYS_RESOURCE */
	const char *const s[] = { "queue=mq", "capacity=100000", NULL };
	char err[256] = "";
	void *cfg = grouprun_config(&wl_prodcons, s, err, sizeof err);
	struct grouprun_result res;
	int fds = tgroup_count_fds();

	cr_assert_not_null(cfg, "%s", err);
	cr_assert_eq(grouprun(&wl_prodcons, cfg, 1, MODE_POOL, NULL, PC_TIMEOUT, &res, err,
			      sizeof err), -1);
	cr_assert(strstr(err, "HARD_MSGMAX") != NULL && strstr(err, "65536") != NULL, "%s", err);
	cr_assert(strstr(err, "100000") != NULL, "%s", err);
	cr_assert_eq(tgroup_count_fds(), fds, "a descriptor leaked");
	free(cfg);
}

Test(prodcons, nothing_left_open, .timeout = 120)
{
	int fds = tgroup_count_fds();

	for (size_t q = 0; q < 3; q++) {
		char queue[32];

		snprintf(queue, sizeof queue, "queue=%s", queues[q]);
		const char *const s[] = { queue, "items=100", NULL };

		expect_ok(s, 1, MODE_POOL, 100);
	}
	cr_assert_eq(tgroup_count_fds(), fds, "a pipe or queue descriptor leaked");
}

Test(prodcons, stats_slots_carry_roles_and_progress, .timeout = 120)
{
	struct shm_region r;
	char err[256];
	struct grouprun_result res;
	const char *const s[] = { "queue=ring", "items=50000", "producers=2", NULL };
	uint64_t consumed = 0, produced = 0;

	cr_assert_eq(shm_create_anon(&r, 4, err, sizeof err), 0, "%s", err);
	void *cfg = run_pc(s, 2, MODE_POOL, &r, &res);

	cr_assert(res.out.verified, "%s", res.out.msg);
	for (unsigned i = 0; i < 4; i++) {
		struct slot_view v;

		shm_slot_read(&r, i, &v);
		cr_assert_eq(v.role, i < 2 ? 0u : 1u, "slot %u role %u", i, v.role);
		cr_assert_eq(v.state, SLOT_DONE);
		cr_assert_eq(v.tasks_done, 1);
		if (i < 2)
			consumed += v.ops_done;
		else
			produced += v.ops_done;
		if (i >= 2)
			cr_assert_eq(v.ops_total, 25000);
	}
	cr_assert_eq(consumed, 50000);
	cr_assert_eq(produced, 50000);
	cr_assert_str_eq(wl_prodcons.role_name(cfg, 2, MODE_POOL, 1), "consumer");
	cr_assert_str_eq(wl_prodcons.role_name(cfg, 2, MODE_POOL, 2), "producer");
	shm_close(&r);
	free(cfg);
}

Test(prodcons, bad_settings_are_refused)
{
	char err[256];
	const char *const small[] = { "payload=7", NULL };
	const char *const queue[] = { "queue=rnig", NULL };

	cr_assert_null(grouprun_config(&wl_prodcons, small, err, sizeof err));
	cr_assert_null(grouprun_config(&wl_prodcons, queue, err, sizeof err));
	cr_assert(strstr(err, "ring") != NULL, "%s", err);
}
