/*
 * pool.c - a pool of worker processes driven from one poll loop.
 *
 * Each worker has a slot: its pid, its end of a SOCK_SEQPACKET socketpair,
 * its state, the chunk of jobs it holds and, for the static schedules
 * (block, snake), its own queue of jobs; dynamic hands chunks out of one
 * shared queue.  A worker holds one chunk at a time and gets the next when
 * it has answered every job of the last, so chunksize sets the load-balance
 * granularity exactly as it does for a pool's map.
 *
 * Death is noticed by end-of-file on the worker's socket, which the kernel
 * delivers the moment the process is gone; the slot is reaped, the job it
 * was running is reported failed with the cause (signal or exit status),
 * the rest of its chunk goes back to the queue it came from, and a fresh
 * worker takes the slot.  A job past --job-timeout gets its worker killed
 * and is reported as a timeout.  A worker that has not put its inputs in
 * place --setup-timeout after it started (stopped, stuck, swapping) is
 * killed: during setup that fails the run as a timeout, later (a
 * replacement, or fork-per-job's process for the next job) the job it
 * would have run next is reported as a timeout, so every such wait ends
 * and uses up a job.  A worker that dies twice before it is ready
 * disables its slot; its jobs go to the others (dynamic) or fail.  Every
 * worker started in place of one that died is counted and named, with
 * its cause, in the run's notes, even when every job still succeeds.
 * SIGINT/SIGTERM end the loop: every worker is killed and reaped.
 *
 * Deliberately left out: retrying a failed job (a crash is a result to
 * report, not to hide) and any communication between workers.
 */
#include "pool.h"
#include "jobs.h"
#include "proto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum slot_state { SLOT_EMPTY, SLOT_STARTING, SLOT_IDLE, SLOT_BUSY, SLOT_DISABLED };

struct queue {
	int *v;
	int head, tail;
};

struct slot {
	enum slot_state state;
	pid_t pid;
	int fd;
	double t_spawn;
	int *chunk;
	int chunk_n, chunk_done;
	double job_begin;
	bool timed_out;
	bool setup_late;                 /* killed for missing its setup deadline */
	int start_failures;
	char why[112];                   /* a FATAL message from the worker */
	struct queue own;                /* static schedules */
};

struct pool {
	struct strategy_run *run;
	struct pool_config cfg;
	int nslots;
	struct slot *slots;
	struct queue global;             /* dynamic schedule */
	int chunksize;
	int remaining;
	double t0;
	double latency_sum, ready_sum;
	int latency_n, ready_n;
	pid_t runner;
	bool late;                       /* a worker missed its setup deadline during setup */
	int claimed;                     /* one-shot processes starting, a job waiting for each */
};

static double now(void)
{
	return worker_clock();
}

static int queue_len(const struct queue *q)
{
	return q->tail - q->head;
}

/* Jobs come back to the front of the queue they were taken from; they left
 * room there when they were taken, so head never goes below zero. */
static void queue_push_front(struct queue *q, const int *jobs, int n)
{
	for (int i = n - 1; i >= 0; i--)
		q->v[--q->head] = jobs[i];
}

static struct queue *slot_queue(struct pool *p, struct slot *s)
{
	bool shared = p->run->p.schedule == STRATEGY_SCHEDULE_DYNAMIC || p->cfg.one_shot;
	return shared ? &p->global : &s->own;
}

