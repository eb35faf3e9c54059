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
 * cgroup) can give; once the serial reference has measured a fire, again
 * with the fires counted.  The reference also sets the default setup
 * limit, from how long it took to build the inputs.
 */
#include "cli.h"
#include "csvio.h"
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
	fprintf(out,
		"usage: spreadbench run --strategy NAME [options]\n"
		"  --strategy NAME       see 'spreadbench list'\n"
		"  --workers N           worker processes (default: the CPUs this process may use)\n"
		"  --jobs J              fires in the batch (default: one per worker)\n"
		"  --scenario NAME       prof, demo or tiny (default demo)\n"
		"  --seed N              seed of the landscape and job list (default 1)\n"
		"  --mix KIND            identical or mixed jobs (default mixed)\n"
		"  --order drawn|cost    the batch's jobs as drawn, or largest expected cost first\n"
		"  --dtype f32|f64       storage type of the inputs (default f32)\n"
		"  --schedule KIND       block, snake or dynamic (default block)\n"
		"  --chunksize C         jobs handed to a worker at a time (default 1)\n"
		"  --start fork|spawn    how worker processes start (default fork)\n"
		"  --attach worker|job   pool-shm: map the shared inputs once per worker or per job\n"
		"  --reps N|auto         measured repetitions (default 1); auto: at least 6, more until\n"
		"                        the median wall time is known to --precision\n"
		"  --precision P         with --reps auto: the 95 %% interval's half-width / median to\n"
		"                        reach (default 2%%)\n"
		"  --max-reps N          with --reps auto: at most N repetitions (default 30)\n"
		"  --time-budget S       with --reps auto: start no repetition after S seconds (or 10m)\n"
		"  --warmup N            untimed runs first (default 0)\n"
		"  --csv FILE            append one row per repetition (header and context when new)\n"
		"  --job-timeout S       kill a worker whose job runs longer than S seconds\n"
		"                        (mpi-shm: end the MPI job); strategies that stop jobs\n"
		"  --setup-timeout S     kill a worker that has not put its inputs in place S seconds\n"
		"                        after it started (default: 120 + 10 x the serial build time,\n"
		"                        more when workers outnumber CPUs); strategies that stop jobs\n"
		"  --run-timeout S       serial and thread strategies: end the process after S seconds\n"
		"                        of one run, its row written as timeout (threads cannot be\n"
		"                        stopped one by one)\n"
		"  --fault KIND@JOB      make the worker running JOB fail: segv, abort, exit, hang or\n"
		"                        stop; KIND@setup: the first worker, while building its inputs\n"
		"  --force               run a point whose estimated peak memory exceeds what the\n"
		"                        machine or its cgroup can give (refused otherwise)\n"
		"  --memory-budget SIZE  check the estimate against SIZE instead (e.g. 8G)\n"
		"  --parent-rss SIZE     hold SIZE of touched private memory (4 KiB pages) in the\n"
		"                        runner while measuring (e.g. 256M, 4G; 0 for none), or\n"
		"                        'inputs' for a private copy of the scenario's inputs\n"
		"  --pin                 threads: bind each to its own core (hwloc)\n"
		"  --mode batch|single   openmp: threads across jobs, or inside each fire\n"
		"  --fire-threads N|auto process strategies: threads inside each worker's fire\n"
		"                        (auto: OpenMP's default, OMP_NUM_THREADS or every CPU)\n"
		"  --allocator NAME      glibc or jemalloc (re-runs itself with jemalloc preloaded)\n"
		"  --virtual-nodes K     mpi-shm: split each node's ranks into K groups, each with\n"
		"                        its own shared window, as K machines would have\n"
		"  --hostfile FILE       mpi-shm: hosts for the MPI launcher (runs across machines)\n"
		"  --nice N              process strategies: workers lower their priority to nice N (0-19)\n"
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
	bool force, setup_timeout_set;
	bool workers_set, start_set, attach_set, sched_set, mode_set, fire_threads_set, mpi_set, nice_set;
};

