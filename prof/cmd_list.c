/*
 * cmd_list.c - `spreadbench list`: every strategy spreadbench knows,
 * whether this build has it, what it is, which run options it honours,
 * and for one that was not built, how to build it.
 */
#include "cli.h"
#include "strategy.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int cmd_list(int argc, char **argv)
{
	bool names_only = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: spreadbench list [--built]\n"
			       "  --built   only the names of the strategies this build has, one per line\n");
			return 0;
		} else if (strcmp(argv[i], "--built") == 0) {
			names_only = true;
		} else {
			cli_error("unexpected argument '%s'", argv[i]);
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
		char opts[160] = "";
		if (s && (s->flags & STRATEGY_PROCESSES))
			strcat(opts, "start nice ");
		if (s && (s->flags & STRATEGY_SCHEDULES))
			strcat(opts, "schedule chunksize ");
		if (s && (s->flags & STRATEGY_ATTACHES))
			strcat(opts, "attach ");
		if (s && (s->flags & STRATEGY_THREADS))
			strcat(opts, "pin ");
		if (s && (s->flags & STRATEGY_MODES))
			strcat(opts, "mode ");
		if (s && (s->flags & STRATEGY_FIRE_THREADS))
			strcat(opts, "fire-threads ");
		if (s && (s->flags & STRATEGY_MPI))
			strcat(opts, "virtual-nodes hostfile ");
		/* Limits: per job and worker where one can be stopped, else
		 * on the whole run. */
		if (s)
			strcat(opts, (s->flags & STRATEGY_STOPS_JOBS) ? "job/setup-timeout fault " : "run-timeout ");
		if (!opts[0])
			strcpy(opts, "-");
		printf("%-14s %-6s %-74s %s\n", e->name, s ? "yes" : "no", opts,
		       s ? s->summary : e->enable);
	}
	return 0;
}