static int send_msg(int fd, const struct proto_msg *m)
{
	ssize_t n;
	do
		n = send(fd, m, sizeof *m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof *m ? 0 : -EPIPE;
}

static void describe_status(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else
		snprintf(buf, len, "ended with wait status %#x", status);
}

/* ------------------------------------------------------------------ */
/* Starting a worker                                                   */
/* ------------------------------------------------------------------ */

static void close_parent_fds(struct pool *p, int keep)
{
	for (int i = 0; i < p->nslots; i++)
		if (p->slots[i].fd >= 0 && p->slots[i].fd != keep)
			close(p->slots[i].fd);
	if (strategy_interrupt_fd >= 0)
		close(strategy_interrupt_fd);
}

/* The fault the next worker is told to commit: a fault at setup goes to
 * the first worker of the run alone, so that its replacement can start. */
static enum strategy_fault next_fault(const struct pool *p)
{
	const struct strategy_params *q = &p->run->p;
	if (q->fault_job == STRATEGY_FAULT_AT_SETUP && p->run->workers_started > 0)
		return STRATEGY_FAULT_NONE;
	return q->fault;
}

/* The parameters a new worker gets: the run's, with the fault it is due. */
static struct strategy_params worker_params(struct pool *p)
{
	struct strategy_params q = p->run->p;
	q.fault = next_fault(p);
	return q;
}

static void fill_config(struct pool *p, struct worker_config *c)
{
	*c = (struct worker_config){
		.parent = p->runner, .p = worker_params(p), .wl = p->run->wl, .ws = p->run->ws,
		.inputs = p->cfg.inputs, .shm_fd = -1, .one_shot = p->cfg.one_shot,
	};
}

static pid_t fork_worker(struct pool *p, int sock, int parent_end)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid < 0 ? -errno : pid;
	/* Child: drop the runner's descriptors so that only this worker holds
	 * its socket and the runner sees every other worker's end-of-file. */
	double t = now();
	struct worker_config c;
	close(parent_end);
	close_parent_fds(p, -1);
	signal(SIGTERM, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	fill_config(p, &c);
	c.fd = sock;
	c.t_start = t;
	if (p->cfg.inputs == WORKER_INPUTS_INHERITED) {
		c.inherited = p->cfg.held;
	} else if (p->cfg.inputs == WORKER_INPUTS_SHM) {
		if (p->run->p.attach == STRATEGY_ATTACH_WORKER) {
			c.inputs = WORKER_INPUTS_INHERITED;
			c.inherited = p->cfg.held;
		} else {
			/* Per-job attachment must not keep the inherited view. */
			c.shm_fd = p->cfg.held->fd;
			c.drop_addr = p->cfg.held->buf;
			c.drop_bytes = p->cfg.held->map_bytes;
		}
	}
	_exit(worker_run(&c));
}

static pid_t spawn_worker(struct pool *p, int sock)
{
	struct strategy_params q = worker_params(p);
	struct param_argv texts = { .n = 0 };
	char parent[32];
	const char *argv[2 * 40 + 16];
	int n = 0, rc = 0, tmp_sock = -1, tmp_shm = -1;
	pid_t pid = 0;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;

	snprintf(parent, sizeof parent, "%d", (int)p->runner);
	argv[n++] = "spreadbench-worker";
	argv[n++] = "--inputs";
	argv[n++] = p->cfg.inputs == WORKER_INPUTS_SHM ? "shm" : "build";
	argv[n++] = "--parent";
	argv[n++] = parent;
	if (p->cfg.one_shot)
		argv[n++] = "--one-shot";
	if ((rc = params_to_argv(&q, p->run->strategy->flags, PARAM_TO_WORKER, argv, &n, &texts)))
		return rc;
	argv[n] = NULL;

	/* Move the descriptors out of the way first, so that placing them at
	 * 3 and 4 cannot overwrite one with the other. */
	tmp_sock = fcntl(sock, F_DUPFD_CLOEXEC, 10);
	if (tmp_sock < 0)
		return -errno;
	if (p->cfg.inputs == WORKER_INPUTS_SHM) {
		tmp_shm = fcntl(p->cfg.held->fd, F_DUPFD_CLOEXEC, 10);
		if (tmp_shm < 0) {
			rc = -errno;
			close(tmp_sock);
			return rc;
		}
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_adddup2(&fa, tmp_sock, 3);
	if (tmp_shm >= 0)
		posix_spawn_file_actions_adddup2(&fa, tmp_shm, 4);
	sigset_t def, none;
	sigemptyset(&def);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGCHLD);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawn(&pid, q.worker_path, &fa, &attr, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(tmp_sock);
	if (tmp_shm >= 0)
		close(tmp_shm);
	return rc ? -rc : pid;
}

static int slot_start(struct pool *p, int i)
{
	struct slot *s = &p->slots[i];
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	s->t_spawn = now();
	pid_t pid = p->run->p.start == STRATEGY_START_FORK ? fork_worker(p, sv[1], sv[0])
							    : spawn_worker(p, sv[1]);
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return (int)pid;
	}
	s->pid = pid;
	s->fd = sv[0];
	s->state = SLOT_STARTING;
	p->claimed += p->cfg.one_shot;
	s->chunk_n = s->chunk_done = 0;
	s->timed_out = false;
	s->setup_late = false;
	s->why[0] = '\0';
	p->run->workers_started++;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Dealing jobs                                                        */
/* ------------------------------------------------------------------ */

static int dispatch(struct pool *p, struct slot *s)
{
	struct queue *q = slot_queue(p, s);
	int n = queue_len(q) < p->chunksize ? queue_len(q) : p->chunksize;
	if (n == 0)
		return 0;
	for (int i = 0; i < n; i++)
		s->chunk[i] = q->v[q->head++];
	s->chunk_n = n;
	s->chunk_done = 0;
	s->state = SLOT_BUSY;
	s->job_begin = now();
	p->run->results[s->chunk[0]].begin_s = s->job_begin - p->t0;
	for (int off = 0; off < n; off += PROTO_CHUNK) {
		struct proto_msg m = { .type = PROTO_RUN };
		m.n = n - off < PROTO_CHUNK ? n - off : PROTO_CHUNK;
		memcpy(m.jobs, s->chunk + off, sizeof(int) * (size_t)m.n);
		if (send_msg(s->fd, &m))
			return -EPIPE;   /* it died; end-of-file will tell how */
	}
	return 0;
}

static void fail_job(struct pool *p, int job, enum strategy_job_status st, int slot, const char *fmt,
		     const char *arg)
{
	struct strategy_job_result *r = &p->run->results[job];
	r->status = st;
	r->worker = slot;
	r->end_s = now() - p->t0;
	snprintf(r->error, sizeof r->error, fmt, job, slot, arg);
	p->remaining--;
}

/* Whether the slot has a job to start a worker for.  Each one-shot
 * process still starting has a job of the shared queue waiting for it,
 * so no process is started for a job another will take. */
static bool slot_has_work(struct pool *p, struct slot *s)
{
	int n = queue_len(slot_queue(p, s));
	if (p->cfg.one_shot && s->state != SLOT_STARTING)
		n -= p->claimed;
	return n > 0;
}

static void on_result(struct pool *p, int i, const struct proto_msg *m)
{
	struct slot *s = &p->slots[i];
	struct strategy_run *run = p->run;
	if (s->state != SLOT_BUSY || s->chunk_done >= s->chunk_n || m->job != s->chunk[s->chunk_done])
		return;                  /* not what we asked for: ignore */
	struct strategy_job_result *r = &run->results[m->job];
	double t = now();
	r->worker = i;
	r->end_s = t - p->t0;
	if (m->error[0]) {
		r->status = STRATEGY_JOB_FAILED;
		snprintf(r->error, sizeof r->error, "%s", m->error);
	} else {
		r->status = STRATEGY_JOB_OK;
		r->summary = m->summary;
	}
	if (m->hwm_bytes > run->max_worker_hwm_bytes)
		run->max_worker_hwm_bytes = m->hwm_bytes;
	p->remaining--;
	s->chunk_done++;
	s->job_begin = t;
	if (s->chunk_done < s->chunk_n) {
		run->results[s->chunk[s->chunk_done]].begin_s = t - p->t0;
		return;
	}
	s->chunk_n = s->chunk_done = 0;
	s->state = SLOT_IDLE;
	if (!p->cfg.one_shot)
		dispatch(p, s);
}

/* The next job the worker in slot s would have run, taken off its queue,
 * or -1 when there is none. */
static int take_next_job(struct pool *p, struct slot *s)
{
	struct queue *q = slot_queue(p, s);
	return queue_len(q) > 0 ? q->v[q->head++] : -1;
}

/*
 * The worker in slot i is gone: reap it, account for its chunk, replace
 * it.  A worker started in place of one that died is a replacement: it is
 * counted and named in the notes with the cause, so that a run that needed
 * one never reads like a clean run.  A one-shot worker that ends after its
 * job is no replacement: its slot starts the next job's process.
 */
static void on_exit_of(struct pool *p, int i)
{
	struct slot *s = &p->slots[i];
	struct strategy_run *run = p->run;
	int status = 0;
	char cause[96], why[200] = "";
	while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
		;
	describe_status(status, cause, sizeof cause);
	close(s->fd);
	s->fd = -1;
	s->pid = 0;
	bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;

	if (s->state == SLOT_STARTING) {
		s->start_failures++;
		p->claimed -= p->cfg.one_shot;
		if (s->setup_late)
			snprintf(why, sizeof why,
				 "did not put its inputs in place within %g s (the setup time limit) and was killed",
				 run->p.setup_timeout_s);
		else
			snprintf(why, sizeof why, "%s while putting its inputs in place", s->why[0] ? s->why : cause);
		snprintf(run->error, sizeof run->error, "worker %d could not start: %s", i, why);
		if (s->setup_late && p->t0 == 0) {
			p->late = true;  /* pool_start fails the run */
		} else if (s->setup_late) {
			int job = take_next_job(p, s);
			if (job >= 0)
				fail_job(p, job, STRATEGY_JOB_TIMEOUT, i, "job %d not run: worker %d %.200s", why);
		}
	} else if (s->chunk_done < s->chunk_n) {
		int job = s->chunk[s->chunk_done];
		if (s->timed_out) {
			char limit[48];
			snprintf(limit, sizeof limit, "%g s", run->p.job_timeout_s);
			fail_job(p, job, STRATEGY_JOB_TIMEOUT, i,
				 "job %d passed its time limit on worker %d (%s); the worker was killed", limit);
			snprintf(why, sizeof why, "killed when job %d passed its time limit of %s", job, limit);
		} else {
			fail_job(p, job, STRATEGY_JOB_FAILED, i, "job %d failed: worker %d %s", cause);
			snprintf(why, sizeof why, "%s while running job %d", cause, job);
		}
		int rest = s->chunk_n - s->chunk_done - 1;
		queue_push_front(slot_queue(p, s), s->chunk + s->chunk_done + 1, rest);
	} else if (!clean && !p->cfg.one_shot) {
		snprintf(why, sizeof why, "%s between jobs", cause);
	}
	s->chunk_n = s->chunk_done = 0;
	s->state = s->start_failures >= 2 || p->late ? SLOT_DISABLED : SLOT_EMPTY;
	if (s->state == SLOT_EMPTY && slot_has_work(p, s) && !strategy_interrupted) {
		if (why[0]) {
			run->workers_replaced++;
			strategy_note(run, "worker %d replaced (%s)", i, why);
		}
		if (slot_start(p, i) < 0)
			s->state = SLOT_DISABLED;
	}
}

static void on_message(struct pool *p, int i)
{
	struct slot *s = &p->slots[i];
	struct proto_msg m;
	ssize_t n = recv(s->fd, &m, sizeof m, 0);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n != (ssize_t)sizeof m) {
		on_exit_of(p, i);
		return;
	}
	switch (m.type) {
	case PROTO_HELLO:
		p->latency_sum += m.t - s->t_spawn;
		p->latency_n++;
		break;
	case PROTO_READY:
		p->ready_sum += m.t;
		p->ready_n++;
		s->start_failures = 0;
		p->claimed -= p->cfg.one_shot && s->state == SLOT_STARTING;
		s->state = SLOT_IDLE;
		if (p->t0 > 0)
			dispatch(p, s);
		break;
	case PROTO_FATAL:
		snprintf(s->why, sizeof s->why, "%s", m.error);
		break;
	case PROTO_RESULT:
		on_result(p, i, &m);
		break;
	default:
		break;
	}
}

/* Wait for events on every live slot; deadline handling for timeouts. */
static int poll_once(struct pool *p)
{
	struct pollfd fds[p->nslots + 1];
	int map[p->nslots + 1], n = 0;
	double timeout = -1, t = now();
	for (int i = 0; i < p->nslots; i++) {
		struct slot *s = &p->slots[i];
		if (s->fd < 0)
			continue;
		fds[n] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
		map[n++] = i;
		if (s->state == SLOT_BUSY && p->run->p.job_timeout_s > 0 && !s->timed_out) {
			double left = s->job_begin + p->run->p.job_timeout_s - t;
			if (left <= 0) {
				s->timed_out = true;
				kill(s->pid, SIGKILL);
				left = 0;
			}
			if (timeout < 0 || left < timeout)
				timeout = left;
		}
		/* SIGKILL ends a stopped process too; its end-of-file follows. */
		if (s->state == SLOT_STARTING && p->run->p.setup_timeout_s > 0 && !s->setup_late) {
			double left = s->t_spawn + p->run->p.setup_timeout_s - t;
			if (left <= 0) {
				s->setup_late = true;
				kill(s->pid, SIGKILL);
				left = 0;
			}
			if (timeout < 0 || left < timeout)
				timeout = left;
		}
	}
	if (strategy_interrupt_fd >= 0) {
		fds[n] = (struct pollfd){ .fd = strategy_interrupt_fd, .events = POLLIN };
		map[n++] = -1;
	}
	if (strategy_interrupted)
		return -EINTR;
	int ms = timeout < 0 ? -1 : (int)(timeout * 1000) + 1;
	int r = poll(fds, (nfds_t)n, ms);
	if (r < 0)
		return errno == EINTR ? (strategy_interrupted ? -EINTR : 0) : -errno;
	if (strategy_interrupted)
		return -EINTR;
	for (int k = 0; k < n; k++)
		if (map[k] >= 0 && (fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
			on_message(p, map[k]);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The pool's life                                                     */
/* ------------------------------------------------------------------ */

static int make_queues(struct pool *p)
{
	struct strategy_run *run = p->run;
	int n = run->p.jobs;
	int *order = calloc((size_t)n + 1, sizeof *order), *assign = calloc((size_t)n + 1, sizeof *assign);
	int rc = -ENOMEM;
	if (!order || !assign)
		goto out;
	rc = jobs_plan(run, order, assign);
	if (rc)
		goto out;
	rc = -ENOMEM;
	p->global.v = calloc((size_t)n + 1, sizeof(int));
	if (!p->global.v)
		goto out;
	for (int i = 0; i < p->nslots; i++) {
		struct slot *s = &p->slots[i];
		s->own.v = calloc((size_t)n + 1, sizeof(int));
		s->chunk = calloc((size_t)p->chunksize, sizeof(int));
		if (!s->own.v || !s->chunk)
			goto out;
	}
	for (int k = 0; k < n; k++) {
		int job = order[k];
		if (run->p.schedule == STRATEGY_SCHEDULE_DYNAMIC || p->cfg.one_shot)
			p->global.v[p->global.tail++] = job;
		else
			p->slots[assign[job]].own.v[p->slots[assign[job]].own.tail++] = job;
	}
	rc = 0;
out:
	free(order);
	free(assign);
	return rc;
}

int pool_start(struct strategy_run *run, const struct pool_config *cfg, struct pool **out)
{
	struct pool *p = calloc(1, sizeof *p);
	int rc = -ENOMEM;
	*out = p;
	if (!p)
		return rc;
	p->run = run;
	p->cfg = *cfg;
	p->runner = getpid();
	/* Inputs shared by fork alone cannot reach a spawned program. */
	if (cfg->inputs == WORKER_INPUTS_INHERITED && run->p.start == STRATEGY_START_SPAWN) {
		snprintf(run->error, sizeof run->error, "%s shares its inputs by fork() alone: --start spawn cannot",
			 run->strategy->name);
		return -EINVAL;
	}
	/* A fresh process per job holds exactly one job. */
	p->chunksize = cfg->one_shot ? 1 : run->p.chunksize;
	p->slots = calloc((size_t)run->p.workers, sizeof *p->slots);
	if (!p->slots)
		return rc;
	p->nslots = run->p.workers;
	for (int i = 0; i < p->nslots; i++)
		p->slots[i].fd = -1;
	rc = make_queues(p);
	if (rc)
		return rc;
	p->remaining = run->p.jobs;
	if (cfg->one_shot)
		return 0;
	for (int i = 0; i < p->nslots; i++) {
		rc = slot_start(p, i);
		if (rc) {
			snprintf(run->error, sizeof run->error, "cannot start worker %d: %s", i, strerror(-rc));
			return rc;
		}
	}
	/* Setup ends when every worker has its inputs in place (a slot whose
	 * worker died with no job left for it has nothing to wait for). */
	for (;;) {
		int ready = 0;
		if (p->late)
			return -ETIMEDOUT;       /* run->error says who */
		for (int i = 0; i < p->nslots; i++) {
			struct slot *s = &p->slots[i];
			if (s->state == SLOT_IDLE || (s->state == SLOT_EMPTY && !slot_has_work(p, s)))
				ready++;
			if (s->state == SLOT_DISABLED)
				return -ECHILD;  /* run->error says why */
		}
		if (ready == p->nslots)
			return 0;
		rc = poll_once(p);
		if (rc)
			return rc;
	}
}

static void update_latencies(struct pool *p)
{
	if (p->latency_n)
		p->run->start_latency_s = p->latency_sum / p->latency_n;
	if (p->ready_n)
		p->run->setup_latency_s = p->ready_sum / p->ready_n;
}

int pool_execute(struct pool *p)
{
	struct strategy_run *run = p->run;
	int rc = 0;
	p->t0 = now();
	for (int i = 0; i < p->nslots; i++) {
		struct slot *s = &p->slots[i];
		if (p->cfg.one_shot && s->state == SLOT_EMPTY && slot_has_work(p, s)) {
			rc = slot_start(p, i);
			if (rc) {
				snprintf(run->error, sizeof run->error, "cannot start a worker: %s", strerror(-rc));
				return rc;
			}
		} else if (s->state == SLOT_IDLE) {
			dispatch(p, s);
		}
	}
	while (p->remaining > 0) {
		/* one_shot: a finished process leaves; start the next job's. */
		bool alive = false;
		for (int i = 0; i < p->nslots; i++) {
			struct slot *s = &p->slots[i];
			if (s->state == SLOT_EMPTY && slot_has_work(p, s) && slot_start(p, i) < 0)
				s->state = SLOT_DISABLED;
			if (s->fd >= 0)
				alive = true;
		}
		if (!alive) {
			/* Every slot is disabled: what is left cannot run. */
			for (int i = 0; i < run->p.jobs; i++)
				if (run->results[i].status == STRATEGY_JOB_PENDING)
					fail_job(p, i, STRATEGY_JOB_FAILED, -1, "job %d not run (worker %d): %.200s",
						 run->error[0] ? run->error : "no worker could start");
			break;
		}
		rc = poll_once(p);
		if (rc)
			break;
	}
	update_latencies(p);
	return rc;
}

void pool_stop(struct pool *p)
{
	if (!p)
		return;
	update_latencies(p);
	struct proto_msg quit = { .type = PROTO_QUIT };
	for (int i = 0; i < p->nslots; i++) {
		struct slot *s = &p->slots[i];
		/* One still putting its inputs in place reads no QUIT. */
		bool starting = s->pid > 0 && s->state == SLOT_STARTING;
		if (starting && !strategy_interrupted)
			strategy_note(p->run, "worker %d had not put its inputs in place when the run ended and was "
				      "killed", i);
		if (s->fd >= 0) {
			if (!strategy_interrupted && !starting)
				send_msg(s->fd, &quit);
			close(s->fd);
			s->fd = -1;
		}
		if (s->pid > 0 && (strategy_interrupted || starting))
			kill(s->pid, SIGKILL);
	}
	/* Give workers a moment to leave on their own, then make sure. */
	double deadline = now() + 2.0;
	for (int i = 0; i < p->nslots; i++) {
		struct slot *s = &p->slots[i];
		while (s->pid > 0) {
			bool late = now() >= deadline;
			if (late)
				kill(s->pid, SIGKILL);
			pid_t r = waitpid(s->pid, NULL, late ? 0 : WNOHANG);
			if (r == s->pid || (r < 0 && errno != EINTR))
				s->pid = 0;
			else if (r == 0)
				usleep(1000);
		}
	}
	for (int i = 0; i < p->nslots; i++) {
		free(p->slots[i].own.v);
		free(p->slots[i].chunk);
	}
	free(p->slots);
	free(p->global.v);
	free(p);
}

int pool_held_new(struct strategy_run *run, struct pool_held **out)
{
	struct pool_held *h = calloc(1, sizeof *h);
	*out = h;
	if (!h)
		return -ENOMEM;
	inputs_init(&h->in);
	run->priv = h;
	return 0;
}

int pool_held_execute(struct strategy_run *run)
{
	struct pool_held *h = run->priv;
	return pool_execute(h->pool);
}

void pool_held_teardown(struct strategy_run *run)
{
	struct pool_held *h = run->priv;
	if (!h)
		return;
	pool_stop(h->pool);
	inputs_release(&h->in, true);
	free(h);
	run->priv = NULL;
}

void pool_held_footprint(const struct strategy_params *p, struct strategy_footprint *out)
{
	out->input_copies = 1;
	out->states = p->workers > 1 ? p->workers : 1;
}
