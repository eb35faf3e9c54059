/*
 * measure.c - time and memory of a process tree, read from Linux's /proc.
 * A tree is found through /proc/PID/task/TID/children of every thread (a
 * child belongs to the thread that forked it), or, on kernels built
 * without those files, by reading the parent of every process in
 * /proc/PID/stat.  Each live process then contributes the Rss and Pss
 * lines of its smaps_rollup: PSS splits each shared page among the
 * processes mapping it, so its sum counts the page once, while the RSS sum
 * counts it once per process, as naive tools do.  hugetlb pages are in
 * neither line: the Private_Hugetlb and Shared_Hugetlb lines add them
 * (shared ones once for the tree; see struct tree_scan).
 *
 * The sampler does not walk smaps_rollup at every tick: over a large
 * shared mapping in 4 KiB pages that walk costs milliseconds per process.
 * Every tick it reads each process's statm instead (a few counters, the
 * same cost whatever the mapping), and walks smaps_rollup only when the
 * processes' resident memory has risen, counted process by process since
 * the last walk (new processes count whole), by more than a small share
 * of the peak.  The tree's summed PSS cannot rise by more than that sum of
 * rises: every page it gains is a page some process newly holds.  So the
 * peak PSS is within that share of what a walk at every tick would see,
 * short peaks included, and a tree whose memory stays put costs a statm
 * read per process per tick.  SPREADBENCH_SAMPLER=full walks at every
 * tick, for comparing the two.  A sample is not atomic:
 * processes that start or end while the tree is walked may be missed or
 * seen half-built, and such a process is never an error.  It leaves out
 * other operating systems, per-process figures, and ru_maxrss, which is a
 * lifetime maximum (and inflated after exec) that no run can reset.
 */
#include "measure.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* The sampler may use at most this share of one core before it slows
 * down, judged over this many samples, and never waits longer than this
 * between samples because it slowed itself down. */
#define SAMPLER_CPU_LIMIT 0.005
#define SAMPLER_WINDOW 4
#define SAMPLER_MAX_INTERVAL_S 1.0
/* A full walk follows a rise of resident memory past this share of the
 * peak PSS, or past this many bytes when that is more. */
#define SAMPLER_RISE_SHARE 0.01
#define SAMPLER_RISE_MIN (256u << 10)
/* While the estimate is above the peak, walks come at least this often,
 * and sooner when a walk costs little: spacing
 * walks by SAMPLER_WALK_SHARE of their own CPU time keeps them under that
 * share of a core, so cheap trees (private memory in huge pages) are
 * walked often and a 4 KiB shared mapping of gigabytes seldom. */
#define SAMPLER_STALE_S 2.0
#define SAMPLER_WALK_SHARE 0.0025

double measure_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------ */
/* Walking a tree                                                      */
/* ------------------------------------------------------------------ */

/* Scratch space for one walk.  The sampler keeps one for its lifetime, so
 * that once the arrays have grown to the tree's size a sample allocates
 * nothing. */
struct tree_scan {
	pid_t *pids;                     /* the tree, root first */
	uint64_t *own, *shmem;           /* each one's RssAnon + RssFile and RssShmem (cheap scan) */
	size_t n, cap;
	const pid_t *exclude;            /* never part of the tree */
	size_t n_exclude;
	bool skip_root;                  /* the root's own memory is not counted */
	/* The largest Shared_Hugetlb of one process in this walk: the tree's
	 * shared hugetlb pages, counted once.  Exact where the processes share
	 * one hugetlb region (a shared input block); where they share several,
	 * each mapped by only some of them, the larger of them. */
	uint64_t hugetlb_shared_max;
	pid_t *all, *all_ppid;           /* every process, for the stat fallback */
	size_t all_n, all_cap;
	char buf[8192];
	_Alignas(8) char dents[8192];    /* getdents64 records are 8-aligned */
};

static void scan_release(struct tree_scan *sc)
{
	free(sc->pids);
	free(sc->own);
	free(sc->shmem);
	sc->own = sc->shmem = NULL;
	free(sc->all);
	free(sc->all_ppid);
	sc->pids = sc->all = sc->all_ppid = NULL;
	sc->n = sc->cap = sc->all_n = sc->all_cap = 0;
}

static int scan_push(struct tree_scan *sc, pid_t pid)
{
	/* An excluded process is never visited, so neither walk finds its
	 * descendants either. */
	for (size_t i = 0; i < sc->n_exclude; i++)
		if (sc->exclude[i] == pid)
			return 0;
	/* A process reparented while the tree is walked can be listed twice;
	 * trees are small enough for a linear check. */
	for (size_t i = 0; i < sc->n; i++)
		if (sc->pids[i] == pid)
			return 0;
	if (sc->n == sc->cap) {
		size_t cap = sc->cap ? 2 * sc->cap : 64;
		pid_t *p = realloc(sc->pids, cap * sizeof *p);
		if (!p)
			return -ENOMEM;
		sc->pids = p;
		uint64_t *o = realloc(sc->own, cap * sizeof *o);
		if (o)
			sc->own = o;
		uint64_t *m = o ? realloc(sc->shmem, cap * sizeof *m) : NULL;
		if (!m)
			return -ENOMEM;
		sc->shmem = m;
		sc->cap = cap;
	}
	sc->own[sc->n] = sc->shmem[sc->n] = 0;
	sc->pids[sc->n++] = pid;
	return 0;
}

