/*
 * cmd_sweep.c - `spreadbench sweep`: many points, each measured like
 * `spreadbench run`, into one results folder.  Which points is the plan's
 * business (sweep_plan.c); this file measures them.
 *
 * Most points are measured in this process, as `run` measures them.  A
 * point that needs the process itself changed (jemalloc preloaded, the
 * runner holding a ballast of memory for fork's cost) or a fresh one
 * (workers forked with OpenMP inside their fires) is measured by a child
 * `spreadbench run`, its row copied into the folder's CSV.
 *
 * Repetitions are interleaved: every round runs each point that still
 * needs a repetition once, in a freshly shuffled order, so drift of the
 * machine (heat, other load) spreads over all strategies instead of
 * favouring one.  Each point gets its untimed warm-up runs before its
 * first measured one.  A point needs another repetition while it has fewer
 * than --reps, and, with --precision P, while the 95 % interval of its
 * median wall time is wider than P of the median on either side and it
 * has fewer than --max-reps; --time-budget ends the rounds early.  Adding
 * repetitions only where the noise is leaves the quiet points with fewer,
 * measured earlier: the report gives every point's count and interval.
 *
 * The folder holds results.csv (rows as `run` writes them, with the
 * machine's context as '#' lines), context.json (the same context, the
 * random-read latency of a 1 GiB buffer, and the calibration probe again
 * at the end) and topology.xml (hwloc; lstopo draws it), and at the end
 * the plots (`spreadbench plot`) and report.md (`spreadbench report`).
 * --resume DIR counts the rows each point already has and measures only
 * what is missing; --out refuses a folder that already holds results (and
 * --resume one that holds none), and the folder is locked for the whole
 * sweep (folderlock.h).  Default core counts come from hwloc.
 */
#include "cli.h"
#include "context.h"
#include "csvio.h"
#include "finding.h"
#include "folderlock.h"
#include "noise.h"
#include "outfile.h"
#include "results.h"
#include "runner.h"
#include "sidecar.h"
#include "stats.h"
#include "sweep.h"
#include "topo.h"
#include "workloads.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Serial references, one per batch; each apart, since points keep
 * pointers to them. */
struct refcache {
	struct strategy_params p;
	struct runner_reference ref;
};
static struct refcache **refs;
static int nrefs;

static bool flag(const struct strategy *st, unsigned f)
{
	return (st->flags & f) != 0;
}

/* Comma lists refuse empty items ("1,,2"), as --experiments does. */
static int parse_list(const char *s, struct sweep_list *l, long lo, long hi)
{
	return parse_int_list(s, lo, hi, l->v, SWEEP_MAXLIST, &l->n);
}

/* Names: strategies, starts or schedules, checked against their parsers. */
static int parse_names(char *s, const char **names, int *n)
{
	return parse_name_list(s, names, SWEEP_MAXLIST, n);
}

/* Core counts 1, 2, 4, ... up to the machine's cores, one less (S03:
 * one core left to the parent) and, when the preset says, one more. */
static void preset_cores(struct sweep *s, int cores)
{
	s->cores.n = 0;
	for (long c = 1; c < cores && s->cores.n < SWEEP_MAXLIST - 2; c *= 2)
		s->cores.v[s->cores.n++] = c;
	if (cores > 2 && s->cores.v[s->cores.n - 1] != cores - 1)
		s->cores.v[s->cores.n++] = cores - 1;
	s->cores.v[s->cores.n++] = cores;
	if (s->preset->one_over)
		s->cores.v[s->cores.n++] = cores + 1;
}

static int point_add_wall(struct sweep_point *pt, double wall)
{
	if (pt->nwalls == pt->capwalls) {
		int cap = pt->capwalls ? 2 * pt->capwalls : 16;
		double *w = realloc(pt->walls, (size_t)cap * sizeof *w);
		if (!w)
			return -ENOMEM;
		pt->walls = w;
		pt->capwalls = cap;
	}
	pt->walls[pt->nwalls++] = wall;
	return 0;
}

/* Repetitions already in an existing results file, and their wall times.
 * A key column the file lacks (it was written before that column existed)
 * matches the default the point would have had then: it is not compared. */
static int count_done(struct sweep *s, const char *path)
{
	if (access(path, F_OK) != 0)
		return 0;
	struct csvio_table t;
	char err[512] = "";
	int rc = csvio_read(path, &t, err, sizeof err);
	if (rc) {
		cli_error("%s", err);
		return rc;
	}
	int col[POINT_NKEY], wall = csvio_column(&t, "wall_s");
	for (int k = 0; k < POINT_NKEY; k++)
		if ((col[k] = csvio_column(&t, point_key_columns[k])) < 0 && k < 11) {
			cli_error("'%s' has no column '%s'", path, point_key_columns[k]);
			csvio_table_release(&t);
			return -EINVAL;
		}
	for (size_t r = 0; r < t.nrows && !rc; r++)
		for (int i = 0; i < s->npts && !rc; i++) {
			bool same = true;
			for (int k = 0; k < POINT_NKEY && same; k++)
				same = col[k] < 0 || strcmp(s->pts[i].key.cell[k], csvio_cell(&t, r, col[k])) == 0;
			if (!same)
				continue;
			double w;
			s->pts[i].done++;
			if (wall >= 0 && csvio_parse_double(csvio_cell(&t, r, wall), &w) == 0)
				rc = point_add_wall(&s->pts[i], w);
		}
	csvio_table_release(&t);
	return rc;
}

/* The serial reference of a point's batch (the same for every dtype: the
 * reference always runs f32). */
