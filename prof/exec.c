/*
 * exec.c - see exec.h.
 *
 * The command is not started by this process but by a small measuring
 * child of it (the reaper), forked before the sampler starts and told
 * when to go through a pipe.  The reaper
 *  - times the command's main process from just before its fork to just
 *    after waitpid returns it, so neither the reaper's own start nor the
 *    report costs the command anything;
 *  - is a child subreaper (PR_SET_CHILD_SUBREAPER), so that whatever the
 *    command starts and leaves behind is reparented to it rather than to
 *    init: it ends all of it (SIGKILL to the command's process group,
 *    then to every child it still has) and reaps every process, so
 *    nothing outlives the run and every process's resources are counted;
 *  - reports its own getrusage(RUSAGE_CHILDREN): the user and system time
 *    of every process of the tree, and ru_maxrss, the largest high-water
 *    mark of any one of them.  That is why the reaper exists: this
 *    process's RUSAGE_CHILDREN is a maximum over its whole lifetime that
 *    no run can reset, while the reaper's covers this run alone.  A
 *    process that exec'd carries the high-water mark of the image it
 *    replaced: the command's child is started with vfork, so that image
 *    is the reaper's own (a fork of the runner, its heap trimmed first,
 *    up to about 2 MiB), and the figure is exact for any command whose
 *    largest process holds more than that and that much for the smallest
 *    ones.  vfork also spares the command's start the copy of the
 *    reaper's page tables that fork would make.
 * This process meanwhile samples the tree below the reaper (the reaper's
 * own pages, shared copy-on-write with this process, are not the
 * command's), and enforces the timeout and signals: SIGKILL to the
 * command's process group, after which the reaper ends the rest.
 */
#include "exec.h"
#include "procs.h"
#include "noise.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* After a timeout or a signal, a tree that has not ended this long after
 * its SIGKILL (a process stuck in the kernel) is given up on: the reaper
 * is killed and the run fails, rather than the wait never ending. */
#define EXEC_GRACE_S 10.0

/* The reaper's first word, as soon as the command is forked: its pid (its
 * process group), or 0 when the fork failed, and when it started. */
struct started {
	pid_t pid;
	double t_start;
};

/* The reaper's report, when the command and all it started have ended. */
struct report {
	int exec_errno;
	int wait_status;
	double t_start, t_exec, t_end;
	double user_s, sys_s;
	long maxrss_kb;
};

/* ------------------------------------------------------------------ */
/* The measuring child                                                 */
/* ------------------------------------------------------------------ */

/* In the command's child: a process group of its own (so that one kill
 * ends the whole tree), death with the reaper, default signals and an
 * empty mask (the runner's handlers and the reaper's ignored signals are
 * not the command's; vfork gave it a copy of them, not the reaper's
 * own), standard input from /dev/null.  It runs in the reaper's memory
 * until execve, so it makes system calls only and never returns. */
static void command_child(const struct exec_command *c, int errfd)
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigemptyset(&dfl.sa_mask);
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL);        /* SIGKILL, SIGSTOP and the C library's own refuse */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		if (!c->show_output) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
	}
	execvp(c->argv[0], c->argv);
	int e = errno;
	ssize_t n = write(errfd, &e, sizeof e);
	(void)n;
	_exit(127);
}

static void kill_child(pid_t pid, const char *comm, void *arg)
{
	(void)comm;
	(void)arg;
	kill(pid, SIGKILL);
}

/* SIGKILL to every child this process has: its own, and the orphans
 * reparented to it, found by their parent in /proc/PID/stat.  Until it
 * reaps them their pids cannot be reused, so no other process is hit. */
static void kill_children(void)
{
	procs_children(kill_child, NULL);
}

/* Ends and reaps everything the command left: its process group, and
 * every process reparented to the reaper (those that left the group). */
static void end_leftovers(pid_t pgid)
{
	for (;;) {
		kill(-pgid, SIGKILL);
		pid_t r = waitpid(-1, NULL, WNOHANG);
		if (r > 0)
			continue;
		if (r < 0 && errno != EINTR)
			return;                  /* ECHILD: nothing is left */
		kill_children();
		r = waitpid(-1, NULL, 0);
		if (r < 0 && errno != EINTR)
			return;
	}
}

