/*
 * exec_memhelper.c - a command with known memory, for the tests of
 * `spreadbench exec`: PROCS processes (this one and PROCS - 1 children)
 * each map and read SHARED_MIB of one shared anonymous mapping, made and
 * written by this process before the fork, and each write PRIVATE_MIB of
 * private memory of its own; when all hold their memory, they keep it for
 * HOLD seconds and end.  So the tree's PSS is SHARED + PROCS x PRIVATE
 * (the shared pages divided among the processes count once), its summed
 * RSS PROCS x (SHARED + PRIVATE), and its largest process holds SHARED +
 * PRIVATE, each plus the few hundred KiB of a small C program.  With
 * "grow", one process instead writes its private memory in 16 steps over
 * HOLD seconds and ends as soon as the last is written: memory that
 * rises until the very end.  It leaves out everything else a program
 * does: no output, exit status 0 when all went as planned.
 *
 * usage: exec_memhelper SHARED_MIB PRIVATE_MIB PROCS HOLD_SECONDS [grow]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024L * 1024L)

/* Every page read (mapped into this process's page tables) or written. */
static long touch(volatile char *p, size_t bytes, int write)
{
	long page = sysconf(_SC_PAGESIZE), sum = 0;
	for (size_t off = 0; off < bytes; off += (size_t)page) {
		if (write)
			p[off] = (char)(off / (size_t)page);
		else
			sum += p[off];
	}
	return sum;
}

/* A process's own memory: private, written, in 4 KiB pages so that none
 * is shared or left out by a huge page's rounding. */
static int hold_private(size_t bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	madvise(p, bytes, MADV_NOHUGEPAGE);
	touch(p, bytes, 1);
	return 0;
}

static void pause_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Private memory written a step at a time, the last step just before
 * the end. */
static int grow(size_t bytes, double seconds)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	madvise(p, bytes, MADV_NOHUGEPAGE);
	for (int step = 0; step < 16; step++) {
		pause_s(seconds / 16);
		touch(p + bytes / 16 * (size_t)step, bytes / 16, 1);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[5], "grow") == 0)
		return grow((size_t)atol(argv[2]) * MIB, atof(argv[4]));
	if (argc != 5) {
		fprintf(stderr, "usage: exec_memhelper SHARED_MIB PRIVATE_MIB PROCS HOLD_SECONDS [grow]\n");
		return 2;
	}
	size_t shared = (size_t)atol(argv[1]) * MIB, priv = (size_t)atol(argv[2]) * MIB;
	int procs = atoi(argv[3]), ready[2], release[2], status = 0;
	double hold = atof(argv[4]);
	if (procs < 1 || procs > 64 || !(hold >= 0) || pipe(ready) || pipe(release))
		return 2;
	char *sh = mmap(NULL, shared ? shared : 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	touch(sh, shared, 1);
	for (int i = 1; i < procs; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			/* A child: map the shared pages, hold its own, say so,
			 * and keep them until the parent closes the pipe. */
			char c = 1;
			close(ready[0]);
			close(release[1]);
			touch(sh, shared, 0);
			if (hold_private(priv) || write(ready[1], &c, 1) != 1)
				_exit(1);
			while (read(release[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
	}
	close(ready[1]);
	close(release[0]);
	if (hold_private(priv))
		status = 1;
	for (int i = 1; i < procs; i++) {
		char c;
		if (read(ready[0], &c, 1) != 1)
			status = 1;
	}
	pause_s(hold);
	close(release[1]);
	for (int i = 1; i < procs; i++) {
		int st;
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			status = 1;
	}
	return status;
}
