/*
 * measure.h - wall time and memory of a process tree on Linux: a
 * monotonic clock, one PSS/RSS sample of a tree from smaps_rollup, a
 * background sampler that keeps the peaks of such samples at a bounded
 * CPU cost (leaving out processes it is told to, and reporting its peaks
 * so far on demand), this process's VmHWM (and resetting it), its cgroup's
 * memory.peak, and the CPU time of this process and its reaped children.
 * It leaves out other operating systems, per-process breakdowns and
 * getrusage's ru_maxrss, which is a lifetime maximum that cannot be reset.
 */
#ifndef SPREADBENCH_MEASURE_H
#define SPREADBENCH_MEASURE_H

#include <stdint.h>
#include <sys/types.h>

/* CLOCK_MONOTONIC in seconds. */
double measure_now(void);

/* One sample of the process tree rooted at `root` (root included): the sum
 * of Pss and of Rss (bytes) from /proc/PID/smaps_rollup of every live
 * process in the tree.  Processes that vanish mid-read and zombies are
 * skipped, not errors; -ESRCH when no process of the tree is left. */
struct measure_tree {
	uint64_t pss_bytes, rss_sum_bytes;
	int procs;
};
int measure_tree_now(pid_t root, struct measure_tree *out);

/* What a sampler over a tree (by default the one rooted at getpid()) saw. */
struct measure_peak {
	uint64_t pss_bytes;         /* peak of the summed PSS over samples */
	uint64_t rss_sum_bytes;     /* peak of summed RSS */
	int max_procs;              /* most processes seen in one sample */
	long samples;
	long full_walks;            /* of them, walks of every smaps_rollup */
	double interval_s;          /* mean interval actually used */
	double cpu_s;               /* CPU time the sampler thread used (user+sys) */
	double cpu_fraction;        /* CPU time up to stop() / elapsed: what the run watched lost (the final walk comes after) */
};
struct measure_sampler;

/* Starts a thread that samples the tree at once (before returning), then
 * every interval_s; it doubles the interval (up to 1 s) whenever it would
 * cost more than 0.5 % of a core.  A tick reads each process's statm and
 * walks smaps_rollup only when resident memory rose past 0.2 % of the
 * peak since the last walk (or 256 KiB), which keeps the peak PSS within
 * that of a walk at every tick (SPREADBENCH_SAMPLER=full forces those).
 * All signals are blocked in it. */
int measure_sampler_start(double interval_s, struct measure_sampler **out);

/* The same, leaving the processes exclude[0..n) and their descendants out
 * of every sample: processes that run beside the measured work, such as a
 * competing load, without being part of it. */
int measure_sampler_start_excluding(double interval_s, const pid_t *exclude, int n,
				    struct measure_sampler **out);

/* The same over the descendants of `root`, leaving root's own memory out:
 * for a small measuring child whose children are the measured work (its
 * own pages, shared with this process copy-on-write, are not the work's).
 * Every tick walks smaps_rollup: such work cannot be marked at the end of
 * its phases (measure_sampler_mark), and a tree whose memory grows until
 * it exits would leave the status estimate above the last walk for good.
 * The interval still doubles while walking costs more than 0.5 % of a
 * core.  A sample that finds no descendant (none yet, or none left)
 * counts for nothing, and stop then returns -ESRCH with the peaks of the
 * others. */
int measure_sampler_start_below(pid_t root, double interval_s, struct measure_sampler **out);

/* Takes one sample now, on the calling thread, and fills *so_far with the
 * peaks and the number of samples up to and including it (the interval
 * and CPU figures come only from stop).  Safe while the sampler runs.
 * Returns 0, or the error of this sample (*so_far still holds the rest). */
int measure_sampler_mark(struct measure_sampler *s, struct measure_peak *so_far);

/* Takes one final sample, joins the thread, fills *out and frees s.
 * Returns 0, or the first error a sample met (*out still holds the rest). */
int measure_sampler_stop(struct measure_sampler *s, struct measure_peak *out);

/* VmHWM of this process (/proc/self/status). */
int measure_self_hwm(uint64_t *bytes);

/* Resets VmHWM to the current RSS (writes "5" to /proc/self/clear_refs). */
int measure_reset_hwm(void);

/* memory.peak of this process's cgroup v2; -ENOENT when there is none
 * (cgroup v1 only, no memory controller, the root cgroup). */
int measure_cgroup_peak(uint64_t *bytes);

/* The memory this process could be given now: MemAvailable, lowered to
 * what its cgroup leaves (cgroup v2 memory.max less memory.current, or v1
 * memory.limit_in_bytes less memory.usage_in_bytes, at every level up to
 * the hierarchy's root, counting inactive file pages as free, as the
 * kernel would reclaim them first).  *total is the whole of what decided
 * (MemTotal, or that cgroup's limit); source names it ("MemAvailable" or
 * the cgroup file).  0, or a negative errno when not even MemAvailable can
 * be read. */
int measure_memory_available(uint64_t *bytes, uint64_t *total, char *source, size_t len);

/* User and system time of this process plus its reaped children. */
int measure_cpu_times(double *user_s, double *sys_s);

#endif
