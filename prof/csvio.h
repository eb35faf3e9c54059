/*
 * csvio.h - tidy CSV files of benchmark results, written and read with
 * libcsv.  A file is optional '#' comment lines (the run's context, which
 * gnuplot skips), one header row, then one row per measured run.  The
 * writer appends whole rows so that an interrupted sweep leaves a file
 * that still parses; the reader loads a whole file into memory and checks
 * its shape.  Neither knows what the columns mean: the column list and the
 * context lines come from the caller, and numbers travel as text (see
 * csvio_parse_double/long for reading them back strictly).
 *
 * Quoting: a field is written bare when it reads back unchanged, and
 * quoted by libcsv (csv_write) when it is not, that is when it contains a
 * comma, a double quote, CR or LF, starts or ends with a space or tab, or
 * starts with '#' (a first field starting with '#' would otherwise read as
 * a comment line).  Numbers therefore stay unquoted for gnuplot.
 */
#ifndef SPREADBENCH_CSVIO_H
#define SPREADBENCH_CSVIO_H

#include <stddef.h>

/* The longest line (and the longest record, when a quoted field spans
 * lines) and the longest field a reader accepts.  A results row is a few
 * KiB at most; the limits keep a file that is not one (a disk image, a
 * file of zeros) from taking all memory before it is refused. */
#define CSVIO_MAX_LINE (1 << 20)
#define CSVIO_MAX_FIELD (1 << 16)

/* Appending writer. */
struct csvio_writer;

/* Opens path for appending.  If the file is new or empty, writes each of
 * context[0..ncontext) as a line "# <text>" (a text with newlines becomes
 * one comment line per line) and then the header row of columns.  If it
 * exists and is non-empty, reads its header row (skipping '#' lines) and
 * requires it to equal `columns` exactly (same names, same order);
 * otherwise returns -EINVAL with a message in err ("'out.csv' has
 * different columns: expected ..., found ...").  Before that, the whole
 * existing file must read back (as csvio_read would read it) and end in a
 * newline: a row appended after a damaged one would be lost with it.  A
 * damaged file is refused with the line that is wrong and how to mend it
 * (the lines to keep, with the head command that keeps them).  A path
 * that is not a regular file is refused.  Column names must be non-empty
 * and distinct.  Other failures return a negative errno, also explained
 * in err. */
int csvio_writer_open(const char *path, const char *const *columns, int ncol,
		      const char *const *context, int ncontext,
		      struct csvio_writer **out, char *err, size_t errlen);

/* Appends one row of ncol fields (NULL = empty field).  The row is
 * formatted in memory and written with one write(2) on an O_APPEND
 * descriptor, then fdatasync'd, so an interrupted program leaves either
 * the whole row or none of it (the one exception, a SIGKILL landing
 * between the pages of one write, is described in csvio.c).  Fields may
 * hold newlines. */
int csvio_write_row(struct csvio_writer *w, const char *const *fields);

/* Closes the file; NULL-safe.  Returns a negative errno if close fails. */
int csvio_writer_close(struct csvio_writer *w);

/* A whole file in memory.  Comment lines ('#' at the start of a record,
 * not inside a quoted field) may appear anywhere, and blank lines are
 * skipped; comment texts are kept without the leading "#" and one space. */
struct csvio_table {
	int ncol;
	char **columns;
	size_t nrows;
	char **cells;          /* nrows * ncol, row-major; never NULL entries ("" when empty) */
	size_t ncomments;
	char **comments;
	size_t *row_lines;     /* the line each row starts on, from 1, for messages */
};

/* Reads path into *out, which is left zeroed on failure.
 * Fails with -EINVAL and a message naming the file and line when a row has
 * a different number of fields from the header, the header is missing or
 * has empty or duplicated column names, the quoting is broken (a stray
 * quote, or a quote still open at end of file), a line, record or field
 * is longer than the limits above, or a line holds a NUL byte; with
 * -EINVAL (-EISDIR for a folder) when path is not a regular file;
 * -ENOENT etc. from open.  A UTF-8 byte-order mark at the very start of
 * the file is skipped, so that a file saved by a spreadsheet still has
 * its first column's plain name. */
int csvio_read(const char *path, struct csvio_table *out, char *err, size_t errlen);

/* The same from len bytes in memory; name is what messages call it. */
int csvio_read_buffer(const char *name, const void *data, size_t len, struct csvio_table *out,
		      char *err, size_t errlen);

/* The index of the column called name, or -1. */
int csvio_column(const struct csvio_table *t, const char *name);

/* The cell at (row, col), or NULL when either is out of range. */
const char *csvio_cell(const struct csvio_table *t, size_t row, int col);

/* Frees everything and zeroes *t; safe twice, safe on a zeroed table. */
void csvio_table_release(struct csvio_table *t);

/* Strict field conversions for readers of numeric columns: the whole
 * field must be the number, without surrounding spaces.  Empty or NULL
 * gives -ENODATA, anything else that is not a number -EINVAL, a value out
 * of range -ERANGE.  csvio_parse_double accepts nan and inf (as printed by
 * printf) and reads %.17g output back to the same double. */
int csvio_parse_double(const char *s, double *out);
int csvio_parse_long(const char *s, long *out);

#endif
