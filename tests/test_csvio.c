/*
 * test_csvio.c - the CSV writer and reader of prof/csvio.c: a new file
 * with context lines and awkward fields read back exactly, appending to
 * it, refusing a file with other columns, the errors a damaged file gives
 * (with its line), comment lines among rows versus "#" inside quoted
 * fields, CRLF and a missing final newline, a writer killed with SIGKILL
 * mid-run leaving only whole rows, and the strict number conversions;
 * what is not a results file (a device, a pipe, binary data, endless
 * lines) refused quickly, a byte-order mark skipped, and a writer that
 * refuses to append to a damaged file, saying which lines to keep.
 * Everything happens in a fresh directory under $TMPDIR (or /tmp), which
 * is removed at the end.  It does not test concurrent writers or a full
 * disk.
 */
#include "check.h"
#include "csvio.h"

#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Half of PATH_MAX, so that a file name always fits after it. */
static char dir[PATH_MAX / 2];

#define CHECK_STR(got, want) check_str_at(__FILE__, __LINE__, #got, (got), (want))

static void check_str_at(const char *file, int line, const char *expr, const char *got,
			 const char *want)
{
	check_count++;
	if (!got || strcmp(got, want)) {
		check_failures++;
		fprintf(stderr, "%s:%d: %s%s = \"%s\", want \"%s\"\n", file, line, check_context,
			expr, got ? got : "(null)", want);
	}
}

/* The error text must contain want (a file name, "line 3", ...). */
#define CHECK_MSG(err, want) check_msg_at(__FILE__, __LINE__, (err), (want))

static void check_msg_at(const char *file, int line, const char *err, const char *want)
{
	check_count++;
	if (!strstr(err, want)) {
		check_failures++;
		fprintf(stderr, "%s:%d: %serror \"%s\" does not mention \"%s\"\n", file, line,
			check_context, err, want);
	}
}

static const char *tpath(const char *name)
{
	static char buf[4][PATH_MAX];
	static int next;
	char *p = buf[next++ % 4];
	snprintf(p, PATH_MAX, "%s/%s", dir, name);
	return p;
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) == EOF || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void put_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static long size_of(const char *path)
{
	struct stat st;
	return stat(path, &st) ? -1 : (long)st.st_size;
}

/* The whole file as a string, for checks on what was written. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[1 << 16];
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static const char *const cols[] = { "strategy", "workers", "wall_s", "note", "status" };
static const char *const ctx[] = { "date: 2024-05-01T10:00:00Z", "host: \"node1\", 2 cores" };

/* Three rows with a field starting with '#', quotes and commas, embedded
 * newlines (one followed by a would-be comment), leading and trailing
 * spaces, an empty and a NULL field, and doubles printed with %.17g. */
static const double nums[] = { 0.1, 1.0 / 3.0, DBL_TRUE_MIN, -0.0 };
static char numtext[NELEM(nums)][32];
static const char *rows[][5] = {
	{ "#hash, first", "2", numtext[0], "says \"hi\", twice", "ok" },
	{ "pool-shm\n# not a comment", "16", numtext[1], "line one\nline two\r\nthree", NULL },
	{ " padded ", "1", numtext[2], "", "failed: 'x'" },
	{ "#3", "\t", numtext[3], "\"", "#" },
};

static void check_rows(const struct csvio_table *t, int first, int n)
{
	for (int r = 0; r < n; r++) {
		for (int c = 0; c < NELEM(cols); c++) {
			const char *want = rows[first + r][c] ? rows[first + r][c] : "";
			CHECK_STR(csvio_cell(t, (size_t)r, c), want);
		}
		double v = 1;
		CHECK_EQ(csvio_parse_double(csvio_cell(t, (size_t)r, 2), &v), 0);
		CHECK(memcmp(&v, &nums[first + r], sizeof v) == 0);
	}
}

