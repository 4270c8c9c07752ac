/*
 * host.c - host name, OS, kernel, CPU model and load of this machine.
 */
#include "host.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util.h"

/* Strip leading and trailing white space of s in place; returns the start. */
static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
			 s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/*
 * Unquote an os-release value into buf: os-release uses shell quoting, so a
 * value may be bare, 'single' or "double" quoted with backslash escapes.
 */
static void unquote(const char *v, char *buf, size_t len)
{
	char q = 0;
	size_t o = 0;

	if (*v == '"' || *v == '\'')
		q = *v++;
	for (; *v != '\0' && o + 1 < len; v++) {
		if (q != 0 && *v == q)
			break;
		if (q != '\'' && *v == '\\' && v[1] != '\0')
			v++;
		buf[o++] = *v;
	}
	buf[o] = '\0';
}

/* PRETTY_NAME of an os-release file. */
int host_parse_os_release(FILE *f, char *buf, size_t len)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = -1;

	while (rc != 0 && getline(&line, &cap, f) != -1) {
		char *s = trim(line);

		if (strncmp(s, "PRETTY_NAME=", 12) == 0) {
			unquote(s + 12, buf, len);
			rc = 0;
		}
	}
	free(line);
	return rc;
}

/* The CPU model and clock from /proc/cpuinfo text. */
void host_parse_cpuinfo(FILE *f, char *model, size_t len, double *mhz)
{
	/* Keys naming the CPU, best first: x86, then Raspberry Pi, ARM, POWER. */
	static const char *const keys[] = { "model name", "Model", "Hardware", "cpu" };
	char *line = NULL;
	size_t cap = 0;
	int best = (int)ARRAY_LEN(keys);

	model[0] = '\0';
	*mhz = 0;
	while (getline(&line, &cap, f) != -1) {
		char *colon = strchr(line, ':'), *key, *val;

		if (colon == NULL)
			continue;
		*colon = '\0';
		key = trim(line);
		val = trim(colon + 1);
		if (strcmp(key, "cpu MHz") == 0 && *mhz == 0) {
			char *end;
			double v = strtod(val, &end);

			if (end != val && isfinite(v) && v > 0)
				*mhz = v;
			continue;
		}
		for (int i = 0; i < best; i++) {
			if (strcmp(key, keys[i]) == 0 && *val != '\0') {
				bufprintf(model, len, "%s", val);
				best = i;
				break;
			}
		}
	}
	free(line);
}

/* Read the OS name: os-release, else the kernel's name. */
static void get_os(char *buf, size_t len, const struct utsname *u)
{
	static const char *const paths[] = { "/etc/os-release", "/usr/lib/os-release" };

	for (size_t i = 0; i < ARRAY_LEN(paths); i++) {
		FILE *f = fopen(paths[i], "r");
		int rc;

		if (f == NULL)
			continue;
		rc = host_parse_os_release(f, buf, len);
		fclose(f);
		if (rc == 0 && buf[0] != '\0')
			return;
	}
	bufprintf(buf, len, "%s", u != NULL ? u->sysname : "");
}

/* Fill *out with facts about this machine. */
void host_get(struct host_info *out)
{
	struct utsname u;
	int have_u = uname(&u) == 0;
	FILE *f;

	memset(out, 0, sizeof *out);
	if (gethostname(out->hostname, sizeof out->hostname) != 0)
		out->hostname[0] = '\0';
	out->hostname[sizeof out->hostname - 1] = '\0';
	get_os(out->os, sizeof out->os, have_u ? &u : NULL);
	if (have_u) {
		bufprintf(out->kernel, sizeof out->kernel, "%s", u.release);
		bufprintf(out->arch, sizeof out->arch, "%s", u.machine);
	}
	if ((f = fopen("/proc/cpuinfo", "r")) != NULL) {
		host_parse_cpuinfo(f, out->cpu_model, sizeof out->cpu_model, &out->cpu_mhz);
		fclose(f);
	}
	if (getloadavg(out->load_avg, 3) != 3)
		out->load_avg[0] = out->load_avg[1] = out->load_avg[2] = NAN;
}
