/*
 * util.h - small helpers every module uses: allocation wrappers that never
 * return NULL, fatal errors, monotonic time, and string helpers.
 *
 * Ownership: every pointer returned by an x*() allocator belongs to the
 * caller and is released with free().
 */
#ifndef BENCHTOP_UTIL_H
#define BENCHTOP_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes shared by every front-end (DESIGN.md). */
enum {
	EXIT_OK = 0,
	EXIT_RUNFAIL = 1,   /* a run failed or a result did not verify */
	EXIT_USAGE = 2,     /* bad usage or bad input */
	EXIT_INTERRUPT = 130
};

/* Hook run by fatal() before it prints (the dashboard restores the terminal). */
extern void (*util_fatal_hook)(void);

/* Print "benchtop: MSG" (and strerror(errno) for fatal()) and exit(code). */
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Allocation wrappers: never return NULL (they call fatal()). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Format into buf (always NUL-terminated); returns buf. */
char *bufprintf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);
/* CLOCK_REALTIME in nanoseconds. */
uint64_t wall_ns(void);

/* Levenshtein distance between a and b (for "did you mean" suggestions). */
unsigned str_distance(const char *a, const char *b);
/* The entry of names[0..n) closest to word, or NULL when none is close. */
const char *str_closest(const char *word, const char *const *names, size_t n);

/* Parse a whole decimal unsigned integer with optional k/M/G suffix
 * (powers of 1000). Returns 0, or -1 when s is not such a number or
 * overflows. */
int parse_u64(const char *s, uint64_t *out);

struct timespec;

/* futex(2) on a 32-bit word of MAP_SHARED memory (FUTEX_WAIT / FUTEX_WAKE,
 * not the _PRIVATE variants: the sleepers are other processes); ts NULL
 * waits without a time limit. Returns what the system call returns. */
long futex_shared(_Atomic uint32_t *word, int op, uint32_t val, const struct timespec *ts);

/* A hint to the CPU that this is a spin loop. */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

#endif
