/*
 * cmd_exec.c - `spreadbench exec [options] [--] CMD ARGS...`: measure any
 * command the way `run` measures a strategy (exec.h), `--reps` times after
 * `--warmup` untimed runs, and append one row per repetition to the same
 * CSV as `run` (strategy "exec", the command's label in the label column)
 * or print them.  `--vs 'OTHER CMD'` adds commands, `--param` and
 * `--param-range` scan values substituted for {NAME} in every command;
 * each command at each combination of values is a point, and the points
 * are measured in rounds, each in a freshly shuffled order, so that a
 * drifting machine favours none.  At the end it prints each point's
 * figures and every other command against the first at the same values:
 * the ratio NEW / BASE with its 95 % interval, judged as `compare` judges
 * (exec_summary.c).
 *
 * Which parameter is the worker count (recorded in `workers`, so that
 * plots draw a scan as a strategy's sweep): --workers-param NAME, else
 * the first parameter when all its values are whole numbers from 1 to
 * 4096; --workers N records a fixed count instead.  The other parameters'
 * values become part of the label ("LABEL size=4").
 *
 * No shell runs a command unless --shell is given; --prepare and --cleanup
 * are shell commands run before and after every run, untimed.  Exit
 * status: 0 every run exited 0; 1 a run failed, timed out, or a prepare
 * or cleanup command failed (which stops the series); 2 bad input (a
 * missing command included); 128 + the signal after SIGINT or SIGTERM,
 * every finished row kept.
 */
#include "cli.h"
#include "csvio.h"
#include "exec.h"
#include "exec_cli.h"
#include "results.h"
#include "stats.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fprintf(out,
		"usage: spreadbench exec [options] [--] CMD ARGS...\n"
		"  --reps N|auto         measured runs of each command (default 10); auto: at least 6,\n"
		"                        more until the median wall time is known to --precision\n"
		"  --precision P, --max-reps N, --time-budget S   with --reps auto (2%%, 30, none)\n"
		"  --warmup N            untimed runs of each command first (default 0)\n"
		"  --csv FILE            append one row per run (the columns of 'spreadbench run')\n"
		"  --label L             name the commands, in order: CMD first, then each --vs\n"
		"                        (default: the command line)\n"
		"  --vs 'OTHER CMD'      another command, run interleaved with CMD (repeatable)\n"
		"  --param NAME=A,B,C    run each command once per value, {NAME} replaced (repeatable)\n"
		"  --param-range NAME=START:END[:STEP|:xF]   whole numbers from START to END\n"
		"  --workers-param NAME  the parameter that is the worker count (default: the first,\n"
		"                        when its values are whole numbers)\n"
		"  --workers N           the worker count to record instead (default 1)\n"
		"  --jobs J              the jobs one run of the command does, for jobs/s (default 1)\n"
		"  --timeout S           end a run (its whole process group) after S seconds (or 10m)\n"
		"  --prepare CMD, --cleanup CMD   shell commands before and after every run, untimed\n"
		"  --shell               run the commands with /bin/sh -c (default: no shell)\n"
		"  --show-output         keep the commands' output (default: /dev/null)\n"
		"  --factor F            a difference counts beyond F (default 1.10), as for compare\n"
		"  --sample-interval S   memory sampling interval (default 0.02)\n"
		"exit status: 0 every run exited 0, 1 a run failed, 2 bad input, 128+signal when stopped\n");
}

/* An option of how the commands are measured and where the rows go.
 * 0, or -EINVAL after a message. */
static int measure_option(int c, const char *name, struct exec_args *a)
{
	long v;
	double d;
	switch (c) {
	case 'r':
		if (strcmp(optarg, "auto") == 0)
			a->auto_reps = true;
		else if (parse_int(optarg, 1, 100000, &v))
			goto bad;
		else
			a->reps = (int)v;
		break;
	case 'W':
		if (parse_int(optarg, 0, 100000, &v))
			goto bad;
		a->warmup = (int)v;
		break;
	case 'Q':
		if (parse_fraction(optarg, &d) || !(d > 0))
			goto bad;
		a->precision = d;
		break;
	case 'X':
		if (parse_int(optarg, 1, 100000, &v))
			goto bad;
		a->max_reps = (int)v;
		break;
	case 'B':
		if (parse_duration(optarg, &a->time_budget_s))
			goto bad;
		break;
	case 'o':
		a->csv = optarg;
		break;
	case 'T':
		if (parse_duration(optarg, &a->timeout_s))
			goto bad;
		break;
	case 'f':
		if (parse_double(optarg, &a->factor) || !(a->factor >= 1.0 && a->factor < 100))
			goto bad;
		break;
	case 'i':
		if (parse_double(optarg, &d) || !(d >= 0.001 && d <= 10))
			goto bad;
		a->sample_interval_s = d;
		break;
	}
	return 0;
bad:
	cli_error("invalid value '%s' for --%s", optarg, name);
	return -EINVAL;
}