static struct runner_reference *reference_for(const struct runner_options *o, int *rc)
{
	const struct strategy_params *p = &o->p;
	for (int i = 0; i < nrefs; i++)
		if (refs[i]->p.jobs == p->jobs && refs[i]->p.mix == p->mix && refs[i]->p.order == p->order)
			return &refs[i]->ref;
	struct refcache **n = realloc(refs, (size_t)(nrefs + 1) * sizeof *n);
	if (!n) {
		*rc = -ENOMEM;
		return NULL;
	}
	refs = n;
	struct refcache *c = calloc(1, sizeof *c);
	if (!c) {
		*rc = -ENOMEM;
		return NULL;
	}
	c->p = *p;
	char err[256] = "";
	*rc = runner_reference_compute(o, &c->ref, err, sizeof err);
	if (*rc) {
		if (*rc != -EINTR)
			cli_error("serial reference for %d jobs: %s", p->jobs, err[0] ? err : strerror(-*rc));
		free(c);
		return NULL;
	}
	refs[nrefs++] = c;
	return &c->ref;
}

static void release_refs(void)
{
	for (int i = 0; i < nrefs; i++) {
		runner_reference_release(&refs[i]->ref);
		free(refs[i]);
	}
	free(refs);
	refs = NULL;
	nrefs = 0;
}

static void fmt_eta(double s, char *buf, size_t len)
{
	if (!(s >= 0) || s > 360000)
		snprintf(buf, len, "?");
	else if (s >= 60)
		snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
	else
		snprintf(buf, len, "%ds", (int)s);
}

/*
 * One repetition of a point by a child `spreadbench run`, its row copied
 * into this sweep's CSV (rep renumbered).  The child is this program, so
 * it measures exactly as this process would, and computes its own serial
 * reference.  SIGINT/SIGTERM reach it (same process group, or forwarded);
 * it is always reaped.  0, -EINTR, or an error with a message.
 */
static int measure_child(const struct sweep_point *pt, int warmup, int rep, const char *dir,
			 struct csvio_writer *csv, struct runner_row *row)
{
	const struct strategy *st = pt->o.strategy;
	const struct strategy_params *p = &pt->o.p;
	char tmp[4200], a[16][64];
	snprintf(tmp, sizeof tmp, "%s/.point-%ld.csv", dir, (long)getpid());
	unlink(tmp);
	const char *argv[2 * 64 + 32];
	struct param_argv texts = { .n = 0 };
	int n = 0, k = 0;
#define ARG(s) (argv[n++] = (s))
#define NUM(fmt, v) (snprintf(a[k], sizeof a[k], fmt, v), argv[n++] = a[k++])
	ARG("spreadbench"), ARG("run"), ARG("--strategy"), ARG(st->name);
	/* The run parameters from their table: every one the strategy
	 * honours, defaults included, as `run` takes them. */
	int rc = params_to_argv(p, st->flags, PARAM_TO_RUN, argv, &n, &texts);
	if (rc)
		return rc;
	if (pt->o.load)
		ARG("--load"), NUM("%d", pt->o.load);
	if (!flag(st, STRATEGY_STOPS_JOBS) && pt->o.run_timeout_s > 0)
		ARG("--run-timeout"), NUM("%g", pt->o.run_timeout_s);
	/* This sweep checked the point's memory already. */
	ARG("--force");
	ARG("--parent-rss"), NUM("%" PRIu64, pt->o.parent_rss_bytes);
	ARG("--warmup"), NUM("%d", warmup), ARG("--reps"), ARG("1"), ARG("--csv"), ARG(tmp);
	ARG(NULL);
#undef NUM
#undef ARG
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, STDOUT_FILENO);
		execv("/proc/self/exe", (char *const *)argv);
		_exit(127);
	}
	int wstatus = 0, sent = 0;
	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR)
			return -errno;
		if (runner_interrupted() && !sent++)
			kill(pid, SIGTERM); /* SIGTERM sent to this process alone */
	}
	if (runner_interrupted()) {
		unlink(tmp);
		return -EINTR;
	}
	if (!WIFEXITED(wstatus) || (WEXITSTATUS(wstatus) != 0 && WEXITSTATUS(wstatus) != 1)) {
		cli_error("%s: the child run failed (%s %d)", st->name, WIFEXITED(wstatus) ? "exit" : "signal",
			  WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus));
		unlink(tmp);
		return -ECHILD;
	}
	struct csvio_table t;
	char err[512] = "";
	rc = csvio_read(tmp, &t, err, sizeof err);
	unlink(tmp);
	if (rc || t.nrows != 1) {
		cli_error("%s: the child run left %s", st->name, rc ? err : "no single row");
		if (!rc)
			csvio_table_release(&t);
		return -EPROTO;
	}
	const char *cells[256];
	char repbuf[16];
	snprintf(repbuf, sizeof repbuf, "%d", rep);
	for (int c = 0; c < runner_ncolumns && c < 256; c++) {
		int tc = csvio_column(&t, runner_columns[c]);
		cells[c] = strcmp(runner_columns[c], "rep") == 0 ? repbuf : tc < 0 ? "" : csvio_cell(&t, 0, tc);
	}
	rc = csvio_write_row(csv, cells) ? -EIO : 0;
	/* What the progress line and the validity count need. */
	memset(row, 0, sizeof *row);
	row->strategy = st->name;
	row->p = *p;
	row->rep = rep;
	row->valid = strcmp(csvio_cell(&t, 0, csvio_column(&t, "valid")), "true") == 0;
	row->status = strcmp(csvio_cell(&t, 0, csvio_column(&t, "status")), "ok") == 0 ? "ok" : "failed";
	csvio_parse_double(csvio_cell(&t, 0, csvio_column(&t, "wall_s")), &row->wall_s);
	csvio_table_release(&t);
	return rc;
}

