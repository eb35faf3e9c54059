/*
 * results.c - see results.h.
 */
#include "results.h"
#include "cli.h"
#include "context.h"
#include "runner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int results_csv_open(const char *path, const char *command, const char *const *extra, int nextra,
		     struct csvio_writer **w)
{
	json_t *ctx = NULL;
	char **lines = NULL, cmd[1100];
	const char **all = NULL;
	size_t n = 0;
	int rc = context_collect(&ctx);
	if (rc == 0)
		rc = context_lines(ctx, &lines, &n);
	if (rc) {
		cli_error("cannot collect the machine's context: %s", strerror(-rc));
		goto out;
	}
	snprintf(cmd, sizeof cmd, "command: %s", command);
	all = calloc(n + (size_t)nextra + 1, sizeof *all);
	if (!all) {
		rc = -ENOMEM;
		goto out;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		all[k++] = lines[i];
	all[k++] = cmd;
	for (int i = 0; i < nextra; i++)
		all[k++] = extra[i];
	char err[512] = "";
	rc = csvio_writer_open(path, runner_columns, runner_ncolumns, all, (int)k, w, err, sizeof err);
	if (rc)
		cli_error("%s", err[0] ? err : strerror(-rc));
out:
	free(all);
	if (lines)
		context_lines_free(lines, n);
	json_decref(ctx);
	return rc;
}
