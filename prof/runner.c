/*
 * runner.c - one measured run of a strategy, and the serial reference it
 * is checked against.
 *
 * Timing: setup, execute and teardown are timed apart on CLOCK_MONOTONIC;
 * wall is their sum.  Memory: a sampler thread sums PSS (and RSS, for
 * comparison) over the runner's whole process tree from smaps_rollup for
 * the whole run, at an interval it lengthens itself if it would cost more
 * than 0.5 % of a core, plus one sample at the end of setup, untimed, for
 * the peak of setup alone, and one at the end of compute, untimed; workers report their own VmHWM; the runner's
 * own VmHWM is reset first so in-process strategies report this run only.
 * CPU: user and system time of the runner and its reaped children
 * (getrusage; its ru_maxrss is never used, it is a lifetime maximum).
 * Throughput is the workload's figure 0 (its work units) per second of
 * wall time; per CPU-hour (columns.c) it counts each worker's core for
 * the whole wall time, so it falls when cores sit idle.  A competing load (--load)
 * spins beside the run and is left out of every figure.
 *
 * Limits: the runner never waits without a bound when the caller set the
 * limits (runner_bound_waits sets them all): strategies that can stop one
 * job hold each job and each worker's setup to theirs; for the others a
 * watchdog ends the process when the whole run passes its limit, after
 * the row was written.  Before a point starts, its peak memory is
 * estimated from the strategy's footprint (runner_memory_check).
 */
#include "runner.h"
#include "inputs.h"
#include "jobs.h"
#include "measure.h"
#include "noise.h"
#include "workloads.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Signals                                                             */
/* ------------------------------------------------------------------ */

static volatile sig_atomic_t caught_signal;
static int wake_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;
	caught_signal = sig;
	strategy_interrupted = 1;
	if (wake_pipe[1] >= 0) {
		char c = 1;
		ssize_t n = write(wake_pipe[1], &c, 1);
		(void)n;
	}
	errno = saved;
}

