/*
 * params.h - the run parameters of a point, declared once.
 *
 * struct strategy_params holds them; the table (params.c) says of each
 * its name (the option --NAME, and the CSV column where it has one), its
 * type and range, its default, which strategies honour it (by their
 * flags), whether the worker program or the MPI program must be told it,
 * and its help line.  From that one table come `run`'s options and their
 * help, the check that a strategy honours what it is given (and the
 * message when it does not), the arguments of the worker and MPI programs
 * and their parsing back, and the cells of the parameter columns in the
 * CSV.  Adding a parameter: a field here, a line in the table.
 *
 * It leaves out the runner's own options (repetitions, CSV file, memory
 * ballast, competing load), which describe how a point is measured rather
 * than what runs, and the sweep's lists, which are built from these names.
 */
#ifndef SPREADBENCH_PARAMS_H
#define SPREADBENCH_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum strategy_start { STRATEGY_START_FORK, STRATEGY_START_SPAWN };
enum strategy_schedule { STRATEGY_SCHEDULE_BLOCK, STRATEGY_SCHEDULE_SNAKE, STRATEGY_SCHEDULE_DYNAMIC };
enum strategy_attach { STRATEGY_ATTACH_WORKER, STRATEGY_ATTACH_JOB };
/* openmp: parallel across jobs, or inside one job with jobs in turn. */
enum strategy_mode { STRATEGY_MODE_BATCH, STRATEGY_MODE_SINGLE };
enum strategy_allocator { STRATEGY_ALLOC_GLIBC, STRATEGY_ALLOC_JEMALLOC };
/* The order of a batch's jobs: as the workload's list draws them, or by
 * expected cost, largest first, as a naive split of a sorted list deals
 * them (contiguous blocks then get very unequal work). */
enum strategy_order { STRATEGY_ORDER_DRAWN, STRATEGY_ORDER_COST };
/* Where shared inputs live: the best page size the system gives, or one
 * forced (huge: hugetlb; thp: shared transparent huge pages; 4k). */
enum strategy_pages { STRATEGY_PAGES_AUTO, STRATEGY_PAGES_HUGE, STRATEGY_PAGES_THP, STRATEGY_PAGES_4K };

/* Faults a worker can be told to commit on one job, to test recovery. */
enum strategy_fault {
	STRATEGY_FAULT_NONE,
	STRATEGY_FAULT_SEGV,             /* raise(SIGSEGV) */
	STRATEGY_FAULT_ABORT,            /* abort() */
	STRATEGY_FAULT_EXIT,             /* _exit(3) */
	STRATEGY_FAULT_HANG,             /* sleep until killed: needs a job timeout */
	STRATEGY_FAULT_STOP,             /* raise(SIGSTOP): stopped until killed, as `kill -STOP` leaves it */
};
/* fault_job for a fault committed while putting the inputs in place, by
 * the first worker the run starts (mpi-shm: rank 0 after MPI_Init). */
#define STRATEGY_FAULT_AT_SETUP (-2)

struct strategy_params {
	const char *workload;            /* a built-in's name, or a plug-in's path */
	const char *options;             /* the workload's own, resolved ("" for none) */
	const char *scenario;
	uint64_t seed;
	int mix;                         /* WORKLOAD_JOBS_IDENTICAL or _MIXED */
	int dtype;                       /* WORKLOAD_F32 or _F64 */
	enum strategy_order order;       /* the batch's job order */
	int workers;
	int jobs;
	enum strategy_schedule schedule;
	int chunksize;
	enum strategy_start start;
	enum strategy_attach attach;
	enum strategy_pages pages;       /* shared inputs' pages */
	double job_timeout_s;            /* 0: none */
	double setup_timeout_s;          /* 0: none; a worker (mpi-shm: the launch) that has not put
					  * its inputs in place this long after it started is killed */
	int fault_job;                   /* -1: none */
	enum strategy_fault fault;
	const char *worker_path;         /* the exec'd worker, for --start spawn */
	bool pin;                        /* bind each thread to its own core */
	enum strategy_mode mode;
	int job_threads;                 /* threads inside each job: 0 or 1 one, N, -1 the default team */
	enum strategy_allocator allocator; /* recorded: the runner arranges it before running */
	int virtual_nodes;               /* mpi-shm: windows per node (0 or 1: one) */
	const char *hostfile;            /* mpi-shm: hosts for the launcher, or NULL */
	int nice;                        /* process strategies: workers' nice value (0: left alone) */
};