static int scan_push_all(struct tree_scan *sc, pid_t pid, pid_t ppid)
{
	if (sc->all_n == sc->all_cap) {
		size_t cap = sc->all_cap ? 2 * sc->all_cap : 512;
		pid_t *p = realloc(sc->all, cap * sizeof *p);
		if (!p)
			return -ENOMEM;
		sc->all = p;
		p = realloc(sc->all_ppid, cap * sizeof *p);
		if (!p)
			return -ENOMEM;
		sc->all_ppid = p;
		sc->all_cap = cap;
	}
	sc->all[sc->all_n] = pid;
	sc->all_ppid[sc->all_n] = ppid;
	sc->all_n++;
	return 0;
}

/* Reads all of a small file (up to cap - 1 bytes) and ends it with NUL. */
static int read_small(int dirfd, const char *name, char *buf, size_t cap, size_t *len)
{
	size_t n = 0;
	int rc = 0;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	while (n < cap - 1) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
out:
	buf[n] = '\0';
	if (len)
		*len = n;
	if (fd >= 0)
		close(fd);
	return rc;
}

static bool is_pid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Calls fn for every numeric entry (a pid or tid) of the directory open at
 * dirfd, in the order the kernel lists them; stops at fn's first error.
 * Uses sc->dents, so fn must not list a directory itself. */
static int for_each_pid_entry(struct tree_scan *sc, int dirfd,
			      int (*fn)(struct tree_scan *sc, int dirfd, const char *name, void *arg), void *arg)
{
	for (;;) {
		ssize_t n = getdents64(dirfd, sc->dents, sizeof sc->dents);
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(sc->dents + off);
			off += d->d_reclen;
			if (!is_pid_name(d->d_name))
				continue;
			int rc = fn(sc, dirfd, d->d_name, arg);
			if (rc)
				return rc;
		}
	}
}

/* Pushes the pids listed in TASK/children, read in pieces because a
 * thread may have more children than one buffer holds. */
static int add_task_children(struct tree_scan *sc, int taskdir, const char *tid)
{
	char path[300];
	long pid = -1;
	int rc = 0;
	snprintf(path, sizeof path, "%s/children", tid);
	int fd = openat(taskdir, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, sc->buf, sizeof sc->buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto out;
		}
		if (r == 0)
			break;
		for (ssize_t i = 0; i < r; i++) {
			char c = sc->buf[i];
			if (c >= '0' && c <= '9') {
				pid = (pid < 0 ? 0 : pid * 10) + (c - '0');
			} else if (pid >= 0) {
				rc = scan_push(sc, (pid_t)pid);
				if (rc)
					goto out;
				pid = -1;
			}
		}
	}
	if (pid >= 0)
		rc = scan_push(sc, (pid_t)pid);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* One thread's children; a thread that ended since the listing has none. */
static int thread_children(struct tree_scan *sc, int taskdir, const char *tid, void *arg)
{
	(void)arg;
	int rc = add_task_children(sc, taskdir, tid);
	return rc == -ENOENT || rc == -ESRCH ? 0 : rc;
}

