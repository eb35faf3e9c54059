/*
 * cmd_run.c - `spreadbench run`: measure one point (a strategy and its
 * parameters) `--reps` times after `--warmup` untimed runs, validate every
 * job against the serial answer, and append one CSV row per repetition
 * (or print a short table).  Exit status: 0 every row ok and valid, 1 a
 * row failed or differs from serial (or the whole run's limit ended the
 * process after writing its row), 2 bad input or a point that does not
 * fit in memory, 128+signal when interrupted (rows already written stay
 * whole).
 *
 * Before anything starts, the point's peak memory is estimated from the
 * strategy's footprint and checked against what the machine (or its
 * cgroup) can give; once the serial reference has measured a job's state,
 * again with the states counted.  The reference also sets the default setup
 * limit, from how long it took to build the inputs.
 */
#include "cli.h"
#include "csvio.h"
#include "inputs.h"
#include "workloads.h"
#include "results.h"
#include "runner.h"
#include "stats.h"

#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void run_usage(FILE *out)
{
	fprintf(out, "usage: spreadbench run --strategy NAME [options]\n"
		     "  --strategy NAME       see 'spreadbench list'\n"
		     "run parameters (each strategy honours those its flags name; see 'spreadbench list'):\n");
	for (int i = 0; i < params_count; i++) {
		const struct param *d = &params_table[i];
		char opt[64];
		snprintf(opt, sizeof opt, "%s%s%s", d->name, d->metavar ? " " : "", d->metavar ? d->metavar : "");
		fprintf(out, "  --%-20s %s\n", opt, d->help);
	}
	fprintf(out,
		"the synthetic workload's options, as options of their own (imply --workload synthetic):\n"
		"  --input-mb M, --job-ms T, --job-mb S, --access stream|random, --cost-spread X\n"
		"measuring:\n"
		"  --reps N|auto         measured repetitions (default 1); auto: at least 6, more until\n"
		"                        the median wall time is known to --precision\n"
		"  --precision P         with --reps auto: the 95 %% interval's half-width / median to\n"
		"                        reach (default 2%%)\n"
		"  --max-reps N          with --reps auto: at most N repetitions (default 30)\n"
		"  --time-budget S       with --reps auto: start no repetition after S seconds (or 10m)\n"
		"  --warmup N            untimed runs first (default 0)\n"
		"  --csv FILE            append one row per repetition (header and context when new)\n"
		"  --run-timeout S       serial and thread strategies: end the process after S seconds\n"
		"                        of one run, its row written as timeout (threads cannot be\n"
		"                        stopped one by one)\n"
		"  --force               run a point whose estimated peak memory exceeds what the\n"
		"                        machine or its cgroup can give (refused otherwise)\n"
		"  --memory-budget SIZE  check the estimate against SIZE instead (e.g. 8G)\n"
		"  --parent-rss SIZE     hold SIZE of touched private memory (4 KiB pages) in the\n"
		"                        runner while measuring (e.g. 256M, 4G; 0 for none), or\n"
		"                        'inputs' for a private copy of the scenario's inputs\n"
		"  --load N              N CPU-bound processes spin beside each measured run (0-1024)\n"
		"  --sample-interval S   memory sampling interval, lengthened if it costs > 0.5%%\n"
		"                        of a core (default 0.02)\n");
}

struct run_args {
	struct runner_options o;
	const char *strategy_name;
	int reps, warmup;
	bool auto_reps;                  /* --reps auto: until the median is precise */
	double precision, time_budget_s;
	int max_reps;
	const char *csv;
	const char *parent_rss;          /* NULL, "inputs", or a size */
	uint64_t parent_rss_size;
	uint64_t memory_budget;          /* 0: what the machine can give */
	bool force;
	bool set[64];                    /* run parameters given, by table index */
	char shortcuts[512];             /* the synthetic workload's options given as options */
	struct workload_scenario *ws;    /* opened (check_workload) */
};

