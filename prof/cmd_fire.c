/*
 * cmd_fire.c - `spreadbench fire`: build a scenario's landscape, run one
 * fire on one core and print its figures as stable `key: value` lines or
 * as one JSON object, optionally drawing it with gnuplot.  Building the
 * landscape is timed apart (setup_s) from the fire (runtime_s).  The
 * picture's file is opened (as a temporary file beside it) before the
 * fire runs, so that a path that cannot be written is refused at once
 * rather than after the whole fire.
 */
#include "cli.h"
#include "fire_cli.h"
#include "noise.h"
#include "outfile.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fire_usage(FILE *out)
{
	fprintf(out,
		"usage: spreadbench fire [options]\n"
		"  --scenario NAME     prof, demo or tiny (default demo)\n"
		"  --seed N            seed of the scenario's landscape and jobs (default 1)\n"
		"  --job N             run job N of the scenario's job list (default: the reference fire)\n"
		"  --mix KIND          job list: identical or mixed (default mixed)\n"
		"  --ignite Y,X        ignite this cell instead\n"
		"  --start MIN         start time in minutes\n"
		"  --duration MIN      maximum duration in minutes\n"
		"  --dtype f32|f64     storage type of the input layers (default f32)\n"
		"  --threads N         split the fire's passes across N threads (OpenMP; 0 for\n"
		"                      OpenMP's default); the output is the same at any N\n"
		"  --json              print one JSON object instead of key: value lines\n"
		"  --latency           after the fire, measure this host's memory latency (a dependent\n"
		"                      random read in 1 GiB, with and without huge pages): the kernel's\n"
		"                      speed follows it, so give it with the runtime\n"
		"  --plot FILE.png     draw the time of arrival and fire type with gnuplot\n");
}

struct fire_report {
	const char *scenario;
	int job;
	struct kernel_job j;
	struct kernel_fire_result r;
	double setup_s, runtime_s;
	size_t input_bytes;
	int threads;
	double latency_ns[2];            /* 1 GiB random read, 4 KiB and huge pages; NAN: not measured */
};

static json_t *report_json(const struct fire_report *p)
{
	const struct kernel_fire_result *r = &p->r;
	long n = r->burned_cells;
	char sum[32];
	snprintf(sum, sizeof sum, "%016llx", (unsigned long long)r->checksum);
	json_t *o = json_object();
	json_object_set_new(o, "scenario", json_string(p->scenario));
	json_object_set_new(o, "job", json_integer(p->job));
	json_object_set_new(o, "ignition_y", json_integer(p->j.y));
	json_object_set_new(o, "ignition_x", json_integer(p->j.x));
	json_object_set_new(o, "start_time_min", json_real(p->j.start_time));
	json_object_set_new(o, "duration_min", json_real(p->j.duration));
	json_object_set_new(o, "burned_cells", json_integer(n));
	json_object_set_new(o, "crowned_cells", json_integer(r->crowned_cells));
	json_object_set_new(o, "crown_fraction", json_real(n ? (double)r->crowned_cells / n : 0.0));
	json_object_set_new(o, "fire_type_1", json_integer(r->type_counts[1]));
	json_object_set_new(o, "fire_type_2", json_integer(r->type_counts[2]));
	json_object_set_new(o, "fire_type_3", json_integer(r->type_counts[3]));
	json_object_set_new(o, "acres", json_real(n / 4.5));
	json_object_set_new(o, "length_to_width", json_real(r->length_to_width));
	json_object_set_new(o, "steps", json_integer(r->steps));
	json_object_set_new(o, "tracked_cells_end", json_integer(r->tracked_cells_end));
	json_object_set_new(o, "stop_time_min", json_real(r->stop_time));
	json_object_set_new(o, "stop_condition", json_string(kernel_stop_name(r->stop_condition)));
	json_object_set_new(o, "input_bytes", json_integer((json_int_t)p->input_bytes));
	json_object_set_new(o, "setup_s", json_real(p->setup_s));
	json_object_set_new(o, "runtime_s", json_real(p->runtime_s));
	json_object_set_new(o, "ms_per_burned_cell", json_real(n ? 1000.0 * p->runtime_s / n : 0.0));
	/* CPU-hours: the fire held `threads` cores for its runtime. */
	json_object_set_new(o, "mha_per_cpu_hr", json_real(kernel_mha_per_cpu_hr(p->runtime_s, n) / p->threads));
	json_object_set_new(o, "threads", json_integer(p->threads));
	json_object_set_new(o, "checksum", json_string(sum));
	if (!isnan(p->latency_ns[0]))
		json_object_set_new(o, "memory_latency_1gib_ns", json_real(p->latency_ns[0]));
	if (!isnan(p->latency_ns[1]))
		json_object_set_new(o, "memory_latency_1gib_huge_ns", json_real(p->latency_ns[1]));
	return o;
}

/* key: value lines in the object's order; reals printed plainly. */
static void print_lines(json_t *o)
{
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		if (json_is_integer(v))
			printf("%s: %lld\n", key, (long long)json_integer_value(v));
		else if (json_is_real(v))
			printf("%s: %.6g\n", key, json_real_value(v));
		else if (json_is_string(v))
			printf("%s: %s\n", key, json_string_value(v));
	}
}

