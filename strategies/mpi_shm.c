/*
 * mpi_shm.c - the mpi-shm strategy: the runner starts spreadbench-mpi
 * through the MPI launcher found at build time (Open MPI's mpiexec) and
 * talks to its rank 0 over mpiexec's standard input and output (see
 * mpi_main.c).  setup is the launch up to the moment every rank has its
 * shared window (so launch and window set-up are timed apart from the
 * fires), execute sends GO and reads one result per job, teardown reaps
 * the launcher.  The launched processes are the runner's descendants, so
 * their memory is measured like every other strategy's.
 *
 * mpiexec runs in its own process group; after SIGINT/SIGTERM, or when it
 * does not end by itself, the group is sent SIGTERM (which mpiexec passes
 * on to its ranks) and then SIGKILL.
 */
#include "strategy.h"
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct mpi_run {
	pid_t pid;
	int to, from;                    /* mpiexec's stdin (write end), stdout (read end) */
	FILE *in;
	bool reaped;
	int status;
	char program[4096];
};

/* The MPI program sits next to the worker program. */
static void program_path(const struct strategy_params *p, char *out, size_t len)
{
	const char *w = p->worker_path ? p->worker_path : "spreadbench-worker";
	const char *slash = strrchr(w, '/');
	if (slash)
		snprintf(out, len, "%.*s/spreadbench-mpi", (int)(slash - w), w);
	else
		snprintf(out, len, "spreadbench-mpi");
}

const char *strategy_mpiexec_path(void)
{
	const char *e = getenv("SPREADBENCH_MPIEXEC");
	return e && e[0] ? e : SPREADBENCH_MPIEXEC;
}

static int reap(struct mpi_run *m, double wait_s)
{
	if (m->reaped || m->pid <= 0)
		return 0;
	double until = worker_clock() + wait_s;
	for (;;) {
		pid_t r = waitpid(m->pid, &m->status, WNOHANG);
		if (r == m->pid) {
			m->reaped = true;
			return 0;
		}
		if (r < 0 && errno != EINTR) {
			m->reaped = true;
			return -errno;
		}
		if (worker_clock() > until)
			return -ETIMEDOUT;
		usleep(10000);
	}
}

/* SIGTERM to the launcher's group, then SIGKILL if it lingers. */
static void stop(struct mpi_run *m)
{
	if (m->pid <= 0 || m->reaped)
		return;
	kill(-m->pid, SIGTERM);
	if (reap(m, 5.0) == -ETIMEDOUT) {
		kill(-m->pid, SIGKILL);
		reap(m, 5.0);
	}
	kill(-m->pid, SIGKILL); /* anything of the group still there */
}

/* Next line from rank 0; -EINTR after a signal, -EPIPE at end of file. */
static int read_line(struct mpi_run *m, char *buf, size_t len)
{
	for (;;) {
		if (strategy_interrupted)
			return -EINTR;
		struct pollfd pf[2] = { { .fd = m->from, .events = POLLIN },
					{ .fd = strategy_interrupt_fd, .events = POLLIN } };
		int n = poll(pf, strategy_interrupt_fd >= 0 ? 2 : 1, 1000);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n <= 0 || !(pf[0].revents & (POLLIN | POLLHUP)))
			continue;
		if (!fgets(buf, (int)len, m->in))
			return -EPIPE;
		return 0;
	}
}