/* Pushes the children of every thread of the process open at procdir. */
static int add_children(struct tree_scan *sc, int procdir)
{
	int taskdir = openat(procdir, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (taskdir < 0)
		return -errno;
	int rc = for_each_pid_entry(sc, taskdir, thread_children, NULL);
	close(taskdir);
	return rc;
}

/* Adds one process's smaps_rollup to acc.  -ESRCH for a zombie, whose
 * file is empty on older kernels and unreadable on newer ones. */
static int add_rollup(struct tree_scan *sc, int procdir, struct measure_tree *acc)
{
	size_t len;
	int rc = read_small(procdir, "smaps_rollup", sc->buf, sizeof sc->buf, &len);
	if (rc)
		return rc;
	if (len == 0)
		return -ESRCH;
	unsigned long long rss_kb = 0, pss_kb = 0, huge_shared_kb = 0, huge_private_kb = 0;
	bool have_rss = false, have_pss = false;
	for (char *line = sc->buf; line && *line;) {
		if (!strncmp(line, "Rss:", 4)) {
			rss_kb = strtoull(line + 4, NULL, 10);
			have_rss = true;
		} else if (!strncmp(line, "Pss:", 4)) {
			pss_kb = strtoull(line + 4, NULL, 10);
			have_pss = true;
		} else if (!strncmp(line, "Shared_Hugetlb:", 15)) {
			huge_shared_kb = strtoull(line + 15, NULL, 10);
		} else if (!strncmp(line, "Private_Hugetlb:", 16)) {
			huge_private_kb = strtoull(line + 16, NULL, 10);
		}
		char *nl = strchr(line, '\n');
		line = nl ? nl + 1 : NULL;
	}
	if (!have_rss || !have_pss)
		return -EPROTO;
	/* hugetlb pages are in neither Rss nor Pss.  RSS counts them in every
	 * process that maps them; PSS its private ones, and the shared ones
	 * once for the tree (see hugetlb_shared_max). */
	acc->rss_sum_bytes += (uint64_t)(rss_kb + huge_shared_kb + huge_private_kb) * 1024;
	acc->pss_bytes += (uint64_t)(pss_kb + huge_private_kb) * 1024;
	if ((uint64_t)huge_shared_kb * 1024 > sc->hugetlb_shared_max)
		sc->hugetlb_shared_max = (uint64_t)huge_shared_kb * 1024;
	acc->procs++;
	return 0;
}

/* One process's resident memory from status (a few counters, no page
 * walk): VmRSS into acc, and its own pages (anonymous and file) and its
 * shared memory apart, for the sampler's estimate. */
static int add_status(struct tree_scan *sc, int procdir, struct measure_tree *acc, size_t i)
{
	size_t len;
	int rc = read_small(procdir, "status", sc->buf, sizeof sc->buf, &len);
	if (rc)
		return rc;
	unsigned long long rss = 0, anon = 0, file = 0, shm = 0, huge = 0;
	bool have = false;
	for (char *line = sc->buf; line && *line;) {
		if (!strncmp(line, "VmRSS:", 6)) {
			rss = strtoull(line + 6, NULL, 10);
			have = true;
		} else if (!strncmp(line, "RssAnon:", 8)) {
			anon = strtoull(line + 8, NULL, 10);
		} else if (!strncmp(line, "RssFile:", 8)) {
			file = strtoull(line + 8, NULL, 10);
		} else if (!strncmp(line, "RssShmem:", 9)) {
			shm = strtoull(line + 9, NULL, 10);
		} else if (!strncmp(line, "HugetlbPages:", 13)) {
			huge = strtoull(line + 13, NULL, 10);
		}
		char *nl = strchr(line, '\n');
		line = nl ? nl + 1 : NULL;
	}
	if (!have)
		return -ESRCH;          /* a zombie has no memory lines */
	sc->own[i] = (anon + file) * 1024;
	/* hugetlb pages, outside VmRSS, are shared memory like RssShmem. */
	sc->shmem[i] = (shm + huge) * 1024;
	acc->rss_sum_bytes += (rss + huge) * 1024;
	acc->procs++;
	return 0;
}

/* Opening /proc/PID once and reading relative to it means every file read
 * belongs to the same process, even if its pid is reused meanwhile. */
static int visit(struct tree_scan *sc, size_t i, bool follow_children, bool full, struct measure_tree *acc)
{
	pid_t pid = sc->pids[i];
	char path[32];
	int rc = 0;
	snprintf(path, sizeof path, "/proc/%d", (int)pid);
	int procdir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procdir < 0) {
		rc = -errno;
		goto out;
	}
	if (follow_children) {
		rc = add_children(sc, procdir);
		if (rc)
			goto out;
	}
	if (i == 0 && sc->skip_root)
		goto out;
	rc = full ? add_rollup(sc, procdir, acc) : add_status(sc, procdir, acc, i);
out:
	if (procdir >= 0)
		close(procdir);
	return rc;
}

/* One process's parent, from /proc/PID/stat. */
static int note_parent(struct tree_scan *sc, int procfd, const char *pid, void *arg)
{
	(void)arg;
	char name[32];
	if (strlen(pid) > 12)
		return 0;
	snprintf(name, sizeof name, "%s/stat", pid);
	if (read_small(procfd, name, sc->buf, sizeof sc->buf, NULL))
		return 0;               /* it ended since the listing */
	/* The command name may hold spaces and ')', so parse after its last
	 * ')': " state ppid ...". */
	char *p = strrchr(sc->buf, ')');
	char state;
	int ppid;
	if (!p || sscanf(p + 1, " %c %d", &state, &ppid) != 2)
		return 0;
	return scan_push_all(sc, (pid_t)atoi(pid), (pid_t)ppid);
}

/* The fallback: every process's parent from /proc/PID/stat, then the
 * descendants of the root (already in sc->pids) from those links. */
static int collect_by_stat(struct tree_scan *sc)
{
	sc->all_n = 0;
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	int rc = for_each_pid_entry(sc, procfd, note_parent, NULL);
	close(procfd);
	for (size_t i = 0; i < sc->n && !rc; i++)
		for (size_t j = 0; j < sc->all_n && !rc; j++)
			if (sc->all_ppid[j] == sc->pids[i])
				rc = scan_push(sc, sc->all[j]);
	return rc;
}

/* Whether this kernel has /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN);
 * asked once, since it cannot change while we run.  Setting
 * SPREADBENCH_PROC_STAT_WALK makes the scan use the /proc/PID/stat walk
 * anyway, so the tests cover it on kernels that have the files. */
static bool have_children_files(void)
{
	static atomic_int known;         /* 0 not asked, 1 present, -1 absent */
	int v = atomic_load(&known);
	if (!v) {
		char path[64];
		snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
		v = access(path, F_OK) == 0 || errno != ENOENT ? 1 : -1;
		if (getenv("SPREADBENCH_PROC_STAT_WALK"))
			v = -1;
		atomic_store(&known, v);
	}
	return v > 0;
}