static int parse_cell(const char *s, int *y, int *x)
{
	char *end;
	long a = strtol(s, &end, 10);
	if (end == s || *end != ',')
		return -1;
	const char *s2 = end + 1;
	long b = strtol(s2, &end, 10);
	if (end == s2 || *end)
		return -1;
	*y = (int)a;
	*x = (int)b;
	return 0;
}

/* What the command line asked for. */
struct fire_args {
	const char *scenario, *plot;
	uint64_t seed;
	long job;                        /* -1: the scenario's reference fire */
	enum kernel_job_mix mix;
	enum kernel_dtype dtype;
	bool json, have_ignite, latency;
	long threads;
	int iy, ix;
	double start, duration;          /* NAN: the job's own */
};

/* One option; 0, or -EINVAL after a message (the usage, for an option
 * not known). */
static int fire_option(struct fire_args *a, int c)
{
	switch (c) {
	case 's':
		a->scenario = optarg;
		return 0;
	case 'S':
		if (parse_u64(optarg, &a->seed)) {
			cli_error("invalid seed '%s'", optarg);
			return -EINVAL;
		}
		return 0;
	case 'j':
		if (parse_int(optarg, 0, 1000000000, &a->job)) {
			cli_error("invalid job number '%s'", optarg);
			return -EINVAL;
		}
		return 0;
	case 'm':
		if (kernel_job_mix_parse(optarg, &a->mix)) {
			cli_error("invalid job mix '%s' (identical or mixed)", optarg);
			return -EINVAL;
		}
		return 0;
	case 'i':
		if (parse_cell(optarg, &a->iy, &a->ix)) {
			cli_error("invalid ignition '%s' (expected Y,X)", optarg);
			return -EINVAL;
		}
		a->have_ignite = true;
		return 0;
	case 't':
		if (parse_double(optarg, &a->start) || !(a->start >= 0)) {
			cli_error("invalid start time '%s'", optarg);
			return -EINVAL;
		}
		return 0;
	case 'd':
		if (parse_double(optarg, &a->duration) || !(a->duration > 0)) {
			cli_error("invalid duration '%s'", optarg);
			return -EINVAL;
		}
		return 0;
	case 'T':
		if (strcmp(optarg, "f32") == 0) {
			a->dtype = KERNEL_F32;
		} else if (strcmp(optarg, "f64") == 0) {
			a->dtype = KERNEL_F64;
		} else {
			cli_error("invalid dtype '%s' (f32 or f64)", optarg);
			return -EINVAL;
		}
		return 0;
	case 'J':
		a->json = true;
		return 0;
	case 'L':
		a->latency = true;
		return 0;
	case 'n':
		if (parse_int(optarg, 0, 256, &a->threads)) {
			cli_error("invalid --threads '%s' (1 to 256, or 0 for OpenMP's default)", optarg);
			return -EINVAL;
		}
		if (a->threads != 1 && !kernel_has_openmp()) {
			cli_error("--threads needs a build with OpenMP (cmake -DSPREADBENCH_OPENMP=ON)");
			return -EINVAL;
		}
		return 0;
	case 'p':
		a->plot = optarg;
		return 0;
	default:
		fire_usage(stderr);
		return -EINVAL;
	}
}

