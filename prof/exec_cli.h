/*
 * exec_cli.h - the parts of `spreadbench exec` (cmd_exec.c): its options,
 * the plan they make (exec_plan.c: the commands, their labels, the
 * parameters' values and the points, one per command and combination of
 * values, each command checked before anything runs), and what it prints
 * at the end (exec_summary.c: each point's figures, and every other
 * command against the first at the same values).  The measuring itself is
 * exec.h's.
 */
#ifndef SPREADBENCH_EXEC_CLI_H
#define SPREADBENCH_EXEC_CLI_H

#include "exec.h"

#include <stdbool.h>
#include <stdio.h>

#define EXEC_MAX_COMMANDS 32
#define EXEC_MAX_PARAMS 8
#define EXEC_MAX_VALUES 1024
#define EXEC_MAX_POINTS 10000
/* A label is a key column, whose cells hold 63 bytes (point.h); the one
 * given, before the parameters' values are added, at most this much. */
#define EXEC_LABEL_MAX 63
#define EXEC_LABEL_GIVEN_MAX 48

struct exec_param {
	const char *name;
	char **values;                   /* owned */
	int n;
};

/* A command as given: its template, {NAME} unreplaced. */
struct exec_cmdspec {
	char label[EXEC_LABEL_MAX + 1];
	char *text;                      /* the command line as shown (owned) */
	char **words;                    /* without --shell: its words (owned), else NULL */
	int nwords;
};

enum exec_metric { EXEC_WALL, EXEC_USER, EXEC_SYS, EXEC_PSS, EXEC_RSS, EXEC_HWM, EXEC_PROCS, EXEC_NMETRIC };

/* One command at one combination of the parameters' values. */
struct exec_pt {
	int cmd, combo;
	char label[EXEC_LABEL_MAX + 1];
	int workers;
	struct exec_command c;           /* argv and text owned */
	char *prepare, *cleanup;         /* owned, or NULL */
	int done, warmups;               /* measured runs, warm-up runs */
	int nvalid, failed, cap;         /* runs that exited 0 (their figures in v), and not */
	double *v[EXEC_NMETRIC];
};

struct exec_args {
	/* Options. */
	int reps, warmup, max_reps;
	bool auto_reps;
	double precision, time_budget_s;
	const char *csv;
	const char *labels[EXEC_MAX_COMMANDS];
	int nlabels;
	const char *vs[EXEC_MAX_COMMANDS];
	int nvs;
	struct exec_param params[EXEC_MAX_PARAMS];
	int nparams;
	const char *workers_param;
	int workers;                     /* --workers; 0: not given */
	int jobs;
	double timeout_s;
	const char *prepare, *cleanup;
	bool shell, show_output;
	double factor, sample_interval_s;
	char **cmd;                      /* CMD ARGS... */
	int ncmd;
	/* The plan. */
	struct exec_cmdspec commands[EXEC_MAX_COMMANDS];
	int ncommands;
	int workers_index;               /* the parameter that is the worker count, or -1 */
	int ncombos;
	struct exec_pt *pts;
	int npts;
	/* What happened. */
	int failed_runs;
};

/* --param NAME=A,B,C (range false) or --param-range NAME=START:END[:STEP]
 * (range true) into a->params; -EINVAL after a message. */
int exec_param_parse(struct exec_args *a, const char *arg, bool range);
/* The commands, labels, worker count and points from the options; 0, or
 * -EINVAL (bad input: a missing command, a label too long, ...) or
 * -ENOMEM after a message. */
int exec_plan(struct exec_args *a);
void exec_args_release(struct exec_args *a);

/* Keeps a measured row's figures (valid rows) or counts it failed. */
int exec_pt_add(struct exec_pt *pt, const struct runner_row *row);
/* Each point's figures, then every other command against the first. */
void exec_summary(const struct exec_args *a, FILE *out);

#endif
