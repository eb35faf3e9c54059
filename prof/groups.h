/*
 * groups.h - the valid rows of a results file, grouped into points for
 * plots and reports: one group per strategy variant, workers and jobs,
 * holding each metric of every repetition.  A variant is the strategy
 * plus whatever of start, schedule, chunksize, mode, threads per fire,
 * virtual nodes, attach, pinning, allocator, dtype, the runner's ballast,
 * nice, competing load and (in a folder with both) mixed jobs sets its
 * rows apart from the defaults ("pool-shm spawn dynamic", "serial f64",
 * "fork-per-job parent 1 GiB").
 */
#ifndef SPREADBENCH_GROUPS_H
#define SPREADBENCH_GROUPS_H

#include <stddef.h>

enum group_metric {
	G_WALL, G_PSS, G_RSS, G_MHA, G_JPS, G_SETUP, G_COMPUTE, G_LATENCY, G_INPUT, G_TAIL,
	/* Columns newer files have; NaN in rows of files without them. */
	G_BUSY, G_SETUP_PEAK, G_PARENT, G_SAMPLER, G_LOAD, G_NMETRIC
};

struct group {
	char label[96];
	char strategy[32];
	int workers, jobs;
	size_t n, cap;
	double *v[G_NMETRIC];
};

struct groups {
	struct group *g;
	size_t n, cap;
	size_t used;                     /* valid rows */
	size_t invalid;                  /* rows left out */
	int max_workers;                 /* of the parallel strategies */
	char scenario[32];
};

/* Reads path; 0, or -EINVAL / -ENOENT etc. with a message on stderr. */
int groups_load(const char *path, struct groups *gs);
void groups_release(struct groups *gs);
double group_median(const struct group *g, enum group_metric m);
double group_min(const struct group *g, enum group_metric m);
double group_max(const struct group *g, enum group_metric m);
/* The group of a label, workers and jobs (workers or jobs 0: any), or NULL. */
const struct group *groups_find(const struct groups *gs, const char *label, int workers, int jobs);

#endif
