/*
 * results.h - opening a results CSV with its context: the machine and
 * build (context_collect), the command that made it, and lines the caller
 * adds, as '#' lines before the header when the file is new.
 */
#ifndef SPREADBENCH_RESULTS_H
#define SPREADBENCH_RESULTS_H

#include "csvio.h"

/* Opens path for appending rows of runner_columns; errors are reported
 * on stderr.  0 or a negative errno. */
int results_csv_open(const char *path, const char *command, const char *const *extra, int nextra,
		     struct csvio_writer **w);

#endif