static void sweep_usage(FILE *out)
{
	fprintf(out,
		"usage: spreadbench sweep [options]\n"
		"  --preset NAME         quick: the workload's default scenario (fire: demo), cores 1, 2,\n"
		"                        4 ... up to the machine's, 2 jobs per core, 3 repetitions;\n"
		"                        full: its benchmark scenario (fire: prof), the same core counts plus\n"
		"                        one over, 1 and 2 jobs per core, 5 repetitions; findings: full\n"
		"                        plus the experiments of every documented finding, at least 6\n"
		"                        repetitions and up to 12 until --precision 2%% (default quick)\n"
		"  --experiments IDS     findings: only these finding ids, e.g. F04,B01 (default all)\n"
		"  --strategies LIST     comma-separated (default: every built strategy)\n"
		"  --cores LIST          worker counts, e.g. 1,2,4 (default from hwloc's cores)\n"
		"  --ratios LIST         jobs per core, e.g. 1,2,4\n"
		"  --starts LIST         fork,spawn (default fork)\n"
		"  --schedules LIST      block,snake,dynamic (default block)\n"
		"  --chunksizes LIST     e.g. 1,2 (default 1)\n"
		"  --attaches LIST       worker,job (pool-shm; default worker)\n"
		"  --dtypes LIST         f32,f64 (default f32)\n"
		"  --modes LIST          batch,single (openmp; default batch)\n"
		"  --pins LIST           off,on (thread strategies; default off)\n"
		"  --allocators LIST     glibc,jemalloc (default glibc)\n"
		"  --workload NAME|PATH  what each job runs: fire (default), synthetic, or a plug-in (.so)\n"
		"  --options K=V,...     the workload's own parameters (see spreadbench list --workload W)\n"
		"  --input-mb M, --job-ms T, --job-mb S, --access stream|random, --cost-spread X\n"
		"                        the synthetic workload's options, as options of their own\n"
		"  --scenario NAME, --seed N, --mix identical|mixed\n"
		"  --reps N, --warmup N  repetitions per point, at least (interleaved), and warm-up runs\n"
		"                        before a point's first (default 1)\n"
		"  --precision P         add rounds until each point's median wall time is known to P\n"
		"                        (95 %% interval half-width / median; e.g. 2%% or 0.02; 0: off)\n"
		"  --max-reps N          stop adding at N repetitions a point (default 20)\n"
		"  --time-budget S       start no round after S seconds (also 90m, 2h)\n"
		"  --job-timeout S       strategies that can stop one job: kill a job running longer\n"
		"                        than S seconds (default 60 + 10 x the serial time of the\n"
		"                        batch); the others get a limit on the whole run\n"
		"  --out DIR             a new results folder (default results/sweep-DATE-TIME); one\n"
		"                        that already holds results.csv is refused: use --resume\n"
		"  --resume DIR          add only the repetitions DIR does not have yet\n"
		"  --no-progress         plain lines even on a terminal (elsewhere they are the default)\n"
		"  --dry-run             list the points and stop\n");
}

/* One of the lists of names: attaches, dtypes, modes, pins, allocators. */
static int parse_axis(int ch, const char *arg, char *copy, struct sweep *s)
{
	const char *tmp[SWEEP_MAXLIST];
	int n, *v, *count;
	snprintf(copy, 1024, "%s", arg);
	if (parse_names(copy, tmp, &n) || n > 2)
		return -EINVAL;
	switch (ch) {
	case 'a': v = s->attaches, count = &s->nattaches; break;
	case 'D': v = s->dtypes, count = &s->ndtypes; break;
	case 'M': v = s->modes, count = &s->nmodes; break;
	case 'p': v = s->pins, count = &s->npins; break;
	default: v = s->allocators, count = &s->nallocators; break;
	}
	for (int i = 0; i < n; i++) {
		int bad;
		switch (ch) {
		case 'a': bad = strategy_attach_parse(tmp[i], (enum strategy_attach *)&v[i]); break;
		case 'D': bad = strcmp(tmp[i], "f32") && strcmp(tmp[i], "f64"); v[i] = strcmp(tmp[i], "f64") == 0; break;
		case 'M': bad = strategy_mode_parse(tmp[i], (enum strategy_mode *)&v[i]); break;
		case 'p': bad = strcmp(tmp[i], "off") && strcmp(tmp[i], "on"); v[i] = strcmp(tmp[i], "on") == 0; break;
		default: bad = strategy_allocator_parse(tmp[i], (enum strategy_allocator *)&v[i]); break;
		}
		if (bad)
			return -EINVAL;
	}
	*count = n;
	return 0;
}

/*
 * The workload, opened once with the options given: its options resolved
 * (defaults filled in, a calibration written out) for every point, and
 * the preset's scenario (its default one, or its benchmark one) unless
 * --scenario named another.
 */
static int sweep_resolve_workload(struct sweep *s)
{
	static char path[PATH_MAX], options[1024];
	char err[512];
	struct strategy_params p;
	params_defaults(&p);
	if (s->workload && workloads_is_path(s->workload)) {
		if (!realpath(s->workload, path)) {
			cli_error("--workload: cannot find '%s': %s", s->workload, strerror(errno));
			return -ENOENT;
		}
		s->workload = path;
	}
	p.workload = s->workload = s->workload ? s->workload : "fire";
	p.options = s->options ? s->options : "";
	p.seed = s->seed;
	const struct workload *wl = workloads_find(p.workload, err, sizeof err);
	if (!wl) {
		cli_error("%s", err);
		return -EINVAL;
	}
	if (!s->scenario)
		s->scenario = s->preset->benchmark && wl->benchmark_scenario ? wl->benchmark_scenario
									 : wl->default_scenario;
	p.scenario = s->scenario;
	struct workload_scenario *ws;
	if (workloads_open(&p, &wl, &ws, err, sizeof err)) {
		cli_error("%s", err);
		return -EINVAL;
	}
	snprintf(options, sizeof options, "%s", wl->options(ws));
	s->options = options;
	wl->close(ws);
	s->has_threads = wl->set_threads != NULL;
	p.dtype = WORKLOAD_F64;
	p.options = s->options;
	s->has_f64 = wl->open(p.scenario, p.seed, p.dtype, p.options, &ws) == 0;
	if (s->has_f64)
		wl->close(ws);
	if (s->dtypes[0] == WORKLOAD_F64 || (s->ndtypes > 1 && s->dtypes[1] == WORKLOAD_F64)) {
		if (!s->has_f64) {
			cli_error("--dtypes f64: workload %s has f32 inputs only", wl->name);
			return -EINVAL;
		}
	}
	return 0;
}

