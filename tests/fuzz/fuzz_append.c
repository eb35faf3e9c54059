/*
 * fuzz_append.c - the writer's check of a file before it appends to it
 * (csvio_writer_open), on arbitrary file contents.  Properties: the
 * writer accepts exactly the files the reader reads whole that end in a
 * newline, and after it has appended a row the file reads back whole with
 * that row last.  The file is a memfd, so that the fsyncs cost nothing
 * and nothing is left on disk.
 */
#include "fuzz.h"
#include "csvio.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int memfd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csvio_table before, after;
	struct csvio_writer *w = NULL;
	char err[1024];
	if (memfd < 0) {
		memfd = memfd_create("spreadbench-fuzz-append", MFD_CLOEXEC);
		FUZZ_ASSERT(memfd >= 0);
		snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
	}
	/* The writer treats an empty file as new: nothing to check. */
	if (size == 0)
		return 0;
	FUZZ_ASSERT(ftruncate(memfd, 0) == 0);
	FUZZ_ASSERT(pwrite(memfd, data, size, 0) == (ssize_t)size);

	bool readable = csvio_read_buffer(path, data, size, &before, err, sizeof err) == 0;
	bool whole = readable && data[size - 1] == '\n';
	const char *const *cols = readable ? (const char *const *)before.columns : (const char *const[]){ "a" };
	int ncol = readable ? before.ncol : 1;
	int rc = csvio_writer_open(path, cols, ncol, NULL, 0, &w, err, sizeof err);
	FUZZ_ASSERT((rc == 0) == whole);
	if (rc) {
		FUZZ_ASSERT(rc == -EINVAL && strstr(err, path));
		/* Nothing was written to a file it refused. */
		FUZZ_ASSERT(lseek(memfd, 0, SEEK_END) == (off_t)size);
		csvio_table_release(&before);
		return 0;
	}
	const char **row = calloc((size_t)ncol, sizeof *row);
	FUZZ_ASSERT(row);
	for (int c = 0; c < ncol; c++)
		row[c] = c % 2 ? "x,\"y\"\n#z" : "1.5";
	FUZZ_ASSERT(csvio_write_row(w, row) == 0);
	FUZZ_ASSERT(csvio_writer_close(w) == 0);
	FUZZ_ASSERT(csvio_read(path, &after, err, sizeof err) == 0);
	FUZZ_ASSERT(after.nrows == before.nrows + 1 && after.ncol == ncol);
	for (int c = 0; c < ncol; c++)
		FUZZ_ASSERT(strcmp(csvio_cell(&after, after.nrows - 1, c), row[c]) == 0);
	free(row);
	csvio_table_release(&after);
	csvio_table_release(&before);
	return 0;
}
