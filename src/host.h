/*
 * host.h - facts about the machine a benchmark ran on, for the results.
 *
 * Owns: reading the host name, the OS name (/etc/os-release), the kernel
 * release and architecture (uname), the CPU model and clock (/proc/cpuinfo)
 * and the load averages. No hwloc here (topo.c owns the topology).
 */
#ifndef BENCHTOP_HOST_H
#define BENCHTOP_HOST_H

#include <stdio.h>

struct host_info {
	char hostname[256];
	char os[128];         /* PRETTY_NAME of os-release, else uname sysname */
	char kernel[128];     /* uname release, e.g. "6.1.0-18-amd64" */
	char arch[32];        /* uname machine, e.g. "x86_64" */
	char cpu_model[128];  /* "" when unknown */
	double cpu_mhz;       /* first "cpu MHz" of /proc/cpuinfo; 0 when unknown */
	double load_avg[3];   /* 1, 5, 15 minutes; NAN when unavailable */
};

/* Fill *out with facts about this machine. Never fails: a fact that cannot
 * be read is left empty ("") or as documented above. */
void host_get(struct host_info *out);

/* Parse an os-release file: the unquoted PRETTY_NAME into buf. Returns 0,
 * or -1 (buf untouched) when there is none. */
int host_parse_os_release(FILE *f, char *buf, size_t len);

/* Parse /proc/cpuinfo text: the CPU model into model ("model name", else
 * "Model", "Hardware" or "cpu" for non-x86 kernels; "" when none) and the
 * first "cpu MHz" into *mhz (0 when none). */
void host_parse_cpuinfo(FILE *f, char *model, size_t len, double *mhz);

#endif