static int reaper(const struct exec_command *c, int go_fd, int report_fd, pid_t parent)
{
	struct report r = { 0 };
	int errp[2] = { -1, -1 }, rc;
	pid_t pid = 0;
	char go;

	/* It dies with the runner, and its command with it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		return -ESRCH;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		return -errno;
	/* A terminal's SIGINT reaches the runner's process group, this
	 * child included: the runner ends the command, and this child must
	 * live to reap it and report.  SIGCHLD must not be ignored, or
	 * children would be reaped unseen and their usage lost. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	rc = runner_read_all(go_fd, &go, 1);
	if (rc)
		return rc;               /* the runner gave up before the start */
	malloc_trim(0);                  /* the image the command's child starts from */
	if (pipe2(errp, O_CLOEXEC)) {
		rc = -errno;
		goto out;
	}
	r.t_start = measure_now();
	/* The reaper waits here until the child has called execve (or
	 * ended), which is part of starting any program. */
	pid = vfork();
	if (pid == 0) {
		close(errp[0]);
		command_child(c, errp[1]);
	}
	if (pid < 0) {
		r.exec_errno = errno;
		pid = 0;
	}
	close(errp[1]);
	errp[1] = -1;
	struct started st = { .pid = pid, .t_start = r.t_start };
	rc = runner_write_all(report_fd, &st, sizeof st);
	if (rc || pid == 0)
		goto report;
	int e = 0;
	ssize_t n;
	while ((n = read(errp[0], &e, sizeof e)) < 0 && errno == EINTR)
		;
	r.t_exec = measure_now();
	if (n == (ssize_t)sizeof e)
		r.exec_errno = e ? e : EIO;
	while (waitpid(pid, &r.wait_status, 0) < 0 && errno == EINTR)
		;
	r.t_end = measure_now();
	end_leftovers(pid);
	pid = 0;
	struct rusage ru;
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
		r.user_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6;
		r.sys_s = (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
		r.maxrss_kb = ru.ru_maxrss;
	}
report:
	if (!rc)
		rc = runner_write_all(report_fd, &r, sizeof r);
out:
	if (pid > 0)
		end_leftovers(pid);
	if (errp[0] >= 0)
		close(errp[0]);
	if (errp[1] >= 0)
		close(errp[1]);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The runner's side                                                   */
/* ------------------------------------------------------------------ */

/* Forks the reaper, which waits on go[0] for the word to start the
 * command and reports on rep[1]; this process keeps go[1] and rep[0].
 * 0, or a negative errno (what was opened is left in go, rep and
 * *child). */
static int start_reaper(const struct exec_command *c, int go[2], int rep[2], pid_t *child)
{
	if (pipe2(go, O_CLOEXEC) || pipe2(rep, O_CLOEXEC))
		return -errno;
	pid_t parent = getpid();
	*child = fork();
	if (*child < 0) {
		int rc = -errno;
		*child = 0;
		return rc;
	}
	if (*child == 0) {
		close(go[1]);
		close(rep[0]);
		_exit(reaper(c, go[0], rep[1], parent) ? 1 : 0);
	}
	close(go[0]);
	close(rep[1]);
	go[0] = rep[1] = -1;
	return 0;
}

/* Reads the reaper's words from fd, the command's start and then its
 * report (into r), meanwhile holding the command to its timeout and to
 * the signals: SIGKILL to its process group (*pgid: -1 until told, 0 when
 * there is none), and a grace period after that.  0, or a negative
 * errno. */
static int wait_report(const struct exec_command *c, int fd, pid_t *pgid, struct exec_outcome *out, struct report *r)
{
	struct started st;
	char buf[sizeof st + sizeof *r];
	size_t got = 0;
	bool killed = false;
	double deadline = INFINITY, grace = INFINITY;
	while (got < sizeof buf) {
		double now = measure_now();
		if (*pgid >= 0 && !killed && (strategy_interrupted || now >= deadline)) {
			out->timed_out = !strategy_interrupted;
			if (*pgid > 0)
				kill(-*pgid, SIGKILL);
			killed = true;
			grace = now + EXEC_GRACE_S;
		}
		if (now >= grace)
			return -ETIMEDOUT;
		double until = killed ? grace : deadline;
		int ms = isinf(until) ? -1 : (int)ceil((until - now) * 1e3);
		/* Once the group is killed, the interrupt descriptor (which
		 * stays readable) is no longer watched. */
		struct pollfd pf[2] = { { .fd = fd, .events = POLLIN },
					{ .fd = killed ? -1 : strategy_interrupt_fd, .events = POLLIN } };
		int n = poll(pf, 2, ms);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n <= 0 || !pf[0].revents)
			continue;
		ssize_t k = read(fd, buf + got, sizeof buf - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EPIPE;   /* the reaper failed */
		got += (size_t)k;
		if (*pgid < 0 && got >= sizeof st) {
			/* The timeout counts from the command's start, as its wall time does. */
			memcpy(&st, buf, sizeof st);
			*pgid = st.pid;
			if (c->timeout_s > 0)
				deadline = st.t_start + c->timeout_s;
		}
	}
	memcpy(r, buf + sizeof st, sizeof *r);
	return 0;
}

/* The outcome from the reaper's report; a timeout counts only when the
 * command did die of the SIGKILL. */
static void take_report(const struct report *r, struct exec_outcome *out)
{
	out->exec_errno = r->exec_errno;
	out->wait_status = r->wait_status;
	out->timed_out = out->timed_out && WIFSIGNALED(r->wait_status) && WTERMSIG(r->wait_status) == SIGKILL;
	out->t_start = r->t_start;
	out->t_exec = r->t_exec > 0 ? r->t_exec : r->t_start;
	out->t_end = r->t_end > 0 ? r->t_end : r->t_start;
	out->user_s = r->user_s;
	out->sys_s = r->sys_s;
	out->max_hwm_bytes = (uint64_t)(r->maxrss_kb > 0 ? r->maxrss_kb : 0) * 1024;
}

int exec_run(const struct exec_command *c, double sample_interval_s, struct exec_outcome *out)
{
	int go[2] = { -1, -1 }, rep[2] = { -1, -1 }, rc;
	pid_t child = 0, pgid = -1;      /* pgid: -1 not told yet, 0 none */
	struct measure_sampler *sampler = NULL;
	struct report r = { 0 };

	memset(out, 0, sizeof *out);
	if ((rc = start_reaper(c, go, rep, &child)))
		goto out;
	if (sample_interval_s > 0 && (rc = measure_sampler_start_below(child, sample_interval_s, &sampler)))
		goto out;
	if (strategy_interrupted) {
		rc = -EINTR;             /* closing go lets the reaper end unstarted */
		goto out;
	}
	rc = runner_write_all(go[1], "g", 1);
	if (!rc)
		rc = wait_report(c, rep[0], &pgid, out, &r);
	if (!rc)
		take_report(&r, out);
out:
	if (rc && child > 0) {
		/* Nothing may be left: the group, then the reaper (whose death
		 * kills the command's main process through its death signal). */
		if (pgid > 0)
			kill(-pgid, SIGKILL);
		kill(child, SIGKILL);
	}
	/* Closing go first lets a reaper that was never told to go end. */
	int fds[] = { go[1], go[0], rep[0], rep[1] };
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	/* The sampler stops before the reaper is reaped: until then its pid,
	 * the tree's root, cannot name another process. */
	if (sampler)
		measure_sampler_stop(sampler, &out->peak);
	if (child > 0)
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
	return strategy_interrupted ? -EINTR : rc;
}

int exec_describe(const struct exec_command *c, const struct exec_outcome *o, char *buf, size_t len)
{
	int st = o->wait_status;
	buf[0] = '\0';
	if (o->exec_errno) {
		snprintf(buf, len, "cannot run '%s': %s", c->argv[0], strerror(o->exec_errno));
		return 127;
	}
	if (o->timed_out) {
		snprintf(buf, len, "ran past --timeout %g s: its process group was killed", c->timeout_s);
		return 128 + SIGKILL;
	}
	if (WIFSIGNALED(st)) {
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
		return 128 + WTERMSIG(st);
	}
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	if (code)
		snprintf(buf, len, "exited with status %d", code);
	return code;
}

int exec_measure(const struct exec_command *c, const struct exec_point *pt, int rep, struct runner_row *row)
{
	struct exec_outcome o;
	struct noise_mark mark;
	struct noise_figures nf;
	char why[400];

	memset(row, 0, sizeof *row);
	row->strategy = "exec";
	row->label = pt->label;
	row->command = c->text;
	row->p = (struct strategy_params){ .scenario = "-", .workers = pt->workers, .jobs = pt->jobs,
					   .chunksize = 1, .job_timeout_s = c->timeout_s, .fault_job = -1,
					   .fault = STRATEGY_FAULT_NONE };
	row->rep = rep;
	row->cgroup_peak_bytes = -1;
	noise_begin(&mark);
	int rc = exec_run(c, pt->sample_interval_s, &o);
	noise_end(&mark, &nf);
	if (rc)
		return rc;
	runner_row_noise(row, &nf);
	row->exit_status = exec_describe(c, &o, why, sizeof why);
	bool ok = !o.exec_errno && !o.timed_out && row->exit_status == 0;
	row->status = ok ? "ok" : o.timed_out ? "timeout" : "failed";
	row->valid = ok;
	if (why[0])
		runner_append_error(row, why);
	row->wall_s = row->compute_s = o.t_end - o.t_start;
	row->start_latency_s = o.t_exec - o.t_start;
	row->user_s = o.user_s;
	row->sys_s = o.sys_s;
	row->peak_pss_bytes = o.peak.pss_bytes;
	row->peak_rss_sum_bytes = o.peak.rss_sum_bytes;
	row->max_worker_hwm_bytes = o.max_hwm_bytes;
	row->max_procs = o.peak.max_procs;
	row->sample_interval_s = o.peak.interval_s;
	row->sampler_cpu_fraction = o.peak.cpu_fraction;
	row->jobs_ok = ok ? pt->jobs : 0;
	row->jobs_failed = ok ? 0 : pt->jobs;
	uint64_t cg;
	if (measure_cgroup_peak(&cg) == 0)
		row->cgroup_peak_bytes = (int64_t)cg;
	if (row->wall_s > 0) {
		row->jobs_per_s = row->jobs_ok / row->wall_s;
		/* A command's busy fraction is its tree's CPU time over the
		 * cores it was told to use for the wall time. */
		row->busy_fraction = (o.user_s + o.sys_s) / (pt->workers * row->wall_s);
	}
	return 0;
}
