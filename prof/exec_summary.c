/*
 * exec_summary.c - see exec_cli.h: what `spreadbench exec` prints at its
 * end.  For each point, over the runs that exited 0: the median wall time
 * with its 95 % interval (order statistics, stats_median_ci), the mean,
 * fastest and slowest, the tree's CPU time, and its memory: peak PSS,
 * peak summed RSS, the largest process's high-water mark and the most
 * processes at once (medians).  Then every other command against the
 * first at the same parameter values: the Hodges-Lehmann ratio NEW / BASE
 * of wall time, peak PSS and largest high-water mark with its 95 %
 * interval, judged by the rules `compare` uses (verdict_change_judge)
 * with --factor.  It leaves out everything the CSV rows already hold run
 * by run.
 */
#include "exec_cli.h"
#include "stats.h"
#include "verdict.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1.0 / 1048576.0)

int exec_pt_add(struct exec_pt *pt, const struct runner_row *row)
{
	if (!row->valid) {
		pt->failed++;
		return 0;
	}
	if (pt->nvalid == pt->cap) {
		int cap = pt->cap ? 2 * pt->cap : 16;
		for (int m = 0; m < EXEC_NMETRIC; m++) {
			double *v = realloc(pt->v[m], (size_t)cap * sizeof *v);
			if (!v)
				return -ENOMEM;
			pt->v[m] = v;
		}
		pt->cap = cap;
	}
	const double x[EXEC_NMETRIC] = {
		[EXEC_WALL] = row->wall_s,
		[EXEC_USER] = row->user_s,
		[EXEC_SYS] = row->sys_s,
		[EXEC_PSS] = (double)row->peak_pss_bytes,
		[EXEC_RSS] = (double)row->peak_rss_sum_bytes,
		[EXEC_HWM] = (double)row->max_worker_hwm_bytes,
		[EXEC_PROCS] = row->max_procs,
	};
	for (int m = 0; m < EXEC_NMETRIC; m++)
		pt->v[m][pt->nvalid] = x[m];
	pt->nvalid++;
	return 0;
}

static double median(const struct exec_pt *pt, enum exec_metric m)
{
	return pt->nvalid ? stats_median(pt->v[m], (size_t)pt->nvalid) : NAN;
}

/* A figure, or "-" where no run gave one. */
static const char *fig(char *buf, size_t len, const char *fmt, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, fmt, v);
	return buf;
}

static void time_table(const struct exec_args *a, FILE *out)
{
	fprintf(out, "%-40s %4s %5s %6s %10s %-23s %10s %10s %10s %9s %9s\n", "label", "wrk", "runs", "failed",
		"median s", "95 % interval", "mean s", "min s", "max s", "user s", "sys s");
	for (int i = 0; i < a->npts; i++) {
		const struct exec_pt *pt = &a->pts[i];
		char iv[64] = "-";
		double mean = NAN, lo = NAN, hi = NAN;
		struct stats_effect e;
		if (pt->nvalid && stats_median_ci(pt->v[EXEC_WALL], (size_t)pt->nvalid, 0.95, &e) == 0) {
			if (e.bounded)
				snprintf(iv, sizeof iv, "[%.4g, %.4g]", e.lo, e.hi);
			else
				snprintf(iv, sizeof iv, "(too few runs)");
		}
		for (int k = 0; k < pt->nvalid; k++) {
			double w = pt->v[EXEC_WALL][k];
			mean = k ? mean + w : w;
			lo = k && lo < w ? lo : w;
			hi = k && hi > w ? hi : w;
		}
		if (pt->nvalid)
			mean /= pt->nvalid;
		char b[6][32];
		fprintf(out, "%-40s %4d %5d %6d %10s %-23s %10s %10s %10s %9s %9s\n", pt->label, pt->workers, pt->nvalid,
			pt->failed, fig(b[0], 32, "%.4g", median(pt, EXEC_WALL)), iv, fig(b[1], 32, "%.4g", mean),
			fig(b[2], 32, "%.4g", lo), fig(b[3], 32, "%.4g", hi), fig(b[4], 32, "%.4g", median(pt, EXEC_USER)),
			fig(b[5], 32, "%.4g", median(pt, EXEC_SYS)));
	}
}

