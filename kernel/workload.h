/*
 * workload.h - what spreadbench runs: the workload interface.
 *
 * A workload is the simulation a batch is made of.  spreadbench ships two
 * (the fire model, "fire", and a synthetic stand-in described by a few
 * numbers, "synthetic"); a user brings another as a shared library that
 * exports spreadbench_workload() (see the end of this file).  The harness
 * owns everything parallel: it decides where the read-only input block
 * lives (private memory, a copy-on-write pool, a sealed memfd, an MPI
 * window), which process or thread runs which job, and measures it all.
 * The workload only describes its inputs, fills the block it is given,
 * reads it back, and runs one job at a time on private state.
 *
 * The interface is versioned as SQLite's sqlite3_io_methods is: a struct
 * of function pointers whose first member, iVersion, says which version
 * of this header it was built against.  A later version only ever adds
 * members at the end, so an older workload keeps working where its
 * version is still accepted; spreadbench refuses a workload built for
 * another version with a message naming the library and both versions.
 *
 * Contracts that hold for every slot:
 *   - Functions return 0 or a negative errno (-EINVAL for a bad scenario,
 *     option or job, -ENOMEM, -ENOTSUP for what the workload cannot do).
 *     On failure every out parameter is NULL or untouched, and nothing is
 *     left allocated.
 *   - close, detach and job_free accept NULL.
 *   - Everything is deterministic: the same scenario, seed, dtype, options
 *     and job give the same input bytes and the same summary in every
 *     process, thread and run.  That is how each run is validated: every
 *     strategy's summaries must equal the serial run's.
 *   - Thread safety: open, input_bytes, job and options may be called from
 *     any thread at any time; build may be called concurrently for
 *     different parts; any number of views may be attached at once; each
 *     state is used by one thread at a time, and different states run
 *     jobs concurrently over the same view.
 *   - The workload never allocates the input block, and never writes it
 *     outside build: after build the harness may seal it read-only.
 *   - The block holds no pointers (it is mapped at different addresses in
 *     different processes) and nothing that depends on the process.
 */
#ifndef SPREADBENCH_WORKLOAD_H
#define SPREADBENCH_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

/* The version of this interface; a workload sets iVersion to it. */
#define WORKLOAD_VERSION 1

/* Job lists: every workload has both.  Identical repeats its reference
 * job: every job n of it must give the same summary (the reference runs
 * it once); mixed draws jobs that differ in cost (from the seed), which
 * is what makes scheduling matter. */
#define WORKLOAD_JOBS_IDENTICAL 0
#define WORKLOAD_JOBS_MIXED 1

/* Storage type of the inputs, where a workload offers a choice (a
 * workload that does not returns -ENOTSUP from open for f64).  The type
 * changes where the inputs live, never the answer: a job gives the same
 * summary with f64 inputs as with f32, and every run is checked against
 * an f32 reference. */
#define WORKLOAD_F32 0
#define WORKLOAD_F64 1

/* A job's answer: what validation compares, and the named figures the
 * CSV sums over a batch. */
#define WORKLOAD_FIGURES 6
struct workload_summary {
	uint64_t checksum;               /* equal only for the same answer */
	double figure[WORKLOAD_FIGURES]; /* the workload's figures, in its order */
};

struct workload_figure {
	const char *name;                /* a CSV-safe word: "burned_cells" */
	const char *unit;                /* "cells" */
	const char *meaning;             /* one line for people */
};

/* One job of a list. */
struct workload_job {
	int mix;                         /* WORKLOAD_JOBS_IDENTICAL or _MIXED */
	int n;                           /* its index in the list */
	double expected_cost;            /* relative (only ratios matter), for schedules
					    that sort by cost; > 0 */
	char text[96];                   /* for people: "ignition (500, 500) at 2070 min, 720 min" */
};

struct workload_scenario;                /* a workload's description of one scenario */
struct workload_view;                    /* a read-only view of a built input block */
struct workload_state;                   /* one worker's private job state */

