/*
 * results_json.h - the JSON exporter (schema "benchtop/1", DESIGN.md).
 *
 * Owns: the JSON document of a run (tool, host, plan, results), whose
 * results are a superset of hyperfine's export and which also carries a
 * Google Benchmark view ("context", "benchmarks") for tools/compare.py; the
 * `benchtop topo --json` document; writing a document atomically.
 *
 * Strict JSON: a number that is not finite (NAN, infinity) is written as
 * null. 64-bit counters (checksum, expected, tasks, ops, sizes) are written
 * as exact decimal integers even above 2^53; readers with big integers
 * (Python, jq 1.7) get them exactly, readers with doubles round them.
 *
 * Only this module and profile.c use cJSON; this header does not expose it.
 */
#ifndef BENCHTOP_RESULTS_JSON_H
#define BENCHTOP_RESULTS_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "plan.h"
#include "topo.h"

/* The whole document for results[0..n) of plan run on topo (neither NULL;
 * results may be NULL when n is 0), formatted, without a final newline.
 * Returns a caller-freed string (free()). */
char *results_json_render(const struct plan *plan, const struct topo *topo,
			  const struct bt_result *const *results, size_t n, bool interrupted);

/* Render the document and write it, with a final newline, to path ("-" =
 * standard output). A file is written atomically: to a temporary file
 * "PATH.XXXXXX" in the same directory, synced, then renamed over path.
 * Returns 0, or -1 with a message naming path in err (the temporary file
 * is removed). */
int results_json_write(const char *path, const struct plan *plan, const struct topo *topo,
		       const struct bt_result *const *results, size_t n, bool interrupted,
		       char *err, size_t errlen);

/* Write text and a final newline to path ("-" = standard output) as
 * results_json_write() does. Returns 0, or -1 with a message in err. */
int results_json_save(const char *path, const char *text, char *err, size_t errlen);

/* The `benchtop topo --json` document: counts, caches, the tree as lines and
 * the host. Returns a caller-freed string (free()). */
char *results_json_topo(const struct topo *topo);

#endif