static void memory_table(const struct exec_args *a, FILE *out)
{
	bool unsampled = false;
	fprintf(out, "\n%-40s %4s %14s %16s %21s %9s\n", "label", "wrk", "peak PSS MiB", "summed RSS MiB",
		"largest process MiB", "processes");
	for (int i = 0; i < a->npts; i++) {
		const struct exec_pt *pt = &a->pts[i];
		char b[4][32];
		fprintf(out, "%-40s %4d %14s %16s %21s %9s\n", pt->label, pt->workers,
			fig(b[0], 32, "%.1f", median(pt, EXEC_PSS) * MIB), fig(b[1], 32, "%.1f", median(pt, EXEC_RSS) * MIB),
			fig(b[2], 32, "%.1f", median(pt, EXEC_HWM) * MIB), fig(b[3], 32, "%.0f", median(pt, EXEC_PROCS)));
		for (int k = 0; k < pt->nvalid; k++)
			unsampled |= pt->v[EXEC_PROCS][k] == 0;
	}
	fprintf(out, "(medians over the runs that exited 0; PSS counts a shared page once, summed RSS once per process "
		     "that maps it)\n");
	if (unsampled)
		fprintf(out, "Some runs ended before the memory sampler's first look (0 processes seen): their PSS and "
			     "summed RSS are 0, and the largest process's high-water mark, from the kernel's count at "
			     "exit, is all that is known of their memory.\n");
}

/* One metric of pt against base, as a line. */
static void against(const struct exec_args *a, const struct exec_pt *base, const struct exec_pt *pt,
		    enum exec_metric m, const char *name, FILE *out)
{
	static const char *const worse[EXEC_NMETRIC] = { [EXEC_WALL] = "slower", [EXEC_PSS] = "larger",
							[EXEC_HWM] = "larger" };
	static const char *const better[EXEC_NMETRIC] = { [EXEC_WALL] = "faster", [EXEC_PSS] = "smaller",
							 [EXEC_HWM] = "smaller" };
	struct stats_effect e;
	char iv[64], why[160];
	if (!base->nvalid || !pt->nvalid) {
		fprintf(out, "  %-38s %-12s %-28s no run of %s exited 0\n", pt->label, name, "-",
			base->nvalid ? "this command" : "the first command");
		return;
	}
	int rc = stats_ratio_ci(base->v[m], (size_t)base->nvalid, pt->v[m], (size_t)pt->nvalid, 0.95, &e);
	if (rc == -EDOM) {
		fprintf(out, "  %-38s %-12s %-28s not measured in every run\n", pt->label, name, "-");
		return;
	}
	if (rc) {
		fprintf(out, "  %-38s %-12s %-28s cannot compare: %s\n", pt->label, name, "-", strerror(-rc));
		return;
	}
	long reps = 0;
	enum verdict_change v = verdict_change_judge(&e, a->factor, false, &reps);
	if (e.bounded)
		snprintf(iv, sizeof iv, "%.4gx [%.4g, %.4g]", e.estimate, e.lo, e.hi);
	else
		snprintf(iv, sizeof iv, "%.4gx [unbounded]", e.estimate);
	switch (v) {
	case CHANGE_WORSE:
		snprintf(why, sizeof why, "%s", worse[m]);
		break;
	case CHANGE_BETTER:
		snprintf(why, sizeof why, "%s", better[m]);
		break;
	case CHANGE_SAME:
		snprintf(why, sizeof why, "the same within %.2fx", a->factor);
		break;
	case CHANGE_UNDECIDED:
		if (reps > 0)
			snprintf(why, sizeof why, "inconclusive: about %ld runs a side would settle it", reps);
		else
			snprintf(why, sizeof why, "inconclusive: the estimate sits on the threshold");
		break;
	default:
		snprintf(why, sizeof why, "too few runs: %zu a side bound a 95 %% interval", stats_min_reps_two(0.95));
		break;
	}
	fprintf(out, "  %-38s %-12s %-28s %s\n", pt->label, name, iv, why);
}

void exec_summary(const struct exec_args *a, FILE *out)
{
	fprintf(out, "\nexec: %d command%s", a->ncommands, a->ncommands == 1 ? "" : "s");
	if (a->ncombos > 1)
		fprintf(out, " x %d parameter values", a->ncombos);
	fprintf(out, ", interleaved in a shuffled order each round\n");
	time_table(a, out);
	memory_table(a, out);
	if (a->ncommands < 2)
		return;
	for (int k = 0; k < a->ncombos; k++) {
		const struct exec_pt *base = &a->pts[k];   /* the first command's points come first */
		fprintf(out, "\nagainst '%s' at %d worker%s: NEW / BASE, the Hodges-Lehmann ratio of the runs with its 95 %% interval; "
			     "a difference counts when the whole interval lies beyond %.2f (or below 1/%.2f), the same "
			     "when it lies within\n",
			base->label, base->workers, base->workers == 1 ? "" : "s", a->factor, a->factor);
		for (int c = 1; c < a->ncommands; c++) {
			const struct exec_pt *pt = &a->pts[c * a->ncombos + k];
			against(a, base, pt, EXEC_WALL, "wall", out);
			against(a, base, pt, EXEC_PSS, "peak PSS", out);
			against(a, base, pt, EXEC_HWM, "largest HWM", out);
		}
	}
}