int runner_signals_install(void)
{
	if (wake_pipe[0] < 0) {
		if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
			return -errno;
		strategy_interrupt_fd = wake_pipe[0];
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return -errno;
	return 0;
}

int runner_interrupted(void)
{
	return caught_signal;
}

/* ------------------------------------------------------------------ */
/* The serial reference                                                */
/* ------------------------------------------------------------------ */

/* Two jobs of a batch that are the same job, run once and answered
 * twice: every job of the identical list is its reference job
 * (workload.h). */
static bool same_job(const struct workload_job *a, const struct workload_job *b)
{
	return a->mix == b->mix && (a->mix == WORKLOAD_JOBS_IDENTICAL || a->n == b->n);
}

int runner_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int runner_read_all(int fd, void *buf, size_t n)
{
	char *p = buf;
	while (n) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? -EPIPE : -errno;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * What the reference child tells the runner: a tick ('T') once the inputs
 * are built and after each job, so that the runner can hold each step to
 * the job limit; then the report ('R' and this struct, sent whole whether
 * it succeeded or not, so that a failure has a cause); then the answers.
 */
struct reference_report {
	int rc;                          /* 0, or the negative errno that stopped it */
	char what[96];                   /* what it was doing then */
	double build_s;
	uint64_t hwm_bytes, input_bytes;
};

/* In the child: run each distinct job once, always with f32 inputs, so
 * that other storage types are checked against the same answer
 * (workload.h: the type never changes a summary). */
static int reference_child(const struct runner_options *o, int fd)
{
	const struct workload *wl = o->wl;
	struct strategy_params p = o->p;
	struct reference_report rep = { 0 };
	struct workload_scenario *ws = NULL;
	struct workload_view *view = NULL;
	struct workload_state *st = NULL;
	struct workload_job *jobs = calloc((size_t)p.jobs + 1, sizeof *jobs);
	struct strategy_job_result *res = calloc((size_t)p.jobs + 1, sizeof *res);
	void *buf = NULL;
	size_t bytes = 0;
	int rc = -ENOMEM;
	char err[256];
	snprintf(rep.what, sizeof rep.what, "starting");
	if (!jobs || !res)
		goto out;
	p.dtype = WORKLOAD_F32;
	snprintf(rep.what, sizeof rep.what, "opening the scenario");
	if ((rc = workloads_open(&p, &wl, &ws, err, sizeof err)) || (rc = jobs_batch(wl, ws, &p, jobs)))
		goto out;
	bytes = wl->input_bytes(ws);
	rep.input_bytes = bytes;
	snprintf(rep.what, sizeof rep.what, "allocating the inputs (%.1f MiB)", bytes / 1048576.0);
	double t0 = measure_now();
	buf = inputs_block_alloc(bytes);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	snprintf(rep.what, sizeof rep.what, "building the inputs");
	rc = inputs_fill(wl, ws, buf, 0);
	rep.build_s = measure_now() - t0;
	if (!rc)
		rc = runner_write_all(fd, "T", 1);
	if (rc)
		goto out;
	snprintf(rep.what, sizeof rep.what, "setting up a job's state");
	rc = wl->attach(ws, buf, &view);
	if (!rc)
		rc = wl->job_new(view, &st);
	for (int i = 0; !rc && i < p.jobs; i++) {
		int twin = -1;
		for (int k = 0; k < i && twin < 0; k++)
			if (same_job(&jobs[k], &jobs[i]))
				twin = k;
		if (twin >= 0) {
			res[i] = res[twin];
			rc = runner_write_all(fd, "T", 1);
			continue;
		}
		snprintf(rep.what, sizeof rep.what, "running job %d", i);
		res[i] = (struct strategy_job_result){ .status = STRATEGY_JOB_OK };
		rc = wl->run_job(st, &jobs[i], &res[i].summary);
		if (!rc)
			rc = runner_write_all(fd, "T", 1);
	}
out:
	rep.rc = rc;
	measure_self_hwm(&rep.hwm_bytes);
	int wrc = runner_write_all(fd, "R", 1);
	if (!wrc)
		wrc = runner_write_all(fd, &rep, sizeof rep);
	if (!rc && !wrc)
		wrc = runner_write_all(fd, res, sizeof *res * (size_t)p.jobs);
	if (st)
		wl->job_free(st);
	if (view)
		wl->detach(view);
	if (buf)
		inputs_block_free(buf, bytes);
	if (ws)
		wl->close(ws);
	free(jobs);
	free(res);
	return rc ? rc : wrc;
}

/* Reads n bytes, giving up at once when SIGINT/SIGTERM arrives (-EINTR)
 * or when the deadline (< 0: none) passes (-ETIMEDOUT). */
static int read_all_interruptible(int fd, void *buf, size_t n, double deadline)
{
	char *p = buf;
	while (n) {
		struct pollfd pf[2] = { { .fd = fd, .events = POLLIN }, { .fd = strategy_interrupt_fd, .events = POLLIN } };
		if (strategy_interrupted)
			return -EINTR;
		double left = deadline < 0 ? -1 : deadline - measure_now();
		if (deadline >= 0 && left <= 0)
			return -ETIMEDOUT;
		int r = poll(pf, strategy_interrupt_fd >= 0 ? 2 : 1, left < 0 ? -1 : (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!(pf[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t got = read(fd, p, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got == 0 ? -EPIPE : -errno;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/* Why the reference child failed, in words. */
static void describe_reference_failure(const struct reference_report *rep, int read_rc, int status, char *err,
				       size_t errlen)
{
	if (read_rc == 0 && rep->rc == -ENOMEM) {
		snprintf(err, errlen,
			 "the serial reference ran out of memory while %s: Cannot allocate memory (see "
			 "ulimit -v and the memory limit of the cgroup)", rep->what);
	} else if (read_rc == 0 && rep->rc) {
		snprintf(err, errlen, "the serial reference failed while %s: %s", rep->what, strerror(-rep->rc));
	} else if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		snprintf(err, errlen, "the serial reference was killed by signal %d (%s)%s", sig, strsignal(sig),
			 sig == SIGKILL ? ", perhaps by the kernel when memory ran out" : "");
	} else if (WIFEXITED(status)) {
		snprintf(err, errlen, "the serial reference failed (it exited with status %d before it could say why)",
			 WEXITSTATUS(status));
	} else {
		snprintf(err, errlen, "the serial reference failed (wait status %#x)", status);
	}
}

/* How the reference child ended. */
struct reference_end {
	int ticks;                       /* the ticks read: the build, then each job */
	double limit;                    /* the limit the last step was held to */
	int status;                      /* its wait status */
};

/* Reads what the child pid tells on fd, holding the build to the setup
 * limit and each job to the job limit where the caller set them, as a
 * strategy's would be: its report into rep and its answers into r.  It is
 * killed when the read fails (interrupted, or it broke off), and always
 * reaped.  0, or the read's error. */
static int reference_wait(const struct strategy_params *p, pid_t pid, int fd, struct reference_report *rep,
			  struct strategy_job_result *r, struct reference_end *end)
{
	int rc;
	end->ticks = 0;
	end->limit = p->setup_timeout_s;
	for (;;) {
		char kind = 0;
		rc = read_all_interruptible(fd, &kind, 1, end->limit > 0 ? measure_now() + end->limit : -1);
		if (rc || kind != 'T')
			break;
		end->ticks++;
		end->limit = p->job_timeout_s;
	}
	if (!rc)
		rc = read_all_interruptible(fd, rep, sizeof *rep, -1);
	if (!rc && !rep->rc)
		rc = read_all_interruptible(fd, r, sizeof *r * (size_t)p->jobs, -1);
	/* Interrupted, or it broke off: it must not run on unseen. */
	if (rc)
		kill(pid, SIGKILL);
	end->status = 0;
	while (waitpid(pid, &end->status, 0) < 0 && errno == EINTR)
		if (strategy_interrupted)
			kill(pid, SIGKILL);
	return rc;
}

/* Whether the reference answered, from the read's error, the child's
 * report and how it ended: 0, or the error to return, with why in err. */
static int reference_verdict(const struct runner_options *o, int rc, const struct reference_report *rep,
			     const struct reference_end *end, char *err, size_t errlen)
{
	if (strategy_interrupted)
		return -EINTR;
	if (rc == -ETIMEDOUT) {
		if (end->ticks == 0)
			snprintf(err, errlen, "the serial reference did not build the inputs within %g s (the setup "
				 "time limit) and was killed", end->limit);
		else
			snprintf(err, errlen, "the serial reference did not finish job %d within %g s (the job time "
				 "limit) and was killed", end->ticks - 1, end->limit);
		return rc;
	}
	if (rc || rep->rc || !WIFEXITED(end->status) || WEXITSTATUS(end->status) != 0) {
		char why[400];
		describe_reference_failure(rep, rc, end->status, why, sizeof why);
		/* Where it died, when it died without its report. */
		if (WIFSIGNALED(end->status) || rc == -EPIPE) {
			size_t n = strlen(why);
			snprintf(why + n, sizeof why - n, end->ticks == 0 ? " while building the inputs" : " in job %d",
				 end->ticks - 1);
		}
		/* A plug-in's fault is named as the plug-in's. */
		if (workloads_is_path(o->p.workload))
			snprintf(err, errlen, "workload %s (%s): %s", o->wl ? o->wl->name : "?", o->p.workload, why);
		else
			snprintf(err, errlen, "%s", why);
		return rc == 0 && rep->rc ? rep->rc : rc ? rc : -ECHILD;
	}
	return 0;
}

int runner_reference_compute(const struct runner_options *o, struct runner_reference *out, char *err,
			     size_t errlen)
{
	const struct strategy_params *p = &o->p;
	int fds[2] = { -1, -1 }, rc = 0;
	struct reference_report rep = { 0 };
	pid_t pid = 0, runner = getpid();
	memset(out, 0, sizeof *out);
	if (errlen)
		err[0] = '\0';
	out->jobs = p->jobs;
	out->r = calloc((size_t)p->jobs + 1, sizeof *out->r);
	if (!out->r)
		return -ENOMEM;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		rc = -errno;
		goto out;
	}
	double t0 = measure_now();
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		pid = 0;
		snprintf(err, errlen, "cannot start the serial reference: %s", strerror(-rc));
		goto out;
	}
	if (pid == 0) {
		close(fds[0]);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		/* It dies with the runner, however the runner ends. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != runner)
			_exit(1);
		_exit(reference_child(o, fds[1]) ? 1 : 0);
	}
	close(fds[1]);
	fds[1] = -1;
	struct reference_end end;
	rc = reference_wait(p, pid, fds[0], &rep, out->r, &end);
	pid = 0;
	out->seconds = measure_now() - t0;
	out->build_s = rep.build_s;
	out->state_bytes = rep.hwm_bytes > rep.input_bytes ? rep.hwm_bytes - rep.input_bytes : 0;
	rc = reference_verdict(o, rc, &rep, &end, err, errlen);
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (rc) {
		free(out->r);
		out->r = NULL;
	}
	return rc;
}

void runner_reference_release(struct runner_reference *ref)
{
	free(ref->r);
	ref->r = NULL;
}

/* ------------------------------------------------------------------ */
/* The competing load                                                  */
/* ------------------------------------------------------------------ */

/*
 * Processes that spin on a CPU each while a run is measured, at the
 * runner's own priority.  Each is the worker program in its spin mode: a
 * fresh program rather than a fork, so it shares none of the runner's
 * pages (copy-on-write sharing would divide the runner's PSS among them).
 * The sampler leaves them out of the tree.  The run's first CPU reading
 * comes after they start and its final one before they are reaped:
 * RUSAGE_CHILDREN counts a child once it is reaped, so neither their time
 * nor the cost of starting them lands in user_s or sys_s.  The runner kills
 * and reaps them on every way out of a run, a signal included; should it
 * die instead, their parent-death signal ends them.
 */
extern char **environ;

struct load {
	pid_t *pids;
	int n;
};

static void load_stop(struct load *l)
{
	for (int i = 0; i < l->n; i++)
		kill(l->pids[i], SIGKILL);
	for (int i = 0; i < l->n; i++)
		while (waitpid(l->pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	free(l->pids);
	l->pids = NULL;
	l->n = 0;
}

static int load_start(const struct runner_options *o, struct load *l)
{
	char parent[32];
	const char *argv[] = { "spreadbench-worker", "--spin", "--parent", parent, NULL };
	posix_spawnattr_t attr;
	sigset_t def, none;
	int rc = 0;

	*l = (struct load){ 0 };
	if (o->load <= 0)
		return 0;
	if (!o->p.worker_path)
		return -ENOENT;
	l->pids = calloc((size_t)o->load, sizeof *l->pids);
	if (!l->pids)
		return -ENOMEM;
	snprintf(parent, sizeof parent, "%d", (int)getpid());
	sigemptyset(&def);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGCHLD);
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	for (int i = 0; i < o->load && !rc; i++) {
		rc = -posix_spawn(&l->pids[l->n], o->p.worker_path, NULL, &attr, (char *const *)argv, environ);
		if (!rc)
			l->n++;
	}
	posix_spawnattr_destroy(&attr);
	if (rc)
		load_stop(l);
	return rc;
}

/* ------------------------------------------------------------------ */
/* One measured run                                                    */
/* ------------------------------------------------------------------ */

void runner_append_error(struct runner_row *row, const char *msg)
{
	size_t len = strlen(row->error);
	if (len == 0)
		snprintf(row->error, sizeof row->error, "%s", msg);
	else if (len + 3 < sizeof row->error)
		snprintf(row->error + len, sizeof row->error - len, "; %s", msg);
}

void runner_row_noise(struct runner_row *row, const struct noise_figures *nf)
{
	row->steal_fraction = nf->steal_fraction;
	row->involuntary_switches = nf->involuntary_switches;
	row->runnable_before = nf->runnable_before;
	row->cpu_mhz = nf->cpu_mhz;
}

/* Summaries of the jobs: validity, throughput, and how busy workers were. */
static void summarise(const struct strategy_run *run, const struct runner_reference *ref,
		      struct runner_row *row)
{
	double busy = 0, last_end[run->p.workers + 1];
	int first_failed = -1, timeouts = 0;
	for (int w = 0; w <= run->p.workers; w++)
		last_end[w] = -1;
	for (int i = 0; i < run->p.jobs; i++) {
		const struct strategy_job_result *r = &run->results[i];
		if (r->status == STRATEGY_JOB_OK) {
			row->jobs_ok++;
			row->work_units += r->summary.figure[0];
			for (int k = 0; k < WORKLOAD_FIGURES; k++)
				row->figure_sum[k] += r->summary.figure[k];
			if (!jobs_same_answer(&r->summary, &ref->r[i].summary)) {
				row->jobs_invalid++;
				if (row->jobs_invalid == 1) {
					char msg[200];
					snprintf(msg, sizeof msg,
						 "job %d differs from serial: %s %.9g, checksum %016" PRIx64
						 " (serial %.9g, %016" PRIx64 ")",
						 i, run->wl->figures[0].name, r->summary.figure[0], r->summary.checksum,
						 ref->r[i].summary.figure[0], ref->r[i].summary.checksum);
					runner_append_error(row, msg);
				}
			}
		} else {
			row->jobs_failed++;
			timeouts += r->status == STRATEGY_JOB_TIMEOUT;
			if (first_failed < 0)
				first_failed = i;
		}
		if (r->status != STRATEGY_JOB_PENDING) {
			busy += r->end_s - r->begin_s;
			if (r->status == STRATEGY_JOB_OK)
				row->job_seconds += r->end_s - r->begin_s;
			int w = r->worker >= 0 && r->worker < run->p.workers ? r->worker : run->p.workers;
			if (r->end_s > last_end[w])
				last_end[w] = r->end_s;
		}
	}
	if (first_failed >= 0) {
		char msg[400];
		const char *e = run->results[first_failed].error;
		snprintf(msg, sizeof msg, "%d of %d jobs failed, first: %s", row->jobs_failed, run->p.jobs,
			 e[0] ? e : "not run");
		runner_append_error(row, msg);
	}
	row->status = row->jobs_failed == 0 ? "ok" : timeouts == row->jobs_failed ? "timeout" : "failed";
	row->valid = row->jobs_ok == run->p.jobs && row->jobs_invalid == 0;
	double first_idle = row->compute_s;
	for (int w = 0; w < run->p.workers; w++)
		if (last_end[w] >= 0 && last_end[w] < first_idle)
			first_idle = last_end[w];
	row->tail_idle_s = row->compute_s > 0 ? row->compute_s - first_idle : 0;
	row->busy_fraction = row->compute_s > 0 ? busy / (run->p.workers * row->compute_s) : 0;
}

/* ------------------------------------------------------------------ */
/* The watchdog of a whole run                                         */
/* ------------------------------------------------------------------ */

/*
 * Threads cannot be killed one by one, so a run of a strategy whose jobs
 * run on the runner's own threads has one limit, on the whole run.  A
 * thread waits for it; whichever comes first, the run's end (disarm) or
 * the limit (fire), wins the state, so a row is written once.  When the
 * limit wins, the run's own thread is stuck inside the strategy and can
 * never return, so the watchdog writes the row through on_overrun and
 * ends the process: the one place outside main that does, because nothing
 * else could end it.
 */
enum { WATCH_ARMED, WATCH_DISARMED, WATCH_FIRED };

struct watchdog {
	const struct runner_options *o;
	int rep;
	double t0, deadline;
	pthread_t th;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	atomic_int state;
};

static void *watchdog_main(void *arg)
{
	struct watchdog *w = arg;
	pthread_mutex_lock(&w->lock);
	while (!w->done) {
		double left = w->deadline - measure_now();
		if (left <= 0)
			break;
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		double at = ts.tv_sec + ts.tv_nsec * 1e-9 + left;
		ts.tv_sec = (time_t)at;
		ts.tv_nsec = (long)((at - (double)ts.tv_sec) * 1e9);
		pthread_cond_timedwait(&w->cond, &w->lock, &ts);
	}
	bool done = w->done;
	pthread_mutex_unlock(&w->lock);
	int armed = WATCH_ARMED;
	if (done || !atomic_compare_exchange_strong(&w->state, &armed, WATCH_FIRED))
		return NULL;

	const struct runner_options *o = w->o;
	struct runner_row row = {
		.strategy = o->strategy->name, .p = o->p, .wl = o->wl, .rep = w->rep, .status = "timeout",
		.parent_rss_bytes = o->parent_rss_bytes, .load = o->load, .cgroup_peak_bytes = -1,
		.run_timeout_s = o->run_timeout_s, .jobs_failed = o->p.jobs,
	};
	row.wall_s = measure_now() - w->t0;
	row.input_bytes = o->wl->input_bytes(o->ws);
	snprintf(row.error, sizeof row.error,
		 "the run passed its time limit of %g s; the threads of '%s' cannot be stopped, so the "
		 "process was ended", o->run_timeout_s, o->strategy->name);
	if (o->on_overrun) {
		o->on_overrun(&row, o->overrun_arg);
	} else {
		dprintf(STDERR_FILENO, "spreadbench: %s\n", row.error);
	}
	_exit(RUNNER_EXIT_OVERRUN);
}

static int watchdog_start(struct watchdog *w, const struct runner_options *o, int rep)
{
	*w = (struct watchdog){ .o = o, .rep = rep, .t0 = measure_now() };
	atomic_init(&w->state, WATCH_ARMED);
	if (!(o->run_timeout_s > 0))
		return 0;
	w->deadline = w->t0 + o->run_timeout_s;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&w->lock, NULL);
	/* Signals belong to the run's own thread. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = -pthread_create(&w->th, NULL, watchdog_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
		return rc;
	}
	w->started = true;
	return 0;
}

/* Called when the run is over; if the watchdog fired first, it is writing
 * the row and ending the process, and this thread waits for that. */
static void watchdog_stop(struct watchdog *w)
{
	if (!w->started)
		return;
	int armed = WATCH_ARMED;
	if (!atomic_compare_exchange_strong(&w->state, &armed, WATCH_DISARMED))
		for (;;)
			pause();
	pthread_mutex_lock(&w->lock);
	w->done = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->th, NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	w->started = false;
}

/* ------------------------------------------------------------------ */
/* Limits and memory, before a point starts                            */
/* ------------------------------------------------------------------ */

double runner_setup_timeout_default(const struct runner_reference *ref, const struct strategy_params *p)
{
	int cpus = jobs_usable_cpus(), procs = p->workers > 1 ? p->workers : 1;
	double crowd = procs > cpus ? (double)procs / cpus : 1.0;
	return 120.0 + 10.0 * ref->build_s * crowd;
}

void runner_bound_waits(struct runner_options *o, const struct runner_reference *ref)
{
	struct strategy_params *p = &o->p;
	if (o->strategy->flags & STRATEGY_STOPS_JOBS) {
		if (!(p->job_timeout_s > 0))
			p->job_timeout_s = ref ? 60.0 + 10.0 * ref->seconds : 600.0;
		if (!(p->setup_timeout_s > 0) && ref)
			p->setup_timeout_s = runner_setup_timeout_default(ref, p);
	} else if (!(o->run_timeout_s > 0)) {
		o->run_timeout_s = ref ? 120.0 + 20.0 * ref->seconds : 3600.0;
	}
}

static void fmt_bytes(uint64_t b, char *buf, size_t len)
{
	if (b >= (UINT64_C(1) << 30))
		snprintf(buf, len, "%.1f GiB", b / 1073741824.0);
	else if (b >= (UINT64_C(1) << 20))
		snprintf(buf, len, "%.0f MiB", b / 1048576.0);
	else
		snprintf(buf, len, "%.0f KiB", b / 1024.0);
}

int runner_memory_check(const struct runner_options *o, const struct runner_reference *ref, uint64_t budget_bytes,
			struct runner_memory *m)
{
	struct strategy_footprint fp;
	char source[PATH_MAX + 64] = "the budget given";
	memset(m, 0, sizeof *m);
	if (o->p.hostfile) {
		snprintf(m->why, sizeof m->why, "not checked: the ranks run on the machines of the hostfile");
		return -ENOTSUP;
	}
	int rc;
	strategy_footprint(o->strategy, &o->p, &fp);
	uint64_t input = o->wl->input_bytes(o->ws), state = ref ? ref->state_bytes : 0;
	m->need_bytes = (uint64_t)fp.input_copies * input + (uint64_t)fp.states * state + o->parent_rss_bytes;
	m->avail_bytes = budget_bytes;
	if (!budget_bytes) {
		uint64_t avail, total;
		rc = measure_memory_available(&avail, &total, source, sizeof source);
		if (rc) {
			snprintf(m->why, sizeof m->why, "cannot tell what memory the machine can give: %s",
				 strerror(-rc));
			return rc;
		}
		/* A tenth stays in reserve for the system and everything else
		 * that runs meanwhile: a point that needs all of the rest would
		 * be killed, or page, as soon as anything else grew. */
		uint64_t reserve = total / 10;
		m->avail_bytes = avail > reserve ? avail - reserve : 0;
		size_t n = strlen(source);
		snprintf(source + n, sizeof source - n, " less a tenth in reserve");
	}
	char need[32], avail[32], in[32], fb[32], states[80], ballast[80] = "";
	fmt_bytes(m->need_bytes, need, sizeof need);
	fmt_bytes(m->avail_bytes, avail, sizeof avail);
	fmt_bytes(input, in, sizeof in);
	fmt_bytes(state, fb, sizeof fb);
	if (ref)
		snprintf(states, sizeof states, "%d job state%s of %s", fp.states, fp.states == 1 ? "" : "s", fb);
	else
		snprintf(states, sizeof states, "%d job state%s not yet measured", fp.states, fp.states == 1 ? "" : "s");
	if (o->parent_rss_bytes) {
		char b[32];
		fmt_bytes(o->parent_rss_bytes, b, sizeof b);
		snprintf(ballast, sizeof ballast, ", a %s ballast in the runner", b);
	}
	snprintf(m->why, sizeof m->why,
		 "'%s' with %d worker%s needs %s%s at its peak (%d cop%s of the %s inputs, %s%s); %s is %s",
		 o->strategy->name, o->p.workers, o->p.workers == 1 ? "" : "s", ref ? "about " : "at least ", need,
		 fp.input_copies, fp.input_copies == 1 ? "y" : "ies", in, states, ballast, source, avail);
	return m->need_bytes > m->avail_bytes ? -ENOMEM : 0;
}

/* ------------------------------------------------------------------ */
/* One measured run                                                    */
/* ------------------------------------------------------------------ */

/* A row with what is known before the run: the point and its conditions. */
static void row_begin(const struct runner_options *o, int rep, struct runner_row *row)
{
	memset(row, 0, sizeof *row);
	row->strategy = o->strategy->name;
	row->p = o->p;
	row->wl = o->wl;
	row->rep = rep;
	row->parent_rss_bytes = o->parent_rss_bytes;
	row->load = o->load;
	row->cgroup_peak_bytes = -1;
	row->run_timeout_s = o->run_timeout_s;
}

/* The batch's jobs, and their results with no worker yet. */
static int draw_jobs(const struct runner_options *o, struct strategy_run *run)
{
	run->jobs = calloc((size_t)o->p.jobs + 1, sizeof *run->jobs);
	run->results = calloc((size_t)o->p.jobs + 1, sizeof *run->results);
	if (!run->jobs || !run->results)
		return -ENOMEM;
	int rc = jobs_batch(o->wl, o->ws, &o->p, run->jobs);
	if (rc)
		return rc;
	for (int i = 0; i < o->p.jobs; i++)
		run->results[i].worker = -1;
	return 0;
}

/* What one run measured, on its way into the row. */
struct measured {
	double t0, t1, t1c, t2, t2c, t3; /* the phases' bounds; t1c and t2c end the untimed marks */
	int setup_rc, exec_rc;
	struct measure_peak peak, setup_peak;
	double u0, s0, u1, s1;           /* the runner's CPU times, user and system, before and after */
	struct noise_figures nf;
};

/* Setup, execute and teardown, each timed. */
static void run_phases(const struct runner_options *o, struct strategy_run *run, struct measure_sampler *sampler,
		       struct measured *m)
{
	m->t0 = measure_now();
	m->setup_rc = o->strategy->setup(run);
	m->t1 = measure_now();
	/* Between the phases, untimed: the walk is the measurement's cost. */
	measure_sampler_mark(sampler, &m->setup_peak);
	m->t1c = measure_now();
	m->exec_rc = m->setup_rc ? m->setup_rc : o->strategy->execute(run);
	m->t2 = measure_now();
	/* Untimed again: the exact PSS at the end of the batch, where a
	 * pool's memory is usually at its peak, whatever the sampler's
	 * estimate made of the ticks before. */
	measure_sampler_mark(sampler, NULL);
	m->t2c = measure_now();
	o->strategy->teardown(run);
	m->t3 = measure_now();
}

/* The row's figures from what was measured and what the strategy
 * reported, then its verdict on the jobs and the rates. */
static void row_finish(const struct strategy_run *run, const struct runner_reference *ref, const struct measured *m,
		       struct runner_row *row)
{
	runner_row_noise(row, &m->nf);
	row->setup_s = m->t1 - m->t0;
	row->compute_s = m->setup_rc ? 0 : m->t2 - m->t1c;
	row->teardown_s = m->t3 - m->t2c;
	row->wall_s = row->setup_s + row->compute_s + row->teardown_s;
	row->user_s = m->u1 - m->u0;
	row->sys_s = m->s1 - m->s0;
	row->peak_pss_bytes = m->peak.pss_bytes;
	row->setup_peak_pss_bytes = m->setup_peak.pss_bytes;
	row->peak_rss_sum_bytes = m->peak.rss_sum_bytes;
	row->max_procs = m->peak.max_procs;
	row->sample_interval_s = m->peak.interval_s;
	row->sampler_cpu_fraction = m->peak.cpu_fraction;
	row->max_worker_hwm_bytes = run->max_worker_hwm_bytes;
	row->start_latency_s = run->start_latency_s;
	row->worker_setup_s = run->setup_latency_s;
	row->workers_started = run->workers_started;
	row->workers_replaced = run->workers_replaced;
	row->shm_page_bytes = run->page_bytes;
	uint64_t cg;
	if (measure_cgroup_peak(&cg) == 0)
		row->cgroup_peak_bytes = (int64_t)cg;
	int phase_rc = m->setup_rc ? m->setup_rc : m->exec_rc;
	if (phase_rc || run->failed)
		runner_append_error(row, run->error[0] ? run->error : strerror(-phase_rc));
	summarise(run, ref, row);
	/* A run that had to stop, or whose launcher failed, is not ok even
	 * when every job that ran answered. */
	if (phase_rc || run->failed) {
		row->status = phase_rc == -ETIMEDOUT ? "timeout" : "failed";
		row->valid = false;
	}
	snprintf(row->notes, sizeof row->notes, "%s", run->notes);
	if (row->wall_s > 0) {
		row->jobs_per_s = row->jobs_ok / row->wall_s;
		row->work_units_per_s = row->work_units / row->wall_s;
	}
	if (row->jobs_ok > 0)
		row->mean_job_s = row->job_seconds / row->jobs_ok;
}

int runner_measure(const struct runner_options *o, const struct runner_reference *ref, int rep,
		   struct runner_row *row)
{
	struct strategy_run run = { .strategy = o->strategy, .p = o->p, .wl = o->wl, .ws = o->ws };
	struct measure_sampler *sampler = NULL;
	struct measured m = { 0 };
	struct load load = { 0 };
	struct watchdog watch = { 0 };
	int rc;

	row_begin(o, rep, row);
	rc = draw_jobs(o, &run);
	if (rc)
		goto out;
	row->input_bytes = o->wl->input_bytes(o->ws);

	measure_reset_hwm();
	/* Before the load starts: other work, not the experiment's own. */
	struct noise_mark noise;
	noise_begin(&noise);
	rc = load_start(o, &load);
	if (rc)
		goto out;
	measure_cpu_times(&m.u0, &m.s0); /* after the load's start: see above */
	rc = measure_sampler_start_excluding(o->sample_interval_s, load.pids, load.n, &sampler);
	if (rc)
		goto out;
	rc = watchdog_start(&watch, o, rep);
	if (rc)
		goto out;
	run_phases(o, &run, sampler, &m);
	watchdog_stop(&watch);
	measure_sampler_stop(sampler, &m.peak);
	sampler = NULL;
	measure_cpu_times(&m.u1, &m.s1);
	noise_end(&noise, &m.nf);
	load_stop(&load);                /* after the CPU reading: see above */

	if (strategy_interrupted) {
		rc = -EINTR;
		goto out;
	}
	row_finish(&run, ref, &m, row);
	rc = 0;
out:
	watchdog_stop(&watch);
	if (sampler)
		measure_sampler_stop(sampler, &m.peak);
	load_stop(&load);
	free(run.jobs);
	free(run.results);
	return rc;
}
