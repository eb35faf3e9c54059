/*
 * cmd_sweep.c - `spreadbench sweep`: many points, each measured like
 * `spreadbench run`, into one results folder.
 *
 * Points are strategies x core counts x jobs-per-core ratios (jobs =
 * cores x ratio), and optionally start methods, schedules and chunksizes;
 * serial is measured once for every batch size, as the speedup's
 * denominator.  Repetitions are interleaved: every round runs each point
 * once, in a freshly shuffled order, so drift of the machine (heat, other
 * load) spreads over all strategies instead of favouring one.  Each point
 * gets its untimed warm-up runs before its first measured one.
 *
 * The folder holds results.csv (rows as `run` writes them, with the
 * machine's context as '#' lines), context.json and topology.xml (hwloc;
 * lstopo draws it), and at the end the plots (`spreadbench plot`) and
 * report.md (`spreadbench report`).  --resume DIR counts the rows each point already has
 * and measures only the missing repetitions.  Default core counts come
 * from hwloc.
 */
#include "cli.h"
#include "context.h"
#include "csvio.h"
#include "results.h"
#include "runner.h"
#include "topo.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAXLIST 32

struct list {
	int n;
	long v[MAXLIST];
};

struct sweep_point {
	struct runner_options o;
	char key[512];
	int done;                        /* repetitions already in the file */
	bool warmed;
	struct runner_reference *ref;
};

struct refcache {
	struct strategy_params p;
	struct runner_reference ref;
};

struct sweep {
	const char *preset, *scenario, *out, *resume;
	const char *strategies[MAXLIST];
	int nstrategies;
	struct list cores, ratios, chunks;
	int starts[2], nstarts, schedules[3], nschedules;
	int reps, warmup;
	uint64_t seed;
	enum kernel_job_mix mix;
	bool mix_set, progress, dry_run;
	struct sweep_point *pts;
	int npts;
	struct refcache **refs;          /* each apart: points keep pointers to them */
	int nrefs;
};

static int parse_list(const char *s, struct list *l, long lo, long hi)
{
	l->n = 0;
	char *copy = strdup(s), *save = NULL;
	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long v;
		if (l->n == MAXLIST || parse_int(tok, lo, hi, &v)) {
			free(copy);
			return -EINVAL;
		}
		l->v[l->n++] = v;
	}
	free(copy);
	return l->n ? 0 : -EINVAL;
}

/* Names: strategies, starts or schedules, checked against their parsers. */
static int parse_names(char *s, const char **names, int *n)
{
	*n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*n == MAXLIST)
			return -EINVAL;
		names[(*n)++] = tok;
	}
	return *n ? 0 : -EINVAL;
}

static void preset(struct sweep *s, int cores)
{
	/* Core counts 1, 2, 4, ... up to the machine's cores. */
	s->cores.n = 0;
	for (long c = 1; c < cores && s->cores.n < MAXLIST - 2; c *= 2)
		s->cores.v[s->cores.n++] = c;
	s->cores.v[s->cores.n++] = cores;
	if (strcmp(s->preset, "full") == 0) {
		s->scenario = s->scenario ? s->scenario : "prof";
		s->cores.v[s->cores.n++] = cores + 1; /* one over: what oversubscription costs */
		s->ratios = (struct list){ 2, { 1, 2 } };
		if (!s->mix_set)
			s->mix = KERNEL_JOBS_IDENTICAL;
		s->reps = s->reps ? s->reps : 5;
	} else {
		s->scenario = s->scenario ? s->scenario : "demo";
		s->ratios = (struct list){ 1, { 2 } };
		s->reps = s->reps ? s->reps : 3;
	}
}

static bool flag(const struct strategy *st, unsigned f)
{
	return (st->flags & f) != 0;
}

static int add_point(struct sweep *s, const struct strategy *st, struct strategy_params p)
{
	struct sweep_point *n = realloc(s->pts, (size_t)(s->npts + 1) * sizeof *n);
	if (!n)
		return -ENOMEM;
	s->pts = n;
	struct sweep_point *pt = &s->pts[s->npts++];
	memset(pt, 0, sizeof *pt);
	pt->o = (struct runner_options){ .strategy = st, .p = p, .sample_interval_s = 0.02 };
	return 0;
}

