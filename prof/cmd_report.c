/*
 * cmd_report.c - `spreadbench report DIR`: DIR/report.md from a sweep's
 * folder.  It opens with how quiet the machine was while it measured
 * (noise sensors of every row, the calibration probe at the start and end
 * of the sweep), then gives the machine (context.json), a speedup table
 * (serial and every strategy at each worker count, and the commands
 * measured with `spreadbench exec` over their own fewest workers), the
 * commands beside serial and the fastest strategy on as many jobs, what the memory
 * sampler cost, how precise each point's median is, and for every
 * documented finding its experiment, the numbers this folder holds and a
 * verdict from intervals (report_findings.c): holds, does not hold,
 * inconclusive, not applicable here (why), or not measured in this folder
 * (and what would measure it).  Verdicts come only from valid rows.
 */
#include "cli.h"
#include "groups.h"
#include "outfile.h"
#include "report.h"
#include "sidecar.h"
#include "stats.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1.0 / 1048576.0)
/* A row measured while more than this share of CPU time was stolen, or
 * beside another runnable task, is flagged as measured on a busy machine. */
#define STEAL_FLAG 0.02

/* The group of a label at a worker count with the most jobs (workers 0:
 * the most workers the label has): the speedup table's lines. */
static const struct group *pick(const struct groups *gs, const char *label, int workers)
{
	const struct group *best = NULL;
	bool best_ref = false;
	for (size_t i = 0; i < gs->n; i++) {
		const struct group *g = &gs->g[i];
		if (strcmp(g->label, label))
			continue;
		if (workers && g->workers != workers)
			continue;
		/* Batches serial also ran (the grid's) before one-off experiments. */
		bool ref = groups_find(gs, "serial", 1, g->jobs) != NULL;
		if (!best || (ref && !best_ref) ||
		    (ref == best_ref &&
		     (g->workers > best->workers || (g->workers == best->workers && g->jobs > best->jobs)))) {
			best = g;
			best_ref = ref;
		}
	}
	return best;
}

/* Over serial on the same batch; a command's over its own run at the
 * fewest workers, taken as ideal there (groups_exec_base). */
static double speedup(const struct groups *gs, const struct group *g)
{
	if (g && group_is_exec(g)) {
		const struct group *b = groups_exec_base(gs, g);
		return b ? group_median(b, G_WALL) * b->workers / group_median(g, G_WALL) : NAN;
	}
	const struct group *s = g ? groups_find(gs, "serial", 1, g->jobs) : NULL;
	return s ? group_median(s, G_WALL) / group_median(g, G_WALL) : NAN;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Whether a label was measured at more than one worker count: the
 * findings' one-off variants are not rows of the table (their sections
 * give their numbers). */
static bool several_workers(const struct groups *gs, const char *label)
{
	int w = 0;
	for (size_t i = 0; i < gs->n; i++)
		if (strcmp(gs->g[i].label, label) == 0) {
			if (w && gs->g[i].workers != w)
				return true;
			w = gs->g[i].workers;
		}
	return false;
}