/* An option of what runs: the commands, their labels and parameters, what
 * runs around them and what the rows record of them.  0, or a negative
 * errno after a message (the usage, for an option not known). */
static int command_option(int c, const char *name, struct exec_args *a)
{
	long v;
	switch (c) {
	case 'l':
		if (a->nlabels == EXEC_MAX_COMMANDS)
			goto bad;
		a->labels[a->nlabels++] = optarg;
		break;
	case 'v':
		if (a->nvs == EXEC_MAX_COMMANDS - 1) {
			cli_error("at most %d commands with --vs", EXEC_MAX_COMMANDS - 1);
			return -EINVAL;
		}
		a->vs[a->nvs++] = optarg;
		break;
	case 'p':
	case 'R':
		return exec_param_parse(a, optarg, c == 'R');
	case 'P':
		a->workers_param = optarg;
		break;
	case 'w':
		if (parse_int(optarg, 1, 4096, &v))
			goto bad;
		a->workers = (int)v;
		break;
	case 'j':
		if (parse_int(optarg, 1, 100000000, &v))
			goto bad;
		a->jobs = (int)v;
		break;
	case 'b':
		a->prepare = optarg;
		break;
	case 'a':
		a->cleanup = optarg;
		break;
	case 's':
		a->shell = true;
		break;
	case 'O':
		a->show_output = true;
		break;
	default:
		usage(stderr);
		return -EINVAL;
	}
	return 0;
bad:
	cli_error("invalid value '%s' for --%s", optarg, name);
	return -EINVAL;
}

