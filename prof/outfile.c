/*
 * outfile.c - see outfile.h.  The stream is a fopencookie() stream over a
 * descriptor this module owns, so that the first failed write(2) keeps
 * its errno and every later write is refused: a file with a hole in the
 * middle (a write that failed, then one that succeeded after space was
 * freed) can never be committed.
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static ssize_t cookie_write(void *cookie, const char *buf, size_t n)
{
	struct outfile *o = cookie;
	size_t done = 0;
	/* glibc takes a short count as the error; a negative one is not
	 * allowed. */
	if (o->err)
		return 0;
	while (done < n) {
		ssize_t w = write(o->fd, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			o->err = w < 0 ? -errno : -EIO;
			return (ssize_t)done;
		}
		done += (size_t)w;
	}
	return (ssize_t)n;
}

/* The descriptor is closed by outfile_commit/abort, where a failing
 * close(2) can still be reported. */
static int cookie_close(void *cookie)
{
	(void)cookie;
	return 0;
}

static int open_stream_on(struct outfile *o, FILE **f)
{
	static const cookie_io_functions_t io = { .write = cookie_write, .close = cookie_close };
	*f = fopencookie(o, "w", io);
	return *f ? 0 : -ENOMEM;
}

static int open_stream(struct outfile *o)
{
	return open_stream_on(o, &o->f);
}

static void release(struct outfile *o)
{
	free(o->target);
	free(o->tmp);
	o->target = o->tmp = NULL;
}

/* The folder part of path ("." when it has none), for the temporary
 * name and for syncing the rename. */
static char *folder_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* Makes the rename itself durable; a filesystem that cannot sync a
 * folder still has the file, so failures are not reported. */
static void sync_folder(const char *path)
{
	char *dir = folder_of(path);
	int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		int rc = fsync(fd);
		(void)rc;
		close(fd);
	}
	free(dir);
}

/* Creates the temporary file beside o->target: ".NAME.tmp-PID-N" in the
 * same folder, so that the rename stays within one filesystem.  The
 * mode 0666 passes through the umask like any new file's. */
static int create_tmp(struct outfile *o)
{
	static unsigned counter;
	const char *slash = strrchr(o->target, '/');
	size_t dirlen = slash ? (size_t)(slash - o->target) + 1 : 0;
	const char *base = o->target + dirlen;
	size_t len = strlen(o->target) + 64;
	if (!(o->tmp = malloc(len)))
		return -ENOMEM;
	for (int tries = 0; tries < 1000; tries++) {
		snprintf(o->tmp, len, "%.*s.%s.tmp-%ld-%u", (int)dirlen, o->target, base, (long)getpid(),
			 counter++);
		o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0666);
		if (o->fd >= 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	/* Nothing of ours is under that name: abort must not remove it. */
	int rc = errno == EEXIST ? -EEXIST : -errno;
	free(o->tmp);
	o->tmp = NULL;
	return rc;
}

int outfile_open(struct outfile *o, const char *path)
{
	struct stat st;
	bool exists;
	int rc = 0;

	memset(o, 0, sizeof *o);
	o->fd = -1;
	exists = stat(path, &st) == 0;
	if (!exists && errno != ENOENT)
		return -errno;
	if (exists && S_ISDIR(st.st_mode))
		return -EISDIR;
	if (exists && !S_ISREG(st.st_mode)) {
		/* A device or a pipe cannot be replaced by a rename. */
		o->mode = OUTFILE_IN_PLACE;
		o->fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (o->fd < 0) {
			rc = -errno;
			goto out;
		}
		if (!(o->target = strdup(path))) {
			rc = -ENOMEM;
			goto out;
		}
		rc = open_stream(o);
		goto out;
	}
	o->mode = OUTFILE_REPLACE;
	/* An existing file is replaced where it really lives, so that a
	 * symbolic link to it stays a link. */
	o->target = exists ? realpath(path, NULL) : strdup(path);
	if (!o->target) {
		rc = exists ? -errno : -ENOMEM;
		goto out;
	}
	if ((rc = create_tmp(o)))
		goto out;
	/* The new file keeps the permissions of the one it replaces. */
	if (exists && fchmod(o->fd, st.st_mode & 07777)) {
		rc = -errno;
		goto out;
	}
	rc = open_stream(o);
out:
	if (rc)
		outfile_abort(o);
	return rc;
}

int outfile_open_append(struct outfile *o, const char *path)
{
	struct stat st;
	int rc = 0;

	memset(o, 0, sizeof *o);
	o->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0666);
	if (o->fd < 0)
		return -errno;
	if (fstat(o->fd, &st)) {
		rc = -errno;
		goto out;
	}
	o->mode = S_ISREG(st.st_mode) ? OUTFILE_APPEND : OUTFILE_IN_PLACE;
	o->old_size = st.st_size;
	if (!(o->target = strdup(path))) {
		rc = -ENOMEM;
		goto out;
	}
	rc = open_stream(o);
out:
	if (rc)
		outfile_abort(o);
	return rc;
}

