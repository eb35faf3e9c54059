/*
 * plot.c - running gnuplot as an external program.  gnuplot never writes
 * a picture's file itself: it exits 0 even when its writes fail, so the
 * picture comes back through a pipe and the caller's stream (an outfile)
 * writes and checks it.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

const char *plots_dir(void)
{
	const char *env = getenv("SPREADBENCH_PLOTS");
	return env && *env ? env : SPREADBENCH_SOURCE_DIR "/plots";
}

int run_gnuplot(const char *script, const char *expr, FILE *out)
{
	char *args[] = { "gnuplot", "-e", (char *)expr, (char *)script, NULL };
	posix_spawn_file_actions_t fa;
	int pfd[2] = { -1, -1 }, rc = 0, werr = 0;
	pid_t pid = 0;
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	if ((rc = -posix_spawn_file_actions_init(&fa)))
		goto out;
	rc = -posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	if (!rc)
		rc = -posix_spawnp(&pid, "gnuplot", &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc == -ENOENT)
		rc = -ENOPKG; /* not the picture's path: gnuplot itself is missing */
	if (rc)
		goto out;
	close(pfd[1]);
	pfd[1] = -1;
	/* Read to the end even after a failed write, so that gnuplot never
	 * blocks on a full pipe. */
	char buf[65536];
	size_t total = 0;
	for (;;) {
		ssize_t n = read(pfd[0], buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0 && !werr)
				werr = -errno;
			break;
		}
		if (!werr && fwrite(buf, 1, (size_t)n, out) != (size_t)n)
			werr = -EIO;
		total += (size_t)n;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			rc = -errno;
			goto out;
		}
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		rc = -EPROTO;
	else if (werr)
		rc = werr;
	else if (total == 0)
		rc = -ENODATA; /* gnuplot that drew nothing still exits 0 */
out:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	return rc;
}

const char *plot_strerror(int rc)
{
	if (rc == -EPROTO)
		return "gnuplot failed (its messages are above)";
	if (rc == -ENODATA)
		return "gnuplot drew nothing";
	if (rc == -ENOPKG)
		return "gnuplot is not installed (or not on PATH)";
	return strerror(-rc);
}
