/*
 * cmd_recommend.c - `spreadbench recommend [DIR]`: which strategy and
 * settings to use on this machine, the runner-up, and why, in numbers.
 *
 * From a results folder (a sweep's), or, without one, from a short sweep
 * of its own (every built strategy at the machine's core count, 3
 * repetitions) into a new folder under results/.  Candidates are the
 * variants of the valid rows (strategy, workers, start, schedule,
 * chunksize, mode, threads per fire); with --jobs J only rows of J jobs
 * count when the folder has them.  Each is scored by its median
 * throughput in jobs per second; those whose median peak PSS exceeds
 * --memory-budget are left out, never recommended.  The best and the
 * runner-up are compared with Mann-Whitney U, so a lead within noise is
 * called one.
 *
 * Exit status: 0 with a recommendation, 1 when nothing fits the budget,
 * 2 bad input.
 */
#include "cli.h"
#include "csvio.h"
#include "stats.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct cand {
	char label[160];
	char strategy[32];
	int workers, jobs;
	size_t n, cap;
	double *jps, *pss, *wall;
	double jps_med, pss_med;
};

static const char *col(const struct csvio_table *t, size_t r, const char *name)
{
	int c = csvio_column(t, name);
	return c < 0 ? "" : csvio_cell(t, r, c);
}

static void describe(const struct csvio_table *t, size_t r, char *out, size_t len)
{
	snprintf(out, len, "%s with %s worker%s", col(t, r, "strategy"), col(t, r, "workers"),
		 strcmp(col(t, r, "workers"), "1") ? "s" : "");
	static const char *const opt[] = { "start", "schedule", "chunksize", "attach", "mode", "fire_threads", "pin",
					   "allocator", "dtype" };
	/* Defaults are left out: only what sets a variant apart is named. */
	static const char *const skip[] = { "-", "-", "1", "-", "-", "1", "-", "glibc", "f32" };
	size_t l = strlen(out);
	bool first = true;
	for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++) {
		const char *v = col(t, r, opt[i]);
		if (!v[0] || strcmp(v, skip[i]) == 0 || strcmp(v, "-") == 0 || strcmp(v, "false") == 0 ||
		    strcmp(v, "batch") == 0)
			continue;
		l += (size_t)snprintf(out + l, len > l ? len - l : 0, "%s%s %s", first ? " (" : ", ", opt[i], v);
		first = false;
	}
	if (!first && l + 1 < len)
		strcat(out, ")");
}

static int add(struct cand **cs, size_t *n, const struct csvio_table *t, size_t r, double jps, double pss,
	       double wall)
{
	char label[160];
	describe(t, r, label, sizeof label);
	struct cand *c = NULL;
	for (size_t i = 0; i < *n && !c; i++)
		if (strcmp((*cs)[i].label, label) == 0)
			c = &(*cs)[i];
	if (!c) {
		struct cand *p = realloc(*cs, (*n + 1) * sizeof *p);
		if (!p)
			return -ENOMEM;
		*cs = p;
		c = &(*cs)[(*n)++];
		memset(c, 0, sizeof *c);
		snprintf(c->label, sizeof c->label, "%s", label);
		snprintf(c->strategy, sizeof c->strategy, "%s", col(t, r, "strategy"));
		c->workers = atoi(col(t, r, "workers"));
		c->jobs = atoi(col(t, r, "jobs"));
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 8;
		double **arr[3] = { &c->jps, &c->pss, &c->wall };
		for (int k = 0; k < 3; k++) {
			double *p = realloc(*arr[k], cap * sizeof *p);
			if (!p)
				return -ENOMEM;
			*arr[k] = p;
		}
		c->cap = cap;
	}
	c->jps[c->n] = jps;
	c->pss[c->n] = pss;
	c->wall[c->n] = wall;
	c->n++;
	return 0;
}

static int by_throughput(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	return (x->jps_med < y->jps_med) - (x->jps_med > y->jps_med);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: spreadbench recommend [DIR] [options]\n"
		"  DIR                  a sweep's results folder; without it, a short sweep of its own\n"
		"  --jobs J             the batch you will run (default: what the folder has)\n"
		"  --memory-budget SIZE never recommend more peak PSS than this (e.g. 8G)\n"
		"  --scenario NAME      for the sweep of its own (default demo)\n");
}

/* A short sweep of its own: every built strategy at the machine's cores. */
static int measure(const char *scenario, long jobs, char *dir, size_t len)
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
	char *argv[] = { "sweep", "--scenario", (char *)scenario, "--cores", cores, "--ratios", ratio, "--reps", "3",
			 "--out", dir, NULL };
	printf("recommend: measuring every built strategy at %d workers on '%s' into %s\n", n, scenario, dir);
	fflush(stdout);
	return cmd_sweep(11, argv);
}

