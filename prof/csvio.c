/*
 * csvio.c - the CSV files of benchmark results: an appending writer that
 * never leaves half a row behind, and a whole-file reader that tolerates
 * '#' comment lines, both built on libcsv (csv_write quotes, csv_parse
 * splits).  It leaves out what a general CSV library would offer: other
 * delimiters, streaming reads of files too big for memory, and any
 * knowledge of what the columns mean.
 *
 * Telling comments from data.  libcsv knows nothing of comments, so the
 * reader feeds it one line at a time and drops a line starting with '#'
 * only when that line starts a record.  Whether it does cannot be read
 * from the callbacks alone: a quoted first field that spans lines, as in
 * "x\n# y",z, has produced no callback by the end of its first line.  The
 * reader therefore counts double quotes.  With CSV_STRICT, libcsv rejects
 * a quote anywhere except where it opens a quoted field, closes it, or is
 * doubled inside it, so as long as parsing goes on, an odd count since the
 * start of the file means the parser is inside a quoted field, and an even
 * count at the end of a line means the newline ended a record (or was a
 * blank line, which libcsv skips).  Comment lines are never fed to libcsv,
 * so their quotes do not count.
 */
#include "csvio.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct csvio_writer {
	int fd;
	int ncol;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A growing string, for rows before they are written and for messages. */
struct strbuf {
	char *p;
	size_t len, cap;
};