static int build_points(struct sweep *s)
{
	struct strategy_params base = { .scenario = s->scenario, .seed = s->seed, .mix = s->mix, .chunksize = 1,
					.fault_job = -1, .worker_path = worker_program_path() };
	/* Serial, once per batch size. */
	long sizes[MAXLIST * MAXLIST];
	int nsizes = 0;
	for (int c = 0; c < s->cores.n; c++)
		for (int r = 0; r < s->ratios.n; r++) {
			long j = s->cores.v[c] * s->ratios.v[r];
			bool seen = false;
			for (int k = 0; k < nsizes; k++)
				seen |= sizes[k] == j;
			if (!seen)
				sizes[nsizes++] = j;
		}
	for (int i = 0; i < s->nstrategies; i++) {
		const struct strategy_entry *e = strategy_find(s->strategies[i]);
		if (!e) {
			cli_error("unknown strategy '%s' (see 'spreadbench list')", s->strategies[i]);
			return -EINVAL;
		}
		if (!e->strategy) {
			cli_error("strategy '%s' is not built: %s", e->name, e->enable);
			return -EINVAL;
		}
		const struct strategy *st = e->strategy;
		bool parallel = flag(st, STRATEGY_PROCESSES | STRATEGY_THREADS | STRATEGY_MPI);
		if (!parallel) {
			for (int k = 0; k < nsizes; k++) {
				struct strategy_params p = base;
				p.workers = 1;
				p.jobs = (int)sizes[k];
				if (add_point(s, st, p))
					return -ENOMEM;
			}
			continue;
		}
		int nst = flag(st, STRATEGY_PROCESSES) ? s->nstarts : 1;
		int nsc = flag(st, STRATEGY_SCHEDULES) ? s->nschedules : 1;
		int nch = flag(st, STRATEGY_SCHEDULES) ? s->chunks.n : 1;
		for (int c = 0; c < s->cores.n; c++)
			for (int r = 0; r < s->ratios.n; r++)
				for (int a = 0; a < nst; a++)
					for (int b = 0; b < nsc; b++)
						for (int d = 0; d < nch; d++) {
							struct strategy_params p = base;
							p.workers = (int)s->cores.v[c];
							p.jobs = (int)(s->cores.v[c] * s->ratios.v[r]);
							p.start = flag(st, STRATEGY_PROCESSES) ? s->starts[a] : 0;
							p.schedule = flag(st, STRATEGY_SCHEDULES) ? s->schedules[b] : 0;
							p.chunksize = flag(st, STRATEGY_SCHEDULES) ? (int)s->chunks.v[d] : 1;
							if (add_point(s, st, p))
								return -ENOMEM;
						}
	}
	return 0;
}

/* A point's identity: its cells in the parameter columns of the CSV. */
static const char *const key_columns[] = { "strategy", "start", "workers", "jobs", "schedule", "chunksize",
					   "attach", "scenario", "seed", "mix", "dtype" };
#define NKEY (int)(sizeof key_columns / sizeof key_columns[0])

static void point_key(struct sweep_point *pt)
{
	struct runner_row row = { .strategy = pt->o.strategy->name, .p = pt->o.p, .status = "ok" };
	static char buf[256][512];
	const char *cells[256];
	if (runner_ncolumns > 256)
		return;
	runner_row_cells(&row, buf, cells);
	pt->key[0] = '\0';
	for (int k = 0; k < NKEY; k++)
		for (int c = 0; c < runner_ncolumns; c++)
			if (strcmp(runner_columns[c], key_columns[k]) == 0) {
				size_t len = strlen(pt->key);
				snprintf(pt->key + len, sizeof pt->key - len, "%s|", cells[c]);
			}
}