/* --input-mb and its kin describe the synthetic workload: they imply it,
 * and go before any --options. */
static int apply_shortcuts(struct sweep *s, const char *shortcuts)
{
	static char options[1024];
	if (s->workload && strcmp(s->workload, "synthetic")) {
		cli_error("--input-mb, --job-ms, --job-mb, --access and --cost-spread describe the synthetic workload, "
			  "not '%s'", s->workload);
		return -EINVAL;
	}
	s->workload = "synthetic";
	snprintf(options, sizeof options, "%s%s%s", shortcuts, s->options && s->options[0] ? "," : "",
		 s->options ? s->options : "");
	s->options = options;
	return 0;
}

/* An option of what to measure: the preset, the axes, the workload and
 * its scenario.  0, or -EINVAL after a message. */
static int plan_option(int ch, const char *name, struct sweep *s, struct sweep_list *cores, struct sweep_list *ratios)
{
	static char names[8][1024];
	const char *tmp[SWEEP_MAXLIST];
	int n;
	switch (ch) {
	case 'P':
		if (!(s->preset = sweep_preset_find(optarg))) {
			cli_error("unknown preset '%s' (%s)", optarg, sweep_preset_names());
			return -EINVAL;
		}
		break;
	case 'S':
		snprintf(names[0], sizeof names[0], "%s", optarg);
		if (parse_names(names[0], s->strategies, &s->nstrategies))
			goto bad;
		break;
	case 'c':
		if (parse_list(optarg, cores, 1, 4096))
			goto bad;
		break;
	case 'r':
		if (parse_list(optarg, ratios, 1, 1000))
			goto bad;
		break;
	case 't':
		snprintf(names[1], sizeof names[1], "%s", optarg);
		if (parse_names(names[1], tmp, &n) || n > 2)
			goto bad;
		for (int i = 0; i < n; i++)
			if (strategy_start_parse(tmp[i], (enum strategy_start *)&s->starts[i]))
				goto bad;
		s->nstarts = n;
		break;
	case 'k':
		snprintf(names[2], sizeof names[2], "%s", optarg);
		if (parse_names(names[2], tmp, &n) || n > 3)
			goto bad;
		for (int i = 0; i < n; i++)
			if (strategy_schedule_parse(tmp[i], (enum strategy_schedule *)&s->schedules[i]))
				goto bad;
		s->nschedules = n;
		break;
	case 'C':
		if (parse_list(optarg, &s->chunks, 1, 100000))
			goto bad;
		break;
	case 'a':
	case 'D':
	case 'M':
	case 'p':
	case 'A':
		if (parse_axis(ch, optarg, names[3 + (int)(strchr("aDMpA", ch) - "aDMpA")], s))
			goto bad;
		break;
	case 'x':
		s->experiments = optarg;
		break;
	case 's':
		s->scenario = optarg;
		break;
	case 'w':
		s->workload = optarg;
		break;
	case 'O':
		s->options = optarg;
		break;
	case 'e':
		if (parse_u64(optarg, &s->seed))
			goto bad;
		break;
	case 'm':
		if (strategy_mix_parse(optarg, &s->mix))
			goto bad;
		s->mix_set = true;
		break;
	}
	return 0;
bad:
	cli_error("invalid value '%s' for --%s", optarg, name);
	return -EINVAL;
}

/* An option of how to measure: repetitions, limits and the folder.  0,
 * or -EINVAL after a message (the usage, for an option not known). */
static int run_option(int ch, const char *name, struct sweep *s)
{
	long v;
	switch (ch) {
	case 'T':
		if (parse_double(optarg, &s->job_timeout_s) || !(s->job_timeout_s >= 0))
			goto bad;
		break;
	case 'Q':
		if (parse_fraction(optarg, &s->precision))
			goto bad;
		s->precision_set = true;
		break;
	case 'X':
		if (parse_int(optarg, 1, 1000, &v))
			goto bad;
		s->max_reps = (int)v;
		break;
	case 'B':
		if (parse_duration(optarg, &s->time_budget_s))
			goto bad;
		break;
	case 'R':
		if (parse_int(optarg, 1, 1000, &v))
			goto bad;
		s->reps = (int)v;
		break;
	case 'W':
		if (parse_int(optarg, 0, 100, &v))
			goto bad;
		s->warmup = (int)v;
		break;
	case 'o':
		s->out = optarg;
		break;
	case 'u':
		s->resume = optarg;
		break;
	case 'n':
		s->progress = false;
		break;
	case 'd':
		s->dry_run = true;
		break;
	default:
		sweep_usage(stderr);
		return -EINVAL;
	}
	return 0;
bad:
	cli_error("invalid value '%s' for --%s", optarg, name);
	return -EINVAL;
}

/* The machine's cores, from hwloc, else the CPUs this process may use. */
static int machine_cores(void)
{
	struct topo *t = NULL;
	int ncores = 0;
	if (topo_open(&t) == 0 && t)
		ncores = topo_count(t, "core");
	topo_close(t);
	if (ncores < 1)
		ncores = cli_usable_cpus();
	return ncores;
}

