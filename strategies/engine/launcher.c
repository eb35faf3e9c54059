/*
 * launcher.c - see launcher.h.  Each rank dies with mpiexec (a
 * parent-death signal in the MPI program), a stopped one included; ranks
 * that mpiexec leaves behind unreaped come back to the runner, which is
 * their subreaper, and are reaped in launcher_release.
 */
#include "launcher.h"
#include "procs.h"
#include "strategy.h"
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#ifndef SPREADBENCH_MPIEXEC
#define SPREADBENCH_MPIEXEC "mpiexec"
#endif

const char LAUNCHER_FIFO[] = "(the progress FIFO)";

const char *launcher_mpiexec_path(void)
{
	const char *e = getenv("SPREADBENCH_MPIEXEC");
	return e && e[0] ? e : SPREADBENCH_MPIEXEC;
}

void launcher_program_path(const char *worker_path, char *out, size_t len)
{
	const char *w = worker_path ? worker_path : "spreadbench-worker";
	const char *slash = strrchr(w, '/');
	if (slash)
		snprintf(out, len, "%.*s/spreadbench-mpi", (int)(slash - w), w);
	else
		snprintf(out, len, "spreadbench-mpi");
}

/* Open files mpiexec needs on one machine: measured with Open MPI 4.1 as
 * 28 + 4 per rank (below that it wedges), with a little to spare. */
static long files_needed(int ranks)
{
	return 32 + 4L * (ranks > 1 ? ranks : 1);
}

int launcher_check_files(int ranks, char *err, size_t len)
{
	struct rlimit rl;
	long need = files_needed(ranks);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)need) {
		snprintf(err, len,
			 "mpi-shm with %d ranks needs about %ld open files but the limit is %llu: "
			 "raise it (ulimit -n %ld) or use fewer ranks",
			 ranks, need, (unsigned long long)rl.rlim_cur, need);
		return -EMFILE;
	}
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Removes a folder and everything in it; "" is nothing. */
static void remove_tree(char *dir)
{
	if (dir[0])
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	dir[0] = '\0';
}

int launcher_reap(struct launcher *l, double wait_s)
{
	if (l->reaped || l->pid <= 0)
		return 0;
	double until = worker_clock() + wait_s;
	for (;;) {
		pid_t r = waitpid(l->pid, &l->status, WNOHANG);
		if (r == l->pid) {
			l->reaped = true;
			return 0;
		}
		if (r < 0 && errno != EINTR) {
			l->reaped = true;
			return -errno;
		}
		if (worker_clock() > until)
			return -ETIMEDOUT;
		usleep(10000);
	}
}

void launcher_stop(struct launcher *l)
{
	if (l->pid <= 0 || l->reaped)
		return;
	kill(-l->pid, SIGTERM);
	if (launcher_reap(l, LAUNCHER_TERM_WAIT_S) == -ETIMEDOUT) {
		kill(-l->pid, SIGKILL);
		while (waitpid(l->pid, &l->status, 0) < 0 && errno == EINTR)
			;
		l->reaped = true;
	}
	kill(-l->pid, SIGKILL); /* anything of the group still there */
}

/*
 * Reaps the ranks that mpiexec left behind when it was ended: they were
 * handed to the runner (PR_SET_CHILD_SUBREAPER) and killed by their
 * parent-death signal, so each is a child of ours named spreadbench-mpi
 * that has ended or is about to.  Bounded: a few seconds at most.
 */
/* Kills and tries to reap one child, when it is a rank; counts the ranks
 * still there. */
static void reap_rank(pid_t pid, const char *comm, void *arg)
{
	int *left = arg;
	if (strcmp(comm, "spreadbench-mpi") != 0)
		return;
	kill(pid, SIGKILL);
	if (waitpid(pid, NULL, WNOHANG) == 0)
		(*left)++;
}

static void reap_orphans(void)
{
	double until = worker_clock() + LAUNCHER_TERM_WAIT_S;
	for (;;) {
		int left = 0;
		procs_children(reap_rank, &left);
		if (!left || worker_clock() > until)
			return;
		usleep(10000);
	}
}