/* The runner's own options; the run parameters' come from their table. */
enum { OPT_STRATEGY = 1, OPT_REPS, OPT_WARMUP, OPT_CSV, OPT_PARENT_RSS, OPT_LOAD, OPT_SAMPLE, OPT_PRECISION,
       OPT_MAX_REPS, OPT_TIME_BUDGET, OPT_RUN_TIMEOUT, OPT_FORCE, OPT_MEMORY_BUDGET, OPT_HELP, OPT_SHORTCUT,
       OPT_PARAM = 1000 };


static int build_options(struct option *o, int cap)
{
	static const struct option own[] = {
		{ "strategy", required_argument, NULL, OPT_STRATEGY }, { "reps", required_argument, NULL, OPT_REPS },
		{ "warmup", required_argument, NULL, OPT_WARMUP },   { "csv", required_argument, NULL, OPT_CSV },
		{ "parent-rss", required_argument, NULL, OPT_PARENT_RSS }, { "load", required_argument, NULL, OPT_LOAD },
		{ "sample-interval", required_argument, NULL, OPT_SAMPLE },
		{ "precision", required_argument, NULL, OPT_PRECISION },
		{ "max-reps", required_argument, NULL, OPT_MAX_REPS },
		{ "time-budget", required_argument, NULL, OPT_TIME_BUDGET },
		{ "run-timeout", required_argument, NULL, OPT_RUN_TIMEOUT }, { "force", no_argument, NULL, OPT_FORCE },
		{ "memory-budget", required_argument, NULL, OPT_MEMORY_BUDGET }, { "help", no_argument, NULL, OPT_HELP },
	};
	int n = 0;
	for (size_t i = 0; i < sizeof own / sizeof own[0] && n < cap - 1; i++)
		o[n++] = own[i];
	for (int i = 0; cli_synthetic_options[i] && n < cap - 1; i++)
		o[n++] = (struct option){ cli_synthetic_options[i], required_argument, NULL, OPT_SHORTCUT };
	for (int i = 0; i < params_count && n < cap - 2; i++) {
		const struct param *d = &params_table[i];
		int has = d->type == PARAM_FLAG ? no_argument : required_argument;
		o[n++] = (struct option){ d->name, has, NULL, OPT_PARAM + i };
		if (d->also)
			o[n++] = (struct option){ d->also, has, NULL, OPT_PARAM + i };
	}
	o[n] = (struct option){ 0 };
	return n;
}

/* A synthetic option given as an option of its own (cli.h). */
static int add_shortcut(struct run_args *a, const char *name, const char *value)
{
	return cli_option_append(a->shortcuts, sizeof a->shortcuts, name, value);
}

/* One option of the runner's own; 0, or -EINVAL after a message. */
static int own_option(struct run_args *a, int c, const char *name)
{
	long v;
	double d;
	switch (c) {
	case OPT_STRATEGY:
		a->strategy_name = optarg;
		return 0;
	case OPT_LOAD:
		if (parse_int(optarg, 0, 1024, &v))
			break;
		a->o.load = (int)v;
		return 0;
	case OPT_REPS:
		if (strcmp(optarg, "auto") == 0)
			a->auto_reps = true;
		else if (parse_int(optarg, 1, 100000, &v))
			break;
		else
			a->reps = (int)v;
		return 0;
	case OPT_PRECISION:
		if (parse_fraction(optarg, &d) || !(d > 0))
			break;
		a->precision = d;
		return 0;
	case OPT_MAX_REPS:
		if (parse_int(optarg, 1, 100000, &v))
			break;
		a->max_reps = (int)v;
		return 0;
	case OPT_TIME_BUDGET:
		return parse_duration(optarg, &a->time_budget_s) ? (cli_error("invalid value '%s' for --%s", optarg,
									    name), -EINVAL) : 0;
	case OPT_WARMUP:
		if (parse_int(optarg, 0, 100000, &v))
			break;
		a->warmup = (int)v;
		return 0;
	case OPT_CSV:
		a->csv = optarg;
		return 0;
	case OPT_RUN_TIMEOUT:
		if (parse_double(optarg, &d) || !(d > 0))
			break;
		a->o.run_timeout_s = d;
		return 0;
	case OPT_FORCE:
		a->force = true;
		return 0;
	case OPT_MEMORY_BUDGET:
		if (parse_size(optarg, &a->memory_budget) || a->memory_budget == 0)
			break;
		return 0;
	case OPT_PARENT_RSS:
		if (strcmp(optarg, "inputs") && parse_size(optarg, &a->parent_rss_size)) {
			cli_error("invalid --parent-rss '%s' (a size such as 256M or 4G, or 'inputs')", optarg);
			return -EINVAL;
		}
		a->parent_rss = optarg;
		return 0;
	case OPT_SAMPLE:
		if (parse_double(optarg, &d) || !(d >= 0.001 && d <= 10))
			break;
		a->o.sample_interval_s = d;
		return 0;
	case OPT_SHORTCUT:
		if (add_shortcut(a, name, optarg))
			break;
		return 0;
	}
	cli_error("invalid value '%s' for --%s", optarg, name);
	return -EINVAL;
}