static void test_write_read(void)
{
	const char *path = tpath("results.csv");
	struct csvio_writer *w = NULL;
	struct csvio_table t = { 0 };
	char err[512];

	check_context = "new file: ";
	for (int i = 0; i < NELEM(nums); i++)
		snprintf(numtext[i], sizeof numtext[i], "%.17g", nums[i]);
	CHECK_EQ(csvio_writer_open(path, cols, NELEM(cols), ctx, NELEM(ctx), &w, err, sizeof err), 0);
	for (int r = 0; r < 3; r++)
		CHECK_EQ(csvio_write_row(w, rows[r]), 0);
	CHECK_EQ(csvio_writer_close(w), 0);

	/* The text itself: context first, one header, numbers left bare for
	 * gnuplot, the '#' field quoted so that it cannot pass for a comment. */
	const char *text = slurp(path);
	const char *head = "# date: 2024-05-01T10:00:00Z\n"
			   "# host: \"node1\", 2 cores\n"
			   "strategy,workers,wall_s,note,status\n"
			   "\"#hash, first\",2,0.10000000000000001,";
	CHECK(!strncmp(text, head, strlen(head)));
	CHECK(strstr(text, "\"says \"\"hi\"\", twice\"") != NULL);
	CHECK(strstr(text, "\" padded \",1,") != NULL);

	CHECK_EQ(csvio_read(path, &t, err, sizeof err), 0);
	CHECK_EQ(t.ncol, NELEM(cols));
	for (int c = 0; c < t.ncol && c < NELEM(cols); c++)
		CHECK_STR(t.columns[c], cols[c]);
	CHECK_EQ(t.ncomments, 2);
	if (t.ncomments == 2) {
		CHECK_STR(t.comments[0], ctx[0]);
		CHECK_STR(t.comments[1], ctx[1]);
	}
	CHECK_EQ(t.nrows, 3);
	if (t.nrows == 3 && t.ncol == NELEM(cols))
		check_rows(&t, 0, 3);
	CHECK_EQ(csvio_column(&t, "wall_s"), 2);
	CHECK_EQ(csvio_column(&t, "nope"), -1);
	CHECK(csvio_cell(&t, 3, 0) == NULL);
	CHECK(csvio_cell(&t, 0, 5) == NULL);
	CHECK(csvio_cell(&t, 0, -1) == NULL);
	csvio_table_release(&t);
	csvio_table_release(&t);
	CHECK(t.cells == NULL && t.nrows == 0 && t.ncol == 0);

	/* Appending: no second context or header, the new row after the
	 * old ones. */
	check_context = "append: ";
	const char *const other_ctx[] = { "date: later" };
	CHECK_EQ(csvio_writer_open(path, cols, NELEM(cols), other_ctx, 1, &w, err, sizeof err), 0);
	CHECK_EQ(csvio_write_row(w, rows[3]), 0);
	CHECK_EQ(csvio_writer_close(w), 0);
	text = slurp(path);
	CHECK_EQ(count_of(text, "strategy,workers,wall_s,note,status"), 1);
	CHECK_EQ(count_of(text, "date: later"), 0);
	CHECK(strstr(text, "\n\"#3\",\"\t\",-0,\"\"\"\",\"#\"\n") != NULL);
	CHECK_EQ(csvio_read(path, &t, err, sizeof err), 0);
	CHECK_EQ(t.ncomments, 2);
	CHECK_EQ(t.nrows, 4);
	if (t.nrows == 4 && t.ncol == NELEM(cols))
		check_rows(&t, 0, 4);
	csvio_table_release(&t);

	/* Other columns, or the same in another order: refused, file as it was. */
	check_context = "other columns: ";
	struct stat before, after;
	stat(path, &before);
	const char *const fewer[] = { "strategy", "workers", "wall_s", "note" };
	const char *const swapped[] = { "workers", "strategy", "wall_s", "note", "status" };
	w = (struct csvio_writer *)1;   /* must come back NULL */
	CHECK_EQ(csvio_writer_open(path, fewer, NELEM(fewer), NULL, 0, &w, err, sizeof err), -EINVAL);
	CHECK(w == NULL);
	CHECK_MSG(err, path);
	CHECK_MSG(err, "different columns");
	CHECK_MSG(err, "expected strategy,workers,wall_s,note, found strategy,workers,wall_s,note,status");
	CHECK_EQ(csvio_writer_open(path, swapped, NELEM(swapped), NULL, 0, &w, err, sizeof err), -EINVAL);
	CHECK_MSG(err, "results.csv' has different columns");
	stat(path, &after);
	CHECK_EQ(after.st_size, before.st_size);

	/* Bad column lists never touch the disk. */
	const char *const dup[] = { "a", "b", "a" };
	const char *const unnamed[] = { "a", "" };
	CHECK_EQ(csvio_writer_open(tpath("dup.csv"), dup, 3, NULL, 0, &w, err, sizeof err), -EINVAL);
	CHECK_MSG(err, "duplicate column 'a'");
	CHECK_EQ(csvio_writer_open(tpath("dup.csv"), unnamed, 2, NULL, 0, &w, err, sizeof err), -EINVAL);
	CHECK(access(tpath("dup.csv"), F_OK) != 0);
	CHECK_EQ(csvio_writer_close(NULL), 0);
	check_context = "";
}

