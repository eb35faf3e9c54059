/*
 * procs.c - see procs.h.  A child is found by the parent field of
 * /proc/PID/stat; until it is reaped its pid cannot be reused, so no
 * other process is ever named.
 */
#include "procs.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int procs_children(void (*fn)(pid_t pid, const char *comm, void *arg), void *arg)
{
	pid_t self = getpid();
	int found = 0;
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));) {
		char path[300], buf[512];
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* "pid (comm) state ppid ...": comm may hold anything, so the
		 * fields after it start at the last ')'. */
		char *open_paren = strchr(buf, '('), *close_paren = strrchr(buf, ')');
		int ppid;
		if (!open_paren || !close_paren || sscanf(close_paren + 1, " %*c %d", &ppid) != 1 || ppid != self)
			continue;
		*close_paren = '\0';
		found++;
		fn((pid_t)atoi(e->d_name), open_paren + 1, arg);
	}
	closedir(d);
	return found;
}