static int parse_fault(const char *s, struct strategy_params *p)
{
	char kind[16];
	const char *at = strchr(s, '@');
	long job;
	if (!at || (size_t)(at - s) >= sizeof kind)
		return -EINVAL;
	memcpy(kind, s, (size_t)(at - s));
	kind[at - s] = '\0';
	if (strategy_fault_parse(kind, &p->fault) || p->fault == STRATEGY_FAULT_NONE)
		return -EINVAL;
	if (strcmp(at + 1, "setup") == 0) {
		p->fault_job = STRATEGY_FAULT_AT_SETUP;
		return 0;
	}
	if (parse_int(at + 1, 0, INT_MAX, &job))
		return -EINVAL;
	p->fault_job = (int)job;
	return 0;
}

static int parse_args(int argc, char **argv, struct run_args *a)
{
	static const struct option opts[] = {
		{ "strategy", required_argument, NULL, 'S' }, { "workers", required_argument, NULL, 'w' },
		{ "jobs", required_argument, NULL, 'j' }, { "scenario", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'e' }, { "mix", required_argument, NULL, 'm' },
		{ "dtype", required_argument, NULL, 'd' }, { "schedule", required_argument, NULL, 'k' },
		{ "chunksize", required_argument, NULL, 'c' }, { "start", required_argument, NULL, 't' },
		{ "attach", required_argument, NULL, 'a' }, { "reps", required_argument, NULL, 'r' },
		{ "warmup", required_argument, NULL, 'W' }, { "csv", required_argument, NULL, 'o' },
		{ "job-timeout", required_argument, NULL, 'T' }, { "fault", required_argument, NULL, 'f' },
		{ "parent-rss", required_argument, NULL, 'P' }, { "pin", no_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'M' }, { "fire-threads", required_argument, NULL, 'F' },
		{ "allocator", required_argument, NULL, 'A' },
		{ "virtual-nodes", required_argument, NULL, 'V' }, { "hostfile", required_argument, NULL, 'H' },
		{ "nice", required_argument, NULL, 'n' }, { "load", required_argument, NULL, 'L' },
		{ "sample-interval", required_argument, NULL, 'i' }, { "help", no_argument, NULL, 'h' },
		{ "order", required_argument, NULL, 'O' },
		{ "precision", required_argument, NULL, 'Q' }, { "max-reps", required_argument, NULL, 'Y' },
		{ "time-budget", required_argument, NULL, 'G' },
		{ "setup-timeout", required_argument, NULL, 'U' }, { "run-timeout", required_argument, NULL, 'R' },
		{ "force", no_argument, NULL, 'X' }, { "memory-budget", required_argument, NULL, 'B' },
		{ 0 },
	};
	struct strategy_params *p = &a->o.p;
	long v;
	double d;
	int c, li = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, &li)) != -1) {
		switch (c) {
		case 'S':
			a->strategy_name = optarg;
			break;
		case 'w':
			if (parse_int(optarg, 1, 4096, &v))
				goto bad;
			p->workers = (int)v;
			a->workers_set = true;
			break;
		case 'j':
			if (parse_int(optarg, 1, 100000, &v))
				goto bad;
			p->jobs = (int)v;
			break;
		case 's':
			p->scenario = optarg;
			break;
		case 'e':
			if (parse_u64(optarg, &p->seed))
				goto bad;
			break;
		case 'm':
			if (kernel_job_mix_parse(optarg, &p->mix))
				goto bad;
			break;
		case 'O':
			if (strategy_order_parse(optarg, &p->order))
				goto bad;
			break;
		case 'd':
			if (strcmp(optarg, "f32") == 0)
				p->dtype = KERNEL_F32;
			else if (strcmp(optarg, "f64") == 0)
				p->dtype = KERNEL_F64;
			else
				goto bad;
			break;
		case 'k':
			if (strategy_schedule_parse(optarg, &p->schedule))
				goto bad;
			a->sched_set = true;
			break;
		case 'c':
			if (parse_int(optarg, 1, 1000000, &v))
				goto bad;
			p->chunksize = (int)v;
			a->sched_set = true;
			break;
		case 't':
			if (strategy_start_parse(optarg, &p->start))
				goto bad;
			a->start_set = true;
			break;
		case 'a':
			if (strategy_attach_parse(optarg, &p->attach))
				goto bad;
			a->attach_set = true;
			break;
		case 'p':
			p->pin = true;
			break;
		case 'M':
			if (strategy_mode_parse(optarg, &p->mode))
				goto bad;
			a->mode_set = true;
			break;
		case 'F':
			if (strcmp(optarg, "auto") == 0)
				p->fire_threads = -1;
			else if (parse_int(optarg, 1, 256, &v))
				goto bad;
			else
				p->fire_threads = (int)v;
			a->fire_threads_set = true;
			break;
		case 'A':
			if (strategy_allocator_parse(optarg, &p->allocator))
				goto bad;
			break;
		case 'V':
			if (parse_int(optarg, 1, 1024, &v))
				goto bad;
			p->virtual_nodes = (int)v;
			a->mpi_set = true;
			break;
		case 'H':
			if (access(optarg, R_OK) != 0) {
				cli_error("cannot read --hostfile '%s': %s", optarg, strerror(errno));
				return -EINVAL;
			}
			p->hostfile = optarg;
			a->mpi_set = true;
			break;
		case 'n':
			if (parse_int(optarg, 0, 19, &v))
				goto bad;
			p->nice = (int)v;
			a->nice_set = true;
			break;
		case 'L':
			if (parse_int(optarg, 0, 1024, &v))
				goto bad;
			a->o.load = (int)v;
			break;
		case 'r':
			if (strcmp(optarg, "auto") == 0)
				a->auto_reps = true;
			else if (parse_int(optarg, 1, 100000, &v))
				goto bad;
			else
				a->reps = (int)v;
			break;
		case 'Q':
			if (parse_fraction(optarg, &d) || !(d > 0))
				goto bad;
			a->precision = d;
			break;
		case 'Y':
			if (parse_int(optarg, 1, 100000, &v))
				goto bad;
			a->max_reps = (int)v;
			break;
		case 'G':
			if (parse_duration(optarg, &a->time_budget_s))
				goto bad;
			break;
		case 'W':
			if (parse_int(optarg, 0, 100000, &v))
				goto bad;
			a->warmup = (int)v;
			break;
		case 'o':
			a->csv = optarg;
			break;
		case 'T':
			if (parse_double(optarg, &d) || !(d > 0))
				goto bad;
			p->job_timeout_s = d;
			break;
		case 'U':
			if (parse_double(optarg, &d) || !(d > 0))
				goto bad;
			p->setup_timeout_s = d;
			a->setup_timeout_set = true;
			break;
		case 'R':
			if (parse_double(optarg, &d) || !(d > 0))
				goto bad;
			a->o.run_timeout_s = d;
			break;
		case 'X':
			a->force = true;
			break;
		case 'B':
			if (parse_size(optarg, &a->memory_budget) || a->memory_budget == 0)
				goto bad;
			break;
		case 'f':
			if (parse_fault(optarg, p)) {
				cli_error("invalid --fault '%s' (KIND@JOB or KIND@setup, KIND one of segv, abort, exit, "
					  "hang, stop)", optarg);
				return -EINVAL;
			}
			break;
		case 'P':
			if (strcmp(optarg, "inputs") && parse_size(optarg, &a->parent_rss_size)) {
				cli_error("invalid --parent-rss '%s' (a size such as 256M or 4G, or 'inputs')",
					  optarg);
				return -EINVAL;
			}
			a->parent_rss = optarg;
			break;
		case 'i':
			if (parse_double(optarg, &d) || !(d >= 0.001 && d <= 10))
				goto bad;
			a->o.sample_interval_s = d;
			break;
		case 'h':
			run_usage(stdout);
			return 1;
		default:
			run_usage(stderr);
			return -EINVAL;
		}
		continue;
bad:
		cli_error("invalid value '%s' for --%s", optarg, opts[li].name);
		return -EINVAL;
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

/* The built strategies that have flag (or lack it), as "a, b, c". */
static void names_by_flag(unsigned flag, bool with, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int i = 0; i < strategy_registry_count; i++) {
		const struct strategy *s = strategy_registry[i].strategy;
		if (!s || ((s->flags & flag) != 0) != with)
			continue;
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%s%s", n ? ", " : "", s->name);
	}
}

