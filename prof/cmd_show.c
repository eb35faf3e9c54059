/*
 * cmd_show.c - `spreadbench show FILE.csv`: read a results file through
 * the CSV reader and print its rows as a short table, so a person (or a
 * script) can check a file is whole and see what it holds.  Every row is
 * checked as compare checks it (rowcheck.h) before any is printed.  Exit
 * status: 0 every row ok and valid, 1 some row failed or invalid (or the
 * table could not be written), 2 the file cannot be read, lacks the run
 * columns or holds a value no run could have written.
 */
#include "cli.h"
#include "csvio.h"
#include "rowcheck.h"

#include <stdio.h>
#include <string.h>

int cmd_show(int argc, char **argv)
{
	static const char *const want[] = {
		"strategy", "start", "workers", "jobs", "schedule", "rep", "status", "valid",
		"wall_s", "compute_s", "peak_pss_bytes", "peak_rss_sum_bytes", "mha_per_cpu_hr",
	};
	enum { NW = sizeof want / sizeof want[0] };
	struct csvio_table t;
	char err[512] = "";
	int col[NW], status = 0;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(argc == 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr,
			"usage: spreadbench show FILE.csv\n");
		return argc == 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	if (csvio_read(argv[1], &t, err, sizeof err)) {
		cli_error("%s", err);
		return 2;
	}
	for (int i = 0; i < NW; i++) {
		col[i] = csvio_column(&t, want[i]);
		if (col[i] < 0) {
			cli_error("'%s' has no column '%s'; is it a file of 'spreadbench run'?", argv[1], want[i]);
			csvio_table_release(&t);
			return 2;
		}
	}
	if (rowcheck_table(&t, argv[1], err, sizeof err)) {
		cli_error("%s", err);
		csvio_table_release(&t);
		return 2;
	}
	printf("%-13s %-5s %4s %5s %-8s %4s %-8s %-6s %9s %9s %9s %9s %9s\n", "strategy", "start", "wrk",
	       "jobs", "schedule", "rep", "status", "valid", "wall_s", "compute_s", "pss_MiB", "rss_MiB",
	       "Mha/CPUh");
	for (size_t r = 0; r < t.nrows; r++) {
		double pss = 0, rss = 0, wall = 0, compute = 0, mha = 0;
		csvio_parse_double(csvio_cell(&t, r, col[8]), &wall);
		csvio_parse_double(csvio_cell(&t, r, col[9]), &compute);
		csvio_parse_double(csvio_cell(&t, r, col[10]), &pss);
		csvio_parse_double(csvio_cell(&t, r, col[11]), &rss);
		csvio_parse_double(csvio_cell(&t, r, col[12]), &mha);
		printf("%-13s %-5s %4s %5s %-8s %4s %-8s %-6s %9.3f %9.3f %9.1f %9.1f %9.2f\n",
		       csvio_cell(&t, r, col[0]), csvio_cell(&t, r, col[1]), csvio_cell(&t, r, col[2]),
		       csvio_cell(&t, r, col[3]), csvio_cell(&t, r, col[4]), csvio_cell(&t, r, col[5]),
		       csvio_cell(&t, r, col[6]), csvio_cell(&t, r, col[7]), wall, compute, pss / 1048576.0,
		       rss / 1048576.0, mha);
		if (strcmp(csvio_cell(&t, r, col[6]), "ok") || strcmp(csvio_cell(&t, r, col[7]), "true"))
			status = 1;
	}
	printf("%zu rows in '%s'\n", t.nrows, argv[1]);
	csvio_table_release(&t);
	return status;
}