/* A run parameter, through its table entry. */
static int param_option(struct run_args *a, int index)
{
	const struct param *d = &params_table[index];
	const char *text = d->type == PARAM_FLAG ? "true" : optarg;
	if (param_parse(d, text, &a->o.p)) {
		if (d->type == PARAM_FAULT)
			cli_error("invalid --fault '%s' (KIND@JOB or KIND@setup, KIND one of segv, abort, exit, hang, "
				  "stop)", optarg);
		else if (d->metavar)
			cli_error("invalid value '%s' for --%s (%s)", optarg, d->name, d->metavar);
		else
			cli_error("invalid value '%s' for --%s", optarg, d->name);
		return -EINVAL;
	}
	if (strcmp(d->name, "hostfile") == 0 && access(optarg, R_OK) != 0) {
		cli_error("cannot read --hostfile '%s': %s", optarg, strerror(errno));
		return -EINVAL;
	}
	a->set[index] = true;
	return 0;
}

static int parse_args(int argc, char **argv, struct run_args *a)
{
	struct option opts[160];
	build_options(opts, (int)(sizeof opts / sizeof opts[0]));
	int c, li = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, &li)) != -1) {
		if (c == 'h' || c == OPT_HELP) {
			run_usage(stdout);
			return 1;
		}
		if (c == '?' || c == ':') {
			run_usage(stderr);
			return -EINVAL;
		}
		int rc = c >= OPT_PARAM ? param_option(a, c - OPT_PARAM) : own_option(a, c, opts[li].name);
		if (rc)
			return rc;
	}
	if (optind < argc) {
		cli_error("unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if ((a->precision > 0 || a->max_reps || a->time_budget_s > 0) && !a->auto_reps) {
		cli_error("--precision, --max-reps and --time-budget go with --reps auto");
		return -EINVAL;
	}
	return 0;
}

static bool given(const struct run_args *a, const char *name)
{
	const struct param *d = param_find(name);
	return d && a->set[d - params_table];
}

/* The time limits against what the strategy can enforce: a limit it
 * could not keep is refused, not silently ignored. */
static int check_limits(const struct run_args *a, const struct strategy *s)
{
	char stoppers[160];
	params_who(STRATEGY_STOPS_JOBS, stoppers, sizeof stoppers);
	if (!(s->flags & STRATEGY_STOPS_JOBS)) {
		const char *opt = given(a, "job-timeout") ? "--job-timeout" : given(a, "setup-timeout") ? "--setup-timeout"
				  : given(a, "fault") ? "--fault" : NULL;
		if (opt) {
			cli_error("%s needs a strategy that can stop one job or worker (%s), not '%s': its jobs run "
				  "inside one process and cannot be stopped one by one (--run-timeout limits the "
				  "whole run)", opt, stoppers, s->name);
			return -EINVAL;
		}
	} else if (a->o.run_timeout_s > 0) {
		char others[256] = "";
		for (int i = 0; i < strategy_registry_count; i++) {
			const struct strategy *t = strategy_registry[i].strategy;
			size_t n = strlen(others);
			if (t && !(t->flags & STRATEGY_STOPS_JOBS))
				snprintf(others + n, sizeof others - n, "%s%s", n ? ", " : "", t->name);
		}
		cli_error("--run-timeout applies to strategies whose jobs cannot be stopped one by one (%s), not '%s': "
			  "use --job-timeout and --setup-timeout", others, s->name);
		return -EINVAL;
	}
	return 0;
}

