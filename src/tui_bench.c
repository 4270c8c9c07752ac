/*
 * tui_bench.c - the dashboard's own CPU use, for `benchtop bench`: the real
 * dashboard runs in a child on a pseudo-terminal while its workers compute,
 * and the child's own CPU time is sampled from /proc/PID/stat.
 */
#include "tui.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "util.h"

#define SETTLE_NS 1000000000ull

/* utime + stime of pid in clock ticks, or -1. */
static long long proc_cpu_ticks(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long ut, st;
	ssize_t n;
	int fd;

	bufprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* the command name may hold spaces: fields restart after the last ')' */
	const char *p = strrchr(buf, ')');

	if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
				&ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

/* Read and discard what the child wrote to the pty, for up to ms. */
static void drain(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[8192];

	if (poll(&pfd, 1, ms) > 0 && read(fd, buf, sizeof buf) < 0) {
		/* EIO once the child closed the slave: nothing to drain */
	}
}

/* Run the dashboard in a pty with `workers` workers; its CPU %. */
double tui_bench_cpu(unsigned workers, unsigned seconds)
{
	struct winsize ws = { .ws_row = 40, .ws_col = 120 };
	struct topo *topo;
	char err[256], *slave;
	long long c0 = -1, c1 = -1;
	uint64_t t0 = 0, t1 = 0, start;
	int master, status;
	pid_t pid;

	topo = topo_load(NULL, err, sizeof err);
	if (topo == NULL) {
		fprintf(stderr, "benchtop: %s\n", err);
		return -1;
	}
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    (slave = ptsname(master)) == NULL) {
		fprintf(stderr, "benchtop: no pseudo-terminal: %s\n", strerror(errno));
		if (master >= 0)
			close(master);
		topo_free(topo);
		return -1;
	}
	slave = xstrdup(slave);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "benchtop: fork: %s\n", strerror(errno));
		close(master);
		free(slave);
		topo_free(topo);
		return -1;
	}
	if (pid == 0) {
		/* the child becomes a dashboard on the pty's slave side */
		struct tui_opts o = { .refresh_ms = TUI_REFRESH_MS, .bench_workers = workers };
		int fd;

		setsid();
		fd = open(slave, O_RDWR);
		if (fd < 0)
			_exit(71);
		ioctl(fd, TIOCSCTTY, 0);
		ioctl(fd, TIOCSWINSZ, &ws);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
		setenv("TERM", "xterm-256color", 1);
		unsetenv("NO_COLOR");
		int rc = tui_main(&o, topo);

		fflush(NULL);
		_exit(rc);
	}
	free(slave);
	start = now_ns();
	for (;;) {
		uint64_t now = now_ns();

		drain(master, 50);
		if (c0 < 0 && now - start >= SETTLE_NS) {
			c0 = proc_cpu_ticks(pid);
			t0 = now_ns();
		} else if (c0 >= 0 && now - t0 >= (uint64_t)seconds * 1000000000u) {
			c1 = proc_cpu_ticks(pid);
			t1 = now_ns();
			break;
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "benchtop: the dashboard child ended early (status %d)\n",
				status);
			close(master);
			topo_free(topo);
			return -1;
		}
	}
	kill(pid, SIGTERM);
	while (waitpid(pid, &status, WNOHANG) == 0)
		drain(master, 20);
	close(master);
	topo_free(topo);
	if (c0 < 0 || c1 < c0)
		return -1;
	return 100.0 * (double)(c1 - c0) / (double)sysconf(_SC_CLK_TCK) /
	       ((double)(t1 - t0) / 1e9);
}