/* The time limits against what the strategy can enforce: a limit it
 * could not keep is refused, not silently ignored. */
static int check_limits(const struct run_args *a, const struct strategy *s)
{
	const struct strategy_params *p = &a->o.p;
	char stoppers[160], others[160];
	names_by_flag(STRATEGY_STOPS_JOBS, true, stoppers, sizeof stoppers);
	names_by_flag(STRATEGY_STOPS_JOBS, false, others, sizeof others);
	if (!(s->flags & STRATEGY_STOPS_JOBS)) {
		const char *opt = p->job_timeout_s > 0 ? "--job-timeout" : a->setup_timeout_set ? "--setup-timeout"
							 : p->fault != STRATEGY_FAULT_NONE ? "--fault" : NULL;
		if (opt) {
			cli_error("%s needs a strategy that can stop one job or worker (%s), not '%s': its jobs run "
				  "inside one process and cannot be stopped one by one (--run-timeout limits the "
				  "whole run)", opt, stoppers, s->name);
			return -EINVAL;
		}
	} else if (a->o.run_timeout_s > 0) {
		cli_error("--run-timeout applies to strategies whose jobs cannot be stopped one by one (%s), not "
			  "'%s': use --job-timeout and --setup-timeout", others, s->name);
		return -EINVAL;
	}
	return 0;
}