/* Every run parameter given must be one the strategy honours: the
 * message comes from the table and the strategies' flags. */
static int check_applies(const struct run_args *a, const struct strategy *s)
{
	for (int i = 0; i < params_count; i++) {
		const struct param *d = &params_table[i];
		if (!a->set[i] || param_applies(d, s->flags))
			continue;
		/* One worker is what a one-core strategy has anyway. */
		if (strcmp(d->name, "workers") == 0 && a->o.p.workers == 1)
			continue;
		char who[256];
		params_who(d->needs, who, sizeof who);
		cli_error("--%s does not apply to '%s': it applies to %s", d->name, s->name, who[0] ? who : "none built");
		return -EINVAL;
	}
	return 0;
}

static const struct strategy *find_strategy(const char *name)
{
	if (!name) {
		cli_error("missing --strategy (see 'spreadbench list')");
		return NULL;
	}
	return cli_strategy_built(name);
}

/*
 * The workload and its scenario, opened once: a plug-in's path made
 * absolute (every process of the run loads it, whatever its folder), the
 * default scenario filled in, the options resolved to the full set the
 * workers are given (a calibration done once, here).
 */
static int check_workload(struct run_args *a)
{
	static char path[PATH_MAX], options[1024];
	struct strategy_params *p = &a->o.p;
	char err[512];
	if (a->shortcuts[0]) {
		if (given(a, "workload") && strcmp(p->workload, "synthetic") != 0) {
			cli_error("--input-mb, --job-ms, --job-mb, --access and --cost-spread describe the synthetic "
				  "workload, not '%s'", p->workload);
			return -EINVAL;
		}
		p->workload = "synthetic";
		snprintf(options, sizeof options, "%s%s%s", a->shortcuts, p->options[0] ? "," : "", p->options);
		p->options = options;
	}
	if (workloads_is_path(p->workload)) {
		if (!realpath(p->workload, path)) {
			cli_error("--workload: cannot find '%s': %s", p->workload, strerror(errno));
			return -ENOENT;
		}
		p->workload = path;
	}
	if (workloads_open(p, &a->o.wl, &a->ws, err, sizeof err)) {
		cli_error("%s", err);
		return -EINVAL;
	}
	a->o.ws = a->ws;
	if (!p->scenario)
		p->scenario = a->o.wl->default_scenario;
	snprintf(options, sizeof options, "%s", a->o.wl->options(a->ws));
	p->options = options;
	if (p->job_threads != 0 && p->job_threads != 1 && !a->o.wl->set_threads) {
		cli_error("--job-threads: workload %s runs each job on one thread", a->o.wl->name);
		return -EINVAL;
	}
	return 0;
}

/* Checks the combination of options against what the strategy honours. */
static int check_args(struct run_args *a)
{
	struct strategy_params *p = &a->o.p;
	const struct strategy *s = a->o.strategy = find_strategy(a->strategy_name);
	if (!s || check_limits(a, s) || check_applies(a, s) || check_workload(a))
		return -EINVAL;
	if (!(s->flags & (STRATEGY_PROCESSES | STRATEGY_THREADS | STRATEGY_MPI)))
		p->workers = 1;
	if (p->virtual_nodes > 1 && p->virtual_nodes > p->workers) {
		cli_error("--virtual-nodes %d needs at least as many ranks (--workers)", p->virtual_nodes);
		return -EINVAL;
	}
	if (p->mode == STRATEGY_MODE_SINGLE && (given(a, "schedule") || given(a, "chunksize"))) {
		cli_error("--mode single runs the jobs in order: --schedule and --chunksize do not apply");
		return -EINVAL;
	}
	if (p->start == STRATEGY_START_SPAWN && (s->flags & STRATEGY_FORK_ONLY)) {
		cli_error("strategy '%s' shares its inputs by fork() alone: --start spawn does not apply", s->name);
		return -EINVAL;
	}
	if (p->jobs == 0)
		p->jobs = p->workers;
	if (p->fault != STRATEGY_FAULT_NONE && p->fault_job >= p->jobs) {
		cli_error("--fault names job %d but the batch has %d jobs", p->fault_job, p->jobs);
		return -EINVAL;
	}
	bool at_setup = p->fault_job == STRATEGY_FAULT_AT_SETUP;
	bool stuck = p->fault == STRATEGY_FAULT_HANG || p->fault == STRATEGY_FAULT_STOP;
	if (stuck && !at_setup && !(p->job_timeout_s > 0)) {
		cli_error("--fault %s@N needs --job-timeout, or the run would never end", strategy_fault_name(p->fault));
		return -EINVAL;
	}
	char err[256];
	if (strategy_check(s, p, err, sizeof err)) {
		cli_error("%s", err);
		return -EINVAL;
	}
	return 0;
}