/* The defaults: the fire workload and its default scenario, seed 1, mixed jobs,
 * one worker, chunks of one, no fault. */
void params_defaults(struct strategy_params *p);

/* Where a parameter must travel besides the runner. */
#define PARAM_TO_WORKER 0x1u             /* the worker program (--start spawn) */
#define PARAM_TO_MPI 0x2u                /* the MPI program */
/* For params_to_argv: every parameter the strategy honours that is set,
 * defaults included, as `spreadbench run` takes them (a sweep's child
 * runs). */
#define PARAM_TO_RUN 0x4u

enum param_type { PARAM_STRING, PARAM_U64, PARAM_INT, PARAM_DOUBLE, PARAM_ENUM, PARAM_FLAG, PARAM_FAULT };

struct param {
	const char *name;                /* --NAME */
	const char *also;                /* another option name users know it by, or NULL */
	const char *column;              /* its CSV column, or NULL when it has none */
	enum param_type type;
	size_t offset;                   /* of its field in struct strategy_params */
	const char *const *names;        /* PARAM_ENUM: its values, by number */
	int nnames;
	long lo, hi;                     /* PARAM_INT: the range */
	const char *alias;               /* PARAM_INT: a word for -1 ("auto"), or NULL */
	unsigned needs;                  /* strategy flags, any of which it needs (0: every strategy) */
	unsigned to;                     /* PARAM_TO_WORKER | PARAM_TO_MPI */
	const char *metavar;
	const char *help;
};

extern const struct param params_table[];
extern const int params_count;
const struct param *param_find(const char *name);

/* Sets the parameter from its text; 0, or -EINVAL (a value out of its
 * range or set). */
int param_parse(const struct param *d, const char *text, struct strategy_params *p);
/* Its value as text ("-" where it does not apply is the caller's choice):
 * into buf, returned. */
const char *param_format(const struct param *d, const struct strategy_params *p, char *buf, size_t len);
/* Whether a strategy with these flags honours it. */
bool param_applies(const struct param *d, unsigned strategy_flags);

/* "--NAME VALUE" pairs for every parameter that travels `to`, applies to
 * a strategy with these flags, is set and differs from its default (the
 * program assumes the default), appended to argv (which must have room
 * for 2 * params_count more); buf holds the texts.  Strings are passed as
 * they are, not copied. */
struct param_argv {
	char text[64][160];
	int n;
};
int params_to_argv(const struct strategy_params *p, unsigned strategy_flags, unsigned to, const char **argv, int *argc,
		   struct param_argv *buf);

/* The reverse, in a program that was passed them: when argv[*i] is
 * "--NAME" of a parameter that travels `to`, parses it (and its value)
 * into p and moves *i past them: 1; 0 when it is not such a parameter;
 * -EINVAL for a missing or bad value. */
int params_take_arg(int argc, char **argv, int *i, unsigned to, struct strategy_params *p);

/* (registry.c) The names of the flags' strategies as a phrase ("strategies that start
 * worker processes: fork-per-job, pool-copy, pool-shm"), for messages. */
void params_who(unsigned needs, char *buf, size_t len);

/* Names of the enums, for the CSV and messages; "?" out of range. */
const char *strategy_start_name(enum strategy_start s);
const char *strategy_schedule_name(enum strategy_schedule s);
const char *strategy_attach_name(enum strategy_attach a);
const char *strategy_fault_name(enum strategy_fault f);
const char *strategy_mode_name(enum strategy_mode m);
const char *strategy_allocator_name(enum strategy_allocator a);
const char *strategy_order_name(enum strategy_order o);
const char *strategy_pages_name(enum strategy_pages pg);
const char *strategy_mix_name(int mix);
const char *strategy_dtype_name(int dtype);
int strategy_start_parse(const char *s, enum strategy_start *out);
int strategy_schedule_parse(const char *s, enum strategy_schedule *out);
int strategy_attach_parse(const char *s, enum strategy_attach *out);
int strategy_fault_parse(const char *s, enum strategy_fault *out);
int strategy_mode_parse(const char *s, enum strategy_mode *out);
int strategy_allocator_parse(const char *s, enum strategy_allocator *out);
int strategy_order_parse(const char *s, enum strategy_order *out);
int strategy_pages_parse(const char *s, enum strategy_pages *out);
int strategy_mix_parse(const char *s, int *out);
int strategy_dtype_parse(const char *s, int *out);

#endif