/* Repetitions already in an existing results file. */
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
	int col[NKEY];
	for (int k = 0; k < NKEY; k++)
		if ((col[k] = csvio_column(&t, key_columns[k])) < 0) {
			cli_error("'%s' has no column '%s'", path, key_columns[k]);
			csvio_table_release(&t);
			return -EINVAL;
		}
	for (size_t r = 0; r < t.nrows; r++) {
		char key[512] = "";
		for (int k = 0; k < NKEY; k++) {
			size_t len = strlen(key);
			snprintf(key + len, sizeof key - len, "%s|", csvio_cell(&t, r, col[k]));
		}
		for (int i = 0; i < s->npts; i++)
			if (strcmp(s->pts[i].key, key) == 0)
				s->pts[i].done++;
	}
	csvio_table_release(&t);
	return 0;
}

static struct runner_reference *reference_for(struct sweep *s, const struct strategy_params *p, int *rc)
{
	for (int i = 0; i < s->nrefs; i++)
		if (s->refs[i]->p.jobs == p->jobs)
			return &s->refs[i]->ref;
	struct refcache **n = realloc(s->refs, (size_t)(s->nrefs + 1) * sizeof *n);
	if (!n) {
		*rc = -ENOMEM;
		return NULL;
	}
	s->refs = n;
	struct refcache *c = calloc(1, sizeof *c);
	if (!c) {
		*rc = -ENOMEM;
		return NULL;
	}
	c->p = *p;
	char err[256] = "";
	*rc = runner_reference_compute(p, &c->ref, err, sizeof err);
	if (*rc) {
		if (*rc != -EINTR)
			cli_error("serial reference for %d jobs: %s", p->jobs, err[0] ? err : strerror(-*rc));
		free(c);
		return NULL;
	}
	s->refs[s->nrefs++] = c;
	return &c->ref;
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

static uint64_t rng_state;
static uint64_t rng_next(void)
{
	rng_state += 0x9e3779b97f4a7c15ull;
	uint64_t z = rng_state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void sweep_usage(FILE *out)
{
	fprintf(out,
		"usage: spreadbench sweep [options]\n"
		"  --preset quick|full   quick: demo scenario, cores 1, 2, 4 ... up to the machine's, 2 jobs\n"
		"                        per core, 3 repetitions; full: prof, the same core counts plus\n"
		"                        one over, 1 and 2 jobs per core, 5 repetitions (default quick)\n"
		"  --strategies LIST     comma-separated (default: every built strategy)\n"
		"  --cores LIST          worker counts, e.g. 1,2,4 (default from hwloc's cores)\n"
		"  --ratios LIST         jobs per core, e.g. 1,2,4\n"
		"  --starts LIST         fork,spawn (default fork)\n"
		"  --schedules LIST      block,snake,dynamic (default block)\n"
		"  --chunksizes LIST     e.g. 1,2 (default 1)\n"
		"  --scenario NAME, --seed N, --mix identical|mixed\n"
		"  --reps N, --warmup N  measured repetitions per point (interleaved), warm-up runs (default 1)\n"
		"  --out DIR             results folder (default results/sweep-DATE-TIME)\n"
		"  --resume DIR          add only the repetitions DIR does not have yet\n"
		"  --no-progress         plain lines even on a terminal (elsewhere they are the default)\n"
		"  --dry-run             list the points and stop\n");
}

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
		{ "help", no_argument, NULL, 'h' },             { 0 },
	};
	static char names[3][1024];
	const char *tmp[MAXLIST];
	struct list cores = { 0 }, ratios = { 0 };
	long v;
	int ch, li = 0, n;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, &li)) != -1) {
		switch (ch) {
		case 'P':
			if (strcmp(optarg, "quick") && strcmp(optarg, "full"))
				goto bad;
			s->preset = optarg;
			break;
		case 'S':
			snprintf(names[0], sizeof names[0], "%s", optarg);
			if (parse_names(names[0], s->strategies, &s->nstrategies))
				goto bad;
			break;
		case 'c':
			if (parse_list(optarg, &cores, 1, 4096))
				goto bad;
			break;
		case 'r':
			if (parse_list(optarg, &ratios, 1, 1000))
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
		case 's':
			s->scenario = optarg;
			break;
		case 'e':
			if (parse_u64(optarg, &s->seed))
				goto bad;
			break;
		case 'm':
			if (kernel_job_mix_parse(optarg, &s->mix))
				goto bad;
			s->mix_set = true;
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
		case 'h':
			sweep_usage(stdout);
			return 1;
		default:
			sweep_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		cli_error("unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (s->out && s->resume) {
		cli_error("--out and --resume name the folder twice: use one");
		return -EINVAL;
	}
	struct topo *t = NULL;
	int ncores = 0;
	if (topo_open(&t) == 0 && t)
		ncores = topo_count(t, "core");
	topo_close(t);
	if (ncores < 1)
		ncores = cli_usable_cpus();
	preset(s, ncores);
	if (cores.n)
		s->cores = cores;
	if (ratios.n)
		s->ratios = ratios;
	if (!s->chunks.n)
		s->chunks = (struct list){ 1, { 1 } };
	if (!s->nstarts)
		s->nstarts = 1;
	if (!s->nschedules)
		s->nschedules = 1;
	if (!s->nstrategies)
		for (int i = 0; i < strategy_registry_count; i++)
			if (strategy_registry[i].strategy)
				s->strategies[s->nstrategies++] = strategy_registry[i].name;
	struct kernel_scenario sc;
	if (kernel_scenario_find(s->scenario, s->seed, &sc)) {
		cli_error("unknown scenario '%s' (%s)", s->scenario, kernel_scenario_names());
		return -EINVAL;
	}
	return 0;
bad:
	cli_error("invalid value '%s' for --%s", optarg, opts[li].name);
	return -EINVAL;
}

static int make_folder(struct sweep *s, char *dir, size_t len)
{
	if (s->resume) {
		snprintf(dir, len, "%s", s->resume);
		struct stat st;
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			cli_error("--resume: '%s' is not a results folder", dir);
			return -ENOENT;
		}
		return 0;
	}
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
	return 0;
}

