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

int cmd_fire(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scenario", required_argument, NULL, 's' }, { "seed", required_argument, NULL, 'S' },
		{ "job", required_argument, NULL, 'j' },      { "mix", required_argument, NULL, 'm' },
		{ "ignite", required_argument, NULL, 'i' },   { "start", required_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'd' }, { "dtype", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },           { "plot", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 'n' },  { "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *scenario = "demo", *plot = NULL;
	uint64_t seed = 1;
	long job = -1;
	enum kernel_job_mix mix = KERNEL_JOBS_MIXED;
	enum kernel_dtype dtype = KERNEL_F32;
	bool json = false, have_ignite = false;
	long threads = 1;
	int iy = 0, ix = 0;
	double start = NAN, duration = NAN;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			scenario = optarg;
			break;
		case 'S':
			if (parse_u64(optarg, &seed)) {
				cli_error("invalid seed '%s'", optarg);
				return 2;
			}
			break;
		case 'j':
			if (parse_int(optarg, 0, 1000000000, &job)) {
				cli_error("invalid job number '%s'", optarg);
				return 2;
			}
			break;
		case 'm':
			if (kernel_job_mix_parse(optarg, &mix)) {
				cli_error("invalid job mix '%s' (identical or mixed)", optarg);
				return 2;
			}
			break;
		case 'i':
			if (parse_cell(optarg, &iy, &ix)) {
				cli_error("invalid ignition '%s' (expected Y,X)", optarg);
				return 2;
			}
			have_ignite = true;
			break;
		case 't':
			if (parse_double(optarg, &start) || !(start >= 0)) {
				cli_error("invalid start time '%s'", optarg);
				return 2;
			}
			break;
		case 'd':
			if (parse_double(optarg, &duration) || !(duration > 0)) {
				cli_error("invalid duration '%s'", optarg);
				return 2;
			}
			break;
		case 'T':
			if (strcmp(optarg, "f32") == 0)
				dtype = KERNEL_F32;
			else if (strcmp(optarg, "f64") == 0)
				dtype = KERNEL_F64;
			else {
				cli_error("invalid dtype '%s' (f32 or f64)", optarg);
				return 2;
			}
			break;
		case 'J':
			json = true;
			break;
		case 'n':
			if (parse_int(optarg, 0, 256, &threads)) {
				cli_error("invalid --threads '%s' (1 to 256, or 0 for OpenMP's default)", optarg);
				return 2;
			}
			if (threads != 1 && !kernel_has_openmp()) {
				cli_error("--threads needs a build with OpenMP (cmake -DSPREADBENCH_OPENMP=ON)");
				return 2;
			}
			break;
		case 'p':
			plot = optarg;
			break;
		case 'h':
			fire_usage(stdout);
			return 0;
		default:
			fire_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		cli_error("unexpected argument '%s'", argv[optind]);
		return 2;
	}
	struct kernel_scenario probe;
	if (kernel_scenario_find(scenario, seed, &probe)) {
		cli_error("unknown scenario '%s' (known: %s)", scenario, kernel_scenario_names());
		return 2;
	}
	struct fire_report rep = { .scenario = scenario, .job = (int)job };
	if (job >= 0)
		kernel_scenario_job(&probe, mix, (int)job, &rep.j);
	else
		rep.j = probe.reference_job;
	if (have_ignite) {
		rep.j.y = iy;
		rep.j.x = ix;
	}
	if (!isnan(start))
		rep.j.start_time = (float)start;
	if (!isnan(duration))
		rep.j.duration = (float)duration;
	if (rep.j.y < 0 || rep.j.y >= probe.rows || rep.j.x < 0 || rep.j.x >= probe.cols) {
		cli_error("ignition '%d,%d' is outside the %dx%d grid of '%s'", rep.j.y, rep.j.x,
			  probe.rows, probe.cols, scenario);
		return 2;
	}
	float cube_end = probe.bands * probe.band_duration;
	if (!(rep.j.start_time < cube_end) || rep.j.start_time + rep.j.duration > cube_end) {
		cli_error("start %g + duration %g min leaves the %g min covered by '%s'",
			  rep.j.start_time, rep.j.duration, cube_end, scenario);
		return 2;
	}

	struct outfile png = { .f = NULL, .fd = -1 };
	int rc;
	if (plot && (rc = outfile_open(&png, plot))) {
		cli_error("cannot write '%s': %s", plot, strerror(-rc));
		return 2;
	}
	struct landscape_block lb;
	double t0 = now_s();
	rc = landscape_block_build(scenario, seed, dtype, &lb);
	rep.setup_s = now_s() - t0;
	if (rc) {
		cli_error("cannot build scenario '%s': %s", scenario, strerror(-rc));
		outfile_abort(&png);
		return 1;
	}
	rep.input_bytes = lb.bytes;
	struct kernel_fire *fire = NULL;
	int status = 0;
	if ((rc = kernel_fire_new(&lb.ls, &fire))) {
		cli_error("cannot set up the fire: %s", strerror(-rc));
		status = 1;
		goto out;
	}
	if ((rc = kernel_fire_set_threads(fire, (int)threads))) {
		cli_error("cannot use %ld threads: %s", threads, strerror(-rc));
		status = 1;
		goto out;
	}
	rep.threads = kernel_fire_threads(fire);
	t0 = now_s();
	rc = kernel_fire_run(fire, &rep.j, &rep.r);
	rep.runtime_s = now_s() - t0;
	if (rc) {
		cli_error("fire failed: %s", strerror(-rc));
		status = 1;
		goto out;
	}
	json_t *o = report_json(&rep);
	if (json) {
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
	if ((rc = outfile_check_stdout())) {
		cli_error("cannot write standard output: %s", strerror(-rc));
		status = 1;
		goto out;
	}
	if (plot) {
		char title[160], which[32];
		if (rep.job >= 0)
			snprintf(which, sizeof which, "job %d", rep.job);
		else
			snprintf(which, sizeof which, "reference fire");
		snprintf(title, sizeof title, "%s %s: ignition (row %d, col %d), %g min from minute %g",
			 scenario, which, rep.j.y, rep.j.x, rep.j.duration, rep.j.start_time);
		rc = plot_fire(fire, &lb.ls, &rep.r, title, png.f);
		if (rc == -EIO && png.err)
			rc = png.err; /* the failed write's own cause */
		if (!rc)
			rc = outfile_commit(&png);
		if (rc) {
			cli_error("cannot draw '%s': %s", plot, plot_strerror(rc));
			status = 1;
		}
	}
out:
	outfile_abort(&png); /* nothing left to drop after a commit */
	kernel_fire_free(fire);
	landscape_block_release(&lb);
	return status;
}