/* Makes room for n more bytes and a terminating NUL. */
static int sb_reserve(struct strbuf *b, size_t n)
{
	if (n >= SIZE_MAX / 2 - b->len)
		return -ENOMEM;
	if (b->len + n + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

static int sb_add(struct strbuf *b, const char *s, size_t n)
{
	int rc = sb_reserve(b, n);
	if (rc)
		return rc;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int sb_str(struct strbuf *b, const char *s)
{
	return sb_add(b, s, strlen(s));
}

static int grow_ptrs(char ***arr, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 16;
	while (n < need) {
		if (n > SIZE_MAX / 2 / sizeof **arr)
			return -ENOMEM;
		n *= 2;
	}
	char **p = realloc(*arr, n * sizeof *p);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Whether a field must be quoted to read back unchanged.  libcsv trims
 * spaces and tabs around bare fields, and the reader would take a record
 * whose first field starts with '#' for a comment line. */
static bool needs_quotes(const char *s, size_t n)
{
	if (n == 0)
		return false;
	if (s[0] == '#' || is_blank(s[0]) || is_blank(s[n - 1]))
		return true;
	return strpbrk(s, ",\"\r\n") != NULL;
}

/* Appends fields[0..ncol) as one CSV record ending in "\n". */
static int format_row(struct strbuf *b, const char *const *fields, int ncol)
{
	for (int i = 0; i < ncol; i++) {
		const char *s = fields[i] ? fields[i] : "";
		size_t n = strlen(s);
		int rc = 0;
		if (i > 0 && (rc = sb_add(b, ",", 1)))
			return rc;
		/* A lone empty field would make a blank line, which readers
		 * skip, so it is written as "". */
		if (needs_quotes(s, n) || (ncol == 1 && n == 0)) {
			/* csv_write returns the length it needs whatever room
			 * it is given, so the first call only measures. */
			size_t need = csv_write(NULL, 0, s, n);
			if ((rc = sb_reserve(b, need)))
				return rc;
			b->len += csv_write(b->p + b->len, need, s, n);
			b->p[b->len] = '\0';
		} else if ((rc = sb_add(b, s, n))) {
			return rc;
		}
	}
	return sb_add(b, "\n", 1);
}

/* Joins names with commas, for messages. */
static const char *join(const char *const *names, int n, struct strbuf *b)
{
	b->len = 0;
	for (int i = 0; i < n; i++)
		if ((i && sb_add(b, ",", 1)) || sb_str(b, names[i]))
			return "(out of memory)";
	return b->p ? b->p : "";
}

/* ---- reading ---------------------------------------------------------- */

/* Where lines come from: a stream, or a buffer in memory. */
struct source {
	FILE *f;
	const char *p;
	size_t n, pos;
};

/* The next line, up to and including its '\n', in *line: a pointer into
 * the buffer being read, or into b for a stream.  Returns its length, 0
 * at the end of the input, -E2BIG when it has more than CSVIO_MAX_LINE
 * bytes (nothing past that is read), or a negative errno. */
static ssize_t next_line(struct source *s, struct strbuf *b, const char **line)
{
	const size_t max = CSVIO_MAX_LINE;
	if (!s->f) {
		if (s->pos >= s->n)
			return 0; /* also when there is no buffer at all */
		size_t left = s->n - s->pos, look = left < max ? left : max;
		const char *start = s->p + s->pos;
		const char *nl = memchr(start, '\n', look);
		if (!nl && left > max)
			return -E2BIG;
		size_t len = nl ? (size_t)(nl - start) + 1 : look;
		*line = start;
		s->pos += len;
		return (ssize_t)len;
	}
	int c = 0;
	b->len = 0;
	while ((c = getc_unlocked(s->f)) != EOF) {
		if (b->len == max)
			return -E2BIG;
		if (b->len + 1 >= b->cap && sb_reserve(b, 1))
			return -ENOMEM;
		b->p[b->len++] = (char)c;
		if (c == '\n')
			break;
	}
	if (c == EOF && ferror(s->f))
		return errno ? -errno : -EIO;
	*line = b->p;
	return (ssize_t)b->len;
}

struct reader {
	const char *path;
	struct csvio_table *t;
	char **row;             /* fields of the record being parsed */
	size_t nfield, row_cap;
	size_t cells_cap, comments_cap, lines_cap;
	size_t line;            /* the line being fed to the parser, from 1 */
	size_t rec_line;        /* the line the current record started on */
	size_t header_line;
	bool in_quotes;         /* the lines so far leave a quoted field open */
	size_t quote_line;      /* the line the last quoted field opened on */
	size_t rec_bytes;       /* the bytes of the current record so far */
	bool final_newline;     /* the last line read ends in a newline */
	int rc;
	char *err;
	size_t errlen;
};

static void on_field(void *s, size_t len, void *data)
{
	struct reader *r = data;
	if (r->rc)
		return;
	if (len > CSVIO_MAX_FIELD) {
		set_err(r->err, r->errlen, "'%s' line %zu: a field of more than %d bytes", r->path, r->rec_line,
			CSVIO_MAX_FIELD);
		r->rc = -EINVAL;
		return;
	}
	char *f = malloc(len + 1);
	if (!f || grow_ptrs(&r->row, &r->row_cap, r->nfield + 1)) {
		free(f);
		r->rc = -ENOMEM;
		return;
	}
	/* Without CSV_EMPTY_IS_NULL s is the parser's buffer, but an empty
	 * field before any data has been buffered could still be NULL. */
	if (len)
		memcpy(f, s, len);
	f[len] = '\0';
	r->row[r->nfield++] = f;
}

static int take_header(struct reader *r)
{
	if (r->nfield > INT_MAX) {
		set_err(r->err, r->errlen, "'%s' line %zu: too many columns", r->path, r->rec_line);
		return -EINVAL;
	}
	for (size_t i = 0; i < r->nfield; i++) {
		if (!r->row[i][0]) {
			set_err(r->err, r->errlen, "'%s' line %zu: column %zu has no name",
				r->path, r->rec_line, i + 1);
			return -EINVAL;
		}
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(r->row[i], r->row[j])) {
				set_err(r->err, r->errlen, "'%s' line %zu: duplicate column '%s'",
					r->path, r->rec_line, r->row[i]);
				return -EINVAL;
			}
		}
	}
	r->t->columns = r->row;
	r->t->ncol = (int)r->nfield;
	r->header_line = r->rec_line;
	r->row = NULL;
	r->row_cap = r->nfield = 0;
	return 0;
}

static int grow_lines(size_t **arr, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 16;
	while (n < need) {
		if (n > SIZE_MAX / 2 / sizeof **arr)
			return -ENOMEM;
		n *= 2;
	}
	size_t *p = realloc(*arr, n * sizeof *p);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

static void on_record(int c, void *data)
{
	struct reader *r = data;
	struct csvio_table *t = r->t;
	(void)c;
	if (r->rc)
		return;
	if (!t->columns) {
		r->rc = take_header(r);
		return;
	}
	if (r->nfield != (size_t)t->ncol) {
		set_err(r->err, r->errlen, "'%s' line %zu: %zu field%s, the header has %d",
			r->path, r->rec_line, r->nfield, r->nfield == 1 ? "" : "s", t->ncol);
		r->rc = -EINVAL;
		return;
	}
	size_t n = (size_t)t->ncol;
	if (t->nrows + 1 > SIZE_MAX / sizeof(char *) / n ||
	    grow_ptrs(&t->cells, &r->cells_cap, (t->nrows + 1) * n) ||
	    grow_lines(&t->row_lines, &r->lines_cap, t->nrows + 1)) {
		r->rc = -ENOMEM;
		return;
	}
	memcpy(t->cells + t->nrows * n, r->row, n * sizeof *r->row);
	t->row_lines[t->nrows] = r->rec_line;
	t->nrows++;
	r->nfield = 0;
}

/* Keeps a comment line's text, without "#", one space and the line end. */
static int add_comment(struct reader *r, const char *line, size_t n)
{
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	line++;
	n--;
	if (n && *line == ' ') {
		line++;
		n--;
	}
	char *c = strndup(line, n);
	if (!c || grow_ptrs(&r->t->comments, &r->comments_cap, r->t->ncomments + 1)) {
		free(c);
		return -ENOMEM;
	}
	r->t->comments[r->t->ncomments++] = c;
	return 0;
}

static bool blank_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_blank(s[i]) && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

/* What a reader learned besides the table: on failure, how many lines
 * from the top are whole records (0 when cutting the file would not
 * mend it); on success, how many lines there are and whether the last
 * one ends in a newline. */
struct read_info {
	size_t whole_lines;
	size_t lines;
	bool final_newline;
};

/* Counts the line's double quotes (see the top of the file), and refuses
 * a carriage return that does not end it. */
static int scan_quotes(struct reader *r, const char *text, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '"') {
			r->in_quotes = !r->in_quotes;
			if (r->in_quotes)
				r->quote_line = r->line;
		}
		/* libcsv ends a record at a lone CR too, which would put
		 * records in the middle of lines and hide '#' lines from the
		 * comment check: only CRLF line ends are read. */
		if (text[i] == '\r' && !r->in_quotes && i + 1 < n && text[i + 1] != '\n') {
			set_err(r->err, r->errlen, "'%s' line %zu: a carriage return inside the line (only LF and "
				"CRLF line ends are read)", r->path, r->line);
			return -EINVAL;
		}
	}
	return 0;
}

/* Hands a checked line to libcsv, whose callbacks take the header and
 * the records. */
static int parse_line(struct reader *r, struct csv_parser *p, const char *text, size_t n, struct read_info *info)
{
	if (csv_parse(p, text, n, on_field, on_record, r) != n && !r->rc) {
		if (csv_error(p) == CSV_EPARSE) {
			set_err(r->err, r->errlen, "'%s' line %zu: stray double quote", r->path, r->line);
			r->rc = -EINVAL;
		} else {
			r->rc = -ENOMEM;
		}
	}
	if (r->rc)
		info->whole_lines = r->rec_line - 1;
	return r->rc;
}

/* One line of the input, n its length or next_line's error: a comment is
 * kept, anything else is checked and parsed.  On failure,
 * info->whole_lines says how many lines before the damage are whole. */
static int feed_line(struct reader *r, struct csv_parser *p, const char *text, ssize_t n, struct read_info *info)
{
	r->line++;
	/* Where the trouble starts if this line is damaged: the record it
	 * continues, or the line itself. */
	size_t from = r->in_quotes ? r->rec_line : r->line;
	if (n == -E2BIG) {
		set_err(r->err, r->errlen, "'%s' line %zu: longer than %d bytes (not a results file?)", r->path,
			r->line, CSVIO_MAX_LINE);
		info->whole_lines = from - 1;
		return -EINVAL;
	}
	if (n < 0) {
		set_err(r->err, r->errlen, "cannot read '%s': %s", r->path, strerror((int)-n));
		return (int)n;
	}
	/* A byte-order mark, as some editors put before UTF-8 text, is not
	 * part of the first column's name. */
	if (r->line == 1 && n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		n -= 3;
		if (n == 0)
			return 0;
	}
	if (memchr(text, '\0', (size_t)n)) {
		set_err(r->err, r->errlen, "'%s' line %zu: a NUL byte (binary data, not CSV text)", r->path, r->line);
		info->whole_lines = from - 1;
		return -EINVAL;
	}
	r->final_newline = text[n - 1] == '\n';
	if (!r->in_quotes) {
		if (text[0] == '#')
			return add_comment(r, text, (size_t)n);
		if (!blank_line(text, (size_t)n)) {
			r->rec_line = r->line;
			r->rec_bytes = 0;
		}
	}
	/* A quoted field may span lines; the record as a whole is held to
	 * the limit of one line. */
	r->rec_bytes += (size_t)n;
	if (r->rec_bytes > CSVIO_MAX_LINE) {
		set_err(r->err, r->errlen, "'%s' line %zu: a quoted field runs on for more than %d bytes "
			"(a quote not closed?)", r->path, r->rec_line, CSVIO_MAX_LINE);
		info->whole_lines = r->rec_line - 1;
		return -EINVAL;
	}
	if (scan_quotes(r, text, (size_t)n)) {
		info->whole_lines = from - 1;
		return -EINVAL;
	}
	return parse_line(r, p, text, (size_t)n, info);
}

/* The end of the input: the last record, if it has no final newline, and
 * what info says of a whole read. */
static int finish_read(struct reader *r, struct csv_parser *p, struct read_info *info)
{
	int rc = 0;
	/* csv_fini submits a last record that has no final newline. */
	if (csv_fini(p, on_field, on_record, r) && !r->rc) {
		set_err(r->err, r->errlen, "'%s' line %zu: quoted field not closed at end of file", r->path,
			r->quote_line);
		r->rc = -EINVAL;
	}
	if (r->rc) {
		info->whole_lines = r->rec_line - 1;
		return r->rc;
	}
	if (!r->t->columns) {
		set_err(r->err, r->errlen, "'%s' has no header row", r->path);
		rc = -EINVAL;
	}
	info->lines = r->line;
	info->final_newline = r->final_newline;
	return rc;
}

/* Reads src into t; with header_only, stops once the header row is in. */
static int read_source(struct source *src, const char *path, bool header_only, struct csvio_table *t,
		       struct read_info *info, char *err, size_t errlen)
{
	struct reader r = { .path = path, .t = t, .final_newline = true, .err = err, .errlen = errlen };
	struct csv_parser p;
	struct strbuf buf = { 0 };
	const char *line = NULL;
	int rc = 0;

	memset(t, 0, sizeof *t);
	memset(info, 0, sizeof *info);
	/* CSV_STRICT keeps the quote count meaningful (see the top of the
	 * file); CSV_STRICT_FINI turns a quote still open at end of file into
	 * an error instead of a silently truncated last field. */
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)) {
		set_err(err, errlen, "cannot set up the csv parser for '%s'", path);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n = next_line(src, &buf, &line);
		if (n == 0) {
			rc = finish_read(&r, &p, info);
			break;
		}
		if ((rc = feed_line(&r, &p, line, n, info)) || (header_only && t->columns))
			break;
	}
	/* Cutting the file is no repair when the header is what is lost. */
	if (rc && (!r.header_line || info->whole_lines < r.header_line))
		info->whole_lines = 0;
	if (rc == -ENOMEM && err && errlen && !err[0])
		set_err(err, errlen, "out of memory reading '%s'", path);
	for (size_t i = 0; i < r.nfield; i++)
		free(r.row[i]);
	free(r.row);
	free(buf.p);
	csv_free(&p);
	if (rc)
		csvio_table_release(t);
	return rc;
}