static int write_sidecars(const char *dir)
{
	char path[4200];
	json_t *ctx = NULL;
	int rc = context_collect(&ctx);
	snprintf(path, sizeof path, "%s/context.json", dir);
	if (!rc && json_dump_file(ctx, path, JSON_INDENT(2)))
		rc = -EIO;
	json_decref(ctx);
	struct topo *t = NULL;
	snprintf(path, sizeof path, "%s/topology.xml", dir);
	if (!rc && (topo_open(&t) || !t || topo_export_xml(t, path)))
		rc = -EIO;
	topo_close(t);
	if (rc)
		cli_error("cannot write the context of '%s'", dir);
	return rc;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep s = { .preset = "quick", .seed = 1, .mix = KERNEL_JOBS_MIXED, .warmup = 1, .progress = true };
	int rc = parse_args(argc, argv, &s);
	if (rc)
		return rc > 0 ? 0 : 2;
	int status = 2;
	struct csvio_writer *csv = NULL;
	char dir[4096], path[4200], cmd[2048] = "spreadbench";
	if (build_points(&s))
		goto out;
	for (int i = 0; i < s.npts; i++)
		point_key(&s.pts[i]);
	if (s.dry_run) {
		for (int i = 0; i < s.npts; i++)
			printf("%s %s\n", s.pts[i].o.strategy->name, s.pts[i].key);
		printf("%d points x %d repetitions\n", s.npts, s.reps);
		status = 0;
		goto out;
	}
	if (make_folder(&s, dir, sizeof dir))
		goto out;
	snprintf(path, sizeof path, "%s/results.csv", dir);
	if (count_done(&s, path))
		goto out;
	if (!s.resume && write_sidecars(dir))
		goto out;
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(cmd);
		snprintf(cmd + len, sizeof cmd - len, " %s", argv[i]);
	}
	char extra[160];
	snprintf(extra, sizeof extra, "sweep: preset %s, scenario %s, %d points, %d repetitions", s.preset,
		 s.scenario, s.npts, s.reps);
	const char *lines[1] = { extra };
	if (runner_signals_install() || results_csv_open(path, cmd, lines, 1, &csv))
		goto out;

	/* The tasks: rounds of every point still short of s.reps. */
	int total = 0;
	for (int i = 0; i < s.npts; i++)
		total += s.pts[i].done < s.reps ? s.reps - s.pts[i].done : 0;
	int *order = calloc((size_t)s.npts + 1, sizeof *order);
	if (!order)
		goto out;
	rng_state = s.seed * 7919 + (uint64_t)time(NULL);
	bool tty = s.progress && isatty(STDERR_FILENO);
	int finished = 0, invalid = 0;
	double t_start = now_s();
	status = 0;
	for (int round = 0; round < s.reps && status == 0; round++) {
		for (int i = 0; i < s.npts; i++)
			order[i] = i;
		for (int i = s.npts - 1; i > 0; i--) {
			int j = (int)(rng_next() % (uint64_t)(i + 1)), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (int k = 0; k < s.npts; k++) {
			struct sweep_point *pt = &s.pts[order[k]];
			if (pt->done > round)
				continue;
			int rrc = 0;
			if (!pt->ref && !(pt->ref = reference_for(&s, &pt->o.p, &rrc))) {
				status = rrc == -EINTR ? 128 + runner_interrupted() : 1;
				break;
			}
			struct runner_row row;
			for (int w = 0; !pt->warmed && w < s.warmup && rrc == 0; w++)
				rrc = runner_measure(&pt->o, pt->ref, -1, &row);
			pt->warmed = true;
			if (rrc == 0)
				rrc = runner_measure(&pt->o, pt->ref, pt->done, &row);
			if (rrc == -EINTR) {
				status = 128 + runner_interrupted();
				break;
			}
			if (rrc) {
				cli_error("%s: %s", pt->o.strategy->name, strerror(-rrc));
				status = 1;
				break;
			}
			char buf[256][512];
			const char *cells[256];
			runner_row_cells(&row, buf, cells);
			if (csvio_write_row(csv, cells)) {
				cli_error("cannot write '%s'", path);
				status = 1;
				break;
			}
			pt->done++;
			finished++;
			invalid += !row.valid;
			double el = now_s() - t_start, eta = el / finished * (total - finished);
			char etas[32];
			fmt_eta(eta, etas, sizeof etas);
			if (tty) {
				int w = 30, fill = total ? finished * w / total : w;
				fprintf(stderr, "\r[%.*s%*s] %d/%d  ETA %-8s %-12s", fill,
					"##############################", w - fill, "", finished, total, etas,
					row.strategy);
			} else {
				fprintf(stderr, "sweep: %d/%d %s workers=%d jobs=%d rep %d: %.3f s %s%s (ETA %s)\n",
					finished, total, row.strategy, row.p.workers, row.p.jobs, row.rep, row.wall_s,
					row.status, row.valid ? "" : " INVALID", etas);
			}
		}
	}
	if (tty)
		fprintf(stderr, "\n");
	free(order);
	if (status == 0 && invalid) {
		cli_error("%d rows are not valid (see their error column)", invalid);
		status = 1;
	}
	if (status >= 128)
		fprintf(stderr, "spreadbench: interrupted; %d rows kept in %s (continue with --resume %s)\n", finished,
			path, dir);
	else
		printf("sweep: %d rows in %s (%d points x %d repetitions; context.json, topology.xml)\n", finished,
		       path, s.npts, s.reps);
	/* The plots and report of everything the folder holds now. */
	if (status == 0 || status == 1) {
		char *pargv[] = { "plot", dir, NULL };
		int prc = cmd_plot(2, pargv);
		if (prc && status == 0)
			status = 1;
		char *rargv[] = { "report", dir, NULL };
		prc = cmd_report(2, rargv);
		if (prc && status == 0)
			status = 1;
	}
out:
	if (csv)
		csvio_writer_close(csv);
	for (int i = 0; i < s.nrefs; i++) {
		runner_reference_release(&s.refs[i]->ref);
		free(s.refs[i]);
	}
	free(s.refs);
	free(s.pts);
	return status;
}