/* full: PSS and RSS from smaps_rollup; else RSS alone from status. */
static int scan_tree_mode(struct tree_scan *sc, pid_t root, bool full, struct measure_tree *out)
{
	struct measure_tree acc = { 0 };
	bool children = have_children_files();
	sc->n = 0;
	sc->hugetlb_shared_max = 0;
	int rc = scan_push(sc, root);
	if (!rc && !children)
		rc = collect_by_stat(sc);
	/* sc->pids grows while it is walked: each visit appends the
	 * children it finds, so this is a breadth-first walk. */
	for (size_t i = 0; !rc && i < sc->n; i++) {
		rc = visit(sc, i, children, full, &acc);
		if (rc == -ENOENT || rc == -ESRCH)
			rc = 0;
	}
	if (!rc && acc.procs == 0)
		rc = -ESRCH;
	acc.pss_bytes += sc->hugetlb_shared_max;
	*out = rc ? (struct measure_tree){ 0 } : acc;
	return rc;
}

static int scan_tree(struct tree_scan *sc, pid_t root, struct measure_tree *out)
{
	return scan_tree_mode(sc, root, true, out);
}

int measure_tree_now(pid_t root, struct measure_tree *out)
{
	struct tree_scan sc = { 0 };
	if (root <= 0) {
		*out = (struct measure_tree){ 0 };
		return -EINVAL;
	}
	int rc = scan_tree(&sc, root, out);
	scan_release(&sc);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The sampler                                                         */
/* ------------------------------------------------------------------ */

struct measure_sampler {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;             /* on CLOCK_MONOTONIC, like measure_now */
	bool started, stopping;          /* guarded by lock */
	struct measure_peak peak;        /* guarded by lock */
	int err;                         /* first failed sample; guarded by lock */
	double interval_s;               /* as asked for */
	pid_t root;                      /* the tree's root, fixed at start */
	pid_t *exclude;                  /* left out of every sample; fixed at start */
	int n_exclude;
	struct tree_scan scan;           /* the thread's own: ticks */
	struct tree_scan walk;           /* and full walks */
	bool always_full;                /* SPREADBENCH_SAMPLER=full, or a tree below a child */
	/* At the last full walk: its PSS, and each process's own pages and
	 * the most shared memory any held, from the scan of that tick. */
	double walk_pss, walk_t, est_prev;
	double walk_cpu_s;               /* what the last full walk cost */
	double mark_pss;                 /* a mark's walk; guarded by lock */
	bool mark_pending;
	uint64_t base_shmem;
	pid_t *base_pid;
	uint64_t *base_own;
	size_t base_n, base_cap;
	bool have_base;
};

static double thread_cpu_s(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return 0;
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static struct timespec to_timespec(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t };
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_nsec = 999999999L;
	if (ts.tv_nsec < 0)
		ts.tv_nsec = 0;
	return ts;
}

/* Walks the tree without the lock, so that stop() never waits for a walk
 * to take the lock, then folds the result into the peaks; returns with
 * the lock held, so the caller can read them. */
static int sample_locked(struct measure_sampler *s, struct tree_scan *scan, pid_t root, uint64_t *pss)
{
	struct measure_tree t;
	int rc = scan_tree(scan, root, &t);
	if (pss)
		*pss = t.pss_bytes;
	pthread_mutex_lock(&s->lock);
	if (rc) {
		if (!s->err)
			s->err = rc;
	} else {
		if (t.pss_bytes > s->peak.pss_bytes)
			s->peak.pss_bytes = t.pss_bytes;
		if (t.rss_sum_bytes > s->peak.rss_sum_bytes)
			s->peak.rss_sum_bytes = t.rss_sum_bytes;
		if (t.procs > s->peak.max_procs)
			s->peak.max_procs = t.procs;
		s->peak.samples++;
	}
	return rc;
}

static uint64_t max_shmem(const struct tree_scan *sc)
{
	uint64_t m = 0;
	for (size_t i = 0; i < sc->n; i++)
		m = sc->shmem[i] > m ? sc->shmem[i] : m;
	return m;
}

/* Remembers what each process held at a full walk, from the cheap scan
 * of the same tick. */
static void set_baseline(struct measure_sampler *s, double pss)
{
	s->have_base = false;
	if (s->base_cap < s->scan.n) {
		pid_t *p = realloc(s->base_pid, s->scan.n * sizeof *p);
		if (p)
			s->base_pid = p;
		uint64_t *o = p ? realloc(s->base_own, s->scan.n * sizeof *o) : NULL;
		if (!o)
			return;          /* no baseline: the next tick walks */
		s->base_own = o;
		s->base_cap = s->scan.n;
	}
	memcpy(s->base_pid, s->scan.pids, s->scan.n * sizeof *s->base_pid);
	memcpy(s->base_own, s->scan.own, s->scan.n * sizeof *s->base_own);
	s->base_n = s->scan.n;
	s->base_shmem = max_shmem(&s->scan);
	s->walk_pss = s->est_prev = pss;
	s->walk_t = measure_now();
	s->have_base = true;
}

/* A full walk: the exact PSS and RSS of the tree into the peaks.  It has
 * scratch of its own, so the tick's cheap scan stays whole. */
static double sampler_walk(struct measure_sampler *s, pid_t root)
{
	uint64_t pss = 0;
	double cpu0 = thread_cpu_s();
	sample_locked(s, &s->walk, root, &pss);
	s->walk_cpu_s = thread_cpu_s() - cpu0;
	s->peak.full_walks++;
	pthread_mutex_unlock(&s->lock);
	return (double)pss;
}

/*
 * One tick.  The tree's PSS since the last full walk is estimated from
 * the status counters: pages a process holds alone or with files change
 * the sum as they come and go, while shared memory enters the tree through
 * the process that builds it, which then holds the most of it.  A full
 * walk follows when the estimate passes the peak seen so far by
 * SAMPLER_RISE_SHARE and has stopped rising (a walk while memory still
 * grows would be stale a tick later), or at the latest SAMPLER_STALE_S
 * after the last walk.  The peak reported is always a full walk's; the
 * estimate only decides when to walk.  Where memory grows to the end of a
 * phase, the runner's untimed walks at the end of setup and of compute
 * (measure_sampler_mark) take its peak.
 */
static void sampler_tick(struct measure_sampler *s, pid_t root)
{
	struct measure_tree t;
	int rc = s->always_full ? 0 : scan_tree_mode(&s->scan, root, false, &t);
	if (s->always_full || !s->have_base || rc) {
		double pss = sampler_walk(s, root);
		if (!s->always_full && scan_tree_mode(&s->scan, root, false, &t) == 0)
			set_baseline(s, pss);
		return;
	}
	double est = s->walk_pss + (double)max_shmem(&s->scan) - (double)s->base_shmem;
	for (size_t i = 0; i < s->scan.n; i++)
		est += (double)s->scan.own[i];
	for (size_t k = 0; k < s->base_n; k++)
		est -= (double)s->base_own[k];
	pthread_mutex_lock(&s->lock);
	if (s->mark_pending) {
		/* A mark just walked the tree: this tick's counters, a few
		 * milliseconds later, go with its PSS. */
		s->mark_pending = false;
		double pss = s->mark_pss;
		pthread_mutex_unlock(&s->lock);
		set_baseline(s, pss);
		return;
	}
	double peak = (double)s->peak.pss_bytes, step = fmax(SAMPLER_RISE_SHARE * peak, SAMPLER_RISE_MIN);
	if (t.rss_sum_bytes > s->peak.rss_sum_bytes)
		s->peak.rss_sum_bytes = t.rss_sum_bytes;
	if (t.procs > s->peak.max_procs)
		s->peak.max_procs = t.procs;
	s->peak.samples++;
	pthread_mutex_unlock(&s->lock);
	bool above = est > peak + step, plateau = est <= s->est_prev;
	/* A walk costs about in proportion to the memory walked. */
	double cost = s->walk_pss > 0 ? s->walk_cpu_s * fmax(1.0, est / s->walk_pss) : s->walk_cpu_s;
	double spacing = fmin(SAMPLER_STALE_S, cost / SAMPLER_WALK_SHARE);
	bool stale = measure_now() - s->walk_t > spacing;
	s->est_prev = est;
	if (above && (plateau || stale)) {
		double pss = sampler_walk(s, root);
		set_baseline(s, pss);
	}
}

static void *sampler_main(void *arg)
{
	struct measure_sampler *s = arg;
	pid_t root = s->root;
	double interval = s->interval_s;
	double t_start = measure_now(), cpu_start = thread_cpu_s();
	double win_t = t_start, win_cpu = cpu_start, last = t_start;
	long regular = 0;
	int win_n = 0;

	sampler_tick(s, root);
	pthread_mutex_lock(&s->lock);
	s->started = true;
	pthread_cond_broadcast(&s->cond);
	double next = t_start + interval;
	for (;;) {
		while (!s->stopping && measure_now() < next) {
			struct timespec ts = to_timespec(next);
			pthread_cond_timedwait(&s->cond, &s->lock, &ts);
		}
		if (s->stopping)
			break;
		pthread_mutex_unlock(&s->lock);

		double t = measure_now();
		sampler_tick(s, root);
		regular++;
		last = t;
		if (++win_n == SAMPLER_WINDOW) {
			double now = measure_now(), cpu = thread_cpu_s();
			if (interval < SAMPLER_MAX_INTERVAL_S &&
			    cpu - win_cpu > SAMPLER_CPU_LIMIT * (now - win_t)) {
				interval *= 2;
				if (interval > SAMPLER_MAX_INTERVAL_S)
					interval = SAMPLER_MAX_INTERVAL_S;
			}
			win_t = now;
			win_cpu = cpu;
			win_n = 0;
		}
		/* Keep to a fixed schedule, but when a walk overran the
		 * interval, wait a whole interval rather than walk again at
		 * once: a tree too big to walk in time must not take a core. */
		next = t + interval;
		double now = measure_now();
		if (next < now)
			next = now + interval;
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	/* What the sampler took from the run it watched: up to stop(). */
	double elapsed = measure_now() - t_start, cpu_run = thread_cpu_s() - cpu_start;

	/* The final sample sees what changed since the last scheduled one,
	 * such as workers started just before stop(). */
	sampler_walk(s, root);
	double cpu = thread_cpu_s() - cpu_start;
	pthread_mutex_lock(&s->lock);
	/* The final sample is off the schedule, so it is not an interval. */
	s->peak.interval_s = regular > 0 ? (last - t_start) / (double)regular : s->interval_s;
	s->peak.cpu_s = cpu;
	s->peak.cpu_fraction = elapsed > 0 ? cpu_run / elapsed : 0;
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static int sampler_start(pid_t root, bool below, double interval_s, const pid_t *exclude, int n,
			 struct measure_sampler **out);

int measure_sampler_start(double interval_s, struct measure_sampler **out)
{
	return sampler_start(getpid(), false, interval_s, NULL, 0, out);
}

int measure_sampler_start_excluding(double interval_s, const pid_t *exclude, int n,
				    struct measure_sampler **out)
{
	return sampler_start(getpid(), false, interval_s, exclude, n, out);
}

int measure_sampler_start_below(pid_t root, double interval_s, struct measure_sampler **out)
{
	if (root <= 0) {
		*out = NULL;
		return -EINVAL;
	}
	return sampler_start(root, true, interval_s, NULL, 0, out);
}

/* below: count root's descendants only, and walk at every tick (see
 * measure.h). */
static int sampler_start(pid_t root, bool below, double interval_s, const pid_t *exclude, int n,
			 struct measure_sampler **out)
{
	struct measure_sampler *s = NULL;
	pthread_condattr_t ca;
	bool have_ca = false, have_lock = false, have_cond = false;
	int rc;

	*out = NULL;
	if (!(interval_s > 0 && interval_s <= 3600) || n < 0 || (n > 0 && !exclude)) {
		rc = -EINVAL;
		goto out;
	}
	s = calloc(1, sizeof *s);
	if (!s) {
		rc = -ENOMEM;
		goto out;
	}
	s->interval_s = interval_s;
	s->root = root;
	s->scan.skip_root = s->walk.skip_root = below;
	const char *mode = getenv("SPREADBENCH_SAMPLER");
	s->always_full = below || (mode && strcmp(mode, "full") == 0);
	if (n > 0) {
		s->exclude = malloc((size_t)n * sizeof *s->exclude);
		if (!s->exclude) {
			rc = -ENOMEM;
			goto out;
		}
		memcpy(s->exclude, exclude, (size_t)n * sizeof *s->exclude);
		s->n_exclude = n;
		s->scan.exclude = s->walk.exclude = s->exclude;
		s->scan.n_exclude = s->walk.n_exclude = (size_t)n;
	}
	rc = -pthread_mutex_init(&s->lock, NULL);
	if (rc)
		goto out;
	have_lock = true;
	rc = -pthread_condattr_init(&ca);
	if (rc)
		goto out;
	have_ca = true;
	rc = -pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (rc)
		goto out;
	rc = -pthread_cond_init(&s->cond, &ca);
	if (rc)
		goto out;
	have_cond = true;

	/* The thread inherits this mask: with every signal blocked in it,
	 * SIGINT, SIGTERM and SIGCHLD always reach the threads that handle
	 * them, and no sample is cut short by EINTR. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&s->thread, NULL, sampler_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		goto out;

	/* Wait for the first sample, so that the caller's measured work
	 * never starts before the sampler has seen the tree. */
	pthread_mutex_lock(&s->lock);
	while (!s->started)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	*out = s;
	s = NULL;
out:
	if (have_ca)
		pthread_condattr_destroy(&ca);
	if (s) {
		if (have_cond)
			pthread_cond_destroy(&s->cond);
		if (have_lock)
			pthread_mutex_destroy(&s->lock);
		free(s->exclude);
		free(s);
	}
	return rc;
}

int measure_sampler_mark(struct measure_sampler *s, struct measure_peak *so_far)
{
	if (so_far)
		*so_far = (struct measure_peak){ 0 };
	if (!s)
		return -EINVAL;
	/* Scratch of its own: the thread's may be in use by a walk right now.
	 * It is big, so it comes from the heap, not the caller's stack. */
	struct tree_scan *scan = calloc(1, sizeof *scan);
	if (!scan)
		return -ENOMEM;
	scan->exclude = s->exclude;
	scan->n_exclude = (size_t)s->n_exclude;
	scan->skip_root = s->scan.skip_root;
	uint64_t pss = 0;
	int rc = sample_locked(s, scan, s->root, &pss);
	if (!rc) {
		/* The thread's next tick takes this walk as its baseline. */
		s->mark_pss = (double)pss;
		s->mark_pending = true;
	}
	if (so_far) {
		so_far->pss_bytes = s->peak.pss_bytes;
		so_far->rss_sum_bytes = s->peak.rss_sum_bytes;
		so_far->max_procs = s->peak.max_procs;
		so_far->samples = s->peak.samples;
	}
	pthread_mutex_unlock(&s->lock);
	scan_release(scan);
	free(scan);
	return rc;
}

int measure_sampler_stop(struct measure_sampler *s, struct measure_peak *out)
{
	if (out)
		*out = (struct measure_peak){ 0 };
	if (!s)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);

	if (out)
		*out = s->peak;
	int rc = s->err;
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	scan_release(&s->scan);
	scan_release(&s->walk);
	free(s->base_pid);
	free(s->base_own);
	free(s->exclude);
	free(s);
	return rc;
}

/* ------------------------------------------------------------------ */
/* This process                                                        */
/* ------------------------------------------------------------------ */

int measure_self_hwm(uint64_t *bytes)
{
	char buf[8192];
	*bytes = 0;
	int rc = read_small(AT_FDCWD, "/proc/self/status", buf, sizeof buf, NULL);
	if (rc)
		return rc;
	char *line = strstr(buf, "\nVmHWM:");
	if (!line)
		return -ENOENT;                 /* a kernel thread has no memory */
	*bytes = (uint64_t)strtoull(line + 7, NULL, 10) * 1024;
	return 0;
}

int measure_reset_hwm(void)
{
	int rc = 0;
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	ssize_t w = write(fd, "5", 1);
	if (w < 0)
		rc = -errno;
	else if (w != 1)
		rc = -EIO;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Where cgroup v2 is mounted, and which cgroup path that mount's root is
 * (not "/" inside a container that sees only its own subtree). */
static int cgroup2_mount(char *mnt, size_t mnt_cap, char *root, size_t root_cap)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = -ENOENT;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f) {
		rc = -errno;
		goto out;
	}
	while (getline(&line, &cap, f) > 0) {
		/* "id parent major:minor root mountpoint options... - fstype ..." */
		char *dash = strstr(line, " - cgroup2 ");
		char r[PATH_MAX], m[PATH_MAX];
		if (!dash || sscanf(line, "%*d %*d %*s %4095s %4095s", r, m) != 2)
			continue;
		if (strlen(m) >= mnt_cap || strlen(r) >= root_cap)
			continue;
		strcpy(mnt, m);
		strcpy(root, r);
		rc = 0;
		break;
	}
out:
	free(line);
	if (f)
		fclose(f);
	return rc;
}

int measure_cgroup_peak(uint64_t *bytes)
{
	char buf[8192], mnt[PATH_MAX], root[PATH_MAX], path[PATH_MAX + 64];
	*bytes = 0;
	int rc = read_small(AT_FDCWD, "/proc/self/cgroup", buf, sizeof buf, NULL);
	if (rc)
		return rc;
	/* The v2 hierarchy is the line with hierarchy id 0 and no controllers. */
	char *cg = !strncmp(buf, "0::", 3) ? buf : strstr(buf, "\n0::");
	if (!cg)
		return -ENOENT;
	cg += cg == buf ? 3 : 4;
	cg[strcspn(cg, "\n")] = '\0';
	rc = cgroup2_mount(mnt, sizeof mnt, root, sizeof root);
	if (rc)
		return rc;
	if (strcmp(root, "/")) {
		size_t n = strlen(root);
		if (strncmp(cg, root, n) || (cg[n] && cg[n] != '/'))
			return -ENOENT;         /* our cgroup is outside the mount */
		cg += n;
	}
	if (!strcmp(cg, "/"))
		cg = "";
	if (snprintf(path, sizeof path, "%s%s/memory.peak", mnt, cg) >= (int)sizeof path)
		return -ENAMETOOLONG;
	rc = read_small(AT_FDCWD, path, buf, sizeof buf, NULL);
	if (rc)
		return rc;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -EPROTO;
	*bytes = v;
	return 0;
}

/* The mount of a cgroup hierarchy holding the memory controller (v2:
 * the cgroup2 mount; v1: a cgroup mount whose options name memory) and
 * the cgroup path its root is. */
static int memcg_mount(bool v2, char *mnt, size_t mnt_cap, char *root, size_t root_cap)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = -ENOENT;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (rc && getline(&line, &cap, f) > 0) {
		char r[PATH_MAX], m[PATH_MAX], type[32], opts[256] = "";
		char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*d %*d %*s %4095s %4095s", r, m) != 2 ||
		    sscanf(dash + 3, "%31s %*s %255s", type, opts) < 1)
			continue;
		bool match = v2 ? strcmp(type, "cgroup2") == 0 : strcmp(type, "cgroup") == 0;
		if (match && !v2) {
			match = false;
			char *save = NULL;
			for (char *o = strtok_r(opts, ",", &save); o && !match; o = strtok_r(NULL, ",", &save))
				match = strcmp(o, "memory") == 0;
		}
		if (!match || strlen(m) >= mnt_cap || strlen(r) >= root_cap)
			continue;
		strcpy(mnt, m);
		strcpy(root, r);
		rc = 0;
	}
	free(line);
	fclose(f);
	return rc;
}