/* Opens path for reading, refusing what is not a regular file: a device
 * or a pipe could be read forever (/dev/zero) or block. */
static int open_regular(const char *path, int flags, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int rc = -errno;
		set_err(err, errlen, "cannot open '%s': %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st)) {
		int rc = -errno;
		set_err(err, errlen, "cannot read '%s': %s", path, strerror(-rc));
		close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, errlen, "'%s' is not a regular file", path);
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	return fd;
}

int csvio_read(const char *path, struct csvio_table *out, char *err, size_t errlen)
{
	struct read_info info;
	memset(out, 0, sizeof *out);
	if (err && errlen)
		err[0] = '\0';
	int fd = open_regular(path, O_RDONLY, err, errlen);
	if (fd < 0)
		return fd;
	FILE *f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		set_err(err, errlen, "out of memory reading '%s'", path);
		return -ENOMEM;
	}
	struct source src = { .f = f };
	int rc = read_source(&src, path, false, out, &info, err, errlen);
	fclose(f);
	return rc;
}

int csvio_read_buffer(const char *name, const void *data, size_t len, struct csvio_table *out,
		      char *err, size_t errlen)
{
	struct read_info info;
	struct source src = { .p = data, .n = data ? len : 0 };
	if (err && errlen)
		err[0] = '\0';
	return read_source(&src, name, false, out, &info, err, errlen);
}

