/*
 * noise.h - how quiet the machine was while something was measured, and
 * how fast it was: the noise sensors every run records (CPU time stolen by
 * the hypervisor, involuntary context switches of the measured tree, other
 * runnable work before the run, the CPU frequency where the system shows
 * it), and a short calibration probe (a fixed CPU loop, a chain of
 * dependent random reads) that sweeps time at their start and end and
 * compare uses to tell two machines apart.  Sensors read /proc and /sys
 * only; nothing here changes a system setting.
 */
#ifndef SPREADBENCH_NOISE_H
#define SPREADBENCH_NOISE_H

#include <stdbool.h>
#include <stddef.h>

struct noise_mark {
	double steal, total;             /* /proc/stat jiffies of all CPUs, or NAN */
	long ivcsw;                      /* ours and our reaped children's */
	int runnable;                    /* other runnable tasks, or -1 */
	double mhz;                      /* mean CPU clock, or NAN */
};

struct noise_figures {
	double steal_fraction;           /* of all CPU time over the interval; NAN unknown */
	long involuntary_switches;
	int runnable_before;             /* -1 unknown */
	double cpu_mhz;                  /* NAN unknown */
};

/* Readings at the start of a run (takes a few milliseconds: the runnable
 * count is the least of several looks, so a passing task is not load). */
void noise_begin(struct noise_mark *m);
/* The figures from then until now. */
void noise_end(const struct noise_mark *m, struct noise_figures *out);

/* Seconds a fixed amount of integer work takes on one core. */
double noise_probe_cpu(void);
/* Mean nanoseconds of one dependent random read in a buffer of `bytes`
 * (rounded down to a power of two of cache lines, at least 1 MiB), over
 * at most `hops` reads, asking for transparent huge pages or refusing
 * them; 0 or a negative errno. */
int noise_probe_latency(size_t bytes, bool huge, long hops, double *ns);

#endif
