/*
 * main.c - the spreadbench program: a table of commands, git style.
 * Only main() exits; every command returns its status, and standard
 * output is checked before the program says it succeeded.
 */
#include "cli.h"
#include "outfile.h"

#include <stdio.h>
#include <string.h>

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ .name = "fire", .fn = cmd_fire, .summary = "run one fire of a scenario and print its figures" },
	{ .name = "list", .fn = cmd_list, .summary = "list the strategies, whether built, and their options" },
	{ .name = "run", .fn = cmd_run, .summary = "measure one strategy on a batch of fires (CSV or table)" },
	{ .name = "show", .fn = cmd_show, .summary = "read a results CSV and print its rows" },
	{ .name = "sweep", .fn = cmd_sweep, .summary = "measure many points (strategies x cores x ratios) into a results folder" },
	{ .name = "plot", .fn = cmd_plot, .summary = "draw a sweep's plots (PNG and SVG) with gnuplot" },
	{ .name = "report", .fn = cmd_report, .summary = "write a sweep's report: speedups and a verdict per finding" },
	{ .name = "recommend", .fn = cmd_recommend, .summary = "name the strategy to use on this machine, from measurements" },
	{ .name = "topo", .fn = cmd_topo, .summary = "print the machine's topology (hwloc)" },
	{ .name = "count", .fn = cmd_count, .summary = "count the kernel's instructions on one fixed job" },
	{ .name = "exec", .fn = cmd_exec, .summary = "measure any command like a strategy: time, tree PSS, side by side" },
	{ .name = "compare", .fn = cmd_compare, .summary = "compare two results: regressions by ratio and Mann-Whitney U" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: spreadbench <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'spreadbench <command> --help' describes a command's options.\n");
}

char **cli_full_argv;

static int run(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("spreadbench %s\n", SPREADBENCH_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	cli_error("unknown command '%s'", argv[1]);
	usage(stderr);
	return 2;
}

int main(int argc, char **argv)
{
	cli_full_argv = argv;
	outfile_wrap_stdout();
	int status = run(argc, argv);
	/* A table, a report line or JSON that never reached its reader (a
	 * full disk, a closed pipe) is a failure, whatever the command did. */
	int rc = outfile_check_stdout();
	if (rc) {
		cli_error("cannot write standard output: %s", strerror(-rc));
		if (status == 0)
			status = 1;
	}
	return status;
}