/* A writer appending to a file that lacks its final newline, and a
 * one-column file, where an empty field must not become a blank line. */
static void test_append_edges(void)
{
	struct csvio_writer *w = NULL;
	struct csvio_table t = { 0 };
	char err[512];
	const char *const ab[] = { "a", "b" };
	const char *const row[] = { "3", "4" };
	const char *path = tpath("no_newline.csv");

	/* A last line without its newline may have been cut short: the
	 * writer refuses it, and says how to mend it either way. */
	check_context = "no final newline: ";
	put_file(path, "a,b\n1,2");
	CHECK_EQ(csvio_writer_open(path, ab, 2, NULL, 0, &w, err, sizeof err), -EINVAL);
	CHECK_MSG(err, "line 2: the last line has no line end");
	CHECK_MSG(err, "echo >>'");
	CHECK_MSG(err, "head -n 1 '");
	CHECK_EQ(size_of(path), 7);
	put_file(path, "a,b\n1,2\n");
	CHECK_EQ(csvio_writer_open(path, ab, 2, NULL, 0, &w, err, sizeof err), 0);
	CHECK_EQ(csvio_write_row(w, row), 0);
	CHECK_EQ(csvio_writer_close(w), 0);
	CHECK_EQ(csvio_read(path, &t, err, sizeof err), 0);
	CHECK_EQ(t.nrows, 2);
	CHECK_STR(csvio_cell(&t, 0, 1), "2");
	CHECK_STR(csvio_cell(&t, 1, 0), "3");
	csvio_table_release(&t);

	check_context = "one column: ";
	const char *const x[] = { "x" };
	const char *const vals[][1] = { { "" }, { NULL }, { "y" } };
	path = tpath("one_col.csv");
	CHECK_EQ(csvio_writer_open(path, x, 1, NULL, 0, &w, err, sizeof err), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(csvio_write_row(w, vals[i]), 0);
	CHECK_EQ(csvio_writer_close(w), 0);
	CHECK_EQ(csvio_read(path, &t, err, sizeof err), 0);
	CHECK_EQ(t.nrows, 3);
	CHECK_STR(csvio_cell(&t, 0, 0), "");
	CHECK_STR(csvio_cell(&t, 1, 0), "");
	CHECK_STR(csvio_cell(&t, 2, 0), "y");
	csvio_table_release(&t);

	/* A file with only comments has no header to append under. */
	check_context = "comments only: ";
	path = tpath("comments_only.csv");
	put_file(path, "# context\n\n");
	CHECK_EQ(csvio_writer_open(path, ab, 2, NULL, 0, &w, err, sizeof err), -EINVAL);
	CHECK_MSG(err, "no header");
	check_context = "";
}

struct bad_file {
	const char *name;
	const char *text;
	int rc;
	const char *msg;        /* must appear in the error text */
};

static void test_bad_files(void)
{
	static const struct bad_file bad[] = {
		{ "short_row.csv", "a,b,c\n1,2,3\n4,5\n", -EINVAL, "line 3: 2 fields, the header has 3" },
		{ "long_row.csv", "a,b\n1,2,3\n", -EINVAL, "line 2: 3 fields" },
		/* Lines are counted through comments and quoted newlines. */
		{ "late_short.csv", "# c\na,b\n\"x\ny\",1\n\n2\n", -EINVAL, "line 6: 1 field," },
		{ "short_last.csv", "a,b\n1,2\n3", -EINVAL, "line 3: 1 field," },
		{ "open_quote.csv", "a,b\n1,\"open\n2,3\n", -EINVAL,
		  "line 2: quoted field not closed at end of file" },
		{ "open_quote_eof.csv", "a,b\n1,\"x\"\"", -EINVAL, "line 2: quoted field not closed" },
		{ "stray_quote.csv", "a,b\n1,x\"y\n", -EINVAL, "line 2: stray double quote" },
		{ "after_quote.csv", "a,b\n\"q\"z,1\n", -EINVAL, "line 2: stray double quote" },
		{ "empty.csv", "", -EINVAL, "has no header row" },
		{ "blank.csv", "\n\r\n  \n", -EINVAL, "has no header row" },
		{ "comments.csv", "# one\n# two\n", -EINVAL, "has no header row" },
		{ "dup_header.csv", "# c\na,b,a\n1,2,3\n", -EINVAL, "line 2: duplicate column 'a'" },
		{ "unnamed.csv", "a,,c\n", -EINVAL, "line 1: column 2 has no name" },
	};
	struct csvio_table t = { 0 };
	char err[512];

	for (int i = 0; i < NELEM(bad); i++) {
		char what[64];
		snprintf(what, sizeof what, "%s: ", bad[i].name);
		check_context = what;
		const char *path = tpath(bad[i].name);
		put_file(path, bad[i].text);
		CHECK_EQ(csvio_read(path, &t, err, sizeof err), bad[i].rc);
		CHECK_MSG(err, path);
		CHECK_MSG(err, bad[i].msg);
		/* A failed read leaves nothing to release. */
		CHECK(t.columns == NULL && t.cells == NULL && t.comments == NULL);
		csvio_table_release(&t);
	}

	check_context = "missing file: ";
	CHECK_EQ(csvio_read(tpath("missing.csv"), &t, err, sizeof err), -ENOENT);
	CHECK_MSG(err, "missing.csv'");

	check_context = "header only: ";
	put_file(tpath("header_only.csv"), "# c\na,b\n");
	CHECK_EQ(csvio_read(tpath("header_only.csv"), &t, err, sizeof err), 0);
	CHECK_EQ(t.ncol, 2);
	CHECK_EQ(t.nrows, 0);
	csvio_table_release(&t);
	put_file(tpath("header_only2.csv"), "a,b");
	CHECK_EQ(csvio_read(tpath("header_only2.csv"), &t, err, sizeof err), 0);
	CHECK_EQ(t.ncol, 2);
	CHECK_EQ(t.nrows, 0);
	csvio_table_release(&t);
	check_context = "";
}

/* Comment lines between rows, CRLF line ends, blank lines, a last row
 * without newline, and "#" lines that sit inside quoted fields. */
static void test_comments(void)
{
	const char *path = tpath("comments_between.csv");
	struct csvio_table t = { 0 };
	char err[512];

	check_context = "comments between rows: ";
	put_file(path, "# top\r\n"
		       "a,b\r\n"
		       "1,2\r\n"
		       "# middle\r\n"
		       "\r\n"
		       "\"x\n# not a comment\",3\r\n"
		       "  \n"
		       "#end\n"
		       "\"\n#still data\",\"#\n# and this\"\n"
		       "4,\"5\"");
	CHECK_EQ(csvio_read(path, &t, err, sizeof err), 0);
	CHECK_EQ(t.ncomments, 3);
	if (t.ncomments == 3) {
		CHECK_STR(t.comments[0], "top");
		CHECK_STR(t.comments[1], "middle");
		CHECK_STR(t.comments[2], "end");
	}
	CHECK_EQ(t.ncol, 2);
	CHECK_EQ(t.nrows, 4);
	if (t.nrows == 4) {
		CHECK_STR(csvio_cell(&t, 0, 0), "1");
		CHECK_STR(csvio_cell(&t, 0, 1), "2");
		CHECK_STR(csvio_cell(&t, 1, 0), "x\n# not a comment");
		CHECK_STR(csvio_cell(&t, 1, 1), "3");
		CHECK_STR(csvio_cell(&t, 2, 0), "\n#still data");
		CHECK_STR(csvio_cell(&t, 2, 1), "#\n# and this");
		CHECK_STR(csvio_cell(&t, 3, 0), "4");
		CHECK_STR(csvio_cell(&t, 3, 1), "5");
	}
	csvio_table_release(&t);
	check_context = "";
}

/* ---- a writer killed mid-run ------------------------------------------- */

static const char *const kcols[] = { "i", "text", "value", "pad" };

/* Row i's fields; the pad varies the row length (up to ~700 bytes) so
 * that rows fall across page boundaries of the file. */
static void kill_row(long i, char bufs[4][800])
{
	snprintf(bufs[0], 800, "%ld", i);
	snprintf(bufs[1], 800, "row %ld, \"quoted\"\n# second line", i);
	snprintf(bufs[2], 800, "%.17g", (double)i * 0.1 + 1.0 / 3.0);
	size_t n = (size_t)(i * 37 % 640);
	memset(bufs[3], 'a' + (int)(i % 26), n);
	bufs[3][n] = '\0';
}

static void kill_child(const char *path, long start, int ready_fd)
{
	struct csvio_writer *w = NULL;
	char bufs[4][800], err[512];
	const char *fields[4] = { bufs[0], bufs[1], bufs[2], bufs[3] };
	if (csvio_writer_open(path, kcols, 4, NULL, 0, &w, err, sizeof err)) {
		fprintf(stderr, "child: %s\n", err);
		_exit(2);
	}
	for (long i = start;; i++) {
		kill_row(i, bufs);
		if (csvio_write_row(w, fields))
			_exit(3);
		if (i == start && write(ready_fd, "x", 1) != 1)
			_exit(4);
	}
}

static void test_killed_writer(void)
{
	const char *path = tpath("killed.csv");
	struct csvio_table t = { 0 };
	char err[512], bufs[4][800];
	const int rounds = 6;

	check_context = "killed writer: ";
	srand((unsigned)getpid() ^ (unsigned)time(NULL));
	for (int round = 0; round < rounds; round++) {
		long start = 0;
		if (round > 0) {
			CHECK_EQ(csvio_read(path, &t, err, sizeof err), 0);
			start = (long)t.nrows;
			csvio_table_release(&t);
		}
		int fds[2];
		if (pipe(fds)) {
			perror("pipe");
			exit(1);
		}
		fflush(NULL);
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			exit(1);
		}
		if (pid == 0) {
			close(fds[0]);
			kill_child(path, start, fds[1]);
		}
		close(fds[1]);
		/* Kill only once the child has written a row, then at a moment
		 * that differs from run to run. */
		char c;
		CHECK_EQ(read(fds[0], &c, 1), 1);
		close(fds[0]);
		struct timespec ts = { 0, (long)(rand() % 30000 + 200) * 1000 };
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int status = 0;
		CHECK_EQ(waitpid(pid, &status, 0), pid);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}

	int rc = csvio_read(path, &t, err, sizeof err);
	CHECK_EQ(rc, 0);
	if (rc)
		fprintf(stderr, "%s\n", err);
	CHECK(t.nrows >= (size_t)rounds);
	CHECK_EQ(t.ncol, 4);
	long bad = 0;
	for (size_t r = 0; t.ncol == 4 && r < t.nrows; r++) {
		kill_row((long)r, bufs);
		for (int f = 0; f < 4; f++)
			bad += strcmp(csvio_cell(&t, r, f), bufs[f]) != 0;
	}
	CHECK_EQ(bad, 0);
	printf("killed writer: %zu whole rows after %d kills\n", t.nrows, rounds);
	csvio_table_release(&t);
	check_context = "";
}