int cmd_recommend(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "jobs", required_argument, NULL, 'j' }, { "memory-budget", required_argument, NULL, 'm' },
		{ "scenario", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	long jobs = 0;
	uint64_t budget = 0;
	const char *scenario = "demo";
	int c, li = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, &li)) != -1) {
		switch (c) {
		case 'j':
			if (parse_int(optarg, 1, 1000000, &jobs))
				goto bad;
			break;
		case 'm':
			if (parse_size(optarg, &budget) || budget == 0)
				goto bad;
			break;
		case 's':
			scenario = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind > 1) {
		cli_error("recommend takes one results folder at most");
		return 2;
	}
	char dir[4096];
	if (optind < argc) {
		snprintf(dir, sizeof dir, "%s", argv[optind]);
	} else {
		struct kernel_scenario sc;
		if (kernel_scenario_find(scenario, 1, &sc)) {
			cli_error("unknown scenario '%s' (%s)", scenario, kernel_scenario_names());
			return 2;
		}
		int rc = measure(scenario, jobs, dir, sizeof dir);
		if (rc >= 2)
			return rc;
	}
	char path[4200], err[512] = "";
	snprintf(path, sizeof path, "%s/results.csv", dir);
	struct csvio_table t;
	int rc = csvio_read(path, &t, err, sizeof err);
	if (rc) {
		cli_error("%s", err[0] ? err : strerror(-rc));
		return 2;
	}
	struct cand *cs = NULL;
	size_t n = 0;
	int status = 2;
	bool have_jobs = false;
	for (size_t r = 0; r < t.nrows && jobs; r++)
		have_jobs |= atol(col(&t, r, "jobs")) == jobs;
	for (size_t r = 0; r < t.nrows; r++) {
		double jps, pss, wall;
		if (strcmp(col(&t, r, "status"), "ok") || strcmp(col(&t, r, "valid"), "true"))
			continue;
		if (have_jobs && atol(col(&t, r, "jobs")) != jobs)
			continue;
		if (csvio_parse_double(col(&t, r, "jobs_per_s"), &jps) ||
		    csvio_parse_double(col(&t, r, "peak_pss_bytes"), &pss) ||
		    csvio_parse_double(col(&t, r, "wall_s"), &wall)) {
			cli_error("'%s': row %zu is not a results row of spreadbench", path, r + 1);
			goto out;
		}
		if (add(&cs, &n, &t, r, jps, pss, wall)) {
			cli_error("out of memory");
			goto out;
		}
	}
	if (n == 0) {
		cli_error("'%s' has no valid row%s", path, have_jobs ? "" : " to judge");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		cs[i].jps_med = stats_median(cs[i].jps, cs[i].n);
		cs[i].pss_med = stats_median(cs[i].pss, cs[i].n);
	}
	qsort(cs, n, sizeof *cs, by_throughput);
	const struct cand *best = NULL, *second = NULL, *serial = NULL;
	size_t over = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(cs[i].strategy, "serial") == 0 && (!serial || cs[i].jps_med > serial->jps_med))
			serial = &cs[i];
		if (budget && cs[i].pss_med > (double)budget) {
			over++;
			continue;
		}
		if (!best)
			best = &cs[i];
		else if (!second && strcmp(cs[i].strategy, best->strategy))
			second = &cs[i];
	}
	const double mib = 1.0 / 1048576.0;
	printf("From %s (%s scenario%s%s):\n", path, t.nrows ? col(&t, 0, "scenario") : "?",
	       have_jobs ? ", batches of " : "", have_jobs ? "the jobs asked for" : "");
	if (!best) {
		double lean = cs[0].pss_med;
		for (size_t i = 1; i < n; i++)
			lean = cs[i].pss_med < lean ? cs[i].pss_med : lean;
		printf("Nothing fits a memory budget of %.0f MiB: the leanest measured needs %.0f MiB.\n",
		       (double)budget * mib, lean * mib);
		status = 1;
		goto out;
	}
	printf("  use:        %s\n", best->label);
	printf("              %.2f jobs/s (median of %zu), peak PSS %.0f MiB", best->jps_med, best->n,
	       best->pss_med * mib);
	if (jobs)
		printf("; %ld jobs would take about %.1f s", jobs, (double)jobs / best->jps_med);
	printf("\n");
	if (second) {
		struct stats_u u;
		stats_mann_whitney(best->jps, best->n, second->jps, second->n, &u);
		double lead = (best->jps_med / second->jps_med - 1.0) * 100.0;
		printf("  runner-up:  %s\n", second->label);
		printf("              %.2f jobs/s, peak PSS %.0f MiB: %.1f %% slower, %s%.0f MiB %s (p = %.2g%s)\n",
		       second->jps_med, second->pss_med * mib, lead, "",
		       second->pss_med > best->pss_med ? (second->pss_med - best->pss_med) * mib
						       : (best->pss_med - second->pss_med) * mib,
		       second->pss_med > best->pss_med ? "more memory" : "less memory", u.p,
		       u.p < 0.05 ? ""
		       : u.p_min >= 0.05 ? ": too few repetitions to tell them apart"
					  : ": within noise, either will do");
	}
	if (serial && serial != best)
		printf("  serial:     %.2f jobs/s, peak PSS %.0f MiB: the best is %.2fx faster\n", serial->jps_med,
		       serial->pss_med * mib, best->jps_med / serial->jps_med);
	if (budget)
		printf("  budget:     %.0f MiB; %zu of %zu measured variants need more and were left out\n",
		       (double)budget * mib, over, n);
	status = 0;
out:
	for (size_t i = 0; i < n; i++) {
		free(cs[i].jps);
		free(cs[i].pss);
		free(cs[i].wall);
	}
	free(cs);
	csvio_table_release(&t);
	return status;
bad:
	cli_error("invalid value '%s' for --%s", optarg, opts[li].name);
	return 2;
}
