/*
 * cmd_recommend.c - `spreadbench recommend [DIR]`: which strategy and
 * settings to use on this machine, the runner-up, and why, in numbers.
 *
 * From a results folder (a sweep's), or, without one, from a short sweep
 * of its own (every built strategy at the machine's core count, 3
 * repetitions) into a new folder under results/.  Candidates are the
 * points of the valid rows (variant, workers and jobs, as groups.h groups
 * them); with --jobs J only points of J jobs count when the folder has
 * them.  Points measured under conditions made for an experiment (a
 * competing load, a ballast in the runner, unequal jobs beside equal
 * ones) are not candidates.  Each is scored by its median throughput in jobs per second; those whose median peak PSS exceeds
 * --memory-budget are left out, never recommended.  The lead of the best
 * over the runner-up is a ratio of their jobs per second with a 95 %
 * interval: a lead when the whole interval lies above 1, within noise
 * when it lies within 5 % either way, and otherwise not yet told apart,
 * with about how many repetitions would tell.
 *
 * Commands measured with `spreadbench exec` in the folder are candidates
 * like any strategy, scored by the jobs per second their --jobs gives.
 *
 * Exit status: 0 with a recommendation, 1 when nothing fits the budget,
 * 2 bad input.
 */
#include "cli.h"
#include "groups.h"
#include "stats.h"
#include "verdict.h"

#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static double jps(const struct group *g)
{
	return group_median(g, G_JPS);
}

/* Measured beside a competing load or with a ballast in the runner (an
 * experiment's condition, not a setting anyone would choose), or on the
 * unequal jobs of a folder whose other points ran equal ones (another
 * workload: its jobs per second compare with nothing else here). */
static bool staged(const struct group *g)
{
	return group_median(g, G_LOAD) > 0 || group_median(g, G_PARENT) > 0 || strstr(g->label, " mixed jobs");
}

/* The runner-up comes from another strategy; among commands measured with
 * `spreadbench exec`, another command (label). */
static bool same_kind(const struct group *a, const struct group *b)
{
	if (strcmp(a->strategy, b->strategy))
		return false;
	return !group_is_exec(a) || strcmp(a->label, b->label) == 0;
}

static void name(const struct group *g, char *out, size_t len)
{
	snprintf(out, len, "%s with %d worker%s, %d job%s", g->label, g->workers, g->workers == 1 ? "" : "s", g->jobs,
		 g->jobs == 1 ? "" : "s");
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: spreadbench recommend [DIR] [options]\n"
		"  DIR                  a sweep's results folder; without it, a short sweep of its own\n"
		"  --jobs J             the batch you will run (default: what the folder has)\n"
		"  --memory-budget SIZE never recommend more peak PSS than this (e.g. 8G)\n"
		"  --workload W, --options K=V,..., --scenario NAME, and the synthetic workload's\n"
		"  --input-mb M, --job-ms T, --job-mb S, --access A, --cost-spread X\n"
		"                       what the sweep of its own runs (default: the fire model's\n"
		"                       default scenario); see spreadbench list --workload W\n");
}

/* What the sweep of its own runs. */
struct what {
	const char *workload, *options, *scenario;
	const char *shortcuts;           /* the synthetic workload's options given as options */
};

/* A short sweep of its own: every built strategy at the machine's cores. */
static int measure(const struct what *w, long jobs, char *dir, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	mkdir("results", 0755);
	strftime(dir, len, "results/recommend-%Y%m%d-%H%M%S", &tm);
	char cores[16], ratio[24];
	int n = cli_usable_cpus();
	snprintf(cores, sizeof cores, "%d", n);
	long r = jobs > 0 ? (jobs + n - 1) / n : 2;
	snprintf(ratio, sizeof ratio, "%ld", r);
	char *argv[24] = { "sweep", "--cores", cores, "--ratios", ratio, "--reps", "3", "--out", dir };
	int argc = 9;
	if (w->workload)
		argv[argc++] = "--workload", argv[argc++] = (char *)w->workload;
	static char options[1024];
	if (w->shortcuts) {
		/* The sweep takes them as --options, the synthetic workload implied. */
		snprintf(options, sizeof options, "%s%s%s", w->shortcuts, w->options ? "," : "", w->options ? w->options : "");
		argv[argc++] = "--options", argv[argc++] = options;
		if (!w->workload)
			argv[argc++] = "--workload", argv[argc++] = "synthetic";
	} else if (w->options) {
		argv[argc++] = "--options", argv[argc++] = (char *)w->options;
	}
	if (w->scenario)
		argv[argc++] = "--scenario", argv[argc++] = (char *)w->scenario;
	argv[argc] = NULL;
	printf("recommend: measuring every built strategy at %d workers on %s%s%s into %s\n", n,
	       w->workload ? w->workload : "the fire model", w->scenario ? ", scenario " : "",
	       w->scenario ? w->scenario : "", dir);
	fflush(stdout);
	return cmd_sweep(argc, argv);
}

