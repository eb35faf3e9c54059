/*
 * folderlock.h - one writer per results folder.  A sweep holds an flock
 * on DIR/.sweep.lock from before it reads what the folder holds until it
 * has written its last row, plot and report, so that a second sweep into
 * the same folder cannot measure the same points again or interleave its
 * sidecars with the first one's.  The lock file says who holds it (pid,
 * host, start time, command) for the message the second one gives.  The
 * kernel drops the lock when the holder ends, however it ends, so a lock
 * left by a killed sweep never needs removing; the file itself stays.
 */
#ifndef SPREADBENCH_FOLDERLOCK_H
#define SPREADBENCH_FOLDERLOCK_H

#include <stddef.h>

#define FOLDERLOCK_NAME ".sweep.lock"

/* Takes the lock of dir without waiting; *fd gets the lock's descriptor
 * (close it, or folderlock_release, to let go).  0; -EBUSY when another
 * process holds it, with who in err; another negative errno, explained
 * in err. */
int folderlock_take(const char *dir, const char *command, int *fd, char *err, size_t errlen);
/* Lets go; safe on -1. */
void folderlock_release(int fd);

#endif