/* This process's cgroup in that hierarchy, from /proc/self/cgroup lines
 * "id:controllers:path" (v2: id 0, no controllers). */
static int memcg_path(bool v2, char *out, size_t cap)
{
	char buf[8192];
	int rc = read_small(AT_FDCWD, "/proc/self/cgroup", buf, sizeof buf, NULL);
	if (rc)
		return rc;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c1 = *c2 = '\0';
		bool match = v2 ? strcmp(line, "0") == 0 && c1 + 1 == c2 : false;
		if (!v2) {
			char *s2 = NULL;
			for (char *o = strtok_r(c1 + 1, ",", &s2); o && !match; o = strtok_r(NULL, ",", &s2))
				match = strcmp(o, "memory") == 0;
		}
		if (match && strlen(c2 + 1) < cap) {
			strcpy(out, c2 + 1);
			return 0;
		}
	}
	return -ENOENT;
}

/* A number from a cgroup file; "max" (v2's no limit) is UINT64_MAX. */
static int cg_u64(const char *dir, const char *file, uint64_t *v)
{
	char path[PATH_MAX + 64], buf[64];
	if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path)
		return -ENAMETOOLONG;
	int rc = read_small(AT_FDCWD, path, buf, sizeof buf, NULL);
	if (rc)
		return rc;
	if (strncmp(buf, "max", 3) == 0) {
		*v = UINT64_MAX;
		return 0;
	}
	char *end;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return errno || end == buf ? -EPROTO : 0;
}