/* What the options left unsaid, from the preset and the machine. */
static void fill_defaults(struct sweep *s, const struct sweep_list *cores, const struct sweep_list *ratios)
{
	int ncores = machine_cores();
	s->ncores = ncores;
	const struct sweep_preset *pr = s->preset;
	preset_cores(s, ncores);
	s->mix = s->mix_set ? s->mix : pr->mix;
	s->ratios = pr->ratios;
	s->reps = s->reps ? s->reps : pr->reps;
	if (!s->precision_set)
		s->precision = pr->precision;
	if (!s->max_reps)
		s->max_reps = pr->max_reps ? pr->max_reps : 20;
	if (s->max_reps < s->reps)
		s->max_reps = s->reps;
	if (cores->n)
		s->cores = *cores;
	if (ratios->n)
		s->ratios = *ratios;
	if (!s->chunks.n)
		s->chunks = (struct sweep_list){ 1, { 1 } };
	if (!s->nstarts)
		s->nstarts = 1;
	if (!s->nschedules)
		s->nschedules = 1;
	s->nattaches += !s->nattaches;
	s->ndtypes += !s->ndtypes;
	s->nmodes += !s->nmodes;
	s->npins += !s->npins;
	s->nallocators += !s->nallocators;
}

/* 0 to go on, 1 after --help, -EINVAL (or another negative errno) after
 * a message. */
static int parse_args(int argc, char **argv, struct sweep *s)
{
	static const struct option opts[] = {
		{ "preset", required_argument, NULL, 'P' },     { "strategies", required_argument, NULL, 'S' },
		{ "cores", required_argument, NULL, 'c' },      { "ratios", required_argument, NULL, 'r' },
		{ "starts", required_argument, NULL, 't' },     { "schedules", required_argument, NULL, 'k' },
		{ "chunksizes", required_argument, NULL, 'C' }, { "scenario", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'e' },       { "mix", required_argument, NULL, 'm' },
		{ "reps", required_argument, NULL, 'R' },       { "warmup", required_argument, NULL, 'W' },
		{ "out", required_argument, NULL, 'o' },        { "resume", required_argument, NULL, 'u' },
		{ "no-progress", no_argument, NULL, 'n' },      { "dry-run", no_argument, NULL, 'd' },
		{ "attaches", required_argument, NULL, 'a' },   { "dtypes", required_argument, NULL, 'D' },
		{ "modes", required_argument, NULL, 'M' },      { "pins", required_argument, NULL, 'p' },
		{ "allocators", required_argument, NULL, 'A' }, { "experiments", required_argument, NULL, 'x' },
		{ "job-timeout", required_argument, NULL, 'T' }, { "precision", required_argument, NULL, 'Q' },
		{ "max-reps", required_argument, NULL, 'X' },   { "time-budget", required_argument, NULL, 'B' },
		{ "workload", required_argument, NULL, 'w' },   { "options", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		/* the synthetic workload's, as options of their own */
		{ "input-mb", required_argument, NULL, 1 },    { "job-ms", required_argument, NULL, 1 },
		{ "job-mb", required_argument, NULL, 1 },      { "access", required_argument, NULL, 1 },
		{ "cost-spread", required_argument, NULL, 1 }, { 0 },
	};
	static char shortcuts[512];
	struct sweep_list cores = { 0 }, ratios = { 0 };
	int ch, li = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, &li)) != -1) {
		if (ch == 1) {
			/* the synthetic workload's options, as options of their own */
			if (cli_option_append(shortcuts, sizeof shortcuts, opts[li].name, optarg)) {
				cli_error("invalid value '%s' for --%s", optarg, opts[li].name);
				return -EINVAL;
			}
			continue;
		}
		if (ch == 'h') {
			sweep_usage(stdout);
			return 1;
		}
		int rc = strchr("PScrtkCaDMpAxswOem", ch) ? plan_option(ch, opts[li].name, s, &cores, &ratios)
							     : run_option(ch, opts[li].name, s);
		if (rc)
			return rc;
	}
	if (optind < argc) {
		cli_error("unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (s->out && s->resume) {
		cli_error("--out and --resume name the folder twice: use one");
		return -EINVAL;
	}
	fill_defaults(s, &cores, &ratios);
	if (s->experiments && !s->preset->findings) {
		cli_error("--experiments belongs to --preset findings");
		return -EINVAL;
	}
	if (s->experiments && sweep_check_experiments(s->experiments))
		return -EINVAL;
	if (!s->nstrategies)
		for (int i = 0; i < strategy_registry_count; i++)
			if (strategy_registry[i].strategy)
				s->strategies[s->nstrategies++] = strategy_registry[i].name;
	if (shortcuts[0] && apply_shortcuts(s, shortcuts))
		return -EINVAL;
	return sweep_resolve_workload(s);
}

/* The results folder, locked for this sweep (*lockfd).  --out (or the
 * default name) starts a sweep and --resume continues one; each refuses
 * the other's folder, so that neither quietly does the other's job. */
static int make_folder(struct sweep *s, char *dir, size_t len, const char *cmd, int *lockfd)
{
	char path[4200], err[1024];
	struct stat st;
	if (s->resume) {
		snprintf(dir, len, "%s", s->resume);
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			cli_error("--resume: '%s' is not a results folder", dir);
			return -ENOENT;
		}
	} else {
		if (s->out) {
			snprintf(dir, len, "%s", s->out);
		} else {
			time_t now = time(NULL);
			struct tm tm;
			gmtime_r(&now, &tm);
			mkdir("results", 0755);
			strftime(dir, len, "results/sweep-%Y%m%d-%H%M%S", &tm);
		}
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			cli_error("cannot create '%s': %s", dir, strerror(errno));
			return -errno;
		}
	}
	int rc = folderlock_take(dir, cmd, lockfd, err, sizeof err);
	if (rc) {
		cli_error("%s", err);
		return rc;
	}
	/* Checked under the lock: another sweep cannot add results.csv
	 * between the check and this one's first row. */
	snprintf(path, sizeof path, "%s/results.csv", dir);
	bool has = access(path, F_OK) == 0;
	if (s->resume && !has) {
		cli_error("--resume: '%s' holds no results.csv; start a sweep there with --out '%s'", dir, dir);
		return -ENOENT;
	}
	if (!s->resume && has) {
		cli_error("'%s' already holds results.csv: add to it with --resume '%s', or choose a new folder",
			  dir, dir);
		return -EEXIST;
	}
	return 0;
}