static void speedup_table(const struct groups *gs, FILE *f)
{
	int ws[64], nw = 0;
	for (size_t i = 0; i < gs->n; i++) {
		bool seen = strcmp(gs->g[i].strategy, "serial") == 0;
		for (int k = 0; k < nw && !seen; k++)
			seen = ws[k] == gs->g[i].workers;
		if (!seen && nw < 64)
			ws[nw++] = gs->g[i].workers;
	}
	qsort(ws, (size_t)nw, sizeof *ws, cmp_int);
	fprintf(f, "Speedup over serial on the same batch (median wall of serial / median wall), at the largest "
		   "batch per worker count that serial also ran; efficiency in brackets. Variants measured at one "
		   "worker count only (the findings' experiments) are in their findings below. A command measured "
		   "with `spreadbench exec` (\"exec LABEL\") has no serial run: its speedup is over its own run at "
		   "the fewest workers, counted as that many times one worker.\n\n| strategy |");
	for (int k = 0; k < nw; k++)
		fprintf(f, " %d |", ws[k]);
	fprintf(f, "\n|---|");
	for (int k = 0; k < nw; k++)
		fprintf(f, "---:|");
	fprintf(f, "\n| serial (wall s at that batch) |");
	for (int k = 0; k < nw; k++) {
		/* The largest batch at this worker count that serial also ran. */
		const struct group *s = NULL;
		for (size_t i = 0; i < gs->n; i++) {
			const struct group *g = &gs->g[i], *sg;
			if (g->workers == ws[k] && strcmp(g->strategy, "serial") && !group_is_exec(g) &&
			    (sg = groups_find(gs, "serial", 1, g->jobs)) && (!s || sg->jobs > s->jobs))
				s = sg;
		}
		if (s)
			fprintf(f, " %.3f (%d jobs) |", group_median(s, G_WALL), s->jobs);
		else
			fprintf(f, " - |");
	}
	fprintf(f, "\n");
	const char *done[64];
	int nd = 0;
	for (size_t i = 0; i < gs->n; i++) {
		const struct group *g = &gs->g[i];
		bool seen = strcmp(g->strategy, "serial") == 0;
		for (int k = 0; k < nd && !seen; k++)
			seen = strcmp(done[k], g->label) == 0;
		if (seen || nd == 64 || !several_workers(gs, g->label))
			continue;
		done[nd++] = g->label;
		if (group_is_exec(g)) {
			const struct group *b = groups_exec_base(gs, g);
			fprintf(f, "| %s (over its own %d-worker run) |", g->label, b ? b->workers : g->workers);
		} else {
			fprintf(f, "| %s |", g->label);
		}
		for (int k = 0; k < nw; k++) {
			const struct group *p = pick(gs, g->label, ws[k]);
			double s = speedup(gs, p);
			if (p && !isnan(s))
				fprintf(f, " %.2f (%.2f) |", s, s / ws[k]);
			else
				fprintf(f, " - |");
		}
		fprintf(f, "\n");
	}
}

static int by_label(const void *a, const void *b)
{
	const struct group *x = *(const struct group *const *)a, *y = *(const struct group *const *)b;
	int c = strcmp(x->label, y->label);
	return c ? c : x->workers != y->workers ? x->workers - y->workers : x->jobs - y->jobs;
}

/* Every command measured with `spreadbench exec`, beside serial's and the
 * fastest strategy's wall time on a batch of the same jobs: what the
 * strategies would have done with the work the command says it did. */
static void commands_section(const struct groups *gs, FILE *f)
{
	const double mib = 1.0 / 1048576.0;
	bool any = false;
	for (size_t i = 0; i < gs->n && !any; i++)
		any = group_is_exec(&gs->g[i]);
	if (!any)
		return;
	fprintf(f, "\n## Commands\n\nCommands measured with `spreadbench exec` in this folder, each point's medians "
		   "(95 %% interval of the wall time), beside serial and the fastest strategy on a batch of as many "
		   "jobs as the command says it runs (`--jobs`). PSS counts a shared page once; summed RSS once per "
		   "process, as naive tools do; the largest process is its high-water mark.\n\n"
		   "| command | workers | jobs | runs | wall s [95 %% interval] | serial s | fastest strategy s | peak PSS MiB "
		   "| summed RSS MiB | largest process MiB | processes |\n"
		   "|---|---:|---:|---:|---|---:|---|---:|---:|---:|---:|\n");
	const struct group **sorted = calloc(gs->n + 1, sizeof *sorted);
	size_t n = 0;
	if (!sorted)
		return;
	for (size_t i = 0; i < gs->n; i++)
		if (group_is_exec(&gs->g[i]))
			sorted[n++] = &gs->g[i];
	qsort(sorted, n, sizeof *sorted, by_label);
	for (size_t i = 0; i < n; i++) {
		const struct group *g = sorted[i], *s = groups_find(gs, "serial", 1, g->jobs), *best = NULL;
		for (size_t k = 0; k < gs->n; k++) {
			const struct group *o = &gs->g[k];
			if (!group_is_exec(o) && o->jobs == g->jobs &&
			    (!best || group_median(o, G_WALL) < group_median(best, G_WALL)))
				best = o;
		}
		struct stats_effect e;
		char iv[64] = "", sv[32] = "-", bv[160] = "-";
		if (stats_median_ci(g->v[G_WALL], g->n, 0.95, &e) == 0 && e.bounded)
			snprintf(iv, sizeof iv, " [%.4g, %.4g]", e.lo, e.hi);
		if (s)
			snprintf(sv, sizeof sv, "%.4g", group_median(s, G_WALL));
		if (best)
			snprintf(bv, sizeof bv, "%.4g (%s, %d workers)", group_median(best, G_WALL), best->label,
				 best->workers);
		fprintf(f, "| %s | %d | %d | %zu | %.4g%s | %s | %s | %.1f | %.1f | %.1f | %.0f |\n", g->label, g->workers,
			g->jobs, g->n, group_median(g, G_WALL), iv, sv, bv, group_median(g, G_PSS) * mib,
			group_median(g, G_RSS) * mib, group_median(g, G_HWM) * mib, group_median(g, G_PROCS));
	}
	free(sorted);
}