void launcher_describe(int st, char *buf, size_t len)
{
	if (WIFSIGNALED(st))
		snprintf(buf, len, "was killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(st));
}

/* The folders of the launcher, named after the runner so that a leftover
 * one says whose it was. */
static int make_folders(struct launcher *l, bool local, char *err, size_t len)
{
	const char *base = getenv("TMPDIR");
	char tmpl[PATH_MAX];
	if (!base || !base[0])
		base = "/tmp";
	snprintf(tmpl, sizeof tmpl, "%s/spreadbench-mpi.%d.XXXXXX", base, (int)getpid());
	if (!mkdtemp(tmpl)) {
		int rc = -errno;
		snprintf(err, len, "cannot make a folder for mpiexec in '%.100s': %s", base, strerror(-rc));
		return rc;
	}
	snprintf(l->tmpdir, sizeof l->tmpdir, "%s", tmpl);
	snprintf(l->fifo, sizeof l->fifo, "%s/progress", l->tmpdir);
	if (mkfifo(l->fifo, 0600) < 0) {
		int rc = -errno;
		snprintf(err, len, "cannot make the progress FIFO: %s", strerror(-rc));
		return rc;
	}
	/* Opening the read end first, without waiting, lets ranks open the
	 * write end at once; the runner's own write end keeps it from
	 * reporting end-of-file between ranks. */
	l->progress = open(l->fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	l->progress_keep = l->progress < 0 ? -1 : open(l->fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (l->progress < 0 || l->progress_keep < 0) {
		int rc = -errno;
		snprintf(err, len, "cannot open the progress FIFO: %s", strerror(-rc));
		return rc;
	}
	/* The segments go to /dev/shm as by default, in a folder of our own;
	 * across machines the other machines keep Open MPI's default. */
	snprintf(tmpl, sizeof tmpl, "/dev/shm/spreadbench-mpi.%d.XXXXXX", (int)getpid());
	if (local && mkdtemp(tmpl))
		snprintf(l->shmdir, sizeof l->shmdir, "%s", tmpl);
	return 0;
}

/* The environment of the launcher: this one with TMPDIR set to its folder. */
static char **launcher_env(const struct launcher *l, char *tmpdir_var, size_t len)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 2, sizeof *env);
	if (!env)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "TMPDIR=", 7) != 0)
			env[k++] = environ[i];
	snprintf(tmpdir_var, len, "TMPDIR=%s", l->tmpdir);
	env[k++] = tmpdir_var;
	env[k] = NULL;
	return env;
}

