/*
 * test_measure.c - the measurements of prof/measure.c against memory the
 * test itself allocates: this process's PSS growing with touched pages,
 * children and grandchildren (including one forked by a second thread)
 * added to the tree and gone once reaped, zombies skipped, a shared
 * mapping counted once by PSS but once per process by the RSS sum, the
 * sampler catching a short-lived peak and workers started just before it
 * stops, leaving out the processes it is told to (and their children),
 * its peaks so far on demand, its signal mask and prompt stop, VmHWM and
 * its reset, the cgroup
 * peak, and CPU time of reaped children.  Bounds leave room for the
 * runtime's own allocations (sanitizers included); nothing here is a
 * timing test beyond "stop() does not wait a whole interval".  ctest
 * runs it twice: as it is, and its tree scans again with
 * SPREADBENCH_PROC_STAT_WALK set, so the /proc/PID/stat walk (for kernels
 * without children files) is checked too.
 */
#include "check.h"
#include "measure.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024ULL * 1024)

/* Writes every page, so that each one is resident and private. */
static void touch(volatile char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 4096)
		p[i] = (char)(i / 4096 + 1);
}

/* Reads every page, mapping it without making it private. */
static unsigned read_pages(const volatile char *p, size_t n)
{
	unsigned sum = 0;
	for (size_t i = 0; i < n; i += 4096)
		sum += (unsigned char)p[i];
	return sum;
}

static char *map_touched(size_t n)
{
	char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	touch(p, n);
	return p;
}

static struct measure_tree self_tree(void)
{
	struct measure_tree t;
	int rc = measure_tree_now(getpid(), &t);
	CHECK_EQ(rc, 0);
	return t;
}

static void sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ------------------------------------------------------------------ */
/* Children that hold memory until told to go                          */
/* ------------------------------------------------------------------ */

struct kid_plan {
	size_t private_bytes;            /* allocated and written */
	const char *shared;              /* read page by page, if set */
	size_t shared_bytes;
	bool grandchild;                 /* fork one more process that waits too */
};

/* A family of children: each reports ready on one pipe and exits when the
 * other reaches end of file, so a crashed test never leaves them behind. */
struct family {
	int ready_r, go_w;
	int n;
	pid_t pid[4];
};

static void wait_eof(int fd)
{
	char c;
	while (read(fd, &c, 1) != 0 && (errno == EINTR || errno == EAGAIN))
		;
}

static void kid_main(const struct kid_plan *plan, int ready_w, int go_r)
{
	pid_t gc = 0;
	if (plan->grandchild) {
		gc = fork();
		if (gc == 0) {
			close(ready_w);
			wait_eof(go_r);
			_exit(0);
		}
		if (gc < 0)
			_exit(2);
	}
	if (plan->private_bytes && !map_touched(plan->private_bytes))
		_exit(3);
	if (plan->shared && read_pages(plan->shared, plan->shared_bytes) == 0)
		_exit(4);
	if (write(ready_w, "r", 1) != 1)
		_exit(5);
	close(ready_w);
	wait_eof(go_r);
	if (gc > 0 && waitpid(gc, NULL, 0) != gc)
		_exit(6);
	_exit(0);
}

/* Starts n children and waits until each is ready; 0 when all are. */
static int family_start(struct family *f, int n, const struct kid_plan *plan)
{
	int ready[2] = { -1, -1 }, go[2] = { -1, -1 };
	memset(f, 0, sizeof *f);
	f->ready_r = f->go_w = -1;
	if (pipe(ready) || pipe(go))
		return -errno;
	f->ready_r = ready[0];
	f->go_w = go[1];
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			close(ready[0]);
			close(go[1]);
			kid_main(plan, ready[1], go[0]);
		}
		if (pid < 0)
			break;
		f->pid[f->n++] = pid;
	}
	close(ready[1]);
	close(go[0]);
	int got = 0;
	char c;
	while (got < f->n) {
		ssize_t r = read(f->ready_r, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got++;
	}
	return got == n ? 0 : -ECHILD;
}