/* One figure of a memory.stat file, 0 when absent. */
static uint64_t cg_stat(const char *dir, const char *key)
{
	char path[PATH_MAX + 64], buf[8192];
	if (snprintf(path, sizeof path, "%s/memory.stat", dir) >= (int)sizeof path)
		return 0;
	if (read_small(AT_FDCWD, path, buf, sizeof buf, NULL))
		return 0;
	size_t n = strlen(key);
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, key, n) == 0 && l[n] == ' ')
			return strtoull(l + n + 1, NULL, 10);
	return 0;
}

/* What the cgroup hierarchy (v2 or v1) leaves this process: the least, over
 * its cgroup and every ancestor with a limit, of limit - (usage - inactive
 * file pages).  -ENOENT when no level has a limit. */
static int cgroup_room(bool v2, uint64_t *room, uint64_t *limit_out, char *source, size_t len)
{
	char mnt[PATH_MAX], root[PATH_MAX], cg[PATH_MAX], dir[PATH_MAX];
	const char *limit_file = v2 ? "memory.max" : "memory.limit_in_bytes";
	const char *usage_file = v2 ? "memory.current" : "memory.usage_in_bytes";
	const char *inactive = v2 ? "inactive_file" : "total_inactive_file";
	int rc = memcg_mount(v2, mnt, sizeof mnt, root, sizeof root);
	if (!rc)
		rc = memcg_path(v2, cg, sizeof cg);
	if (rc)
		return rc;
	const char *rel = cg;
	if (strcmp(root, "/")) {
		size_t n = strlen(root);
		if (strncmp(cg, root, n) || (cg[n] && cg[n] != '/'))
			return -ENOENT;         /* our cgroup is outside the mount */
		rel = cg + n;
	}
	if (snprintf(dir, sizeof dir, "%s%s", mnt, strcmp(rel, "/") ? rel : "") >= (int)sizeof dir)
		return -ENAMETOOLONG;
	rc = -ENOENT;
	for (;;) {
		uint64_t limit, usage;
		/* v1 reports "no limit" as a huge page-rounded number. */
		if (!cg_u64(dir, limit_file, &limit) && limit < (UINT64_C(1) << 60) &&
		    !cg_u64(dir, usage_file, &usage)) {
			uint64_t inact = cg_stat(dir, inactive), used = usage > inact ? usage - inact : 0;
			uint64_t r = limit > used ? limit - used : 0;
			if (rc || r < *room) {
				*room = r;
				*limit_out = limit;
				if (snprintf(source, len, "%s/%s", dir, limit_file) >= (int)len)
					source[0] = '\0';
				rc = 0;
			}
		}
		char *slash = strrchr(dir, '/');
		if (strlen(dir) <= strlen(mnt) || !slash)
			break;
		*slash = '\0';
	}
	return rc;
}