/* What the command line asked for. */
struct recommend_args {
	long jobs;                       /* 0: whatever the folder has */
	uint64_t budget;                 /* bytes of peak PSS; 0: none */
	struct what what;
};

/* 0 to go on, 1 after --help, -EINVAL after a message. */
static int parse_args(int argc, char **argv, struct recommend_args *a)
{
	static const struct option opts[] = {
		{ "jobs", required_argument, NULL, 'j' }, { "memory-budget", required_argument, NULL, 'm' },
		{ "scenario", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ "workload", required_argument, NULL, 'w' }, { "options", required_argument, NULL, 'O' },
		{ "input-mb", required_argument, NULL, 1 },  { "job-ms", required_argument, NULL, 1 },
		{ "job-mb", required_argument, NULL, 1 },    { "access", required_argument, NULL, 1 },
		{ "cost-spread", required_argument, NULL, 1 }, { 0 },
	};
	static char shortcuts[512];
	int c, li = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, &li)) != -1) {
		switch (c) {
		case 'j':
			if (parse_int(optarg, 1, 1000000, &a->jobs))
				goto bad;
			break;
		case 'm':
			if (parse_size(optarg, &a->budget) || a->budget == 0)
				goto bad;
			break;
		case 's':
			a->what.scenario = optarg;
			break;
		case 'w':
			a->what.workload = optarg;
			break;
		case 'O':
			a->what.options = optarg;
			break;
		case 1:
			if (cli_option_append(shortcuts, sizeof shortcuts, opts[li].name, optarg)) {
				cli_error("invalid value '%s' for --%s", optarg, opts[li].name);
				return -EINVAL;
			}
			a->what.shortcuts = shortcuts;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (argc - optind > 1) {
		cli_error("recommend takes one results folder at most");
		return -EINVAL;
	}
	return 0;
bad:
	cli_error("invalid value '%s' for --%s", optarg, opts[li].name);
	return -EINVAL;
}

/* The points chosen from, and those chosen. */
struct picks {
	const struct group *best;        /* the fastest that fits the budget */
	const struct group *second;      /* the fastest of another kind */
	const struct group *serial;      /* the fastest serial point */
	double lean;                     /* the least median peak PSS of any candidate; -1: none */
	size_t over, considered;         /* candidates over the budget, of all candidates */
};

/* Whether g is a candidate: of the jobs asked for (when the folder has
 * them) and measured under no experiment's condition. */
static bool candidate(const struct group *g, const struct recommend_args *a, bool have_jobs)
{
	return !((have_jobs && g->jobs != a->jobs) || staged(g));
}

/* The fastest point, the fastest of another strategy, the fastest serial
 * point, among those that fit the budget. */
static void pick(const struct groups *gs, const struct recommend_args *a, bool have_jobs, struct picks *pk)
{
	*pk = (struct picks){ .lean = -1 };
	for (size_t i = 0; i < gs->n; i++) {
		const struct group *g = &gs->g[i];
		if (!candidate(g, a, have_jobs))
			continue;
		pk->considered++;
		double pss = group_median(g, G_PSS);
		pk->lean = pk->lean < 0 || pss < pk->lean ? pss : pk->lean;
		if (a->budget && pss > (double)a->budget) {
			pk->over++;
			continue;
		}
		if (strcmp(g->strategy, "serial") == 0 && (!pk->serial || jps(g) > jps(pk->serial)))
			pk->serial = g;
		if (!pk->best || jps(g) > jps(pk->best))
			pk->best = g;
	}
	for (size_t i = 0; i < gs->n && pk->best; i++) {
		const struct group *g = &gs->g[i];
		if (!candidate(g, a, have_jobs) || (a->budget && group_median(g, G_PSS) > (double)a->budget) ||
		    same_kind(g, pk->best))
			continue;
		if (!pk->second || jps(g) > jps(pk->second))
			pk->second = g;
	}
}

/* The runner-up, and by how much the best leads it: the ratio of their
 * jobs per second with its 95 % interval, and what that interval says. */
static void print_runner_up(const struct group *best, const struct group *second)
{
	const double mib = 1.0 / 1048576.0;
	char label[256];
	struct stats_effect e;
	struct judged lead, same;
	double dm = (group_median(second, G_PSS) - group_median(best, G_PSS)) * mib;
	if (stats_ratio_ci(second->v[G_JPS], second->n, best->v[G_JPS], best->n, 0.95, &e))
		e = (struct stats_effect){ .estimate = jps(best) / jps(second), .lo = 0, .hi = INFINITY };
	verdict_judge(&e, CLAIM_ABOVE, 1.0, true, &lead);
	verdict_judge(&e, CLAIM_WITHIN, 1.05, true, &same);
	char iv[96], why[160];
	if (e.bounded)
		snprintf(iv, sizeof iv, "[%.3f, %.3f]", e.lo, e.hi);
	else
		snprintf(iv, sizeof iv, "[unbounded: too few repetitions]");
	if (lead.v == VERDICT_HOLDS)
		snprintf(why, sizeof why, "a lead beyond noise");
	else if (same.v == VERDICT_HOLDS)
		snprintf(why, sizeof why, "within 5 %% of each other: either will do");
	else if (same.reps_needed > 0)
		snprintf(why, sizeof why, "not told apart yet: about %ld repetitions each would tell", same.reps_needed);
	else
		snprintf(why, sizeof why, "not told apart");
	name(second, label, sizeof label);
	printf("  runner-up:  %s\n", label);
	char mem[64];
	/* Under half a MiB apart prints as 0 either way: say so plainly. */
	if (fabs(dm) < 0.5)
		snprintf(mem, sizeof mem, "the same memory");
	else
		snprintf(mem, sizeof mem, "%.0f MiB %s", fabs(dm), dm > 0 ? "more memory" : "less memory");
	printf("              %.2f jobs/s, peak PSS %.0f MiB, %s\n", jps(second), group_median(second, G_PSS) * mib, mem);
	printf("  lead:       the best does %.3fx the runner-up's jobs per second, 95 %% interval %s: %s\n",
	       e.estimate, iv, why);
}

/* The recommendation, the runner-up, serial and the budget: 0, or 1 when
 * nothing fits the budget. */
static int print_picks(const struct picks *pk, const struct recommend_args *a)
{
	const double mib = 1.0 / 1048576.0;
	char label[256];
	if (!pk->best) {
		printf("Nothing fits a memory budget of %.0f MiB: the leanest measured needs %.0f MiB.\n",
		       (double)a->budget * mib, pk->lean * mib);
		return 1;
	}
	name(pk->best, label, sizeof label);
	printf("  use:        %s\n", label);
	printf("              %.2f jobs/s (median of %zu), peak PSS %.0f MiB", jps(pk->best), pk->best->n,
	       group_median(pk->best, G_PSS) * mib);
	if (a->jobs)
		printf("; %ld jobs would take about %.1f s", a->jobs, (double)a->jobs / jps(pk->best));
	printf("\n");
	if (pk->second)
		print_runner_up(pk->best, pk->second);
	if (pk->serial && pk->serial != pk->best)
		printf("  serial:     %.2f jobs/s, peak PSS %.0f MiB: the best is %.2fx faster\n", jps(pk->serial),
		       group_median(pk->serial, G_PSS) * mib, jps(pk->best) / jps(pk->serial));
	if (a->budget)
		printf("  budget:     %.0f MiB; %zu of %zu measured points need more and were left out\n",
		       (double)a->budget * mib, pk->over, pk->considered);
	return 0;
}

int cmd_recommend(int argc, char **argv)
{
	struct recommend_args a = { .jobs = 0 };
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc > 0 ? 0 : 2;
	char dir[4096];
	if (optind < argc) {
		snprintf(dir, sizeof dir, "%s", argv[optind]);
	} else {
		rc = measure(&a.what, a.jobs, dir, sizeof dir);
		if (rc >= 2)
			return rc;
	}
	char path[4200];
	snprintf(path, sizeof path, "%s/results.csv", dir);
	struct groups gs;
	if (groups_load(path, &gs))
		return 2;
	bool have_jobs = false;
	for (size_t i = 0; i < gs.n; i++)
		have_jobs |= gs.g[i].jobs == a.jobs;
	struct picks pk;
	pick(&gs, &a, have_jobs, &pk);
	printf("From %s (%s scenario%s):\n", path, gs.scenario, have_jobs ? ", batches of the jobs asked for" : "");
	int status = print_picks(&pk, &a);
	groups_release(&gs);
	return status;
}