/* context.json (the machine, and how long a random read in 1 GiB takes,
 * in 4 KiB pages and with huge pages asked for) and topology.xml. */
/* What the sweep ran, for anyone reading its folder: the workload (a
 * plug-in's path and its own version too) and its resolved options. */
static void put_workload(json_t *ctx, const struct sweep *s)
{
	char err[256];
	const struct workload *wl = workloads_find(s->workload, err, sizeof err);
	json_object_set_new(ctx, "workload", json_string(wl ? wl->name : s->workload));
	if (wl)
		json_object_set_new(ctx, "workload_version", json_string(wl->version));
	if (workloads_is_path(s->workload))
		json_object_set_new(ctx, "workload_path", json_string(s->workload));
	json_object_set_new(ctx, "workload_options", json_string(s->options ? s->options : ""));
	json_object_set_new(ctx, "scenario", json_string(s->scenario));
}

static int write_sidecars(const char *dir, const struct sweep *s)
{
	char path[4200];
	json_t *ctx = NULL;
	int rc = context_collect(&ctx);
	if (!rc)
		put_workload(ctx, s);
	for (int huge = 0; huge < 2 && !rc; huge++) {
		double ns = NAN;
		noise_probe_latency(1ull << 30, huge, 2000000, &ns);
		if (!isnan(ns))
			json_object_set_new(ctx, huge ? "latency_1gib_huge_ns" : "latency_1gib_ns", json_real(ns));
	}
	snprintf(path, sizeof path, "%s/context.json", dir);
	if (!rc)
		rc = outfile_write_json(path, ctx, JSON_INDENT(2));
	json_decref(ctx);
	struct topo *t = NULL;
	if (!rc) {
		snprintf(path, sizeof path, "%s/topology.xml", dir);
		rc = topo_open(&t) || !t ? -EIO : topo_export_xml(t, path);
	}
	topo_close(t);
	if (rc)
		cli_error("cannot write '%s': %s", path, strerror(-rc));
	return rc;
}

/* The calibration probe again at the end, and the adaptive rule's
 * outcome, into context.json. */
static void write_end_context(const char *dir, const struct sweep *s, int precise, bool budget_hit)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/context.json", dir);
	json_t *ctx = NULL;
	char err[512];
	if (sidecar_load(path, &ctx, err, sizeof err))
		return;
	double cpu = noise_probe_cpu(), lat = NAN;
	noise_probe_latency(CONTEXT_PROBE_BYTES, true, CONTEXT_PROBE_HOPS, &lat);
	json_object_set_new(ctx, "probe_end_cpu_s", json_real(cpu));
	if (!isnan(lat))
		json_object_set_new(ctx, "probe_end_latency_ns", json_real(lat));
	if (s->precision > 0) {
		json_object_set_new(ctx, "precision_goal", json_real(s->precision));
		json_object_set_new(ctx, "points_at_precision", json_integer(precise));
		json_object_set_new(ctx, "points", json_integer(s->npts));
		json_object_set_new(ctx, "max_reps", json_integer(s->max_reps));
		json_object_set_new(ctx, "time_budget_hit", json_boolean(budget_hit));
	}
	int rc = outfile_write_json(path, ctx, JSON_INDENT(2));
	if (rc)
		cli_error("cannot update '%s': %s", path, strerror(-rc));
	json_decref(ctx);
}