/*
 * The allocator.  jemalloc is preloaded into a fresh copy of this program
 * rather than linked: the same binary then measures both allocators, every
 * allocation of the process (and of the workers it starts, which inherit
 * the environment) goes through the chosen one, and the glibc runs carry
 * no trace of jemalloc.  Whether jemalloc really serves malloc is checked
 * by looking up its mallctl entry point, not assumed from the environment.
 * Returns 0 to go on, or 2 after an error (the re-run does not return).
 */
static bool jemalloc_active(void)
{
	return dlsym(RTLD_DEFAULT, "mallctl") != NULL;
}

static int arrange_allocator(const struct strategy_params *p)
{
	bool active = jemalloc_active();
	if (p->allocator == STRATEGY_ALLOC_GLIBC) {
		if (active) {
			cli_error("jemalloc is preloaded (LD_PRELOAD): unset it, or ask for --allocator jemalloc");
			return 2;
		}
		return 0;
	}
	if (active)
		return 0;
	if (getenv("SPREADBENCH_PRELOADED")) {
		cli_error("jemalloc was preloaded but does not serve malloc (LD_PRELOAD=%s)",
			  getenv("LD_PRELOAD") ? getenv("LD_PRELOAD") : "");
		return 2;
	}
	const char *lib = getenv("SPREADBENCH_JEMALLOC");
	if (!lib)
		lib = SPREADBENCH_JEMALLOC_PATH;
	if (!lib[0] || access(lib, R_OK) != 0) {
		cli_error("--allocator jemalloc: no jemalloc library found%s%s (install libjemalloc2, "
			  "or set SPREADBENCH_JEMALLOC to its path)", lib[0] ? " at " : "", lib);
		return 2;
	}
	const char *old = getenv("LD_PRELOAD");
	char *preload = NULL;
	if (asprintf(&preload, "%s%s%s", lib, old && old[0] ? ":" : "", old ? old : "") < 0)
		return 2;
	setenv("LD_PRELOAD", preload, 1);
	setenv("SPREADBENCH_PRELOADED", "1", 1);
	free(preload);
	fflush(NULL);
	execv("/proc/self/exe", cli_full_argv);
	cli_error("cannot re-run with jemalloc preloaded: %s", strerror(errno));
	return 2;
}

/* The runner's own resident memory, for fork-cost experiments. */
struct ballast {
	void *p;
	size_t bytes;
	bool block;
};

static int ballast_make(const struct run_args *a, struct ballast *b)
{
	memset(b, 0, sizeof *b);
	if (!a->parent_rss)
		return 0;
	if (strcmp(a->parent_rss, "inputs") == 0) {
		b->bytes = a->o.wl->input_bytes(a->o.ws);
		b->block = true;
		b->p = inputs_block_alloc(b->bytes);
		if (!b->p)
			return -ENOMEM;
		return inputs_fill(a->o.wl, a->o.ws, b->p, 0);
	}
	b->bytes = a->parent_rss_size;
	if (b->bytes == 0)
		return 0;
	b->p = mmap(NULL, b->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->p == MAP_FAILED) {
		b->p = NULL;
		return -ENOMEM;
	}
	/* Ordinary 4 KiB pages, as a heap would have: fork copies their tables. */
	madvise(b->p, b->bytes, MADV_NOHUGEPAGE);
	/* Touched a slice at a time, so that SIGINT/SIGTERM are honoured at
	 * once even when the machine is paging. */
	const size_t slice = (size_t)64 << 20;
	for (size_t off = 0; off < b->bytes; off += slice) {
		if (strategy_interrupted)
			return -EINTR;
		memset((char *)b->p + off, 1, b->bytes - off < slice ? b->bytes - off : slice);
	}
	return 0;
}

