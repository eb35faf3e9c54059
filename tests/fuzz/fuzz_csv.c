/*
 * fuzz_csv.c - the CSV reader (csvio_read_buffer) and the row check that
 * show and compare share (rowcheck.h) on arbitrary bytes.  Beyond not
 * crashing: a table that reads has every cell, rows on increasing lines,
 * columns that csvio_column finds again, and a row check that answers
 * the same twice and names the file in its message.
 */
#include "fuzz.h"
#include "csvio.h"
#include "rowcheck.h"

#include <errno.h>
#include <math.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csvio_table t;
	char err[512] = "";
	int rc = csvio_read_buffer("fuzz.csv", data, size, &t, err, sizeof err);
	if (rc) {
		FUZZ_ASSERT(rc == -EINVAL || rc == -ENOMEM);
		FUZZ_ASSERT(t.columns == NULL && t.cells == NULL && t.nrows == 0);
		FUZZ_ASSERT(strstr(err, "fuzz.csv") != NULL);
		return 0;
	}
	FUZZ_ASSERT(t.ncol >= 1 && t.columns);
	for (int c = 0; c < t.ncol; c++) {
		FUZZ_ASSERT(t.columns[c] && t.columns[c][0]);
		FUZZ_ASSERT(csvio_column(&t, t.columns[c]) == c);
	}
	for (size_t r = 0; r < t.nrows; r++) {
		FUZZ_ASSERT(t.row_lines[r] >= 2 && (r == 0 || t.row_lines[r] > t.row_lines[r - 1]));
		for (int c = 0; c < t.ncol; c++)
			FUZZ_ASSERT(csvio_cell(&t, r, c) != NULL);
	}
	FUZZ_ASSERT(csvio_cell(&t, t.nrows, 0) == NULL);
	int a = rowcheck_table(&t, "fuzz.csv", err, sizeof err);
	FUZZ_ASSERT(a == 0 || a == -EINVAL);
	if (a)
		FUZZ_ASSERT(strncmp(err, "'fuzz.csv' line ", 16) == 0);
	FUZZ_ASSERT(rowcheck_table(&t, "fuzz.csv", NULL, 0) == a);
	/* What the check lets through, show and compare read as numbers. */
	for (size_t r = 0; !a && r < t.nrows; r++) {
		double d;
		int c = csvio_column(&t, "wall_s");
		if (c >= 0)
			FUZZ_ASSERT(csvio_parse_double(csvio_cell(&t, r, c), &d) == 0 && isfinite(d) && d >= 0);
	}
	csvio_table_release(&t);
	return 0;
}