/* ---- numbers ---------------------------------------------------------- */

static void test_numbers(void)
{
	double d = 42;
	long l = 42;

	check_context = "parse_double: ";
	CHECK_EQ(csvio_parse_double("", &d), -ENODATA);
	CHECK_EQ(csvio_parse_double(NULL, &d), -ENODATA);
	CHECK_EQ(csvio_parse_double("abc", &d), -EINVAL);
	CHECK_EQ(csvio_parse_double("1.5x", &d), -EINVAL);
	CHECK_EQ(csvio_parse_double(" 1.5", &d), -EINVAL);
	CHECK_EQ(csvio_parse_double("1.5 ", &d), -EINVAL);
	CHECK_EQ(csvio_parse_double("1,5", &d), -EINVAL);
	CHECK_EQ(csvio_parse_double("-", &d), -EINVAL);
	CHECK_EQ(csvio_parse_double("1e999", &d), -ERANGE);
	CHECK_EQ(csvio_parse_double("-1e999", &d), -ERANGE);
	CHECK_EQ(csvio_parse_double("1e-999", &d), -ERANGE);
	CHECK_EQ(d, 42);        /* untouched by the failures */
	CHECK_EQ(csvio_parse_double("nan", &d), 0);
	CHECK(isnan(d));
	CHECK_EQ(csvio_parse_double("-nan", &d), 0);
	CHECK(isnan(d));
	CHECK_EQ(csvio_parse_double("inf", &d), 0);
	CHECK(isinf(d) && d > 0);
	CHECK_EQ(csvio_parse_double("-inf", &d), 0);
	CHECK(isinf(d) && d < 0);
	CHECK_EQ(csvio_parse_double("1e3", &d), 0);
	CHECK_REL(d, 1000, 0);
	CHECK_EQ(csvio_parse_double("-0", &d), 0);
	CHECK(d == 0 && signbit(d));

	/* %.17g reads back bit for bit, subnormals included. */
	const double vals[] = { 0.1, 1.0 / 3.0, 2.0 / 3.0, 6.02214076e23, -1.602176634e-19,
				123456789.123456789, DBL_MAX, DBL_MIN, DBL_TRUE_MIN,
				-DBL_TRUE_MIN * 3, 1e300 * 1e-10, 0.30000000000000004 };
	for (int i = 0; i < NELEM(vals); i++) {
		char buf[32];
		snprintf(buf, sizeof buf, "%.17g", vals[i]);
		d = 0;
		CHECK_EQ(csvio_parse_double(buf, &d), 0);
		CHECK(memcmp(&d, &vals[i], sizeof d) == 0);
	}

	check_context = "parse_long: ";
	CHECK_EQ(csvio_parse_long("", &l), -ENODATA);
	CHECK_EQ(csvio_parse_long(NULL, &l), -ENODATA);
	CHECK_EQ(csvio_parse_long("x", &l), -EINVAL);
	CHECK_EQ(csvio_parse_long("12abc", &l), -EINVAL);
	CHECK_EQ(csvio_parse_long("1.0", &l), -EINVAL);
	CHECK_EQ(csvio_parse_long("0x10", &l), -EINVAL);
	CHECK_EQ(csvio_parse_long(" 5", &l), -EINVAL);
	CHECK_EQ(csvio_parse_long("5 ", &l), -EINVAL);
	CHECK_EQ(csvio_parse_long("+", &l), -EINVAL);
	CHECK_EQ(csvio_parse_long("9223372036854775808", &l), -ERANGE);
	CHECK_EQ(csvio_parse_long("-9223372036854775809", &l), -ERANGE);
	CHECK_EQ(l, 42);
	CHECK_EQ(csvio_parse_long("0", &l), 0);
	CHECK_EQ(l, 0);
	CHECK_EQ(csvio_parse_long("-7", &l), 0);
	CHECK_EQ(l, -7);
	CHECK_EQ(csvio_parse_long("+3", &l), 0);
	CHECK_EQ(l, 3);
	CHECK_EQ(csvio_parse_long("007", &l), 0);
	CHECK_EQ(l, 7);
	CHECK_EQ(csvio_parse_long("9223372036854775807", &l), 0);
	CHECK(l == LONG_MAX);
	CHECK_EQ(csvio_parse_long("-9223372036854775808", &l), 0);
	CHECK(l == LONG_MIN);
	check_context = "";
}