int csvio_column(const struct csvio_table *t, const char *name)
{
	for (int i = 0; t && name && i < t->ncol; i++)
		if (!strcmp(t->columns[i], name))
			return i;
	return -1;
}

const char *csvio_cell(const struct csvio_table *t, size_t row, int col)
{
	if (!t || row >= t->nrows || col < 0 || col >= t->ncol)
		return NULL;
	return t->cells[row * (size_t)t->ncol + (size_t)col];
}

void csvio_table_release(struct csvio_table *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->ncol && t->columns; i++)
		free(t->columns[i]);
	for (size_t i = 0; i < t->nrows * (size_t)t->ncol; i++)
		free(t->cells[i]);
	for (size_t i = 0; i < t->ncomments; i++)
		free(t->comments[i]);
	free(t->columns);
	free(t->cells);
	free(t->comments);
	free(t->row_lines);
	memset(t, 0, sizeof *t);
}

/* ---- writing ---------------------------------------------------------- */

/* The lock orders concurrent writers of one file: the header decision in
 * csvio_writer_open and each row's append.  Filesystems without flock
 * (some NFS set-ups) still get single-write appends, so that is no error. */
static int lock_file(int fd)
{
	while (flock(fd, LOCK_EX) != 0) {
		int e = errno;
		if (e == EINTR)
			continue;
		if (e == ENOLCK || e == EOPNOTSUPP || e == ENOSYS)
			return 0;
		return -e;
	}
	return 0;
}