/* A figure of the context, or NAN. */
static double ctx_real(json_t *ctx, const char *key)
{
	json_t *v = json_object_get(ctx, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Quantiles of one metric over every valid row. */
static int all_values(const struct groups *gs, enum group_metric m, double **out, size_t *n);

/* What ran: the workload and its options (context.json), and for the
 * synthetic one the time per job asked against the time got. */
static void workload_section(const struct groups *gs, json_t *ctx, FILE *f)
{
	const char *name = json_string_value(json_object_get(ctx, "workload"));
	const char *version = json_string_value(json_object_get(ctx, "workload_version"));
	const char *path = json_string_value(json_object_get(ctx, "workload_path"));
	const char *options = json_string_value(json_object_get(ctx, "workload_options"));
	if (!name)
		return;                  /* a folder from before workloads: the fire model */
	fprintf(f, "Workload: **%s**%s%s%s%s%s, options `%s`.\n\n", name, version ? " " : "", version ? version : "",
		path ? " (`" : "", path ? path : "", path ? "`)" : "", options && options[0] ? options : "none");
	const char *ms = options ? strstr(options, "job_ms=") : NULL;
	if (strcmp(name, "synthetic") || !ms)
		return;
	double asked = strtod(ms + 7, NULL) / 1e3, *v = NULL;
	size_t n = 0;
	/* Jobs of every strategy, each mean weighed alike: what a job took. */
	if (all_values(gs, G_JOB, &v, &n) == 0 && n > 0) {
		double got = stats_median(v, n);
		fprintf(f, "Each identical job was asked to compute for %.1f ms (calibrated when the workload was opened); "
			   "the median of the rows' mean job times is %.1f ms (%+.0f %%; with mixed jobs, cost_spread "
			   "spreads them around it).\n\n", asked * 1e3, got * 1e3, (got / asked - 1) * 100);
	}
	free(v);
}

static int all_values(const struct groups *gs, enum group_metric m, double **out, size_t *n)
{
	size_t k = 0;
	double *v = malloc((gs->used + 1) * sizeof *v);
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < gs->n; i++)
		for (size_t r = 0; r < gs->g[i].n; r++)
			if (!isnan(gs->g[i].v[m][r]))
				v[k++] = gs->g[i].v[m][r];
	*out = v;
	*n = k;
	return 0;
}

static double max_of(const double *v, size_t n)
{
	double x = NAN;
	for (size_t i = 0; i < n; i++)
		x = isnan(x) || v[i] > x ? v[i] : x;
	return x;
}

/* How quiet the machine was: the sensors of every row and the probe. */
static void quiet_section(const struct groups *gs, json_t *ctx, FILE *f)
{
	double *steal = NULL, *run = NULL;
	size_t ns = 0, nr = 0, flagged = 0, rows = 0;
	fprintf(f, "## How quiet the machine was\n\n");
	if (all_values(gs, G_STEAL, &steal, &ns) || all_values(gs, G_RUNNABLE, &run, &nr))
		goto out;
	for (size_t i = 0; i < gs->n; i++)
		for (size_t r = 0; r < gs->g[i].n; r++) {
			double st = gs->g[i].v[G_STEAL][r], ru = gs->g[i].v[G_RUNNABLE][r];
			rows += !isnan(st) || !isnan(ru);
			flagged += st > STEAL_FLAG || ru >= 1;
		}
	if (!ns && !nr) {
		fprintf(f, "These rows predate the noise sensors: nothing is known of how busy the machine was.\n\n");
	} else {
		fprintf(f, "| sensor | median | largest |\n|---|---:|---:|\n");
		if (ns)
			fprintf(f, "| CPU time stolen by the hypervisor during a run | %.2f %% | %.2f %% |\n",
				stats_median(steal, ns) * 100, max_of(steal, ns) * 100);
		if (nr)
			fprintf(f, "| other runnable tasks before a run | %.0f | %.0f |\n", stats_median(run, nr),
				max_of(run, nr));
		fprintf(f, "\n%zu of %zu rows were measured while more than %.0f %% of the CPU time was stolen or beside "
			   "another runnable task%s.\n\n",
			flagged, rows, STEAL_FLAG * 100,
			flagged ? ": their repetitions are the noisy ones, and the intervals below carry that noise"
				: "");
	}
	double c0 = ctx_real(ctx, "probe_cpu_s"), l0 = ctx_real(ctx, "probe_latency_ns");
	double c1 = ctx_real(ctx, "probe_end_cpu_s"), l1 = ctx_real(ctx, "probe_end_latency_ns");
	double g = ctx_real(ctx, "latency_1gib_ns"), gh = ctx_real(ctx, "latency_1gib_huge_ns");
	if (!isnan(c0))
		fprintf(f, "Calibration probe at the start: a fixed CPU loop %.1f ms, a dependent random read in 64 MiB "
			   "%.0f ns.",
			c0 * 1e3, l0);
	if (!isnan(c1))
		fprintf(f, " At the end: %.1f ms and %.0f ns (%+.1f %% and %+.1f %%).", c1 * 1e3, l1, (c1 / c0 - 1) * 100,
			(l1 / l0 - 1) * 100);
	if (!isnan(g))
		fprintf(f, " A random read in 1 GiB: %.0f ns in 4 KiB pages, %.0f ns with transparent huge pages asked "
			   "for.",
			g, gh);
	if (!isnan(c0))
		fprintf(f, "\n\n");
out:
	free(steal);
	free(run);
}

/* How precise each point's median wall time is. */
static void precision_section(const struct groups *gs, FILE *f)
{
	const struct group **sorted = calloc(gs->n + 1, sizeof *sorted);
	if (!sorted)
		return;
	for (size_t i = 0; i < gs->n; i++)
		sorted[i] = &gs->g[i];
	qsort(sorted, gs->n, sizeof *sorted, by_label);
	double *hw = calloc(gs->n + 1, sizeof *hw);
	size_t bounded = 0;
	for (size_t i = 0; hw && i < gs->n; i++) {
		struct stats_effect e;
		hw[i] = NAN;
		if (stats_median_ci(sorted[i]->v[G_WALL], sorted[i]->n, 0.95, &e) == 0 && e.bounded) {
			hw[i] = (e.hi - e.lo) / 2 / e.estimate;
			bounded++;
		}
	}
	fprintf(f, "\n## Repetitions and precision\n\nThe median wall time of each point with its 95 %% interval "
		   "(order statistics; %zu repetitions at least bound one). %zu of %zu points have a bounded interval.\n\n"
		   "<details><summary>every point</summary>\n\n| point | workers | jobs | runs | median wall s | 95 %% "
		   "interval | half-width |\n|---|---:|---:|---:|---:|---|---:|\n",
		stats_min_reps_one(0.95), bounded, gs->n);
	for (size_t i = 0; hw && i < gs->n; i++) {
		const struct group *g = sorted[i];
		struct stats_effect e;
		stats_median_ci(g->v[G_WALL], g->n, 0.95, &e);
		if (e.bounded)
			fprintf(f, "| %s | %d | %d | %zu | %.3f | [%.3f, %.3f] | %.1f %% |\n", g->label, g->workers, g->jobs,
				g->n, e.estimate, e.lo, e.hi, hw[i] * 100);
		else
			fprintf(f, "| %s | %d | %d | %zu | %.3f | too few runs | - |\n", g->label, g->workers, g->jobs, g->n,
				e.estimate);
	}
	fprintf(f, "\n</details>\n");
	free(hw);
	free(sorted);
}

int cmd_report(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		bool help = argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
		fprintf(help ? stdout : stderr, "usage: spreadbench report DIR   (writes DIR/report.md)\n");
		return help ? 0 : 2;
	}
	const char *dir = argv[1];
	char path[4200];
	snprintf(path, sizeof path, "%s/results.csv", dir);
	struct groups gs;
	if (groups_load(path, &gs))
		return 2;
	char cerr[512] = "";
	snprintf(path, sizeof path, "%s/context.json", dir);
	json_t *ctx = NULL;
	int crc = sidecar_load(path, &ctx, cerr, sizeof cerr);
	if (crc && crc != -ENOENT)
		fprintf(stderr, "spreadbench: warning: %s; the report describes no machine\n", cerr);
	if (!ctx)
		ctx = json_object(); /* a folder without it still gets a report */
	int ncores = sidecar_cores(ctx);
	if (!ncores)
		ncores = cli_usable_cpus();
	/* Strategies are compared at the machine's core count when the folder
	 * has it (more would be oversubscribed), else at the most workers. */
	int w = gs.max_workers;
	for (size_t i = 0; i < gs.n; i++)
		if (gs.g[i].workers == ncores && strcmp(gs.g[i].strategy, "serial") && !group_is_exec(&gs.g[i]))
			w = ncores;
	snprintf(path, sizeof path, "%s/report.md", dir);
	/* Written beside report.md and renamed over it only when whole: a
	 * full disk leaves the previous report as it was. */
	struct outfile out;
	int orc = outfile_open(&out, path);
	if (orc) {
		cli_error("cannot write '%s': %s", path, strerror(-orc));
		json_decref(ctx);
		groups_release(&gs);
		return 1;
	}
	FILE *f = out.f;
	fprintf(f, "# spreadbench report\n\n%zu valid runs of the %s scenario (%zu rows left out as failed or invalid).\n\n",
		gs.used, gs.scenario, gs.invalid);
	workload_section(&gs, ctx, f);
	quiet_section(&gs, ctx, f);
	fprintf(f, "## Machine\n\n| | |\n|---|---|\n");
	sidecar_machine_table(ctx, f);
	fprintf(f, "\n## Speedup\n\n");
	fprintf(f, "Findings compare strategies at %d workers%s.\n\n", w,
		w == ncores ? ", the machine's core count" : ", the most this folder has");
	speedup_table(&gs, f);
	commands_section(&gs, f);
	/* The sampler's cost: its CPU time over all the runs' wall time. */
	double smax = 0, scpu = 0, swall = 0;
	for (size_t i = 0; i < gs.n; i++)
		for (size_t k = 0; k < gs.g[i].n; k++)
			if (!isnan(gs.g[i].v[G_SAMPLER][k])) {
				scpu += gs.g[i].v[G_SAMPLER][k] * gs.g[i].v[G_WALL][k];
				swall += gs.g[i].v[G_WALL][k];
				smax = fmax(smax, gs.g[i].v[G_SAMPLER][k]);
			}
	if (swall > 0)
		fprintf(f, "\nThe memory sampler used %.2f %% of a core over all the runs' wall time (%.1f %% in the "
			   "costliest run: its first and last samples are a fixed cost, large against a short run).\n",
			scpu / swall * 100, smax * 100);
	fprintf(f, "\n![speedup](plots/speedup.png) ![efficiency](plots/efficiency.png)\n\n"
		   "![memory](plots/memory.png) ![throughput](plots/throughput.png)\n");
	precision_section(&gs, f);
	fprintf(f, "\n## Findings\n\n");
	int counts[VERDICT_N] = { 0 };
	int rc = report_findings(&gs, ctx, dir, f, counts);
	if (rc)
		outfile_abort(&out);
	else
		rc = outfile_commit(&out);
	json_decref(ctx);
	groups_release(&gs);
	if (rc) {
		cli_error("cannot write '%s': %s", path, strerror(-rc));
		return 1;
	}
	printf("report: %s (%d hold, %d do not hold, %d inconclusive, %d not applicable, %d not measured in this "
	       "folder)\n",
	       path, counts[VERDICT_HOLDS], counts[VERDICT_DOES_NOT_HOLD], counts[VERDICT_INCONCLUSIVE],
	       counts[VERDICT_NOT_APPLICABLE], counts[VERDICT_NOT_MEASURED]);
	return 0;
}
