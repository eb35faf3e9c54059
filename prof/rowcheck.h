/*
 * rowcheck.h - the one check of a results row that every command reading
 * results files applies (show, compare): what each known column may
 * hold.  Readers that skip it would show or compare what others refuse.
 *
 * Rules, for the columns a file has (a column it lacks is not required
 * here; each command asks for the ones it needs):
 *   workers, jobs                       whole numbers >= 1
 *   counts (rep, burned_cells, ...)     whole numbers >= 0
 *   bytes (peak_pss_bytes, ...)         whole numbers >= 0 that fit 64 bits
 *   seed                                the same, or "-" (a command's row)
 *   times, rates, fractions             finite numbers >= 0 (no nan, inf,
 *                                       nor a value too large for a double)
 *   nice, exit_status                   a whole number, or "-"
 *   valid                               true or false; pin true, false or "-"
 *   strategy, status, label             not empty
 * Every one of them must be present (not empty), except cgroup_peak_bytes
 * and the noise sensors steal_fraction, runnable_before and cpu_mhz, which
 * are empty where they were not measured.  Columns not named here are
 * free text.
 */
#ifndef SPREADBENCH_ROWCHECK_H
#define SPREADBENCH_ROWCHECK_H

#include "csvio.h"

#include <stddef.h>

/* Checks row r of t, read from path.  0, or -EINVAL with a message in err
 * naming the file, the row's line, the column and the value. */
int rowcheck_row(const struct csvio_table *t, size_t r, const char *path, char *err, size_t errlen);

/* Checks every row; the first bad one is reported. */
int rowcheck_table(const struct csvio_table *t, const char *path, char *err, size_t errlen);

#endif