static void unlock_file(int fd)
{
	flock(fd, LOCK_UN);
}

/* Appends b to fd under the caller's lock, all of it or nothing: after a
 * failed or short write (a full disk) the file is cut back to its old
 * length.  One thing can still tear a row: the kernel stops a write to a
 * regular file between pages when the process is killed, so a row that
 * straddles a 4 KiB boundary of the file can in principle be cut by
 * SIGKILL.  The reader then names its line. */
static int write_whole(int fd, const char *b, size_t len)
{
	struct stat st;
	size_t done = 0;
	int rc = 0;
	if (fstat(fd, &st))
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, b + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)n;
	}
	if (rc && done) {
		int trc = ftruncate(fd, st.st_size);
		(void)trc;
	}
	return rc;
}

static int check_columns(const char *path, const char *const *columns, int ncol,
			 char *err, size_t errlen)
{
	if (!columns || ncol < 1) {
		set_err(err, errlen, "'%s': no columns given", path);
		return -EINVAL;
	}
	for (int i = 0; i < ncol; i++) {
		if (!columns[i] || !columns[i][0]) {
			set_err(err, errlen, "'%s': column %d has no name", path, i + 1);
			return -EINVAL;
		}
		for (int j = 0; j < i; j++) {
			if (!strcmp(columns[i], columns[j])) {
				set_err(err, errlen, "'%s': duplicate column '%s'", path, columns[i]);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* Writes the context lines and the header row to an empty file, as one
 * write so that a reader never sees context without a header. */
static int write_preamble(int fd, const char *const *columns, int ncol,
			  const char *const *context, int ncontext)
{
	struct strbuf b = { 0 };
	int rc = 0;
	for (int i = 0; i < ncontext && !rc; i++) {
		/* One comment line per line of text, so that a multi-line
		 * value (a compiler banner) cannot spill into the data. */
		const char *s = context[i] ? context[i] : "";
		do {
			size_t n = strcspn(s, "\n");
			rc = sb_add(&b, "# ", 2);
			if (!rc)
				rc = sb_add(&b, s, n);
			if (!rc)
				rc = sb_add(&b, "\n", 1);
			s += n;
		} while (!rc && *s++);
	}
	if (!rc)
		rc = format_row(&b, columns, ncol);
	if (!rc)
		rc = write_whole(fd, b.p, b.len);
	free(b.p);
	return rc;
}

/* Checks that a non-empty file is whole and that its header row is
 * exactly columns, before anything is appended to it: a row appended
 * after a damaged one would be lost with it, since readers refuse the
 * whole file.  It reads through a copy of fd, so what it sees is the file
 * the lock covers.  A damaged file is refused with the line and what to
 * cut to mend it. */
static int check_existing(int fd, const char *path, const char *const *columns, int ncol,
			  char *err, size_t errlen)
{
	struct csvio_table t = { 0 };
	struct strbuf a = { 0 }, b = { 0 };
	struct read_info info;
	FILE *f = NULL;
	int dfd = -1, rc = 0;

	dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dfd < 0) {
		rc = -errno;
		goto out;
	}
	f = fdopen(dfd, "r");
	if (!f) {
		rc = -errno;
		goto out;
	}
	dfd = -1;
	/* The copy shares the file offset, which O_APPEND writes ignore. */
	if (fseek(f, 0, SEEK_SET)) {
		rc = -errno;
		goto out;
	}
	struct source src = { .f = f };
	if ((rc = read_source(&src, path, false, &t, &info, err, errlen))) {
		if (rc == -EINVAL && info.whole_lines) {
			size_t len = strlen(err);
			set_err(err + len, errlen - len,
				"; lines 1-%zu are whole: keep them with head -n %zu '%s' >fixed.csv and "
				"move fixed.csv into place, or mend line %zu by hand", info.whole_lines,
				info.whole_lines, path, info.whole_lines + 1);
		}
		goto out;
	}
	/* Every row this module writes ends in a newline; a last line
	 * without one was cut short (or typed by hand). */
	if (!info.final_newline) {
		set_err(err, errlen, "'%s' line %zu: the last line has no line end, so it may have been cut "
			"short: if it is whole, end it (echo >>'%s'); if not, keep lines 1-%zu with head -n %zu "
			"'%s' >fixed.csv and move fixed.csv into place", path, info.lines, path, info.lines - 1,
			info.lines - 1, path);
		rc = -EINVAL;
		goto out;
	}
	bool same = t.ncol == ncol;
	for (int i = 0; same && i < ncol; i++)
		same = !strcmp(t.columns[i], columns[i]);
	if (!same) {
		set_err(err, errlen, "'%s' has different columns: expected %s, found %s", path,
			join(columns, ncol, &a), join((const char *const *)t.columns, t.ncol, &b));
		rc = -EINVAL;
	}
out:
	if (f)
		fclose(f);
	if (dfd >= 0)
		close(dfd);
	csvio_table_release(&t);
	free(a.p);
	free(b.p);
	return rc;
}

int csvio_writer_open(const char *path, const char *const *columns, int ncol,
		      const char *const *context, int ncontext,
		      struct csvio_writer **out, char *err, size_t errlen)
{
	struct csvio_writer *w = NULL;
	struct stat st;
	bool locked = false;
	int fd = -1, rc;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if ((rc = check_columns(path, columns, ncol, err, errlen)))
		return rc;
	if (ncontext < 0 || (ncontext > 0 && !context)) {
		set_err(err, errlen, "'%s': bad context lines", path);
		return -EINVAL;
	}
	fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	/* Held until the header is written or checked, so that two writers
	 * starting on a new file do not both write a header. */
	if ((rc = lock_file(fd)))
		goto out;
	locked = true;
	if (fstat(fd, &st)) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, errlen, "'%s' is not a regular file", path);
		rc = -EINVAL;
	} else if (st.st_size == 0) {
		rc = write_preamble(fd, columns, ncol, context, ncontext);
	} else {
		rc = check_existing(fd, path, columns, ncol, err, errlen);
	}
	if (!rc && fdatasync(fd))
		rc = -errno;
	if (!rc && !(w = malloc(sizeof *w)))
		rc = -ENOMEM;
out:
	if (locked)
		unlock_file(fd);
	if (rc) {
		if (err && errlen && !err[0])
			set_err(err, errlen, "cannot open '%s' for appending: %s", path,
				strerror(-rc));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	w->fd = fd;
	w->ncol = ncol;
	*out = w;
	return 0;
}

/* The row is formatted first so that one write(2) puts all of it in. */
int csvio_write_row(struct csvio_writer *w, const char *const *fields)
{
	struct strbuf b = { 0 };
	int rc;

	if (!w || !fields)
		return -EINVAL;
	if ((rc = format_row(&b, fields, w->ncol)))
		goto out;
	if ((rc = lock_file(w->fd)))
		goto out;
	rc = write_whole(w->fd, b.p, b.len);
	unlock_file(w->fd);
	/* Synced outside the lock: the lock only orders the appends. */
	if (!rc && fdatasync(w->fd))
		rc = -errno;
out:
	free(b.p);
	return rc;
}

int csvio_writer_close(struct csvio_writer *w)
{
	int rc = 0;
	if (!w)
		return 0;
	if (close(w->fd))
		rc = -errno;
	free(w);
	return rc;
}

/* ---- numbers ---------------------------------------------------------- */

int csvio_parse_double(const char *s, double *out)
{
	char *end;
	if (!s || !*s)
		return -ENODATA;
	/* strtod skips leading white space; a field that has some is not a
	 * number this program wrote. */
	if (isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	double v = strtod(s, &end);
	int e = errno;
	if (end == s || *end)
		return -EINVAL;
	/* glibc also reports ERANGE for subnormal results, which are exact
	 * enough to keep; only overflow and underflow to zero are refused. */
	if (e == ERANGE && (v == 0 || isinf(v)))
		return -ERANGE;
	*out = v;
	return 0;
}

int csvio_parse_long(const char *s, long *out)
{
	char *end;
	if (!s || !*s)
		return -ENODATA;
	if (isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	long v = strtol(s, &end, 10);
	int e = errno;
	if (end == s || *end)
		return -EINVAL;
	if (e == ERANGE)
		return -ERANGE;
	*out = v;
	return 0;
}
