/*
 * test_host.c - host facts: os-release and /proc/cpuinfo parsing on fixed
 * texts, and host_get() against uname() and gethostname() on this machine.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "host.h"

/* A read-only stream over text (closed by the caller). */
static FILE *text_file(const char *text)
{
	FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");

	cr_assert_not_null(f);
	return f;
}

/* PRETTY_NAME of an os-release text, or "<none>". */
static void os_name(const char *text, char *buf, size_t len)
{
	FILE *f = text_file(text);

	if (host_parse_os_release(f, buf, len) != 0)
		snprintf(buf, len, "<none>");
	fclose(f);
}

Test(host, os_release_quoting)
{
	char buf[128];

	os_name("NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
		"VERSION_ID=\"12\"\n", buf, sizeof buf);
	cr_assert_str_eq(buf, "Debian GNU/Linux 12 (bookworm)");
	os_name("PRETTY_NAME='Alpine Linux v3.19'\n", buf, sizeof buf);
	cr_assert_str_eq(buf, "Alpine Linux v3.19");
	os_name("ID=arch\nPRETTY_NAME=Arch\n", buf, sizeof buf);
	cr_assert_str_eq(buf, "Arch");
	os_name("PRETTY_NAME=\"say \\\"hi\\\" \\\\o/\"\n", buf, sizeof buf);
	cr_assert_str_eq(buf, "say \"hi\" \\o/");
	os_name("NAME=nothing\n", buf, sizeof buf);
	cr_assert_str_eq(buf, "<none>");
	os_name("PRETTY_NAME=\"a rather long name\"\n", buf, 7);
	cr_assert_str_eq(buf, "a rath");
}

/* The model and clock parsed from a cpuinfo text. */
static void cpuinfo(const char *text, char *model, size_t len, double *mhz)
{
	FILE *f = text_file(text);

	host_parse_cpuinfo(f, model, len, mhz);
	fclose(f);
}

Test(host, cpuinfo_x86)
{
	char model[128];
	double mhz;

	cpuinfo("processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\n"
		"model name\t: AMD EPYC 7B13\ncpu MHz\t\t: 2450.000\n"
		"flags\t\t: fpu vme de pse tsc msr pae mce cx8\n\n"
		"processor\t: 1\nmodel name\t: AMD EPYC 7B13\ncpu MHz\t\t: 3000.5\n",
		model, sizeof model, &mhz);
	cr_assert_str_eq(model, "AMD EPYC 7B13");
	cr_assert_float_eq(mhz, 2450.0, 1e-9);
}

Test(host, cpuinfo_other_architectures)
{
	char model[128];
	double mhz;

	/* Raspberry Pi (arm64): "Model" beats "Hardware" */
	cpuinfo("processor\t: 0\nBogoMIPS\t: 108.00\nCPU implementer\t: 0x41\n\n"
		"Hardware\t: BCM2835\nRevision\t: c03111\n"
		"Model\t\t: Raspberry Pi 4 Model B Rev 1.1\n", model, sizeof model, &mhz);
	cr_assert_str_eq(model, "Raspberry Pi 4 Model B Rev 1.1");
	cr_assert_eq(mhz, 0);
	/* 32-bit ARM board */
	cpuinfo("processor\t: 0\nmodel name\t:\nHardware\t: Allwinner sun8i Family\n",
		model, sizeof model, &mhz);
	cr_assert_str_eq(model, "Allwinner sun8i Family");
	/* POWER */
	cpuinfo("processor\t: 0\ncpu\t\t: POWER9 (architected), altivec supported\n"
		"clock\t\t: 2750.000000MHz\n", model, sizeof model, &mhz);
	cr_assert_str_eq(model, "POWER9 (architected), altivec supported");
	/* nothing known */
	cpuinfo("processor\t: 0\n", model, sizeof model, &mhz);
	cr_assert_str_eq(model, "");
}

Test(host, this_machine)
{
	struct host_info h;
	struct utsname u;
	char name[256];

	host_get(&h);
	cr_assert_eq(uname(&u), 0);
	cr_assert_eq(gethostname(name, sizeof name), 0);
	cr_assert_str_eq(h.hostname, name);
	cr_assert_str_eq(h.kernel, u.release);
	cr_assert_str_eq(h.arch, u.machine);
	cr_assert_neq(h.os[0], '\0');
	cr_assert(h.cpu_mhz >= 0);
	for (int i = 0; i < 3; i++)
		cr_assert(isnan(h.load_avg[i]) || h.load_avg[i] >= 0);
}