/* Checks the combination of options against what the strategy honours. */
static int check_args(struct run_args *a)
{
	struct strategy_params *p = &a->o.p;
	if (!a->strategy_name) {
		cli_error("missing --strategy (see 'spreadbench list')");
		return -EINVAL;
	}
	const struct strategy_entry *e = strategy_find(a->strategy_name);
	if (!e) {
		cli_error("unknown strategy '%s' (see 'spreadbench list')", a->strategy_name);
		return -EINVAL;
	}
	if (!e->strategy) {
		cli_error("strategy '%s' is not built: %s", e->name, e->enable);
		return -EINVAL;
	}
	const struct strategy *s = a->o.strategy = e->strategy;
	struct kernel_scenario sc;
	if (kernel_scenario_find(p->scenario, p->seed, &sc)) {
		cli_error("unknown scenario '%s' (%s)", p->scenario, kernel_scenario_names());
		return -EINVAL;
	}
	if (a->mpi_set && !(s->flags & STRATEGY_MPI)) {
		cli_error("--virtual-nodes and --hostfile apply to mpi-shm, not '%s'", s->name);
		return -EINVAL;
	}
	if (p->virtual_nodes > 1 && p->virtual_nodes > (a->workers_set ? p->workers : cli_usable_cpus())) {
		cli_error("--virtual-nodes %d needs at least as many ranks (--workers)", p->virtual_nodes);
		return -EINVAL;
	}
	if (!(s->flags & (STRATEGY_PROCESSES | STRATEGY_THREADS | STRATEGY_MPI))) {
		if (a->workers_set && p->workers != 1) {
			cli_error("strategy '%s' runs on one core: --workers must be 1", s->name);
			return -EINVAL;
		}
		p->workers = 1;
	}
	if (check_limits(a, s))
		return -EINVAL;
	if (!(s->flags & STRATEGY_PROCESSES)) {
		if (a->start_set) {
			cli_error("strategy '%s' starts no workers: --start does not apply", s->name);
			return -EINVAL;
		}
		if (a->nice_set) {
			cli_error("--nice sets the priority of worker processes: it applies to fork-per-job, "
				  "pool-copy and pool-shm, not '%s'", s->name);
			return -EINVAL;
		}
	}
	if (a->attach_set && !(s->flags & STRATEGY_ATTACHES)) {
		cli_error("strategy '%s' shares no inputs: --attach does not apply", s->name);
		return -EINVAL;
	}
	if (p->pin && !(s->flags & STRATEGY_THREADS)) {
		cli_error("--pin binds threads: it applies to pthreads and openmp, not '%s'", s->name);
		return -EINVAL;
	}
	if (a->mode_set && !(s->flags & STRATEGY_MODES)) {
		cli_error("--mode applies to openmp, not '%s'", s->name);
		return -EINVAL;
	}
	if (p->mode == STRATEGY_MODE_SINGLE && a->sched_set) {
		cli_error("--mode single runs the jobs in order: --schedule and --chunksize do not apply");
		return -EINVAL;
	}
	if (a->fire_threads_set && !(s->flags & STRATEGY_FIRE_THREADS)) {
		cli_error("--fire-threads applies to the process strategies (for threads inside one fire "
			  "use --strategy openmp --mode single), not '%s'", s->name);
		return -EINVAL;
	}
	if (a->fire_threads_set && p->fire_threads != 1 && !kernel_has_openmp()) {
		cli_error("--fire-threads needs a build with OpenMP (cmake -DSPREADBENCH_OPENMP=ON)");
		return -EINVAL;
	}
	if (a->sched_set && !(s->flags & STRATEGY_SCHEDULES)) {
		cli_error("strategy '%s' runs jobs in order: --schedule and --chunksize do not apply", s->name);
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
	const struct strategy_params *p = &a->o.p;
	memset(b, 0, sizeof *b);
	if (!a->parent_rss)
		return 0;
	if (strcmp(a->parent_rss, "inputs") == 0) {
		struct kernel_scenario sc;
		kernel_scenario_find(p->scenario, p->seed, &sc);
		b->bytes = kernel_scenario_input_bytes(&sc, p->dtype);
		b->block = true;
		b->p = kernel_block_alloc(b->bytes);
		if (!b->p)
			return -ENOMEM;
		return kernel_scenario_build(&sc, p->dtype, b->p);
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
		kernel_block_free(b->p, b->bytes);
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
	struct kernel_scenario sc;
	kernel_scenario_find(a->o.p.scenario, a->o.p.seed, &sc);
	snprintf(extra[0], sizeof extra[0], "scenario: %s (%s)", sc.name, sc.summary);
	snprintf(extra[1], sizeof extra[1], "input_bytes: %zu", kernel_scenario_input_bytes(&sc, a->o.p.dtype));
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
	       "rss_MiB", "hwm_MiB", "start_ms", "jobs/s", "Mha/CPUh");
}

static void print_row(const struct runner_row *r)
{
	const double mib = 1.0 / (1 << 20);
	printf("%-13s %-5s %3d %4d %-7s %-7s %5d %8.3f %8.3f %8.3f %8.3f %9.1f %9.1f %9.1f %9.3f %8.2f %9.2f\n",
	       r->strategy, starts_processes(r->strategy) ? strategy_start_name(r->p.start) : "-",
	       r->p.workers, r->rep, r->status, r->valid ? "true" : "false", r->p.jobs, r->wall_s, r->setup_s,
	       r->compute_s, r->teardown_s, r->peak_pss_bytes * mib, r->peak_rss_sum_bytes * mib,
	       r->max_worker_hwm_bytes * mib, r->start_latency_s * 1e3, r->jobs_per_s, r->mha_per_cpu_hr);
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
	struct kernel_scenario sc;
	if (!a->parent_rss)
		return 0;
	if (strcmp(a->parent_rss, "inputs"))
		return a->parent_rss_size;
	kernel_scenario_find(a->o.p.scenario, a->o.p.seed, &sc);
	return kernel_scenario_input_bytes(&sc, a->o.p.dtype);
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = {
		.o = { .p = { .scenario = "demo", .seed = 1, .mix = KERNEL_JOBS_MIXED, .chunksize = 1,
			      .fault_job = -1 },
		       .sample_interval_s = 0.02 },
		.reps = 1,
	};
	struct runner_reference ref = { 0 };
	struct row_sink sink = { 0 };
	struct ballast ballast = { 0 };
	double *walls = NULL;            /* --reps auto: the valid rows' wall times */
	int nwalls = 0;
	int status = 2, rc;
	char err[320] = "";

	rc = parse_args(argc, argv, &a);
	if (rc)
		return rc > 0 ? 0 : 2;
	if (!a.workers_set)
		a.o.p.workers = cli_usable_cpus();
	if (check_args(&a))
		return 2;
	if ((rc = arrange_allocator(&a.o.p)))
		return rc;
	a.o.p.worker_path = worker_program_path();
	/* The load's processes are the worker program too, in its spin mode. */
	if ((a.o.p.start == STRATEGY_START_SPAWN || a.o.load > 0) && access(a.o.p.worker_path, X_OK) != 0) {
		cli_error("cannot run the worker program '%s': %s", a.o.p.worker_path, strerror(errno));
		return 2;
	}
	/* First with what is known without running anything (the inputs and
	 * the ballast: a lower bound), so that an impossible point is refused
	 * before the reference spends minutes on it. */
	a.o.parent_rss_bytes = ballast_bytes(&a);
	if (check_memory(&a, NULL))
		return 2;
	if (runner_signals_install())
		return 1;
	rc = runner_reference_compute(&a.o.p, &ref, err, sizeof err);
	if (rc) {
		if (rc != -EINTR)
			cli_error("%s", err[0] ? err : strerror(-rc));
		status = rc == -EINTR ? 128 + runner_interrupted() : 1;
		goto out;
	}
	if (check_memory(&a, &ref))
		goto out;
	if (!a.setup_timeout_set && (a.o.strategy->flags & STRATEGY_STOPS_JOBS))
		a.o.p.setup_timeout_s = runner_setup_timeout_default(&ref, &a.o.p);
	rc = ballast_make(&a, &ballast);
	if (rc == -EINTR || strategy_interrupted) {
		cli_error("interrupted by signal %d while touching --parent-rss", runner_interrupted());
		status = 128 + runner_interrupted();
		goto out;
	}
	if (rc) {
		cli_error("cannot hold --parent-rss '%s' in memory", a.parent_rss);
		goto out;
	}
	if (a.csv && open_csv(&a, argc, argv, &ref, &sink.csv))
		goto out;
	sink.csv_path = a.csv;
	a.o.parent_rss_bytes = ballast.bytes;
	a.o.on_overrun = on_overrun;
	a.o.overrun_arg = &sink;
	if (!a.csv)
		print_header();
	status = 0;
	/* --reps auto: at least as many as bound the median's interval, then
	 * more until it is as narrow as asked, or the limits. */
	double t_start = now_s();
	if (a.auto_reps) {
		a.reps = a.max_reps ? a.max_reps : 30;
		if (!(a.precision > 0))
			a.precision = 0.02;
		if (!(walls = calloc((size_t)a.reps + 1, sizeof *walls))) {
			status = 1;
			goto out;
		}
	}
	for (int i = -a.warmup; i < a.reps; i++) {
		if (a.auto_reps && i >= 0 && nwalls >= (int)stats_min_reps_one(0.95) &&
		    (stats_median_within(walls, (size_t)nwalls, 0.95, a.precision) ||
		     (a.time_budget_s > 0 && now_s() - t_start > a.time_budget_s)))
			break;
		struct runner_row row;
		rc = runner_measure(&a.o, &ref, i < 0 ? -1 : i, &row);
		if (rc == -EINTR) {
			status = 128 + runner_interrupted();
			cli_error("interrupted by signal %d; every worker was stopped, finished rows are kept",
				  runner_interrupted());
			break;
		}
		if (rc) {
			cli_error("cannot measure '%s': %s", a.strategy_name, strerror(-rc));
			status = 1;
			break;
		}
		if (!row.valid || strcmp(row.status, "ok") != 0) {
			status = 1;
			if (a.csv)
				cli_error("%s rep %d: %s, %s: %s", row.strategy, row.rep, row.status,
					  row.valid ? "valid" : "invalid", row.error);
		}
		if (i < 0)
			continue;        /* warm-up: validated, not recorded */
		if (walls && row.valid)
			walls[nwalls++] = row.wall_s;
		rc = write_row(&sink, &row);
		if (rc) {
			cli_error("cannot write to '%s': %s", a.csv, strerror(-rc));
			status = 1;
			break;
		}
	}
	if (a.auto_reps && status == 0) {
		struct stats_effect e;
		stats_median_ci(walls, (size_t)nwalls, 0.95, &e);
		fprintf(a.csv ? stdout : stderr, "run: %d repetitions; median wall %.4g s, 95 %% interval [%.4g, %.4g] "
			"(%+.1f %%, %+.1f %%)%s\n", nwalls, e.estimate, e.lo, e.hi, (e.lo / e.estimate - 1) * 100,
			(e.hi / e.estimate - 1) * 100,
			stats_median_within(walls, (size_t)nwalls, 0.95, a.precision) ? "" : ": the precision asked was not reached");
	}
out:
	free(walls);
	ballast_free(&ballast);
	if (csvio_writer_close(sink.csv))
		status = status ? status : 1;
	runner_reference_release(&ref);
	return status;
}