static void ballast_free(struct ballast *b)
{
	if (!b->p)
		return;
	if (b->block)
		inputs_block_free(b->p, b->bytes);
	else
		munmap(b->p, b->bytes);
	b->p = NULL;
}

static int open_csv(const struct run_args *a, int argc, char **argv, const struct runner_reference *ref,
		    struct csvio_writer **w)
{
	char cmd[1024] = "spreadbench", extra[3][160];
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(cmd);
		snprintf(cmd + len, sizeof cmd - len, " %s", argv[i]);
	}
	snprintf(extra[0], sizeof extra[0], "workload: %s %s, scenario %s (%s)", a->o.wl->name, a->o.wl->version,
		 a->o.p.scenario, a->o.wl->summary ? a->o.wl->summary : "");
	snprintf(extra[1], sizeof extra[1], "input_bytes: %zu", a->o.wl->input_bytes(a->o.ws));
	snprintf(extra[2], sizeof extra[2], "serial_reference_s: %.3f", ref->seconds);
	const char *lines[3] = { extra[0], extra[1], extra[2] };
	return results_csv_open(a->csv, cmd, lines, 3, w);
}

static bool starts_processes(const char *name)
{
	const struct strategy_entry *e = strategy_find(name);
	return e && e->strategy && (e->strategy->flags & STRATEGY_PROCESSES);
}

static void print_header(void)
{
	printf("%-13s %-5s %3s %4s %-7s %-7s %5s %8s %8s %8s %8s %9s %9s %9s %9s %8s %9s\n", "strategy", "start",
	       "wrk", "rep", "status", "valid", "jobs", "wall_s", "setup_s", "comp_s", "tear_s", "pss_MiB",
	       "rss_MiB", "hwm_MiB", "start_ms", "jobs/s", "work/s");
}

static void print_row(const struct runner_row *r)
{
	const double mib = 1.0 / (1 << 20);
	printf("%-13s %-5s %3d %4d %-7s %-7s %5d %8.3f %8.3f %8.3f %8.3f %9.1f %9.1f %9.1f %9.3f %8.2f %9.3g\n",
	       r->strategy, starts_processes(r->strategy) ? strategy_start_name(r->p.start) : "-",
	       r->p.workers, r->rep, r->status, r->valid ? "true" : "false", r->p.jobs, r->wall_s, r->setup_s,
	       r->compute_s, r->teardown_s, r->peak_pss_bytes * mib, r->peak_rss_sum_bytes * mib,
	       r->max_worker_hwm_bytes * mib, r->start_latency_s * 1e3, r->jobs_per_s, r->work_units_per_s);
	if (r->error[0])
		printf("  error: %s\n", r->error);
	if (r->notes[0])
		printf("  notes: %s\n", r->notes);
	fflush(stdout);
}

/* Where rows go, for the watchdog's row as for the others. */
struct row_sink {
	const char *csv_path;
	struct csvio_writer *csv;
};

static int write_row(struct row_sink *sink, const struct runner_row *row)
{
	if (!sink->csv) {
		print_row(row);
		return 0;
	}
	char buf[runner_ncolumns][512];
	const char *cells[runner_ncolumns];
	runner_row_cells(row, buf, cells);
	return csvio_write_row(sink->csv, cells);
}

/* The whole run passed --run-timeout: called on the watchdog's thread while
 * the run's thread is stuck in the strategy; the process ends after it. */
static void on_overrun(const struct runner_row *row, void *arg)
{
	struct row_sink *sink = arg;
	if (row->rep >= 0) {
		write_row(sink, row);
		if (sink->csv && csvio_writer_close(sink->csv))
			cli_error("cannot write to '%s'", sink->csv_path);
		sink->csv = NULL;
	}
	fflush(stdout);
	cli_error("%s rep %d: %s%s", row->strategy, row->rep, row->error,
		  row->rep >= 0 ? "; its row says timeout" : " (a warm-up run: no row)");
}