static void ended_early(struct strategy_run *run, struct mpi_run *m, const char *when)
{
	reap(m, 10.0);
	int st = m->status;
	snprintf(run->error, sizeof run->error, "%s ended %s (%s %d); its messages are above", "mpiexec", when,
		 WIFSIGNALED(st) ? "signal" : "exit status", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

static int mpi_setup(struct strategy_run *run)
{
	struct mpi_run *m = calloc(1, sizeof *m);
	if (!m)
		return -ENOMEM;
	run->priv = m;
	m->to = m->from = -1;
	program_path(&run->p, m->program, sizeof m->program);
	if (access(m->program, X_OK) != 0) {
		snprintf(run->error, sizeof run->error, "cannot run '%.100s': %s", m->program, strerror(errno));
		return -ENOENT;
	}
	const struct strategy_params *p = &run->p;
	char n[16], seed[32], jobs[16], chunk[16], vn[16];
	snprintf(n, sizeof n, "%d", p->workers);
	snprintf(seed, sizeof seed, "%" PRIu64, p->seed);
	snprintf(jobs, sizeof jobs, "%d", p->jobs);
	snprintf(chunk, sizeof chunk, "%d", p->chunksize > 0 ? p->chunksize : 1);
	snprintf(vn, sizeof vn, "%d", p->virtual_nodes > 0 ? p->virtual_nodes : 1);
	const char *argv[48];
	int a = 0;
	argv[a++] = strategy_mpiexec_path();
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
	if (p->hostfile) {
		argv[a++] = "--hostfile";
		argv[a++] = p->hostfile;
	}
	argv[a++] = "-n";
	argv[a++] = n;
	argv[a++] = m->program;
	argv[a++] = "--scenario";
	argv[a++] = p->scenario;
	argv[a++] = "--seed";
	argv[a++] = seed;
	argv[a++] = "--mix";
	argv[a++] = kernel_job_mix_name(p->mix);
	argv[a++] = "--dtype";
	argv[a++] = p->dtype == KERNEL_F64 ? "f64" : "f32";
	argv[a++] = "--jobs";
	argv[a++] = jobs;
	argv[a++] = "--schedule";
	argv[a++] = strategy_schedule_name(p->schedule);
	argv[a++] = "--chunksize";
	argv[a++] = chunk;
	argv[a++] = "--order";
	argv[a++] = strategy_order_name(p->order);
	argv[a++] = "--virtual-nodes";
	argv[a++] = vn;
	argv[a] = NULL;

	int in_pipe[2], out_pipe[2];
	if (pipe2(in_pipe, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(out_pipe, O_CLOEXEC) < 0) {
		int rc = -errno;
		close(in_pipe[0]);
		close(in_pipe[1]);
		return rc;
	}
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_pipe[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setpgroup(&attr, 0);
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
	double t_spawn = worker_clock();
	int rc = -posix_spawn(&m->pid, argv[0], &fa, &attr, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(in_pipe[0]);
	close(out_pipe[1]);
	m->to = in_pipe[1];
	m->from = out_pipe[0];
	if (rc) {
		m->pid = 0;
		snprintf(run->error, sizeof run->error, "cannot start '%.100s': %s", argv[0], strerror(-rc));
		return rc;
	}
	m->in = fdopen(m->from, "r");
	if (!m->in)
		return -errno;

	char line[256];
	for (;;) {
		rc = read_line(m, line, sizeof line);
		if (rc == -EPIPE) {
			ended_early(run, m, "before its ranks were ready");
			return -ECHILD;
		}
		if (rc)
			return rc;
		double entry, init, ready;
		int ro, ranks;
		if (sscanf(line, "READY %lf %lf %lf %d %d", &entry, &init, &ready, &ro, &ranks) == 5) {
			run->start_latency_s = entry - t_spawn;
			run->setup_latency_s = ready - init;
			run->workers_started = ranks;
			return 0;
		}
	}
}

static int mpi_execute(struct strategy_run *run)
{
	struct mpi_run *m = run->priv;
	if (write(m->to, "GO\n", 3) != 3) {
		ended_early(run, m, "before the batch began");
		return -ECHILD;
	}
	char line[256];
	for (;;) {
		int rc = read_line(m, line, sizeof line);
		if (rc == -EPIPE) {
			ended_early(run, m, "before the batch finished");
			for (int i = 0; i < run->p.jobs; i++)
				if (run->results[i].status == STRATEGY_JOB_PENDING) {
					run->results[i].status = STRATEGY_JOB_FAILED;
					snprintf(run->results[i].error, sizeof run->results[i].error, "job %d: %s", i,
						 run->error);
				}
			return 0;
		}
		if (rc)
			return rc;
		if (strncmp(line, "DONE", 4) == 0)
			return 0;
		int i, status, rank, steps;
		long burned, crowned;
		double stop, begin, end;
		uint64_t sum, hwm;
		if (sscanf(line, "RESULT %d %d %d %ld %ld %d %lf %" SCNu64 " %lf %lf %" SCNu64, &i, &status, &rank,
			   &burned, &crowned, &steps, &stop, &sum, &begin, &end, &hwm) != 11 ||
		    i < 0 || i >= run->p.jobs)
			continue;
		struct strategy_job_result *r = &run->results[i];
		r->status = status == STRATEGY_JOB_OK ? STRATEGY_JOB_OK : STRATEGY_JOB_FAILED;
		if (r->status != STRATEGY_JOB_OK)
			snprintf(r->error, sizeof r->error, "job %d: rank %d: %s", i, rank,
				 status == STRATEGY_JOB_PENDING ? "not run" : "the fire failed");
		r->worker = rank;
		r->burned_cells = burned;
		r->crowned_cells = crowned;
		r->steps = steps;
		r->stop_time = (float)stop;
		r->checksum = sum;
		r->begin_s = begin;
		r->end_s = end;
		if (hwm > run->max_worker_hwm_bytes)
			run->max_worker_hwm_bytes = hwm;
	}
}

static void mpi_teardown(struct strategy_run *run)
{
	struct mpi_run *m = run->priv;
	if (!m)
		return;
	if (m->to >= 0)
		close(m->to);
	if (strategy_interrupted)
		stop(m);
	else if (reap(m, 30.0) == -ETIMEDOUT)
		stop(m);
	if (m->in)
		fclose(m->in);
	else if (m->from >= 0)
		close(m->from);
	free(m);
	run->priv = NULL;
}

const struct strategy strategy_mpi_shm = {
	.name = "mpi-shm",
	.summary = "MPI ranks started by mpiexec; one MPI-3 shared window of the inputs per node",
	.flags = STRATEGY_SCHEDULES | STRATEGY_MPI,
	.setup = mpi_setup,
	.execute = mpi_execute,
	.teardown = mpi_teardown,
};