int outfile_commit(struct outfile *o)
{
	int rc = 0;
	if (!o->f)
		return -EBADF;
	if (fflush(o->f) != 0 || ferror(o->f))
		rc = o->err ? o->err : -EIO;
	if (fclose(o->f) != 0 && !rc)
		rc = o->err ? o->err : -EIO;
	o->f = NULL;
	/* A pipe or a terminal has nothing to sync (and fsync says EINVAL). */
	if (!rc && o->mode != OUTFILE_IN_PLACE && fsync(o->fd))
		rc = -errno;
	if (rc && o->mode == OUTFILE_APPEND) {
		int trc = ftruncate(o->fd, o->old_size);
		(void)trc;
	}
	if (close(o->fd) && !rc)
		rc = -errno;
	o->fd = -1;
	if (o->mode == OUTFILE_REPLACE) {
		if (!rc && rename(o->tmp, o->target))
			rc = -errno;
		if (rc)
			unlink(o->tmp);
		else
			sync_folder(o->target);
	}
	release(o);
	return rc;
}

void outfile_abort(struct outfile *o)
{
	if (o->f) {
		/* What is still buffered must not reach an in-place target. */
		if (!o->err)
			o->err = -ECANCELED;
		fclose(o->f);
		o->f = NULL;
	}
	if (o->fd >= 0) {
		if (o->mode == OUTFILE_APPEND) {
			int trc = ftruncate(o->fd, o->old_size);
			(void)trc;
		}
		close(o->fd);
		o->fd = -1;
	}
	if (o->tmp)
		unlink(o->tmp);
	release(o);
}

int outfile_write_json(const char *path, const json_t *v, size_t flags)
{
	struct outfile o;
	int rc = outfile_open(&o, path);
	if (rc)
		return rc;
	if (json_dumpf(v, o.f, flags) || fputc('\n', o.f) == EOF) {
		rc = o.err ? o.err : -EIO;
		outfile_abort(&o);
		return rc;
	}
	return outfile_commit(&o);
}

int outfile_write_buffer(const char *path, const void *buf, size_t len)
{
	struct outfile o;
	int rc = outfile_open(&o, path);
	if (rc)
		return rc;
	if (len && fwrite(buf, 1, len, o.f) != len) {
		rc = o.err ? o.err : -EIO;
		outfile_abort(&o);
		return rc;
	}
	return outfile_commit(&o);
}

/* Standard output, written through the same checked write as a file. */
static struct outfile stdout_of = { .fd = STDOUT_FILENO, .mode = OUTFILE_IN_PLACE };

void outfile_wrap_stdout(void)
{
	FILE *f;
	if (fflush(stdout) != 0 || open_stream_on(&stdout_of, &f))
		return; /* the plain stream is still checked, without the cause */
	/* A person watching a terminal sees each line as it is printed. */
	if (isatty(STDOUT_FILENO))
		setvbuf(f, NULL, _IOLBF, 0);
	/* glibc's stdout is an ordinary variable, meant to be assignable. */
	stdout = f;
}

int outfile_check_stdout(void)
{
	errno = 0;
	int rc = fflush(stdout) != 0 || ferror(stdout) ? -EIO : 0;
	if (rc && stdout_of.err)
		rc = stdout_of.err;
	else if (rc && errno)
		rc = -errno;
	/* The caller reports this failure; a later check should report only
	 * a new one. */
	clearerr(stdout);
	stdout_of.err = 0;
	return rc;
}
