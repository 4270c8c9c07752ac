/*
 * util.c - allocation wrappers, fatal errors, clocks and string helpers.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void (*util_fatal_hook)(void);

__attribute__((format(printf, 3, 0)))
static _Noreturn void vdie(int code, int err, const char *fmt, va_list ap)
{
	if (util_fatal_hook != NULL) {
		void (*hook)(void) = util_fatal_hook;
		util_fatal_hook = NULL;
		hook();
	}
	fputs("benchtop: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (err != 0)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	exit(code);
}

/* Die with the message and strerror(errno). */
void fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vdie(EXIT_RUNFAIL, err, fmt, ap);
}

/* Die with the message and the given exit code. */
void fatalx(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdie(code, 0, fmt, ap);
}

/* malloc() that dies instead of returning NULL. */
void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("malloc %zu bytes", n);
	return p;
}

/* calloc() that dies instead of returning NULL. */
void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatal("calloc %zu x %zu bytes", n, size);
	return p;
}

/* realloc() that dies instead of returning NULL. */
void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		fatal("realloc %zu bytes", n);
	return q;
}

/* reallocarray() that dies instead of returning NULL or overflowing. */
void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		errno = ENOMEM;
		fatal("reallocarray %zu x %zu bytes", n, size);
	}
	return xrealloc(p, n * size);
}

/* strdup() that dies instead of returning NULL. */
char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		fatal("strdup");
	return p;
}

/* asprintf() that dies instead of failing. */
char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("asprintf");
	return s;
}

/* snprintf() into buf that returns buf. */
char *bufprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return buf;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Monotonic time in nanoseconds. */
uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* Wall-clock time in nanoseconds since the epoch. */
uint64_t wall_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

/* Edit distance with a two-row table; strings longer than 63 are capped. */
unsigned str_distance(const char *a, const char *b)
{
	unsigned row[2][64];
	size_t la = strlen(a), lb = strlen(b);

	if (la > 63)
		la = 63;
	if (lb > 63)
		lb = 63;
	for (size_t j = 0; j <= lb; j++)
		row[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned *cur = row[i & 1], *prev = row[(i - 1) & 1];

		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = tolower((unsigned char)a[i - 1]) !=
					tolower((unsigned char)b[j - 1]);
			unsigned best = prev[j - 1] + cost;

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			cur[j] = best;
		}
	}
	return row[la & 1][lb];
}

/* Closest name within a distance of max(2, len/3), or NULL. */
const char *str_closest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	unsigned bestd = ~0u, limit = (unsigned)strlen(word) / 3;

	if (limit < 2)
		limit = 2;
	for (size_t i = 0; i < n; i++) {
		unsigned d = str_distance(word, names[i]);

		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	return bestd <= limit ? best : NULL;
}

/* Strict unsigned decimal parse with k/M/G (x1000) suffixes. */
int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0, mul = 1;
	const char *p = s;

	if (s == NULL || !isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	switch (*p) {
	case '\0': break;
	case 'k': case 'K': mul = 1000; p++; break;
	case 'M': mul = 1000000; p++; break;
	case 'G': mul = 1000000000; p++; break;
	default: return -1;
	}
	if (*p != '\0' || (v != 0 && mul > UINT64_MAX / v))
		return -1;
	*out = v * mul;
	return 0;
}

long futex_shared(_Atomic uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}
