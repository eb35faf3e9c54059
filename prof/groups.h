/*
 * groups.h - the valid rows of a results file, grouped into points for
 * plots, reports, recommendations and comparisons: one group per point
 * (the cells of its key columns, point.h), holding each metric of every
 * repetition.  Groups are found by the point they measured
 * (groups_find_point), never by a label; labels only name them for
 * people.  A label is the strategy plus whatever of start, schedule,
 * chunksize, mode, threads per fire, virtual nodes, attach, pinning,
 * allocator, dtype, the runner's ballast, nice, competing load, job order
 * and (in a folder with both) mixed jobs sets its rows apart from the
 * defaults ("pool-shm spawn dynamic", "fork-per-job parent 1 GiB").  Rows
 * of `spreadbench exec` (strategy "exec") are points like any other, told
 * apart by their label column and workers, and labelled "exec LABEL".
 */
#ifndef SPREADBENCH_GROUPS_H
#define SPREADBENCH_GROUPS_H

#include "point.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum group_metric {
	G_WALL, G_PSS, G_RSS, G_MHA, G_JPS, G_SETUP, G_COMPUTE, G_LATENCY, G_INPUT, G_TAIL,
	/* Columns newer files have; NaN in rows of files without them. */
	G_BUSY, G_SETUP_PEAK, G_PARENT, G_SAMPLER, G_LOAD, G_STEAL, G_IVCSW, G_RUNNABLE, G_MHZ,
	G_TEARDOWN, G_HWM, G_PROCS,
	/* The workload's work units (figure 0) per second of wall time and
	 * per CPU-hour (a core per worker for the wall time); for files from
	 * before the workload interface, the burned cells. */
	G_WORK, G_WORK_CPU_HR,
	G_PAGE,                          /* the shared inputs' page size (shm_page_bytes) */
	G_JOB,                           /* mean time inside one job (mean_job_s) */
	G_NMETRIC
};
/* The metrics every results file has. */
#define G_REQUIRED G_BUSY

/* The CSV column of a metric (G_WORK_CPU_HR is derived from G_WORK;
 * G_MHA is NaN for a workload without a burned area). */
extern const char *const group_metric_columns[G_NMETRIC];

struct group {
	char label[128];
	char strategy[32];
	int workers, jobs;
	struct point_key key;
	size_t n, cap;
	double *v[G_NMETRIC];
};

struct groups {
	struct group *g;
	size_t n, cap;
	size_t used;                     /* valid rows */
	size_t invalid;                  /* rows left out */
	int max_workers;                 /* of the parallel strategies (not exec's) */
	char scenario[32];               /* of the first strategy's row, else the first row's */
	bool scenario_of_strategy;
	bool has[POINT_NKEY];            /* key columns the file had; the others match anything */
};

/* Reads path; 0, or -EINVAL / -ENOENT etc. with a message on stderr. */
int groups_load(const char *path, struct groups *gs);
/* An empty set, for rows added by hand (tests, resampling). */
void groups_init(struct groups *gs);
/* Adds one row of metrics v to the group of key; groups_finish names the
 * groups once every row is in.  0 or -ENOMEM. */
int groups_add(struct groups *gs, const struct point_key *key, const double *v);
void groups_finish(struct groups *gs);
void groups_release(struct groups *gs);

/* Whether g measured a command (`spreadbench exec`) rather than a strategy. */
bool group_is_exec(const struct group *g);
/* The point of g's label and jobs with the fewest workers: a command's
 * speedup is relative to it, since no serial run exists for a command. */
const struct group *groups_exec_base(const struct groups *gs, const struct group *g);

double group_median(const struct group *g, enum group_metric m);
double group_min(const struct group *g, enum group_metric m);
double group_max(const struct group *g, enum group_metric m);
/* The cell of a key column ("" for a column the file lacked). */
const char *group_cell(const struct group *g, const char *column);

/* The group that measured pt, or NULL. */
const struct group *groups_find_point(const struct groups *gs, const struct point *pt);
/* The group of a label, workers and jobs (workers or jobs 0: any), or NULL. */
const struct group *groups_find(const struct groups *gs, const char *label, int workers, int jobs);

/* dst: the same groups, each with as many repetitions drawn with
 * replacement from its own (a bootstrap resample, rows kept whole).
 * *rng is a xorshift state the caller seeds. */
int groups_resample(const struct groups *src, uint64_t *rng, struct groups *dst);

#endif