/* 0 to go on, 1 after --help, a negative errno after a message. */
static int parse_args(int argc, char **argv, struct exec_args *a)
{
	static const struct option opts[] = {
		{ "reps", required_argument, NULL, 'r' },	   { "warmup", required_argument, NULL, 'W' },
		{ "precision", required_argument, NULL, 'Q' },	   { "max-reps", required_argument, NULL, 'X' },
		{ "time-budget", required_argument, NULL, 'B' },   { "csv", required_argument, NULL, 'o' },
		{ "label", required_argument, NULL, 'l' },	   { "vs", required_argument, NULL, 'v' },
		{ "param", required_argument, NULL, 'p' },	   { "param-range", required_argument, NULL, 'R' },
		{ "workers-param", required_argument, NULL, 'P' }, { "workers", required_argument, NULL, 'w' },
		{ "jobs", required_argument, NULL, 'j' },	   { "timeout", required_argument, NULL, 'T' },
		{ "prepare", required_argument, NULL, 'b' },	   { "cleanup", required_argument, NULL, 'a' },
		{ "shell", no_argument, NULL, 's' },		   { "show-output", no_argument, NULL, 'O' },
		{ "factor", required_argument, NULL, 'f' },	   { "sample-interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },		   { 0 },
	};
	int c, li = 0, rc;
	optind = 1;
	/* '+': the first word that is not an option starts the command, so
	 * that its own options are never taken for ours. */
	while ((c = getopt_long(argc, argv, "+h", opts, &li)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 1;
		}
		rc = strchr("rWQXBoTfi", c) ? measure_option(c, opts[li].name, a) : command_option(c, opts[li].name, a);
		if (rc)
			return rc;
	}
	a->cmd = argv + optind;
	a->ncmd = argc - optind;
	if (a->ncmd == 0) {
		cli_error("missing the command to measure: spreadbench exec [options] -- CMD ARGS...");
		return -EINVAL;
	}
	if ((a->precision > 0 || a->max_reps || a->time_budget_s > 0) && !a->auto_reps) {
		cli_error("--precision, --max-reps and --time-budget go with --reps auto");
		return -EINVAL;
	}
	if (a->workers && a->workers_param) {
		cli_error("--workers and --workers-param both set the worker count: give one");
		return -EINVAL;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Measuring                                                           */
/* ------------------------------------------------------------------ */

static uint64_t rng_state;
static uint64_t rng_next(void)
{
	rng_state += 0x9e3779b97f4a7c15ull;
	uint64_t z = rng_state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static bool needs_more(const struct exec_args *a, const struct exec_pt *pt)
{
	if (!a->auto_reps)
		return pt->done < a->reps;
	if (pt->done >= a->max_reps)
		return false;
	return pt->nvalid < (int)stats_min_reps_one(0.95) ||
	       !stats_median_within(pt->v[EXEC_WALL], (size_t)pt->nvalid, 0.95, a->precision);
}

/* Runs a --prepare or --cleanup command; 0, -EINTR, or -EPROTO after
 * saying how it failed. */
static int run_around(const struct exec_args *a, const struct exec_pt *pt, const char *what, char *text)
{
	char *argv[] = { "/bin/sh", "-c", text, NULL };
	struct exec_command c = { .argv = argv, .text = text, .show_output = a->show_output,
				  .timeout_s = a->timeout_s };
	struct exec_outcome o;
	char why[400];
	int rc = exec_run(&c, 0, &o);
	if (rc == -EINTR)
		return rc;
	if (!rc && exec_describe(&c, &o, why, sizeof why) == 0)
		return 0;
	cli_error("--%s '%s' failed %s '%s' (the series stops): %s", what, text,
		  strcmp(what, "prepare") ? "after" : "before", pt->label, rc ? strerror(-rc) : why);
	return -EPROTO;
}

/* One run of a point, its prepare and cleanup around it; 0 with a row,
 * -EINTR, -EPROTO (prepare or cleanup failed, said), another errno. */
static int measure_once(const struct exec_args *a, const struct exec_pt *pt, int rep, struct runner_row *row)
{
	int rc = pt->prepare ? run_around(a, pt, "prepare", pt->prepare) : 0;
	if (rc)
		return rc;
	struct exec_point ep = { .label = pt->label, .workers = pt->workers, .jobs = a->jobs,
				 .sample_interval_s = a->sample_interval_s };
	rc = exec_measure(&pt->c, &ep, rep, row);
	if (rc)
		return rc;
	return pt->cleanup ? run_around(a, pt, "cleanup", pt->cleanup) : 0;
}

static int open_csv(const struct exec_args *a, int argc, char **argv, struct csvio_writer **w)
{
	char cmd[1024] = "spreadbench", **lines = NULL;
	int n = 0, rc = -ENOMEM;
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(cmd);
		snprintf(cmd + len, sizeof cmd - len, " %s", argv[i]);
	}
	lines = calloc((size_t)a->ncommands + (size_t)a->nparams + 1, sizeof *lines);
	if (!lines)
		goto out;
	/* The commands as given, {NAME} and all: each row has the one it ran. */
	for (int i = 0; i < a->ncommands; i++) {
		char *line;
		if (asprintf(&line, "exec command: %s = %s", a->commands[i].label, a->commands[i].text) < 0)
			goto out;
		lines[n++] = line;
	}
	for (int i = 0; i < a->nparams; i++) {
		const struct exec_param *p = &a->params[i];
		size_t len = 0;
		for (int k = 0; k < p->n; k++)
			len += strlen(p->values[k]) + 1;
		char *s = malloc(len + strlen(p->name) + 64);
		if (!s)
			goto out;
		sprintf(s, "exec param: %s =", p->name);
		for (int k = 0; k < p->n; k++)
			sprintf(s + strlen(s), "%s%s", k ? "," : " ", p->values[k]);
		if (a->workers_index == i)
			strcat(s, " (the worker count)");
		lines[n++] = s;
	}
	rc = results_csv_open(a->csv, cmd, (const char *const *)lines, n, w);
out:
	for (int i = 0; lines && i < n; i++)
		free(lines[i]);
	free(lines);
	return rc;
}

static void print_header(void)
{
	printf("%-32s %4s %4s %-7s %4s %9s %8s %8s %9s %9s %9s %5s\n", "label", "wrk", "rep", "status", "exit", "wall_s",
	       "user_s", "sys_s", "pss_MiB", "rss_MiB", "hwm_MiB", "procs");
}

static void print_row(const struct runner_row *r)
{
	const double mib = 1.0 / (1 << 20);
	printf("%-32s %4d %4d %-7s %4d %9.4f %8.3f %8.3f %9.1f %9.1f %9.1f %5d\n", r->label, r->p.workers, r->rep,
	       r->status, r->exit_status, r->wall_s, r->user_s, r->sys_s, r->peak_pss_bytes * mib,
	       r->peak_rss_sum_bytes * mib, r->max_worker_hwm_bytes * mib, r->max_procs);
	if (r->error[0])
		printf("  error: %s\n", r->error);
	fflush(stdout);
}

/* The rounds: every point that needs a repetition, in a fresh order, its
 * warm-up runs before its first.  Returns the exit status. */
static int measure_all(struct exec_args *a, struct csvio_writer *csv)
{
	int *order = calloc((size_t)a->npts + 1, sizeof *order), status = 0;
	double t_start = now_s();
	if (!order)
		return 1;
	rng_state = (uint64_t)time(NULL) * 7919 + (uint64_t)getpid();
	while (status == 0) {
		int n = 0;
		for (int i = 0; i < a->npts; i++)
			if (needs_more(a, &a->pts[i]))
				order[n++] = i;
		if (n == 0 || (a->time_budget_s > 0 && now_s() - t_start > a->time_budget_s))
			break;
		for (int i = n - 1; i > 0; i--) {
			int j = (int)(rng_next() % (uint64_t)(i + 1)), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (int k = 0; k < n && status == 0; k++) {
			struct exec_pt *pt = &a->pts[order[k]];
			struct runner_row row;
			int rc = 0;
			for (; !rc && pt->warmups < a->warmup; pt->warmups++) {
				rc = measure_once(a, pt, -1, &row);
				if (!rc && !row.valid) {
					a->failed_runs++;
					cli_error("'%s' warm-up: %s", pt->label, row.error);
				}
			}
			if (!rc)
				rc = measure_once(a, pt, pt->done, &row);
			if (rc == -EINTR) {
				status = 128 + runner_interrupted();
				cli_error("interrupted by signal %d; the command's process group was ended, finished rows "
					  "are kept", runner_interrupted());
				break;
			}
			if (rc) {
				if (rc != -EPROTO)
					cli_error("cannot measure '%s': %s", pt->label, strerror(-rc));
				status = 1;
				break;
			}
			pt->done++;
			if (!row.valid) {
				a->failed_runs++;
				if (csv)
					cli_error("'%s' rep %d: %s", pt->label, row.rep, row.error);
			}
			if (exec_pt_add(pt, &row)) {
				status = 1;
				break;
			}
			if (csv) {
				char buf[runner_ncolumns][512];
				const char *cells[runner_ncolumns];
				runner_row_cells(&row, buf, cells);
				rc = csvio_write_row(csv, cells);
				if (rc) {
					cli_error("cannot write to '%s': %s", a->csv, strerror(-rc));
					status = 1;
				}
			} else {
				print_row(&row);
			}
		}
	}
	free(order);
	if (status == 0 && a->failed_runs)
		status = 1;
	return status;
}

int cmd_exec(int argc, char **argv)
{
	struct exec_args a = { .reps = 10, .jobs = 1, .factor = 1.10, .sample_interval_s = 0.02,
			       .workers_index = -1 };
	struct csvio_writer *csv = NULL;
	int status = 2;

	int rc = parse_args(argc, argv, &a);
	if (rc) {
		status = rc > 0 ? 0 : 2;
		goto out;
	}
	if (a.auto_reps) {
		if (!a.max_reps)
			a.max_reps = 30;
		if (!(a.precision > 0))
			a.precision = 0.02;
	}
	if (exec_plan(&a))
		goto out;
	if (runner_signals_install()) {
		status = 1;
		goto out;
	}
	if (a.csv && open_csv(&a, argc, argv, &csv))
		goto out;
	if (!a.csv)
		print_header();
	status = measure_all(&a, csv);
	if (status < 128)
		exec_summary(&a, stdout);
out:
	if (csvio_writer_close(csv) && status == 0)
		status = 1;
	exec_args_release(&a);
	return status;
}