static uint64_t rng_state;
static uint64_t rng_next(void)
{
	rng_state += 0x9e3779b97f4a7c15ull;
	uint64_t z = rng_state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Whether a point's median wall time is known to the precision asked. */
static bool precise(const struct sweep *s, const struct sweep_point *pt)
{
	return stats_median_within(pt->walls, (size_t)pt->nwalls, 0.95, s->precision);
}

static bool needs_more(const struct sweep *s, const struct sweep_point *pt)
{
	if (pt->skipped)
		return false;
	if (pt->done < s->reps)
		return true;
	return s->precision > 0 && pt->done < s->max_reps && !precise(s, pt);
}

/* One measured repetition of a point (its warm-up first, if due). */
static int write_row(struct csvio_writer *csv, const struct runner_row *row)
{
	char (*buf)[512] = calloc((size_t)runner_ncolumns, sizeof *buf);
	const char **cells = calloc((size_t)runner_ncolumns, sizeof *cells);
	int rc = -ENOMEM;
	if (buf && cells) {
		runner_row_cells(row, buf, cells);
		rc = csvio_write_row(csv, cells) ? -EIO : 0;
	}
	free(buf);
	free(cells);
	return rc;
}

/* A point this machine cannot run (not enough memory, a limit the
 * strategy refuses) gets one row that says why, and is not tried again
 * in this sweep. */
static int skip_point(struct sweep_point *pt, struct csvio_writer *csv, const char *why, struct runner_row *row)
{
	memset(row, 0, sizeof *row);
	row->strategy = pt->o.strategy->name;
	row->p = pt->o.p;
	row->wl = pt->o.wl;
	row->rep = pt->done;
	row->status = "skipped";
	row->parent_rss_bytes = pt->o.parent_rss_bytes;
	row->load = pt->o.load;
	row->cgroup_peak_bytes = -1;
	row->steal_fraction = row->cpu_mhz = NAN;
	row->runnable_before = -1;
	snprintf(row->error, sizeof row->error, "not measured: %s", why);
	pt->skipped = true;
	fprintf(stderr, "sweep: %s workers=%d jobs=%d skipped: %s\n", row->strategy, row->p.workers, row->p.jobs, why);
	return write_row(csv, row);
}

/* What the watchdog of an in-process point needs: where the row goes. */
struct overrun {
	struct csvio_writer *csv;
	const char *dir;
};

/* A thread strategy passed its run limit: its threads cannot be stopped,
 * so the row is written here and the process ends (runner.h). */
static void on_overrun(const struct runner_row *row, void *arg)
{
	struct overrun *o = arg;
	write_row(o->csv, row);
	csvio_writer_close(o->csv);
	fprintf(stderr, "spreadbench: %s passed its run limit (%g s) and cannot be stopped; its row is written. "
		"Continue with --resume %s\n", row->strategy, row->run_timeout_s, o->dir);
}

/* One measured repetition of a point (its warm-up first, if due).  Every
 * wait is bounded (runner_bound_waits): the user's --job-timeout, else
 * limits from the serial reference, and for a child run 600 s a job or
 * an hour a run. */
static int measure_point(struct sweep *s, struct sweep_point *pt, const char *dir, struct csvio_writer *csv,
			 struct runner_row *row)
{
	static struct overrun ov;
	struct runner_memory m;
	const struct strategy *st = pt->o.strategy;
	char why[256];
	int rc = sweep_point_open(pt);
	if (rc)
		return rc;
	if (strategy_check(st, &pt->o.p, why, sizeof why))
		return skip_point(pt, csv, why, row);
	if (s->job_timeout_s > 0 && flag(st, STRATEGY_STOPS_JOBS))
		pt->o.p.job_timeout_s = s->job_timeout_s;
	if (pt->child) {
		/* No serial time here: the child computes its own. */
		runner_bound_waits(&pt->o, NULL);
		if (runner_memory_check(&pt->o, NULL, 0, &m) == -ENOMEM)
			return skip_point(pt, csv, m.why, row);
		rc = measure_child(pt, pt->warmed ? 0 : s->warmup, pt->done, dir, csv, row);
		pt->warmed = true;
		return rc;
	}
	if (!pt->ref) {
		/* The reference is bounded too. */
		struct runner_options ro = pt->o;
		ro.p.job_timeout_s = s->job_timeout_s > 0 ? s->job_timeout_s : 600;
		ro.p.setup_timeout_s = 600;
		if (!(pt->ref = reference_for(&ro, &rc)))
			return rc ? rc : -ENOMEM;
	}
	if (runner_memory_check(&pt->o, pt->ref, 0, &m) == -ENOMEM)
		return skip_point(pt, csv, m.why, row);
	runner_bound_waits(&pt->o, pt->ref);
	ov = (struct overrun){ .csv = csv, .dir = dir };
	pt->o.on_overrun = on_overrun;
	pt->o.overrun_arg = &ov;
	for (int w = 0; !pt->warmed && w < s->warmup && rc == 0; w++)
		rc = runner_measure(&pt->o, pt->ref, -1, row);
	pt->warmed = true;
	if (rc == 0)
		rc = runner_measure(&pt->o, pt->ref, pt->done, row);
	if (rc == 0)
		rc = write_row(csv, row);
	return rc;
}

/* --dry-run: the points, one a line, and the repetitions they would get. */
static void print_points(const struct sweep *s)
{
	for (int i = 0; i < s->npts; i++) {
		for (int k = 0; k < POINT_NKEY; k++)
			printf("%s%s", k ? "|" : "", s->pts[i].key.cell[k]);
		printf("%s\n", s->pts[i].child ? " (child run)" : "");
	}
	printf("%d points x %d repetitions%s\n", s->npts, s->reps,
	       s->precision > 0 ? " at least (more where the precision asks for them)" : "");
}

/* The folder made (or found) and locked, the repetitions it holds
 * counted, the side files of a new sweep written and results.csv (path)
 * open for rows: 0, or the exit status. */
static int open_results(struct sweep *s, const char *cmd, char *dir, size_t dirlen, char *path, size_t pathlen,
			int *lockfd, struct csvio_writer **csv)
{
	if (make_folder(s, dir, dirlen, cmd, lockfd))
		return 2;
	snprintf(path, pathlen, "%s/results.csv", dir);
	if (count_done(s, path))
		return 2;
	if (!s->resume && write_sidecars(dir, s))
		return 1;
	char extra[200];
	snprintf(extra, sizeof extra, "sweep: preset %s, scenario %s, %d points, %d repetitions%s", s->preset->name,
		 s->scenario, s->npts, s->reps, s->precision > 0 ? " at least, more until the precision is reached" : "");
	const char *lines[1] = { extra };
	if (runner_signals_install() || results_csv_open(path, cmd, lines, 1, csv))
		return 2;
	return 0;
}

/* How far the rounds have got, for the progress line and the summary. */
struct rounds {
	int total, finished, invalid, skipped;
	bool tty, budget_hit;
	double t_start;
};

/* The progress after a row: a bar on a terminal, else a line a row. */
static void show_progress(const struct rounds *r, const struct runner_row *row)
{
	double el = now_s() - r->t_start, eta = el / r->finished * (r->total > r->finished ? r->total - r->finished : 0);
	char etas[32];
	fmt_eta(eta, etas, sizeof etas);
	if (r->tty) {
		int w = 30, fill = r->total ? r->finished * w / (r->total > r->finished ? r->total : r->finished) : w;
		fprintf(stderr, "\r[%.*s%*s] %d/%d  ETA %-8s %-12s", fill, "##############################", w - fill, "",
			r->finished, r->total, etas, row->strategy);
	} else {
		fprintf(stderr, "sweep: %d/%d %s workers=%d jobs=%d rep %d: %.3f s %s%s (ETA %s)\n", r->finished,
			r->total, row->strategy, row->p.workers, row->p.jobs, row->rep, row->wall_s, row->status,
			row->valid ? "" : " INVALID", etas);
	}
}

/* A fresh order for a round's points, so that drift of the machine
 * spreads over all of them. */
static void shuffle(int *order, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int j = (int)(rng_next() % (uint64_t)(i + 1)), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

/* One repetition of each of the n points in order: 0, 1 after a failure,
 * or 128 + the signal that interrupted it. */
static int run_round(struct sweep *s, const char *dir, struct csvio_writer *csv, const int *order, int n,
		     struct rounds *r)
{
	for (int k = 0; k < n; k++) {
		struct sweep_point *pt = &s->pts[order[k]];
		struct runner_row row;
		int rrc = measure_point(s, pt, dir, csv, &row);
		if (rrc == -EINTR || runner_interrupted())
			return 128 + runner_interrupted();
		if (rrc) {
			cli_error("%s: %s", pt->o.strategy->name, strerror(-rrc));
			return 1;
		}
		pt->done++;
		if (row.valid && point_add_wall(pt, row.wall_s))
			return 1;
		r->finished++;
		r->skipped += pt->skipped;
		r->invalid += !row.valid && !pt->skipped;
		show_progress(r, &row);
	}
	return 0;
}

/* Rounds until no point needs another repetition, the time budget is
 * spent or a round fails: 0, 1, or 128 + the signal. */
static int run_rounds(struct sweep *s, const char *dir, struct csvio_writer *csv, int *order, struct rounds *r)
{
	int status = 0;
	for (int round = 0; status == 0; round++) {
		/* The points that still need a repetition, in a fresh order. */
		int n = 0;
		for (int i = 0; i < s->npts; i++)
			if (needs_more(s, &s->pts[i]))
				order[n++] = i;
		if (n == 0)
			break;
		if (s->time_budget_s > 0 && now_s() - r->t_start > s->time_budget_s) {
			r->budget_hit = true;
			break;
		}
		if (round > 0 && r->finished >= r->total)
			r->total = r->finished + n;      /* rounds the precision asked for */
		shuffle(order, n);
		status = run_round(s, dir, csv, order, n, r);
	}
	return status;
}

/* What the rounds came to, and the end of context.json: the exit status,
 * 1 where rows are not valid. */
static int report_rounds(const struct sweep *s, const char *dir, const char *path, const struct rounds *r, int status)
{
	if (r->tty)
		fprintf(stderr, "\n");
	if (status == 0 && r->invalid) {
		cli_error("%d rows are not valid (see their error column)", r->invalid);
		status = 1;
	}
	if (r->skipped)
		fprintf(stderr, "spreadbench: %d points could not run here; their rows say why (status skipped)\n",
			r->skipped);
	int at_precision = 0;
	for (int i = 0; i < s->npts; i++)
		at_precision += s->precision > 0 && precise(s, &s->pts[i]);
	if (status >= 128) {
		fprintf(stderr, "spreadbench: interrupted; %d rows kept in %s (continue with --resume %s)\n",
			r->finished, path, dir);
		return status;
	}
	printf("sweep: %d rows in %s (%d points; context.json, topology.xml)\n", r->finished, path, s->npts);
	if (s->precision > 0)
		printf("sweep: %d of %d points have their median wall time to %.1f %%%s\n", at_precision, s->npts,
		       s->precision * 100,
		       r->budget_hit		 ? "; the time budget ended the rounds"
		       : at_precision < s->npts ? "; the others reached --max-reps"
						: "");
	write_end_context(dir, s, at_precision, r->budget_hit);
	return status;
}

/* The plots and report of everything the folder holds now: nonzero when
 * either failed. */
static int plot_and_report(char *dir)
{
	char *pargv[] = { "plot", dir, NULL };
	int prc = cmd_plot(2, pargv);
	char *rargv[] = { "report", dir, NULL };
	return cmd_report(2, rargv) || prc;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep s = { .preset = sweep_preset_find("quick"), .seed = 1, .warmup = 1, .progress = true,
			   .job_timeout_s = -1 };
	int rc = parse_args(argc, argv, &s);
	if (rc)
		return rc > 0 ? 0 : 2;
	int status = 2, lockfd = -1;
	struct csvio_writer *csv = NULL;
	int *order = NULL;
	char dir[4096], path[4200], cmd[2048] = "spreadbench";
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(cmd);
		snprintf(cmd + len, sizeof cmd - len, " %s", argv[i]);
	}
	if (sweep_plan(&s))
		goto out;
	if (s.dry_run) {
		print_points(&s);
		status = 0;
		goto out;
	}
	if ((rc = open_results(&s, cmd, dir, sizeof dir, path, sizeof path, &lockfd, &csv))) {
		status = rc;
		goto out;
	}

	struct rounds r = { .total = 0 };
	for (int i = 0; i < s.npts; i++)
		r.total += s.pts[i].done < s.reps ? s.reps - s.pts[i].done : 0;
	order = calloc((size_t)s.npts + 1, sizeof *order);
	if (!order)
		goto out;
	rng_state = s.seed * 7919 + (uint64_t)time(NULL);
	r.tty = s.progress && isatty(STDERR_FILENO);
	r.t_start = now_s();
	status = run_rounds(&s, dir, csv, order, &r);
	status = report_rounds(&s, dir, path, &r, status);
	if ((status == 0 || status == 1) && plot_and_report(dir) && status == 0)
		status = 1;
out:
	free(order);
	if (csv)
		csvio_writer_close(csv);
	release_refs();
	sweep_release(&s);
	folderlock_release(lockfd);
	return status;
}
