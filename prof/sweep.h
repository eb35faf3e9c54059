/*
 * sweep.h - a sweep: its plan (the points to measure, from a preset, the
 * axes given on the command line and the findings' experiments;
 * sweep_plan.c) and its execution (interleaved rounds, adaptive
 * repetitions, child runs, the results folder; cmd_sweep.c).
 */
#ifndef SPREADBENCH_SWEEP_H
#define SPREADBENCH_SWEEP_H

#include "point.h"
#include "runner.h"

#include <stdbool.h>
#include <stdint.h>

#define SWEEP_MAXLIST 32

struct sweep_list {
	int n;
	long v[SWEEP_MAXLIST];
};

/* A preset: what `sweep --preset NAME` measures unless told otherwise. */
struct sweep_preset {
	const char *name;
	const char *summary;
	bool benchmark;                  /* the workload's benchmark scenario, not its default */
	int mix;                         /* WORKLOAD_JOBS_IDENTICAL or _MIXED */
	bool one_over;                   /* also one worker more than the cores */
	struct sweep_list ratios;
	int reps;                        /* the least repetitions a point gets */
	double precision;                /* adaptive: stop at this half-width / median (0: fixed reps) */
	int max_reps;
	bool findings;                   /* add the findings' experiments */
};
const struct sweep_preset *sweep_preset_find(const char *name);
/* "quick, full or findings", for messages. */
const char *sweep_preset_names(void);

struct sweep_point {
	struct runner_options o;         /* o.wl and o.ws: opened when the point is first measured */
	struct point_key key;            /* its cells in point_key_columns */
	int done;                        /* repetitions in the file */
	double *walls;                   /* their wall times, for the precision rule */
	int nwalls, capwalls;
	bool warmed;
	bool child;                      /* measured by a child `spreadbench run` */
	bool skipped;                    /* this machine cannot run it: one row says why */
	struct runner_reference *ref;
};

struct sweep {
	const struct sweep_preset *preset;
	const char *workload;            /* --workload (default fire) */
	const char *options;             /* the workload's options, resolved once (its options()) */
	bool has_f64, has_threads;       /* what the workload offers besides f32 and a thread a job */
	const char *scenario, *out, *resume;
	const char *strategies[SWEEP_MAXLIST];
	int nstrategies;
	struct sweep_list cores, ratios, chunks;
	int starts[2], nstarts, schedules[3], nschedules, attaches[2], nattaches, dtypes[2], ndtypes;
	int modes[2], nmodes, pins[2], npins, allocators[2], nallocators;
	const char *experiments;         /* findings: the ids to measure (NULL: all) */
	int ncores;
	int reps, warmup, max_reps;
	double precision;                /* 0: fixed repetitions */
	double time_budget_s;            /* 0: none */
	double job_timeout_s;            /* process strategies; < 0: from the serial reference */
	uint64_t seed;
	int mix;
	bool mix_set, progress, dry_run, precision_set;
	struct sweep_point *pts;
	int npts;
};

/* The points of s: the grid of strategies x cores x ratios x the optional
 * axes, serial once per batch size, and for the findings preset the
 * experiments of the findings asked for.  0 or a negative errno (with a
 * message). */
int sweep_plan(struct sweep *s);
/* Whether the findings preset measures finding id (s->experiments). */
bool sweep_wants(const struct sweep *s, const char *id);
/* Checks --experiments: every id names a finding with an experiment. */
int sweep_check_experiments(const char *list);
/* Opens the point's workload and scenario for o.wl and o.ws (once;
 * sweep_release closes them): 0, or a negative errno with a message. */
int sweep_point_open(struct sweep_point *pt);
void sweep_release(struct sweep *s);

#endif
