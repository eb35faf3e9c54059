/*
 * worker.c - the loop a worker process runs: say hello, put the inputs in
 * place (build a copy, map the shared memfd, or use what fork inherited),
 * then run the jobs the runner sends and answer each with its summary and
 * the worker's own peak RSS.  The worker dies with its runner: a
 * parent-death signal, and end-of-file on its socket, both end it, so no
 * worker outlives the process that measures it.  SIGINT is ignored: on
 * Ctrl-C the runner decides when workers stop and reaps them.  A worker
 * asked for a nice value sets it before anything else, so that building
 * its inputs runs at that priority too.
 */
#include "worker.h"
#include "jobs.h"
#include "proto.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

double worker_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

uint64_t worker_self_hwm(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	const char *p = strstr(buf, "VmHWM:");
	return p ? strtoull(p + 6, NULL, 10) * 1024 : 0;
}

static int send_msg(int fd, const struct proto_msg *m)
{
	ssize_t n;
	do
		n = send(fd, m, sizeof *m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof *m ? 0 : -EPIPE;
}

static void send_fatal(int fd, const char *what, int rc)
{
	struct proto_msg m = { .type = PROTO_FATAL, .pid = getpid() };
	snprintf(m.error, sizeof m.error, "%s: %s", what, strerror(-rc));
	send_msg(fd, &m);
}

void worker_commit_fault(enum strategy_fault f)
{
	switch (f) {
	case STRATEGY_FAULT_SEGV:
		/* Die by the signal itself, as a crash would without a sanitizer
		 * (which turns SIGSEGV into exit status 1). */
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
		break;
	case STRATEGY_FAULT_ABORT:
		abort();
	case STRATEGY_FAULT_EXIT:
		_exit(3);
	case STRATEGY_FAULT_HANG:
		for (;;)
			pause();
	case STRATEGY_FAULT_STOP:
		raise(SIGSTOP);
		break;
	case STRATEGY_FAULT_NONE:
		break;
	}
}

struct worker_state {
	const struct worker_config *cfg;
	struct inputs in;
	const struct workload_view *view;
	struct workload_state *st;
};

static int attach_inputs(struct worker_state *w)
{
	const struct worker_config *c = w->cfg;
	switch (c->inputs) {
	case WORKER_INPUTS_BUILD:
		/* Each worker builds its copy alone: its CPU is its own. */
		return inputs_build_private(&w->in, c->wl, c->ws, 1);
	case WORKER_INPUTS_SHM:
		return inputs_map_fd(&w->in, c->shm_fd, c->wl, c->ws);
	case WORKER_INPUTS_INHERITED:
		return 0;
	}
	return -EINVAL;
}

static bool per_job(const struct worker_config *c)
{
	return c->p.attach == STRATEGY_ATTACH_JOB && c->inputs == WORKER_INPUTS_SHM;
}

static int run_job(struct worker_state *w, int job, struct proto_msg *m)
{
	const struct worker_config *c = w->cfg;
	struct workload_job wj;
	int rc = jobs_batch_one(c->wl, c->ws, &c->p, job, &wj);
	if (rc)
		return rc;
	if (job == c->p.fault_job)
		worker_commit_fault(c->p.fault);
	/* Per-job attachment maps the block, and gives the job state a new
	 * view of it, only while a job runs. */
	if (per_job(c)) {
		if ((rc = inputs_remap(&w->in)))
			return rc;
		if ((rc = c->wl->job_new(w->in.view, &w->st)))
			return rc;
	}
	double t0 = worker_clock();
	rc = c->wl->run_job(w->st, &wj, &m->summary);
	m->runtime_s = worker_clock() - t0;
	if (per_job(c)) {
		c->wl->job_free(w->st);
		w->st = NULL;
		inputs_unmap(&w->in);
	}
	return rc;
}

/* The job state, split across threads when asked. */
static int new_state(struct worker_state *w)
{
	const struct worker_config *c = w->cfg;
	int rc = c->wl->job_new(w->view, &w->st);
	if (!rc && (c->p.job_threads > 1 || c->p.job_threads < 0))
		rc = c->wl->set_threads ? c->wl->set_threads(w->st, jobs_threads(&c->p))
					: -ENOTSUP;
	return rc;
}

int worker_run(const struct worker_config *cfg)
{
	struct worker_state w = { .cfg = cfg };
	struct proto_msg m = { .type = PROTO_HELLO, .pid = getpid(), .t = cfg->t_start };
	int status = 1, rc;

	inputs_init(&w.in);
	signal(SIGINT, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != cfg->parent)
		return 1;                /* the runner died before we could ask */
	/* Raising a priority back needs privilege: under a runner niced above
	 * this value the worker cannot reach it, and its start fails saying
	 * why rather than measure at a priority nobody asked for. */
	if (cfg->p.nice && setpriority(PRIO_PROCESS, 0, cfg->p.nice) < 0) {
		char what[32];
		rc = -errno;
		snprintf(what, sizeof what, "cannot set nice %d", cfg->p.nice);
		send_fatal(cfg->fd, what, rc);
		return 1;
	}
	if (send_msg(cfg->fd, &m))
		return 1;
	if (cfg->drop_addr)
		munmap(cfg->drop_addr, cfg->drop_bytes);

	double t0 = worker_clock();
	if (cfg->p.fault_job == STRATEGY_FAULT_AT_SETUP)
		worker_commit_fault(cfg->p.fault);
	rc = attach_inputs(&w);
	if (rc) {
		send_fatal(cfg->fd, "cannot put the inputs in place", rc);
		goto out;
	}
	w.view = cfg->inputs == WORKER_INPUTS_INHERITED ? cfg->inherited->view : w.in.view;
	if (per_job(cfg))
		inputs_unmap(&w.in);
	else if ((rc = new_state(&w))) {
		send_fatal(cfg->fd, "cannot set up a job's state", rc);
		goto out;
	}
	m = (struct proto_msg){ .type = PROTO_READY, .pid = getpid(), .t = worker_clock() - t0 };
	if (send_msg(cfg->fd, &m))
		goto out;

	for (;;) {
		struct proto_msg in;
		ssize_t n = recv(cfg->fd, &in, sizeof in, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof in || in.type == PROTO_QUIT)
			break;           /* end-of-file: the runner is gone */
		if (in.type != PROTO_RUN || in.n < 0 || in.n > PROTO_CHUNK)
			break;
		for (int i = 0; i < in.n; i++) {
			struct proto_msg r = { .type = PROTO_RESULT, .pid = getpid(), .job = in.jobs[i] };
			rc = run_job(&w, in.jobs[i], &r);
			if (rc)
				snprintf(r.error, sizeof r.error, "job %d: %s", in.jobs[i], strerror(-rc));
			r.hwm_bytes = worker_self_hwm();
			if (send_msg(cfg->fd, &r))
				goto out;
		}
		if (cfg->one_shot)
			break;
	}
	status = 0;
out:
	if (w.st)
		cfg->wl->job_free(w.st);
	inputs_release(&w.in, false);
	return status;
}
