/*
 * exec_memhelper.c - a command with known memory, for the tests of
 * `spreadbench exec`: PROCS processes (this one and PROCS - 1 children)
 * each map the same SHARED_MIB of one shared anonymous mapping and write
 * PRIVATE_MIB of private memory of their own; when all hold their memory,
 * they keep it for HOLD seconds and end.  So the tree's PSS is SHARED +
 * PROCS x PRIVATE (each shared page divided among the processes that map
 * it, counted once in all), its summed RSS PROCS x (SHARED + PRIVATE),
 * and its largest process holds SHARED + PRIVATE, each plus the few
 * hundred KiB of a small C program.
 *
 * A sample of a tree is not atomic: the sampler reads one process after
 * the other, a parent before its children and children in the order they
 * were forked.  A process that starts or stops sharing a page between two
 * of those reads can make their sum count the page more than once.  So
 * the processes take up the shared pages in the reverse of that order
 * (the last child first, this process last) and give them up the same
 * way (the last child ends first): then any process read while it maps a
 * page is read with every sharer read after it already sharing, and no
 * sample can count a page twice, however the reads and the steps
 * interleave.
 *
 * With "grow", one process instead writes its private memory in 16 steps
 * over HOLD seconds and ends as soon as the last is written: memory that
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
#define MAX_PROCS 64

/* Every page written: mapped into this process's page tables. */
static void touch(volatile char *p, size_t bytes)
{
	long page = sysconf(_SC_PAGESIZE);
	for (size_t off = 0; off < bytes; off += (size_t)page)
		p[off] = (char)(off / (size_t)page);
}

/* Private memory of this process alone, in 4 KiB pages so that no huge
 * page's rounding adds to it. */
static char *map_private(size_t bytes)
{
	char *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, bytes, MADV_NOHUGEPAGE);
	return p;
}

static void pause_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int wait_byte(int fd)
{
	char c;
	ssize_t n;
	while ((n = read(fd, &c, 1)) < 0 && errno == EINTR)
		;
	return n == 1 ? 0 : -1;
}

/* Private memory written a step at a time, the last step just before the
 * end. */
static int grow(size_t bytes, double seconds)
{
	char *p = map_private(bytes);
	if (!p)
		return 1;
	for (int step = 0; step < 16; step++) {
		pause_s(seconds / 16);
		touch(p + bytes / 16 * (size_t)step, bytes / 16);
	}
	return 0;
}

/* A child: waits for its turn, maps the shared pages and its own, says so,
 * and holds them until its release pipe closes. */
static int child(char *sh, size_t shared, size_t priv, int go, int ready, int release)
{
	char c = 1, *own;
	if (wait_byte(go))
		return 1;
	touch(sh, shared);
	if (!(own = map_private(priv)))
		return 1;
	touch(own, priv);
	if (write(ready, &c, 1) != 1)
		return 1;
	wait_byte(release);              /* end of file: released */
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
	int procs = atoi(argv[3]), go[MAX_PROCS][2], ready[2], release[MAX_PROCS][2], status = 0;
	pid_t pid[MAX_PROCS] = { 0 };
	double hold = atof(argv[4]);
	if (procs < 1 || procs > MAX_PROCS || !(hold >= 0) || pipe(ready))
		return 2;
	/* Mapped before the fork, touched by nobody yet: every process maps
	 * the pages itself, in its turn. */
	char *sh = mmap(NULL, shared ? shared : 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	for (int i = 1; i < procs; i++) {
		if (pipe(go[i]) || pipe(release[i]))
			return 1;
		pid[i] = fork();
		if (pid[i] < 0)
			return 1;
		if (pid[i] == 0) {
			close(go[i][1]);
			close(release[i][1]);
			close(ready[0]);
			_exit(child(sh, shared, priv, go[i][0], ready[1], release[i][0]));
		}
		close(go[i][0]);
		close(release[i][0]);
	}
	close(ready[1]);
	/* Taking up the pages: the last child first, this process last. */
	for (int i = procs - 1; i >= 1; i--) {
		char c = 1;
		if (write(go[i][1], &c, 1) != 1 || wait_byte(ready[0]))
			status = 1;
	}
	touch(sh, shared);
	char *own = map_private(priv);
	if (!own)
		return 1;
	touch(own, priv);
	pause_s(hold);
	/* Giving them up: the last child first, each gone before the next. */
	for (int i = procs - 1; i >= 1; i--) {
		int st;
		close(release[i][1]);
		if (waitpid(pid[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			status = 1;
	}
	return status;
}
