/*
 * outfile.h - writing an output file so that a reader finds either the
 * whole new file or the whole old one, never a torn or empty one, and so
 * that no failed write goes unnoticed.
 *
 * A regular file (new, or existing, also behind a symbolic link) is
 * written to a temporary name in the same folder and, on commit, flushed,
 * checked, fsync'd, closed and renamed over the target; abort removes the
 * temporary file and leaves the target as it was.  A target that exists
 * and is not a regular file (/dev/stdout, a pipe, /dev/full) cannot be
 * replaced that way: it is written in place, and every write and the
 * close are still checked.  Append mode (for files that collect output,
 * such as a CI step summary) writes at the end of the file and, when the
 * commit fails, cuts the file back to its old length.
 *
 * Every write goes through the stream's own write function, which keeps
 * the first error's errno, so that a failure is reported with its cause
 * ("No space left on device") rather than as a bare stdio error flag.
 * What it leaves out: locking against other writers of the same file
 * (the last rename wins) and keeping the owner of a replaced file.
 */
#ifndef SPREADBENCH_OUTFILE_H
#define SPREADBENCH_OUTFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

enum outfile_mode { OUTFILE_REPLACE, OUTFILE_APPEND, OUTFILE_IN_PLACE };

struct outfile {
	FILE *f;                 /* where the caller writes; NULL when closed */
	char *target;            /* the file that gets replaced or written */
	char *tmp;               /* the temporary name (replace mode), else NULL */
	int fd;                  /* under f; -1 when closed */
	enum outfile_mode mode;
	off_t old_size;          /* append mode: the length to cut back to */
	int err;                 /* the first write error, a negative errno */
};

/* Opens a stream whose contents replace path on commit.  0 or a
 * negative errno (-EISDIR for a folder, -ENOENT for a missing folder,
 * -EACCES ...); *o is then closed and safe to abort. */
int outfile_open(struct outfile *o, const char *path);
/* Opens a stream that appends to path (created if missing). */
int outfile_open_append(struct outfile *o, const char *path);
/* Flushes, checks every write, fsyncs, closes and renames into place.
 * 0 or a negative errno; on failure the temporary file is gone and the
 * target is as it was before the open.  Safe on a closed outfile (it
 * returns -EBADF). */
int outfile_commit(struct outfile *o);
/* Drops what was written; safe on a closed or committed outfile, and
 * safe twice. */
void outfile_abort(struct outfile *o);

/* Whole-file helpers: the value as JSON, or len bytes, written through
 * an outfile.  0 or a negative errno. */
int outfile_write_json(const char *path, const json_t *v, size_t flags);
int outfile_write_buffer(const char *path, const void *buf, size_t len);

/* Puts standard output through the same checked writes as an outfile,
 * so that a failure to write it keeps its cause.  Called first thing in
 * main(); if it cannot, stdout stays as it was. */
void outfile_wrap_stdout(void);
/* Checks standard output: flushes it and tells whether any write to it
 * failed since the last check.  0 or a negative errno (-EIO when the
 * cause was not kept); main() checks it once more before exiting. */
int outfile_check_stdout(void);

#endif