struct workload {
	int iVersion;                    /* WORKLOAD_VERSION it was built against */
	const char *name;                /* a word: "fire", "heat" */
	const char *version;             /* the workload's own version: "1.2.0" */
	const char *summary;             /* one line */
	const char *scenarios;           /* the scenario names it knows, comma-separated */
	const char *default_scenario;    /* a small one, for quick runs and tests */
	/* Optional: the scenario a full benchmark measures (sweep's full and
	 * findings presets); NULL: the default one. */
	const char *benchmark_scenario;
	/* Optional: the options it takes, one per line, "key=default  what it
	 * does", for `spreadbench list --workload`; NULL when it takes none. */
	const char *options_help;
	int nfigures;                    /* 1 to WORKLOAD_FIGURES */
	/* Figure 0 counts the work a job did (burned cells, cell updates,
	 * photons): throughput is figure 0 per second. */
	struct workload_figure figures[WORKLOAD_FIGURES];

	/* Describes a scenario without building anything.  options is the
	 * workload's own parameters as "key=value,key=value" (NULL or "" for
	 * its defaults); -EINVAL with an unknown scenario or option. */
	int (*open)(const char *scenario, uint64_t seed, int dtype, const char *options,
		    struct workload_scenario **out);
	void (*close)(struct workload_scenario *sc);
	/* The options resolved to the full set every process must use (the
	 * defaults filled in, any calibration done at open written out): the
	 * harness passes this string to the processes it starts, which open
	 * the same scenario with it.  Valid until close. */
	const char *(*options)(const struct workload_scenario *sc);

	/* Bytes of the input block.  0 is allowed (no shared inputs). */
	size_t (*input_bytes)(const struct workload_scenario *sc);
	/* Fills part `part` of `nparts` of the block (zero-filled, page
	 * aligned, input_bytes long).  Parts are disjoint and the union of all
	 * of them is the whole block, whatever nparts; the harness may build
	 * parts concurrently from several threads or processes, or all parts
	 * in one call with part 0 of 1. */
	int (*build)(const struct workload_scenario *sc, void *block, int part, int nparts);
	/* A read-only view of a built block; it keeps pointers into block,
	 * which must outlive it. */
	int (*attach)(const struct workload_scenario *sc, const void *block, struct workload_view **out);
	void (*detach)(struct workload_view *v);

	/* Job n (n >= 0) of a list; the same (scenario, mix, n) always gives
	 * the same job.  -EINVAL for n past the list's end. */
	int (*job)(const struct workload_scenario *sc, int mix, int n, struct workload_job *out);

	/* A worker's private state over a view: allocated once, reused for
	 * every job it runs.  run_job starts each job from scratch. */
	int (*job_new)(const struct workload_view *v, struct workload_state **out);
	int (*run_job)(struct workload_state *st, const struct workload_job *job, struct workload_summary *out);
	void (*job_free)(struct workload_state *st);

	/* Optional (NULL when not offered): split each job across `threads`
	 * threads (0: the workload's default), with the same summary at any
	 * count; -ENOTSUP when it cannot. */
	int (*set_threads)(struct workload_state *st, int threads);
};

/*
 * A shared library that brings a workload exports this function (C
 * linkage, default visibility).  spreadbench calls it with the version it
 * speaks; it returns its struct workload (static storage), or NULL when it
 * cannot serve that version.  A minimal one:
 *
 *   #include <spreadbench/workload.h>
 *   static const struct workload mine = { .iVersion = WORKLOAD_VERSION, ... };
 *   const struct workload *spreadbench_workload(int host_version)
 *   {
 *           return host_version == WORKLOAD_VERSION ? &mine : NULL;
 *   }
 */
#define WORKLOAD_ENTRY "spreadbench_workload"
typedef const struct workload *(*workload_entry_fn)(int host_version);
const struct workload *spreadbench_workload(int host_version);

#endif