int launcher_start(struct launcher *l, int ranks, const char *hostfile, const char *program,
		   const char *const *prog_argv, char *err, size_t len)
{
	memset(l, 0, sizeof *l);
	l->to = l->from = l->progress = l->progress_keep = -1;
	int rc = make_folders(l, !hostfile, err, len);
	if (rc)
		return rc;
	/* Ranks whose launcher ended come to the runner to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	char n[16];
	snprintf(n, sizeof n, "%d", ranks);
	const char *argv[128];
	int a = 0;
	argv[a++] = launcher_mpiexec_path();
	if (geteuid() == 0)
		argv[a++] = "--allow-run-as-root";
	/* More ranks than cores is allowed (and measured), ranks are not
	 * bound (pinning is a separate choice), and the single-copy shared
	 * memory transport is off: containers often forbid its ptrace check. */
	argv[a++] = "--oversubscribe";
	argv[a++] = "--bind-to";
	argv[a++] = "none";
	argv[a++] = "--mca";
	argv[a++] = "btl_vader_single_copy_mechanism";
	argv[a++] = "none";
	/* Session files in the launcher's own folder (on this machine alone
	 * when others take part), shared-memory segments in ours. */
	argv[a++] = "--mca";
	argv[a++] = hostfile ? "orte_local_tmpdir_base" : "orte_tmpdir_base";
	argv[a++] = l->tmpdir;
	if (l->shmdir[0]) {
		argv[a++] = "--mca";
		argv[a++] = "btl_vader_backing_directory";
		argv[a++] = l->shmdir;
		argv[a++] = "--mca";
		argv[a++] = "osc_sm_backing_directory";
		argv[a++] = l->shmdir;
	}
	if (hostfile) {
		argv[a++] = "--hostfile";
		argv[a++] = hostfile;
	}
	argv[a++] = "-n";
	argv[a++] = n;
	argv[a++] = program;
	for (int k = 0; prog_argv[k] && a < 127; k++)
		argv[a++] = prog_argv[k] == LAUNCHER_FIFO ? l->fifo : prog_argv[k];
	argv[a] = NULL;

	int in_sock[2], out_pipe[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_sock) < 0)
		return -errno;
	if (pipe2(out_pipe, O_CLOEXEC) < 0) {
		rc = -errno;
		close(in_sock[0]);
		close(in_sock[1]);
		return rc;
	}
	char tmpdir_var[PATH_MAX + 8];
	char **env = launcher_env(l, tmpdir_var, sizeof tmpdir_var);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_sock[1], 0);
	posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setpgroup(&attr, 0);
	sigset_t none, def;
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = env ? -posix_spawn(&l->pid, argv[0], &fa, &attr, (char *const *)argv, env) : -ENOMEM;
	free(env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(in_sock[1]);
	close(out_pipe[1]);
	l->to = in_sock[0];
	l->from = out_pipe[0];
	if (rc) {
		l->pid = 0;
		snprintf(err, len, "cannot start '%.100s': %s", argv[0], strerror(-rc));
	}
	return rc;
}

int launcher_take_line(struct launcher *l, char *out, size_t len)
{
	char *nl = memchr(l->line, '\n', l->nline);
	if (!nl && l->nline < sizeof l->line)
		return 0;
	size_t n = nl ? (size_t)(nl - l->line) + 1 : l->nline;
	size_t c = n < len ? n : len - 1;
	memcpy(out, l->line, c);
	out[c] = '\0';
	memmove(l->line, l->line + n, l->nline - n);
	l->nline -= n;
	return 1;
}

int launcher_wait(struct launcher *l, double deadline, bool *progress)
{
	*progress = false;
	for (;;) {
		if (strategy_interrupted)
			return -EINTR;
		double t = worker_clock();
		if (deadline >= 0 && t >= deadline)
			return -ETIMEDOUT;
		int ms = deadline < 0 ? -1 : (int)((deadline - t) * 1000) + 1;
		struct pollfd pf[3] = { { .fd = l->from, .events = POLLIN },
					{ .fd = l->progress, .events = POLLIN },
					{ .fd = strategy_interrupt_fd, .events = POLLIN } };
		int n = poll(pf, strategy_interrupt_fd >= 0 ? 3 : 2, ms);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n <= 0)
			continue;
		if (pf[1].revents & POLLIN)
			*progress = true;
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(l->from, l->line + l->nline, sizeof l->line - l->nline);
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0)
				return r == 0 ? -EPIPE : -errno;
			l->nline += (size_t)r;
			return 0;
		}
		if (*progress)
			return 0;
	}
}

int launcher_record(struct launcher *l, struct proto_mpi_progress *r)
{
	for (;;) {
		ssize_t n = read(l->progress, r, sizeof *r);
		if (n < 0 && errno == EINTR)
			continue;
		return n == (ssize_t)sizeof *r; /* empty (EAGAIN): records come whole */
	}
}

int launcher_send(struct launcher *l, const char *text)
{
	size_t n = strlen(text);
	return send(l->to, text, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -EPIPE;
}

void launcher_release(struct launcher *l)
{
	if (l->to >= 0)
		close(l->to);
	if (l->pid > 0)
		reap_orphans();
	if (l->from >= 0)
		close(l->from);
	if (l->progress >= 0)
		close(l->progress);
	if (l->progress_keep >= 0)
		close(l->progress_keep);
	l->to = l->from = l->progress = l->progress_keep = -1;
	l->pid = 0;
	remove_tree(l->shmdir);
	remove_tree(l->tmpdir);
}