struct damaged {
	const char *name;
	const char *text;
	size_t len;
	const char *msg;        /* the reader's complaint */
	const char *keep;       /* the repair: which lines to keep, or NULL */
};

/* A writer appends only to a file that reads back whole: a row added
 * after a damaged one would be lost with it. */
static void test_append_damaged(void)
{
	static const struct damaged bad[] = {
		{ "cut_row.csv", "# c\na,b\n1,2\n3,4\n5", 0, "line 5: 1 field", "head -n 4 '" },
		{ "cut_quote.csv", "a,b\n1,2\n3,\"half", 0, "line 3: quoted field not closed", "head -n 2 '" },
		{ "garbage.csv", "a,b\n1,2\n\x01\xff\xfe\x89z\n", 0, "line 3: 1 field", "head -n 2 '" },
		{ "binary.csv", "a,b\n1,2\n\0\0\xff\n", 12, "line 3: a NUL byte", "head -n 2 '" },
		{ "middle.csv", "a,b\n1,2\n3\n4,5\n", 0, "line 3: 1 field", "mend line 3 by hand" },
		{ "bad_header.csv", "# c\na,a\n1,2\n", 0, "line 2: duplicate column", NULL },
	};
	const char *const ab[] = { "a", "b" };
	struct csvio_writer *w = NULL;
	char err[1024];

	for (int i = 0; i < NELEM(bad); i++) {
		char what[64];
		snprintf(what, sizeof what, "append to %s: ", bad[i].name);
		check_context = what;
		const char *path = tpath(bad[i].name);
		size_t len = bad[i].len ? bad[i].len : strlen(bad[i].text);
		put_bytes(path, bad[i].text, len);
		CHECK_EQ(csvio_writer_open(path, ab, 2, NULL, 0, &w, err, sizeof err), -EINVAL);
		CHECK(w == NULL);
		CHECK_MSG(err, path);
		CHECK_MSG(err, bad[i].msg);
		if (bad[i].keep)
			CHECK_MSG(err, bad[i].keep);
		else
			CHECK(strstr(err, "head -n") == NULL);
		/* Nothing was added, not even a newline. */
		CHECK_EQ(size_of(path), (long)len);
	}
	check_context = "append to a device: ";
	CHECK_EQ(csvio_writer_open("/dev/null", ab, 2, NULL, 0, &w, err, sizeof err), -EINVAL);
	CHECK_MSG(err, "'/dev/null' is not a regular file");
	check_context = "";
}

