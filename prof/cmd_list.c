/*
 * cmd_list.c - `spreadbench list`: every strategy spreadbench knows,
 * whether this build has it, what it is, which run options it honours
 * (from the parameter table and its flags), and for one that was not
 * built, how to build it; with --workload, what a workload offers.
 */
#include "cli.h"
#include "strategy.h"
#include "workloads.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The options of the table that only some strategies honour, and these
 * flags do: "start schedule chunksize ...". */
static void strategy_options(const struct strategy *s, char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = '\0';
	for (int i = 0; i < params_count; i++) {
		const struct param *d = &params_table[i];
		if (!d->needs || !param_applies(d, s->flags) || at + strlen(d->name) + 2 >= len)
			continue;
		at += (size_t)snprintf(buf + at, len - at, "%s%s", at ? " " : "", d->name);
	}
	/* Without STRATEGY_STOPS_JOBS, a late run is ended whole. */
	if (!(s->flags & STRATEGY_STOPS_JOBS) && at + 14 < len)
		snprintf(buf + at, len - at, "%srun-timeout", at ? " " : "");
}

static int list_workload(const char *name)
{
	char err[512];
	const struct workload *w = workloads_find(name, err, sizeof err);
	if (!w) {
		cli_error("%s", err);
		return 2;
	}
	printf("workload   %s %s (interface version %d)\n", w->name, w->version, w->iVersion);
	printf("what       %s\n", w->summary ? w->summary : "");
	printf("scenarios  %s (default %s%s%s)\n", w->scenarios, w->default_scenario,
	       w->benchmark_scenario ? ", benchmark " : "", w->benchmark_scenario ? w->benchmark_scenario : "");
	struct workload_scenario *ws = NULL;
	bool f64 = w->open(w->default_scenario, 1, WORKLOAD_F64, NULL, &ws) == 0;
	if (ws)
		w->close(ws);
	printf("dtypes     f32%s\n", f64 ? ", f64" : "");
	printf("threads    %s\n", w->set_threads ? "splits a job across threads (--job-threads)" : "one per job");
	printf("figures    (summed over a batch; the first is the work, per second the throughput)\n");
	for (int k = 0; k < w->nfigures; k++)
		printf("  %-16s %-8s %s\n", w->figures[k].name, w->figures[k].unit ? w->figures[k].unit : "",
		       w->figures[k].meaning ? w->figures[k].meaning : "");
	printf("options    %s\n", w->options_help ? "(--options key=value,...)" : "none");
	for (const char *l = w->options_help; l && *l;) {
		size_t n = strcspn(l, "\n");
		printf("  %.*s\n", (int)n, l);
		l += n + (l[n] == '\n');
	}
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: spreadbench list [--built | --workload NAME|PATH]\n"
		     "  --built            only the names of the strategies this build has, one per line\n"
		     "  --workload W       a workload's scenarios, figures and options (built in: %s)\n",
		workloads_builtin_names());
}

int cmd_list(int argc, char **argv)
{
	bool names_only = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--built") == 0) {
			names_only = true;
		} else if (strcmp(argv[i], "--workload") == 0 && i + 1 < argc) {
			return list_workload(argv[i + 1]);
		} else {
			cli_error("unexpected argument '%s'", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (names_only) {
		for (int i = 0; i < strategy_registry_count; i++)
			if (strategy_registry[i].strategy)
				printf("%s\n", strategy_registry[i].name);
		return 0;
	}
	printf("%-14s %-6s %-74s %s\n", "strategy", "built", "options", "what it is");
	for (int i = 0; i < strategy_registry_count; i++) {
		const struct strategy_entry *e = &strategy_registry[i];
		const struct strategy *s = e->strategy;
		char opts[256] = "-";
		if (s)
			strategy_options(s, opts, sizeof opts);
		printf("%-14s %-6s %-74s %s\n", e->name, s ? "yes" : "no", opts, s ? s->summary : e->enable);
	}
	printf("\nworkloads: %s, or a plug-in's path (spreadbench list --workload NAME)\n", workloads_builtin_names());
	return 0;
}
