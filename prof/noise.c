/*
 * noise.c - see noise.h.
 *
 * The latency probe walks one cycle through the buffer's cache lines in
 * a scattered order, each read's address coming from the previous read:
 * neither the prefetcher nor out-of-order execution can hide the
 * memory's latency.  Its result mixes cache, TLB and page-walk
 * costs, as a simulation's random reads meet them.
 */
#include "noise.h"

#include <errno.h>
#include <glob.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* steal and total jiffies of the "cpu" line; -ENOENT without one. */
static int read_stat(double *steal, double *total, int *running)
{
	char line[512];
	int rc = -ENOENT;
	FILE *f = fopen("/proc/stat", "re");
	*steal = *total = NAN;
	*running = -1;
	if (!f)
		return -errno;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "cpu ", 4) == 0) {
			unsigned long long v[10] = { 0 };
			int n = sscanf(line + 4, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
				       &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
			if (n >= 8) {
				/* guest time is already counted in user time */
				double t = 0;
				for (int i = 0; i < 8; i++)
					t += (double)v[i];
				*steal = (double)v[7];
				*total = t;
				rc = 0;
			}
		} else if (strncmp(line, "procs_running ", 14) == 0) {
			*running = atoi(line + 14);
		}
	}
	fclose(f);
	return rc;
}

static long involuntary(void)
{
	struct rusage self, kids;
	if (getrusage(RUSAGE_SELF, &self) || getrusage(RUSAGE_CHILDREN, &kids))
		return 0;
	return self.ru_nivcsw + kids.ru_nivcsw;
}

/* The mean clock of the CPUs: cpufreq where it exists, else cpuinfo's
 * "cpu MHz" (which a virtual machine may report as fixed). */
static double cpu_mhz(void)
{
	glob_t g;
	double sum = 0;
	int n = 0;
	if (glob("/sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_cur_freq", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			FILE *f = fopen(g.gl_pathv[i], "re");
			double khz;
			if (f && fscanf(f, "%lf", &khz) == 1 && khz > 0) {
				sum += khz / 1000;
				n++;
			}
			if (f)
				fclose(f);
		}
		globfree(&g);
		if (n)
			return sum / n;
	}
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return NAN;
	while (fgets(line, sizeof line, f)) {
		double mhz;
		if (strncmp(line, "cpu MHz", 7) == 0 && sscanf(strchr(line, ':') ? strchr(line, ':') + 1 : "", "%lf", &mhz) == 1) {
			sum += mhz;
			n++;
		}
	}
	fclose(f);
	return n ? sum / n : NAN;
}

void noise_begin(struct noise_mark *m)
{
	int running = -1, least = -1;
	read_stat(&m->steal, &m->total, &running);
	/* procs_running counts this thread too.  The least of five looks a
	 * millisecond apart leaves out tasks that only pass by. */
	for (int i = 0; i < 5; i++) {
		double s, t;
		if (i) {
			struct timespec ms = { 0, 1000000 };
			nanosleep(&ms, NULL);
			read_stat(&s, &t, &running);
		}
		if (running >= 1 && (least < 0 || running - 1 < least))
			least = running - 1;
	}
	m->runnable = least;
	m->ivcsw = involuntary();
	m->mhz = cpu_mhz();
}

void noise_end(const struct noise_mark *m, struct noise_figures *out)
{
	double steal, total;
	int running;
	read_stat(&steal, &total, &running);
	out->steal_fraction = total > m->total ? (steal - m->steal) / (total - m->total) : NAN;
	out->involuntary_switches = involuntary() - m->ivcsw;
	out->runnable_before = m->runnable;
	double mhz = cpu_mhz();
	out->cpu_mhz = isnan(m->mhz) ? mhz : isnan(mhz) ? m->mhz : (m->mhz + mhz) / 2;
}

double noise_probe_cpu(void)
{
	/* A chain of dependent multiply-xorshift steps: no memory traffic,
	 * nothing a compiler can fold away (the result is kept). */
	volatile uint64_t sink;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	double t0 = now();
	for (long i = 0; i < 20000000; i++) {
		x ^= x >> 31;
		x *= 0xbf58476d1ce4e5b9ull;
	}
	sink = x;
	(void)sink;
	return now() - t0;
}

int noise_probe_latency(size_t bytes, bool huge, long max_hops, double *ns)
{
	const size_t line = 64;
	*ns = NAN;
	/* A power of two of cache lines, for the generator below. */
	size_t n = 1u << 14;
	while (n * 2 * line <= bytes)
		n *= 2;
	bytes = n * line;
	char *buf = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return -errno;
	madvise(buf, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	/* Line i holds the index of the next line to read: i -> a i + c mod n,
	 * which with c odd and a = 1 mod 4 visits every line before it repeats
	 * (Hull and Dobell), in an order no prefetcher follows.  Writing it is
	 * one sequential pass, so the probe costs little beyond the reads. */
	const uint64_t a = 0x5851f42d4c957f2dull & ~3ull, c = 0x14057b7ef767814full;
	for (size_t i = 0; i < n; i++)
		*(uint64_t *)(buf + i * line) = ((a | 1) * i + c) & (n - 1);
	size_t hops = n < (size_t)max_hops ? n : (size_t)max_hops;
	uint64_t at = 0;
	for (size_t i = 0; i < hops / 8; i++)
		at = *(volatile uint64_t *)(buf + at * line);
	double t0 = now();
	for (size_t i = 0; i < hops; i++)
		at = *(volatile uint64_t *)(buf + at * line);
	double t = now() - t0;
	munmap(buf, bytes);
	*ns = t / (double)hops * 1e9 + (at == UINT64_MAX ? 1 : 0);
	return 0;
}