/* Lets the children go and reaps them; 0 when all exited with 0. */
static int family_end(struct family *f)
{
	int bad = 0;
	if (f->go_w >= 0)
		close(f->go_w);
	if (f->ready_r >= 0)
		close(f->ready_r);
	f->go_w = f->ready_r = -1;
	for (int i = 0; i < f->n; i++) {
		int st;
		if (waitpid(f->pid[i], &st, 0) != f->pid[i] || !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	}
	f->n = 0;
	return bad ? -ECHILD : 0;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

static void test_clock(void)
{
	double t0 = measure_now();
	sleep_s(0.01);
	double t1 = measure_now();
	CHECK(t0 > 0);
	CHECK(t1 - t0 >= 0.009);
	CHECK(t1 - t0 < 5);
}

static void test_self(void)
{
	struct measure_tree t = self_tree();
	CHECK_EQ(t.procs, 1);
	CHECK(t.pss_bytes > 0);
	CHECK(t.rss_sum_bytes >= t.pss_bytes);

	CHECK_EQ(measure_tree_now(0, &t), -EINVAL);
	/* Above any pid_max, so no such process can exist. */
	CHECK_EQ(measure_tree_now(INT_MAX, &t), -ESRCH);
	CHECK_EQ(t.procs, 0);
}

static void test_private_growth(void)
{
	struct measure_tree before = self_tree();
	char *p = map_touched(64 * MIB);
	CHECK(p != NULL);
	if (!p)
		return;
	struct measure_tree after = self_tree();
	CHECK(after.pss_bytes >= before.pss_bytes + 60 * MIB);
	CHECK(after.rss_sum_bytes >= before.rss_sum_bytes + 60 * MIB);
	munmap(p, 64 * MIB);
	struct measure_tree freed = self_tree();
	CHECK(freed.pss_bytes + 60 * MIB <= after.pss_bytes);
}

static void test_children(void)
{
	struct measure_tree base = self_tree();
	struct family f;
	struct kid_plan plan = { .private_bytes = 32 * MIB };
	CHECK_EQ(family_start(&f, 2, &plan), 0);
	struct measure_tree t = self_tree();
	CHECK_EQ(t.procs, 3);
	CHECK(t.pss_bytes >= base.pss_bytes + 60 * MIB);

	/* A subtree is measured on its own. */
	struct measure_tree one;
	CHECK_EQ(measure_tree_now(f.pid[0], &one), 0);
	CHECK_EQ(one.procs, 1);
	CHECK(one.pss_bytes >= 30 * MIB);

	CHECK_EQ(family_end(&f), 0);
	t = self_tree();
	CHECK_EQ(t.procs, 1);
	CHECK(t.pss_bytes < base.pss_bytes + 16 * MIB);
}

static void test_grandchildren(void)
{
	struct family f;
	struct kid_plan plan = { .grandchild = true };
	CHECK_EQ(family_start(&f, 2, &plan), 0);
	CHECK_EQ(self_tree().procs, 5);
	struct measure_tree sub;
	CHECK_EQ(measure_tree_now(f.pid[1], &sub), 0);
	CHECK_EQ(sub.procs, 2);
	CHECK_EQ(family_end(&f), 0);
	CHECK_EQ(self_tree().procs, 1);
}

/* A child belongs to the thread that forked it, and is listed only in that
 * thread's children file while the thread lives.  The thread and the main
 * thread meet at a barrier twice: once when the child is ready, once to let
 * the thread end.  (A pipe would not do: the child inherits its ends.) */
struct thread_fork {
	struct family f;
	int rc;
	pthread_barrier_t meet;
};

static void *fork_from_thread(void *arg)
{
	struct thread_fork *tf = arg;
	struct kid_plan plan = { .private_bytes = 8 * MIB };
	tf->rc = family_start(&tf->f, 1, &plan);
	pthread_barrier_wait(&tf->meet);
	pthread_barrier_wait(&tf->meet);
	return NULL;
}

static void test_child_of_thread(void)
{
	struct thread_fork tf = { .rc = -1 };
	pthread_t th;
	CHECK_EQ(pthread_barrier_init(&tf.meet, NULL, 2), 0);
	CHECK_EQ(pthread_create(&th, NULL, fork_from_thread, &tf), 0);
	pthread_barrier_wait(&tf.meet);
	CHECK_EQ(tf.rc, 0);
	CHECK_EQ(self_tree().procs, 2);
	pthread_barrier_wait(&tf.meet);
	pthread_join(th, NULL);
	pthread_barrier_destroy(&tf.meet);
	/* Children of an ended thread pass to another thread of the process. */
	CHECK_EQ(self_tree().procs, 2);
	CHECK_EQ(family_end(&tf.f), 0);
	CHECK_EQ(self_tree().procs, 1);
}

static void test_zombie(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	CHECK(pid > 0);
	if (pid <= 0)
		return;
	/* Wait until it is a zombie, without reaping it. */
	siginfo_t si;
	CHECK_EQ(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	struct measure_tree t;
	CHECK_EQ(measure_tree_now(getpid(), &t), 0);
	CHECK_EQ(t.procs, 1);
	CHECK_EQ(measure_tree_now(pid, &t), -ESRCH);
	CHECK_EQ(waitpid(pid, NULL, 0), pid);
}

static void test_shared_counted_once(void)
{
	size_t n = 64 * MIB;
	char *shm = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shm != MAP_FAILED);
	if (shm == MAP_FAILED)
		return;
	touch(shm, n);
	struct measure_tree base = self_tree();
	struct family f;
	struct kid_plan plan = { .shared = shm, .shared_bytes = n };
	CHECK_EQ(family_start(&f, 2, &plan), 0);
	struct measure_tree t = self_tree();
	CHECK_EQ(t.procs, 3);
	/* Three processes map it: RSS counts it three times, PSS once. */
	CHECK(t.rss_sum_bytes >= base.rss_sum_bytes + 2 * n - 8 * MIB);
	CHECK(t.rss_sum_bytes - t.pss_bytes >= 100 * MIB);
	CHECK(t.pss_bytes < base.pss_bytes + 32 * MIB);
	CHECK(t.pss_bytes >= base.pss_bytes - 8 * MIB);
	CHECK_EQ(family_end(&f), 0);
	munmap(shm, n);
}

static void test_sampler_peak(void)
{
	struct measure_sampler *s = NULL;
	struct measure_peak pk;
	struct measure_tree base = self_tree();
	CHECK_EQ(measure_sampler_start(0.01, &s), 0);
	if (!s)
		return;
	char *p = map_touched(48 * MIB);
	CHECK(p != NULL);
	sleep_s(0.2);
	if (p)
		munmap(p, 48 * MIB);
	CHECK_EQ(measure_sampler_stop(s, &pk), 0);
	CHECK(pk.pss_bytes >= base.pss_bytes + 40 * MIB);
	CHECK(pk.rss_sum_bytes >= pk.pss_bytes);
	CHECK(pk.samples >= 5);
	CHECK_EQ(pk.max_procs, 1);
	CHECK(pk.interval_s > 0);
	CHECK(pk.interval_s >= 0.009);
	CHECK(pk.cpu_s >= 0);
	/* Cheap, or it backed off: a busy or sanitized machine may make a
	 * 10 ms interval cost more than the 0.5 % budget at first. */
	CHECK(pk.cpu_fraction < 0.005 || pk.interval_s > 0.0101);
	/* The peak is gone once freed. */
	CHECK(self_tree().pss_bytes + 40 * MIB <= pk.pss_bytes);
}

/* stop() right after start(): the first and the final sample only, and no
 * wait for the (long) interval to pass. */
static void test_sampler_prompt_stop(void)
{
	struct measure_sampler *s = NULL;
	struct measure_peak pk;
	CHECK_EQ(measure_sampler_start(0, &s), -EINVAL);
	CHECK(s == NULL);
	CHECK_EQ(measure_sampler_start(1.0, &s), 0);
	if (!s)
		return;
	double t0 = measure_now();
	CHECK_EQ(measure_sampler_stop(s, &pk), 0);
	CHECK(measure_now() - t0 < 0.25);
	CHECK_EQ(pk.samples, 2);
	CHECK_EQ(pk.max_procs, 1);
	CHECK(pk.pss_bytes > 0);
	CHECK_CLOSE(pk.interval_s, 1.0, 0, 1e-9);

	CHECK_EQ(measure_sampler_start(1.0, &s), 0);
	if (!s)
		return;
	sleep_s(0.05);
	t0 = measure_now();
	CHECK_EQ(measure_sampler_stop(s, &pk), 0);
	CHECK(measure_now() - t0 < 0.25);
}

/* Short-lived children, as fork-per-job starts them: each holds its memory
 * for a moment and exits; the sampler's estimate from their counters sends
 * it to walk while they hold it, so the peak has both.  Both ways of
 * sampling (the estimate, and a walk at every tick) see the same peak. */
static void test_sampler_short_children(void)
{
	static const char *const modes[] = { NULL, "full" };
	for (int m = 0; m < 2; m++) {
		struct measure_sampler *s = NULL;
		struct measure_peak pk;
		struct measure_tree base = self_tree();
		struct family f;
		struct kid_plan plan = { .private_bytes = 64 * MIB };
		if (modes[m])
			setenv("SPREADBENCH_SAMPLER", modes[m], 1);
		CHECK_EQ(measure_sampler_start(0.01, &s), 0);
		unsetenv("SPREADBENCH_SAMPLER");
		if (!s)
			return;
		sleep_s(0.05);
		CHECK_EQ(family_start(&f, 2, &plan), 0);
		sleep_s(0.3);
		CHECK_EQ(family_end(&f), 0);
		sleep_s(0.05);
		CHECK_EQ(measure_sampler_stop(s, &pk), 0);
		check_context = m ? "walk at every tick: " : "estimate: ";
		CHECK(pk.pss_bytes >= base.pss_bytes + 124 * MIB);
		CHECK(pk.pss_bytes < base.pss_bytes + 160 * MIB);
		CHECK_EQ(pk.max_procs, 3);
		check_context = "";
	}
}

/* Memory the whole tree shares counts once in the sampler's peak too, also
 * when children come to touch it while the sampler runs on its estimate. */
static void test_sampler_shared(void)
{
	size_t n = 96 * MIB;
	char *shm = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shm != MAP_FAILED);
	if (shm == MAP_FAILED)
		return;
	struct measure_sampler *s = NULL;
	struct measure_peak pk;
	struct measure_tree base = self_tree();
	CHECK_EQ(measure_sampler_start(0.01, &s), 0);
	if (!s) {
		munmap(shm, n);
		return;
	}
	touch(shm, n);
	sleep_s(0.1);
	struct family f;
	struct kid_plan plan = { .shared = shm, .shared_bytes = n };
	CHECK_EQ(family_start(&f, 3, &plan), 0);
	sleep_s(0.2);
	CHECK_EQ(family_end(&f), 0);
	CHECK_EQ(measure_sampler_stop(s, &pk), 0);
	CHECK(pk.pss_bytes >= base.pss_bytes + n - 8 * MIB);
	CHECK(pk.pss_bytes < base.pss_bytes + n + 32 * MIB);
	CHECK(pk.rss_sum_bytes >= base.rss_sum_bytes + 3 * n);
	munmap(shm, n);
}

/* Workers started just before stop() are caught by its final sample. */
static void test_sampler_final_sample(void)
{
	struct measure_sampler *s = NULL;
	struct measure_peak pk;
	struct measure_tree base = self_tree();
	struct family f;
	struct kid_plan plan = { .private_bytes = 32 * MIB };
	CHECK_EQ(measure_sampler_start(1.0, &s), 0);
	if (!s)
		return;
	CHECK_EQ(family_start(&f, 2, &plan), 0);
	CHECK_EQ(measure_sampler_stop(s, &pk), 0);
	CHECK_EQ(pk.max_procs, 3);
	CHECK(pk.pss_bytes >= base.pss_bytes + 60 * MIB);
	CHECK_EQ(family_end(&f), 0);
}

/* Processes the sampler is told to leave out are not in any sample, nor
 * are their children; the rest of the tree still is. */
static void test_sampler_exclude(void)
{
	struct measure_sampler *s = NULL;
	struct measure_peak pk, mark;
	struct family f;
	struct kid_plan plan = { .private_bytes = 32 * MIB, .grandchild = true };
	CHECK_EQ(family_start(&f, 2, &plan), 0);
	struct measure_tree all = self_tree();
	CHECK_EQ(all.procs, 5);
	CHECK_EQ(measure_sampler_start_excluding(1.0, NULL, 1, &s), -EINVAL);
	CHECK_EQ(measure_sampler_start_excluding(1.0, &f.pid[0], 1, &s), 0);
	if (s) {
		CHECK_EQ(measure_sampler_mark(s, &mark), 0);
		CHECK_EQ(mark.max_procs, 3);
		CHECK_EQ(measure_sampler_stop(s, &pk), 0);
		CHECK_EQ(pk.max_procs, 3);
		CHECK(pk.pss_bytes + 30 * MIB <= all.pss_bytes);
	}
	/* Both left out: only this process. */
	CHECK_EQ(measure_sampler_start_excluding(1.0, f.pid, 2, &s), 0);
	if (s) {
		CHECK_EQ(measure_sampler_stop(s, &pk), 0);
		CHECK_EQ(pk.max_procs, 1);
		CHECK(pk.pss_bytes + 60 * MIB <= all.pss_bytes);
	}
	CHECK_EQ(family_end(&f), 0);
}

/* A mark takes a sample at once and reports the peaks up to it; memory
 * freed after it does not lower what it reported, and stop's peak
 * includes it. */
static void test_sampler_mark(void)
{
	struct measure_sampler *s = NULL;
	struct measure_peak pk, mark;
	struct measure_tree base = self_tree();
	CHECK_EQ(measure_sampler_mark(NULL, &mark), -EINVAL);
	/* A long interval: the samples are the first, the mark and the final. */
	CHECK_EQ(measure_sampler_start(10.0, &s), 0);
	if (!s)
		return;
	char *p = map_touched(48 * MIB);
	CHECK(p != NULL);
	CHECK_EQ(measure_sampler_mark(s, &mark), 0);
	if (p)
		munmap(p, 48 * MIB);
	CHECK_EQ(mark.samples, 2);
	CHECK_EQ(mark.max_procs, 1);
	CHECK(mark.pss_bytes >= base.pss_bytes + 40 * MIB);
	CHECK(mark.rss_sum_bytes >= mark.pss_bytes);
	CHECK_EQ(measure_sampler_stop(s, &pk), 0);
	CHECK_EQ(pk.samples, 3);
	CHECK(pk.pss_bytes >= mark.pss_bytes);
}

/* Reads SigBlk of one thread from /proc/self/task/TID/status. */
static int thread_sigblk(pid_t tid, uint64_t *mask)
{
	char path[64], line[256];
	int rc = -ENOENT;
	snprintf(path, sizeof path, "/proc/self/task/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "SigBlk:", 7)) {
			*mask = strtoull(line + 7, NULL, 16);
			rc = 0;
			break;
		}
	fclose(f);
	return rc;
}

/* The threads of this process, from /proc/PID/task. */
static int list_tasks(pid_t *tids, int cap)
{
	char path[64];
	int n = 0;
	snprintf(path, sizeof path, "/proc/%d/task", (int)getpid());
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	for (struct dirent *e; n < cap && (e = readdir(d));)
		if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
			tids[n++] = (pid_t)atoi(e->d_name);
	closedir(d);
	return n;
}

static bool listed(const pid_t *tids, int n, pid_t tid)
{
	for (int i = 0; i < n; i++)
		if (tids[i] == tid)
			return true;
	return false;
}

/* The sampler thread blocks every signal the runner handles; the caller's
 * own mask is left as it was. */
static void test_sampler_signals(void)
{
	pid_t before[64], during[64];
	sigset_t mine;
	int nb = list_tasks(before, 64);
	struct measure_sampler *s = NULL;
	CHECK_EQ(measure_sampler_start(0.05, &s), 0);
	if (!s)
		return;
	int nd = list_tasks(during, 64);
	int sampler_threads = 0;
	for (int i = 0; i < nd; i++) {
		if (listed(before, nb, during[i]))
			continue;
		uint64_t blk = 0;
		CHECK_EQ(thread_sigblk(during[i], &blk), 0);
		int sigs[] = { SIGINT, SIGTERM, SIGCHLD, SIGHUP, SIGUSR1, SIGPIPE, SIGALRM };
		for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
			CHECK(blk & (1ULL << (sigs[k] - 1)));
		sampler_threads++;
	}
	CHECK_EQ(sampler_threads, 1);
	CHECK_EQ(pthread_sigmask(SIG_BLOCK, NULL, &mine), 0);
	CHECK(!sigismember(&mine, SIGINT));
	CHECK(!sigismember(&mine, SIGTERM));
	CHECK(!sigismember(&mine, SIGCHLD));
	CHECK_EQ(measure_sampler_stop(s, NULL), 0);
}

static void test_hwm(void)
{
	uint64_t hwm1 = 0, hwm2 = 0;
	size_t n = 96 * MIB;
	char *p = map_touched(n);
	CHECK(p != NULL);
	if (!p)
		return;
	/* The RSS read first; the high-water mark read after it must cover it,
	 * up to the kernel's per-thread counter slack (a few hundred pages). */
	uint64_t rss = self_tree().rss_sum_bytes;
	CHECK_EQ(measure_self_hwm(&hwm1), 0);
	CHECK(hwm1 >= n);
	if (!(hwm1 + 2 * MIB >= rss))
		printf("test_measure: VmHWM %llu below RSS %llu\n",
		       (unsigned long long)hwm1, (unsigned long long)rss);
	CHECK(hwm1 + 2 * MIB >= rss);
	munmap(p, n);
	int rc = measure_reset_hwm();
	if (rc) {
		printf("test_measure: cannot reset VmHWM here (%s); skipping that check\n",
		       strerror(-rc));
		return;
	}
	CHECK_EQ(measure_self_hwm(&hwm2), 0);
	CHECK(hwm2 + 64 * MIB <= hwm1);
	CHECK(hwm2 > 0);
}

static void test_cgroup(void)
{
	uint64_t bytes = 0;
	int rc = measure_cgroup_peak(&bytes);
	CHECK(rc == 0 || rc == -ENOENT);
	if (rc == 0)
		CHECK(bytes > 0);
	else
		printf("test_measure: no cgroup v2 memory.peak here\n");
}

static void test_cpu_times(void)
{
	double u0, s0, u1, s1;
	CHECK_EQ(measure_cpu_times(&u0, &s0), 0);
	CHECK(u0 >= 0 && s0 >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		/* Burn 50 ms of CPU; a reaped child's time counts. */
		struct timespec ts;
		double t;
		do {
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
			t = (double)ts.tv_sec + ts.tv_nsec * 1e-9;
		} while (t < 0.05);
		_exit(0);
	}
	CHECK(pid > 0);
	if (pid <= 0)
		return;
	CHECK_EQ(waitpid(pid, NULL, 0), pid);
	CHECK_EQ(measure_cpu_times(&u1, &s1), 0);
	CHECK((u1 + s1) - (u0 + s0) >= 0.04);
}

int main(int argc, char **argv)
{
	/* --tree-only: the process-tree scans alone, for the run through the
	 * /proc/PID/stat walk.  That walk reads every process of the machine,
	 * so the sampler's cost bounds below hold for the children-file walk
	 * only (the sampler lengthens its interval when a walk costs more). */
	bool tree_only = argc > 1 && strcmp(argv[1], "--tree-only") == 0;
	test_clock();
	test_self();
	test_private_growth();
	test_children();
	test_grandchildren();
	test_child_of_thread();
	test_zombie();
	test_shared_counted_once();
	/* The exclusion is part of the walk, so both walks are checked. */
	test_sampler_exclude();
	if (tree_only) {
		CHECK_EQ(self_tree().procs, 1);
		return check_result("test_measure --tree-only");
	}
	test_sampler_peak();
	test_sampler_prompt_stop();
	test_sampler_final_sample();
	test_sampler_short_children();
	test_sampler_shared();
	test_sampler_mark();
	test_sampler_signals();
	test_hwm();
	test_cgroup();
	test_cpu_times();
	/* Nothing this test started is left. */
	CHECK_EQ(self_tree().procs, 1);
	return check_result("test_measure");
}
