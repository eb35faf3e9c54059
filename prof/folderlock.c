/*
 * folderlock.c - see folderlock.h.  flock rather than a lock file made
 * with O_EXCL: a lock that dies with its holder cannot go stale.  The
 * lock is not inherited across exec (O_CLOEXEC), but the measured
 * children a sweep forks share it while they live, which is right: the
 * folder is busy until they are gone.
 */
#include "folderlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The holder's line, as the holder wrote it, for the message. */
static void read_holder(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (!buf[0])
		snprintf(buf, len, "a process that has not said who it is");
}

int folderlock_take(const char *dir, const char *command, int *fd, char *err, size_t errlen)
{
	char path[4200], who[600], host[256] = "?", when[64] = "?";
	int lfd = -1, rc = 0;
	*fd = -1;
	snprintf(path, sizeof path, "%s/%s", dir, FOLDERLOCK_NAME);
	lfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (lfd < 0) {
		rc = -errno;
		set_err(err, errlen, "cannot lock '%s': %s", dir, strerror(-rc));
		return rc;
	}
	while (flock(lfd, LOCK_EX | LOCK_NB) != 0) {
		rc = -errno;
		if (rc == -EINTR)
			continue;
		if (rc == -EWOULDBLOCK) {
			read_holder(lfd, who, sizeof who);
			set_err(err, errlen, "'%s' is in use by another sweep (%s): wait for it to end, or use "
				"another folder", dir, who);
			rc = -EBUSY;
		} else {
			set_err(err, errlen, "cannot lock '%s': %s", dir, strerror(-rc));
		}
		goto out;
	}
	rc = 0;
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	time_t now = time(NULL);
	struct tm tm;
	if (gmtime_r(&now, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	int n = snprintf(who, sizeof who, "pid %ld on %s since %s: %s\n", (long)getpid(), host, when,
			 command ? command : "?");
	if (n >= (int)sizeof who) {
		n = (int)sizeof who - 1;
		who[n - 1] = '\n';
	}
	/* Who holds it is only for messages: a failure to say so is none. */
	if (ftruncate(lfd, 0) == 0) {
		ssize_t w = pwrite(lfd, who, (size_t)n, 0);
		(void)w;
	}
out:
	if (rc) {
		close(lfd);
		return rc;
	}
	*fd = lfd;
	return 0;
}

void folderlock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}