/* 0 to go on, 1 after --help, -EINVAL after a message. */
static int parse_args(int argc, char **argv, struct fire_args *a)
{
	static const struct option opts[] = {
		{ "scenario", required_argument, NULL, 's' }, { "seed", required_argument, NULL, 'S' },
		{ "job", required_argument, NULL, 'j' },      { "mix", required_argument, NULL, 'm' },
		{ "ignite", required_argument, NULL, 'i' },   { "start", required_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'd' }, { "dtype", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },           { "plot", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 'n' },  { "help", no_argument, NULL, 'h' },
		{ "latency", no_argument, NULL, 'L' },
		{ 0 }
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'h') {
			fire_usage(stdout);
			return 1;
		}
		if (fire_option(a, c))
			return -EINVAL;
	}
	if (optind < argc) {
		cli_error("unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* The job to run: the scenario's reference fire or job N, with the
 * ignition and times given on the command line, refused when it lies
 * outside the scenario's grid or the time its weather covers.  0, or
 * -EINVAL after a message. */
static int choose_job(const struct fire_args *a, struct fire_report *rep)
{
	struct kernel_scenario probe;
	if (kernel_scenario_find(a->scenario, a->seed, &probe)) {
		cli_error("unknown scenario '%s' (known: %s)", a->scenario, kernel_scenario_names());
		return -EINVAL;
	}
	if (a->job >= 0)
		kernel_scenario_job(&probe, a->mix, (int)a->job, &rep->j);
	else
		rep->j = probe.reference_job;
	if (a->have_ignite) {
		rep->j.y = a->iy;
		rep->j.x = a->ix;
	}
	if (!isnan(a->start))
		rep->j.start_time = (float)a->start;
	if (!isnan(a->duration))
		rep->j.duration = (float)a->duration;
	if (rep->j.y < 0 || rep->j.y >= probe.rows || rep->j.x < 0 || rep->j.x >= probe.cols) {
		cli_error("ignition '%d,%d' is outside the %dx%d grid of '%s'", rep->j.y, rep->j.x,
			  probe.rows, probe.cols, a->scenario);
		return -EINVAL;
	}
	float cube_end = probe.bands * probe.band_duration;
	if (!(rep->j.start_time < cube_end) || rep->j.start_time + rep->j.duration > cube_end) {
		cli_error("start %g + duration %g min leaves the %g min covered by '%s'",
			  rep->j.start_time, rep->j.duration, cube_end, a->scenario);
		return -EINVAL;
	}
	return 0;
}

/* Sets up the fire on the landscape and runs it, timed; 0, or 1 after a
 * message. */
static int run_fire(const struct fire_args *a, const struct landscape_block *lb, struct kernel_fire **fire,
		    struct fire_report *rep)
{
	int rc;
	if ((rc = kernel_fire_new(&lb->ls, fire))) {
		cli_error("cannot set up the fire: %s", strerror(-rc));
		return 1;
	}
	if ((rc = kernel_fire_set_threads(*fire, (int)a->threads))) {
		cli_error("cannot use %ld threads: %s", a->threads, strerror(-rc));
		return 1;
	}
	rep->threads = kernel_fire_threads(*fire);
	double t0 = now_s();
	rc = kernel_fire_run(*fire, &rep->j, &rep->r);
	rep->runtime_s = now_s() - t0;
	if (rc) {
		cli_error("fire failed: %s", strerror(-rc));
		return 1;
	}
	return 0;
}

/* The figures on standard output; 0, or 1 after a message. */
static int print_report(const struct fire_args *a, const struct fire_report *rep)
{
	json_t *o = report_json(rep);
	if (a->json) {
		char *s = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		if (s)
			puts(s);
		free(s);
	} else {
		print_lines(o);
	}
	json_decref(o);
	/* The figures are the answer: if they cannot be written, say so now
	 * rather than after drawing. */
	int rc = outfile_check_stdout();
	if (rc) {
		cli_error("cannot write standard output: %s", strerror(-rc));
		return 1;
	}
	return 0;
}

/* The picture, into png's file, kept only when it is whole; 0, or 1
 * after a message. */
static int draw_fire(const struct fire_args *a, const struct kernel_fire *fire, const struct landscape_block *lb,
		     const struct fire_report *rep, struct outfile *png)
{
	char title[160], which[32];
	if (rep->job >= 0)
		snprintf(which, sizeof which, "job %d", rep->job);
	else
		snprintf(which, sizeof which, "reference fire");
	snprintf(title, sizeof title, "%s %s: ignition (row %d, col %d), %g min from minute %g",
		 a->scenario, which, rep->j.y, rep->j.x, rep->j.duration, rep->j.start_time);
	int rc = plot_fire(fire, &lb->ls, &rep->r, title, png->f);
	if (rc == -EIO && png->err)
		rc = png->err; /* the failed write's own cause */
	if (!rc)
		rc = outfile_commit(png);
	if (rc) {
		cli_error("cannot draw '%s': %s", a->plot, plot_strerror(rc));
		return 1;
	}
	return 0;
}

int cmd_fire(int argc, char **argv)
{
	struct fire_args a = { .scenario = "demo", .seed = 1, .job = -1, .mix = KERNEL_JOBS_MIXED,
			       .dtype = KERNEL_F32, .threads = 1, .start = NAN, .duration = NAN };
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc > 0 ? 0 : 2;
	struct fire_report rep = { .scenario = a.scenario, .job = (int)a.job, .latency_ns = { NAN, NAN } };
	if (choose_job(&a, &rep))
		return 2;

	struct outfile png = { .f = NULL, .fd = -1 };
	if (a.plot && (rc = outfile_open(&png, a.plot))) {
		cli_error("cannot write '%s': %s", a.plot, strerror(-rc));
		return 2;
	}
	struct landscape_block lb;
	double t0 = now_s();
	rc = landscape_block_build(a.scenario, a.seed, a.dtype, &lb);
	rep.setup_s = now_s() - t0;
	if (rc) {
		cli_error("cannot build scenario '%s': %s", a.scenario, strerror(-rc));
		outfile_abort(&png);
		return 1;
	}
	rep.input_bytes = lb.bytes;
	struct kernel_fire *fire = NULL;
	int status = run_fire(&a, &lb, &fire, &rep);
	/* After the fire, so that the probe's 1 GiB does not share the
	 * machine with it. */
	for (int huge = 0; huge < 2 && !status && a.latency; huge++)
		noise_probe_latency(1ull << 30, huge, 2000000, &rep.latency_ns[huge]);
	if (!status)
		status = print_report(&a, &rep);
	if (!status && a.plot)
		status = draw_fire(&a, fire, &lb, &rep, &png);
	outfile_abort(&png); /* nothing left to drop after a commit */
	kernel_fire_free(fire);
	landscape_block_release(&lb);
	return status;
}