/* What is not a results file is refused at once, with its line. */
static void test_not_csv(void)
{
	struct csvio_table t = { 0 };
	char err[512];
	size_t big = (size_t)CSVIO_MAX_LINE + 10;
	char *buf = malloc(big + 16);
	if (!buf)
		exit(1);

	check_context = "/dev/zero: ";
	CHECK_EQ(csvio_read("/dev/zero", &t, err, sizeof err), -EINVAL);
	CHECK_MSG(err, "'/dev/zero' is not a regular file");
	check_context = "a folder: ";
	CHECK_EQ(csvio_read(dir, &t, err, sizeof err), -EISDIR);
	CHECK_MSG(err, "is not a regular file");
	/* A pipe nobody writes to must not block the reader. */
	check_context = "a fifo: ";
	const char *fifo = tpath("fifo.csv");
	if (mkfifo(fifo, 0600) == 0) {
		CHECK_EQ(csvio_read(fifo, &t, err, sizeof err), -EINVAL);
		CHECK_MSG(err, "is not a regular file");
	}

	check_context = "zeros: ";
	memset(buf, 0, big);
	put_bytes(tpath("zeros.csv"), buf, big);
	CHECK_EQ(csvio_read(tpath("zeros.csv"), &t, err, sizeof err), -EINVAL);
	CHECK_MSG(err, "zeros.csv' line 1: longer than");
	check_context = "a long line: ";
	memcpy(buf, "a,b\n", 4);
	memset(buf + 4, 'x', big - 4);
	put_bytes(tpath("long_line.csv"), buf, big);
	CHECK_EQ(csvio_read(tpath("long_line.csv"), &t, err, sizeof err), -EINVAL);
	CHECK_MSG(err, "long_line.csv' line 2: longer than");
	check_context = "a long field: ";
	size_t n = (size_t)snprintf(buf, 16, "a,b\n1,");
	memset(buf + n, 'y', CSVIO_MAX_FIELD + 1);
	n += CSVIO_MAX_FIELD + 1;
	buf[n++] = '\n';
	put_bytes(tpath("long_field.csv"), buf, n);
	CHECK_EQ(csvio_read(tpath("long_field.csv"), &t, err, sizeof err), -EINVAL);
	CHECK_MSG(err, "long_field.csv' line 2: a field of more than");
	check_context = "a quote that never closes: ";
	n = (size_t)snprintf(buf, 16, "a,b\n1,\"");
	for (; n < big - 1; n += 2)
		memcpy(buf + n, "z\n", 2);
	put_bytes(tpath("run_on.csv"), buf, n);
	CHECK_EQ(csvio_read(tpath("run_on.csv"), &t, err, sizeof err), -EINVAL);
	CHECK_MSG(err, "run_on.csv' line 2: a quoted field runs on");
	check_context = "a NUL byte: ";
	put_bytes(tpath("nul.csv"), "a,b\n1,2\n3,\0\n", 12);
	CHECK_EQ(csvio_read(tpath("nul.csv"), &t, err, sizeof err), -EINVAL);
	CHECK_MSG(err, "nul.csv' line 3: a NUL byte");
	CHECK(t.columns == NULL && t.cells == NULL);

	/* A lone CR is no line end: libcsv would end a record there. */
	check_context = "a lone CR: ";
	CHECK_EQ(csvio_read_buffer("mem", "Xfuzz.csv\rzz.", 13, &t, err, sizeof err), -EINVAL);
	CHECK_MSG(err, "'mem' line 1: a carriage return inside the line");
	CHECK_EQ(csvio_read_buffer("mem", "a,b\n1,2\r# c\n", 12, &t, err, sizeof err), -EINVAL);
	CHECK_MSG(err, "'mem' line 2: a carriage return");
	static const char crlf[] = "a,b\r\n1,\"x\ry\"\r\n3,4\r";
	CHECK_EQ(csvio_read_buffer("mem", crlf, sizeof crlf - 1, &t, err, sizeof err), 0);
	CHECK_EQ(t.nrows, 2);
	CHECK_STR(csvio_cell(&t, 0, 1), "x\ry");
	CHECK_STR(csvio_cell(&t, 1, 1), "4");
	csvio_table_release(&t);

	/* A byte-order mark is skipped, before a comment or a header. */
	check_context = "a byte-order mark: ";
	put_file(tpath("bom.csv"), "\xEF\xBB\xBF# made by a spreadsheet\na,b\n1,2\n");
	CHECK_EQ(csvio_read(tpath("bom.csv"), &t, err, sizeof err), 0);
	CHECK_EQ(t.ncomments, 1);
	CHECK_EQ(csvio_column(&t, "a"), 0);
	CHECK_EQ(t.nrows, 1);
	csvio_table_release(&t);
	put_file(tpath("bom2.csv"), "\xEF\xBB\xBF" "a,b\n1,2\n");
	CHECK_EQ(csvio_read(tpath("bom2.csv"), &t, err, sizeof err), 0);
	CHECK_EQ(csvio_column(&t, "a"), 0);
	csvio_table_release(&t);
	/* Only at the start of the file. */
	put_file(tpath("bom3.csv"), "a,b\n\xEF\xBB\xBF" "1,2\n");
	CHECK_EQ(csvio_read(tpath("bom3.csv"), &t, err, sizeof err), 0);
	CHECK_STR(csvio_cell(&t, 0, 0), "\xEF\xBB\xBF" "1");
	csvio_table_release(&t);

	/* Rows know their lines; the buffer reader reads the same. */
	check_context = "row lines: ";
	static const char text[] = "# c\na,b\n\n1,2\n\"x\ny\",3\n# d\n4,5";
	CHECK_EQ(csvio_read_buffer("mem", text, sizeof text - 1, &t, err, sizeof err), 0);
	CHECK_EQ(t.nrows, 3);
	if (t.nrows == 3) {
		CHECK_EQ(t.row_lines[0], 4);
		CHECK_EQ(t.row_lines[1], 5);
		CHECK_EQ(t.row_lines[2], 8);
	}
	csvio_table_release(&t);
	CHECK_EQ(csvio_read_buffer("mem", "a,b\n1", 5, &t, err, sizeof err), -EINVAL);
	CHECK_MSG(err, "'mem' line 2: 1 field");
	CHECK_EQ(csvio_read_buffer("mem", NULL, 0, &t, err, sizeof err), -EINVAL);
	CHECK_MSG(err, "'mem' has no header row");
	free(buf);
	check_context = "";
}

static void remove_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlink(tpath(e->d_name));
	}
	if (d)
		closedir(d);
	if (rmdir(dir))
		perror(dir);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/test_csvio.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	test_write_read();
	test_append_edges();
	test_bad_files();
	test_comments();
	test_killed_writer();
	test_numbers();
	test_append_damaged();
	test_not_csv();
	remove_dir();
	return check_result("test_csvio");
}