int measure_memory_available(uint64_t *bytes, uint64_t *total, char *source, size_t len)
{
	char buf[8192];
	*bytes = *total = 0;
	if (len)
		source[0] = '\0';
	int rc = read_small(AT_FDCWD, "/proc/meminfo", buf, sizeof buf, NULL);
	if (rc)
		return rc;
	char *line = strstr(buf, "MemAvailable:"), *tline = strstr(buf, "MemTotal:");
	if (!line || !tline)
		return -ENOENT;
	*bytes = (uint64_t)strtoull(line + 13, NULL, 10) * 1024;
	*total = (uint64_t)strtoull(tline + 9, NULL, 10) * 1024;
	snprintf(source, len, "MemAvailable");
	for (int v2 = 1; v2 >= 0; v2--) {
		uint64_t room = 0, limit = 0;
		char where[PATH_MAX + 64];
		if (cgroup_room(v2, &room, &limit, where, sizeof where) == 0 && room < *bytes) {
			*bytes = room;
			*total = limit;
			if (snprintf(source, len, "%s", where) >= (int)len)
				source[0] = '\0';
		}
	}
	return 0;
}

int measure_cpu_times(double *user_s, double *sys_s)
{
	struct rusage self, kids;
	*user_s = *sys_s = 0;
	if (getrusage(RUSAGE_SELF, &self) || getrusage(RUSAGE_CHILDREN, &kids))
		return -errno;
	*user_s = (double)self.ru_utime.tv_sec + self.ru_utime.tv_usec * 1e-6 +
		  (double)kids.ru_utime.tv_sec + kids.ru_utime.tv_usec * 1e-6;
	*sys_s = (double)self.ru_stime.tv_sec + self.ru_stime.tv_usec * 1e-6 +
		 (double)kids.ru_stime.tv_sec + kids.ru_stime.tv_usec * 1e-6;
	return 0;
}