/* Refuses a point that cannot fit in memory unless --force; 0 to go on. */
static int check_memory(const struct run_args *a, const struct runner_reference *ref)
{
	struct runner_memory m;
	int rc = runner_memory_check(&a->o, ref, a->memory_budget, &m);
	if (rc == -ENOMEM && !a->force) {
		cli_error("%s: refused (--force runs it anyway)", m.why);
		return -ENOMEM;
	}
	if (rc == -ENOMEM)
		cli_error("%s: running it anyway (--force)", m.why);
	return 0;
}

/* The ballast's size, known before it is made, for the memory check. */
static uint64_t ballast_bytes(const struct run_args *a)
{
	if (!a->parent_rss)
		return 0;
	if (strcmp(a->parent_rss, "inputs"))
		return a->parent_rss_size;
	return a->o.wl->input_bytes(a->o.ws);
}

/* Everything that can be checked before anything runs (the arguments,
 * the allocator, the worker program, and whether a lower bound of the
 * point's memory fits), then the signal handlers in place.  0 to go on,
 * else the exit status (the workload, if opened, left to the caller to
 * close). */
static int check_point(struct run_args *a)
{
	int rc;
	if (check_args(a))
		return 2;
	if ((rc = arrange_allocator(&a->o.p)))
		return rc;
	a->o.p.worker_path = worker_program_path();
	/* The load's processes are the worker program too, in its spin mode. */
	if ((a->o.p.start == STRATEGY_START_SPAWN || a->o.load > 0) && access(a->o.p.worker_path, X_OK) != 0) {
		cli_error("cannot run the worker program '%s': %s", a->o.p.worker_path, strerror(errno));
		return 2;
	}
	/* First with what is known without running anything (the inputs and
	 * the ballast: a lower bound), so that an impossible point is refused
	 * before the reference spends minutes on it. */
	a->o.parent_rss_bytes = ballast_bytes(a);
	if (check_memory(a, NULL))
		return 2;
	if (runner_signals_install())
		return 1;
	return 0;
}

/* The serial reference, the memory checked again with its figures, the
 * ballast and where rows go: 0 to measure, else the exit status. */
static int prepare_run(struct run_args *a, int argc, char **argv, struct runner_reference *ref,
		       struct ballast *ballast, struct row_sink *sink)
{
	char err[320] = "";
	int rc = runner_reference_compute(&a->o, ref, err, sizeof err);
	if (rc) {
		if (rc != -EINTR)
			cli_error("%s", err[0] ? err : strerror(-rc));
		return rc == -EINTR ? 128 + runner_interrupted() : 1;
	}
	if (check_memory(a, ref))
		return 2;
	if (!given(a, "setup-timeout") && (a->o.strategy->flags & STRATEGY_STOPS_JOBS))
		a->o.p.setup_timeout_s = runner_setup_timeout_default(ref, &a->o.p);
	rc = ballast_make(a, ballast);
	if (rc == -EINTR || strategy_interrupted) {
		cli_error("interrupted by signal %d while touching --parent-rss", runner_interrupted());
		return 128 + runner_interrupted();
	}
	if (rc) {
		cli_error("cannot hold --parent-rss '%s' in memory", a->parent_rss);
		return 2;
	}
	if (a->csv && open_csv(a, argc, argv, ref, &sink->csv))
		return 2;
	sink->csv_path = a->csv;
	a->o.parent_rss_bytes = ballast->bytes;
	a->o.on_overrun = on_overrun;
	a->o.overrun_arg = sink;
	if (!a->csv)
		print_header();
	return 0;
}

/* --reps auto: enough repetitions once there are at least as many as
 * bound the median's interval and it is as narrow as asked, or the time
 * budget is spent. */
static bool enough_reps(const struct run_args *a, const double *walls, int nwalls, double t_start)
{
	return nwalls >= (int)stats_min_reps_one(0.95) &&
	       (stats_median_within(walls, (size_t)nwalls, 0.95, a->precision) ||
		(a->time_budget_s > 0 && now_s() - t_start > a->time_budget_s));
}

/* The warm-up runs, then the measured ones, each row written: 0, 1 when a
 * row failed or was not written, or 128 + the signal.  With --reps auto,
 * the valid rows' wall times go into walls (*nwalls). */
static int measure_reps(struct run_args *a, const struct runner_reference *ref, struct row_sink *sink,
			double *walls, int *nwalls)
{
	int status = 0;
	double t_start = now_s();
	for (int i = -a->warmup; i < a->reps; i++) {
		if (a->auto_reps && i >= 0 && enough_reps(a, walls, *nwalls, t_start))
			break;
		struct runner_row row;
		int rc = runner_measure(&a->o, ref, i < 0 ? -1 : i, &row);
		if (rc == -EINTR) {
			status = 128 + runner_interrupted();
			cli_error("interrupted by signal %d; every worker was stopped, finished rows are kept",
				  runner_interrupted());
			return status;
		}
		if (rc) {
			cli_error("cannot measure '%s': %s", a->strategy_name, strerror(-rc));
			return 1;
		}
		if (!row.valid || strcmp(row.status, "ok") != 0) {
			status = 1;
			if (a->csv)
				cli_error("%s rep %d: %s, %s: %s", row.strategy, row.rep, row.status,
					  row.valid ? "valid" : "invalid", row.error);
		}
		if (i < 0)
			continue;        /* warm-up: validated, not recorded */
		if (walls && row.valid)
			walls[(*nwalls)++] = row.wall_s;
		rc = write_row(sink, &row);
		if (rc) {
			cli_error("cannot write to '%s': %s", a->csv, strerror(-rc));
			return 1;
		}
	}
	return status;
}

/* --reps auto: how many repetitions it took, and the median's interval. */
static void print_auto_reps(const struct run_args *a, const double *walls, int nwalls)
{
	struct stats_effect e;
	stats_median_ci(walls, (size_t)nwalls, 0.95, &e);
	fprintf(a->csv ? stdout : stderr, "run: %d repetitions; median wall %.4g s, 95 %% interval [%.4g, %.4g] "
		"(%+.1f %%, %+.1f %%)%s\n", nwalls, e.estimate, e.lo, e.hi, (e.lo / e.estimate - 1) * 100,
		(e.hi / e.estimate - 1) * 100,
		stats_median_within(walls, (size_t)nwalls, 0.95, a->precision) ? "" : ": the precision asked was not reached");
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = { .o = { .sample_interval_s = 0.02 }, .reps = 1 };
	params_defaults(&a.o.p);
	a.o.p.workers = cli_usable_cpus();
	struct runner_reference ref = { 0 };
	struct row_sink sink = { 0 };
	struct ballast ballast = { 0 };
	double *walls = NULL;            /* --reps auto: the valid rows' wall times */
	int nwalls = 0;
	int status, rc;

	rc = parse_args(argc, argv, &a);
	if (rc)
		return rc > 0 ? 0 : 2;
	if ((rc = check_point(&a))) {
		if (a.ws)
			a.o.wl->close(a.ws);
		return rc;
	}
	if ((status = prepare_run(&a, argc, argv, &ref, &ballast, &sink)))
		goto out;
	/* --reps auto: at least as many as bound the median's interval, then
	 * more until it is as narrow as asked, or the limits. */
	if (a.auto_reps) {
		a.reps = a.max_reps ? a.max_reps : 30;
		if (!(a.precision > 0))
			a.precision = 0.02;
		if (!(walls = calloc((size_t)a.reps + 1, sizeof *walls))) {
			status = 1;
			goto out;
		}
	}
	status = measure_reps(&a, &ref, &sink, walls, &nwalls);
	if (a.auto_reps && status == 0)
		print_auto_reps(&a, walls, nwalls);
out:
	free(walls);
	ballast_free(&ballast);
	if (csvio_writer_close(sink.csv))
		status = status ? status : 1;
	runner_reference_release(&ref);
	a.o.wl->close(a.ws);
	return status;
}
