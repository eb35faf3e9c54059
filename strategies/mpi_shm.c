/*
 * mpi_shm.c - the mpi-shm strategy: the runner starts spreadbench-mpi
 * through the MPI launcher found at build time (Open MPI's mpiexec) and
 * talks to its rank 0 over mpiexec's standard input and output (see
 * mpi_main.c).  setup is the launch up to the moment every rank has its
 * shared window (so launch and window set-up are timed apart from the
 * fires), execute sends GO and reads one result per job, teardown reaps
 * the launcher and judges how it ended.  The launched processes are the
 * runner's descendants, so their memory is measured like every other
 * strategy's.
 *
 * Every wait on the launcher has a deadline: the launch has the setup
 * limit, each job its time limit (the ranks on this machine report each
 * job's start and end through a FIFO; a rank silent between jobs for that
 * long is late too, and the batch as a whole may take at most jobs x the
 * limit), and ending it is bounded.  A late launch or job ends the MPI
 * job: mpiexec runs in its own process group, which is sent SIGTERM
 * (mpiexec passes it on to its ranks) and then SIGKILL; each rank dies
 * with mpiexec (a parent-death signal), a stopped one included.  Ranks
 * that mpiexec leaves behind unreaped come back to the runner, which is
 * their subreaper, and are reaped in teardown.
 *
 * Nothing of Open MPI's outlives a run: the launcher gets a folder of its
 * own for its session files (TMPDIR and orte_tmpdir_base) and, on one
 * machine, one under /dev/shm for the shared-memory segments of its
 * transport and windows; both are removed however the run ended, a
 * signal or a timeout included.  Both names carry the runner's pid.
 *
 * Deliberately left out: retrying a failed launch, and cleaning up after
 * a runner that was itself killed with SIGKILL.
 */
#include "proto.h"
#include "strategy.h"
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Seconds the launcher may take to end after the batch, and to end after
 * SIGTERM before SIGKILL. */
#define MPI_END_WAIT_S 30.0
#define MPI_TERM_WAIT_S 5.0
/* The gather and the result lines after a rank's last job. */
#define MPI_TAIL_S 60.0

/* What the runner knows of one rank during the batch. */
struct rank_state {
	bool reports;                    /* it said hello on the FIFO */
	bool finished;
	int job;                         /* the job it runs, or -1 */
	double since;                    /* when that job began, or its last record came */
};

struct mpi_run {
	pid_t pid;
	int to, from;                    /* mpiexec's stdin (a socket), stdout (read end) */
	int progress, progress_keep;     /* the FIFO's read end, and a write end that keeps it open */
	bool reaped, batch_done;
	int status;
	char program[PATH_MAX];
	char tmpdir[PATH_MAX];           /* the launcher's session folder, or "" */
	char shmdir[PATH_MAX];           /* its shared-memory folder under /dev/shm, or "" */
	char fifo[PATH_MAX + 16];
	char line[4096];                 /* rank 0's output not yet split into lines */
	size_t nline;
	struct rank_state *ranks;
	int nranks;
	double t_go;
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

/* Open files mpiexec needs on one machine: measured with Open MPI 4.1 as
 * 28 + 4 per rank (below that it wedges), with a little to spare. */
static long files_needed(int ranks)
{
	return 32 + 4L * (ranks > 1 ? ranks : 1);
}

static int mpi_check(const struct strategy_params *p, char *err, size_t len)
{
	struct rlimit rl;
	long need = files_needed(p->workers);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)need) {
		snprintf(err, len,
			 "mpi-shm with %d ranks needs about %ld open files but the limit is %llu: "
			 "raise it (ulimit -n %ld) or use fewer ranks",
			 p->workers, need, (unsigned long long)rl.rlim_cur, need);
		return -EMFILE;
	}
	return 0;
}

/* Copies of the inputs: one shared window per (virtual) node. */
static void mpi_footprint(const struct strategy_params *p, struct strategy_footprint *out)
{
	int ranks = p->workers > 1 ? p->workers : 1, k = p->virtual_nodes > 1 ? p->virtual_nodes : 1;
	out->input_copies = k < ranks ? k : ranks;
	out->fires = ranks;
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

/* SIGTERM to the launcher's group, then SIGKILL if it lingers; always
 * reaped.  Its ranks die with it (their parent-death signal). */
static void stop(struct mpi_run *m)
{
	if (m->pid <= 0 || m->reaped)
		return;
	kill(-m->pid, SIGTERM);
	if (reap(m, MPI_TERM_WAIT_S) == -ETIMEDOUT) {
		kill(-m->pid, SIGKILL);
		while (waitpid(m->pid, &m->status, 0) < 0 && errno == EINTR)
			;
		m->reaped = true;
	}
	kill(-m->pid, SIGKILL); /* anything of the group still there */
}

/*
 * Reaps the ranks that mpiexec left behind when it was ended: they were
 * handed to the runner (PR_SET_CHILD_SUBREAPER) and killed by their
 * parent-death signal, so each is a child of ours named spreadbench-mpi
 * that has ended or is about to.  Bounded: a few seconds at most.
 */
static void reap_orphans(void)
{
	double until = worker_clock() + MPI_TERM_WAIT_S;
	pid_t self = getpid();
	for (;;) {
		int found = 0;
		DIR *d = opendir("/proc");
		if (!d)
			return;
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
			/* "pid (comm) state ppid ...": comm may hold anything, so
			 * the fields after it start at the last ')'. */
			char *open_paren = strchr(buf, '('), *close_paren = strrchr(buf, ')');
			int ppid;
			if (!open_paren || !close_paren || sscanf(close_paren + 2, "%*c %d", &ppid) != 1 || ppid != self)
				continue;
			*close_paren = '\0';
			if (strcmp(open_paren + 1, "spreadbench-mpi") != 0)
				continue;
			pid_t pid = (pid_t)atoi(e->d_name);
			kill(pid, SIGKILL);
			if (waitpid(pid, NULL, WNOHANG) == 0)
				found++;
		}
		closedir(d);
		if (!found || worker_clock() > until)
			return;
		usleep(10000);
	}
}

static void describe_status(int st, char *buf, size_t len)
{
	if (WIFSIGNALED(st))
		snprintf(buf, len, "was killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(st));
}

static void ended_early(struct strategy_run *run, struct mpi_run *m, const char *when)
{
	char how[96];
	if (reap(m, 10.0) == -ETIMEDOUT)
		stop(m);
	describe_status(m->status, how, sizeof how);
	snprintf(run->error, sizeof run->error, "mpiexec closed its output %s and %s; its messages are above", when,
		 how);
}

/* ------------------------------------------------------------------ */
/* Progress records                                                    */
/* ------------------------------------------------------------------ */

static void on_record(struct strategy_run *run, struct mpi_run *m, const struct proto_mpi_progress *r)
{
	if (r->rank < 0 || r->rank >= m->nranks)
		return;
	struct rank_state *k = &m->ranks[r->rank];
	double t = worker_clock();
	k->reports = true;
	k->since = t;
	switch (r->kind) {
	case PROTO_MPI_BEGIN:
		k->job = r->job;
		break;
	case PROTO_MPI_END:
		k->job = -1;
		if (r->job >= 0 && r->job < run->p.jobs) {
			struct strategy_job_result *res = &run->results[r->job];
			res->status = r->status == STRATEGY_JOB_OK ? STRATEGY_JOB_OK : STRATEGY_JOB_FAILED;
			if (res->status != STRATEGY_JOB_OK)
				snprintf(res->error, sizeof res->error, "job %d: rank %d: the fire failed", r->job,
					 r->rank);
			res->worker = r->rank;
			res->burned_cells = (long)r->burned_cells;
			res->crowned_cells = (long)r->crowned_cells;
			res->steps = r->steps;
			res->stop_time = r->stop_time;
			res->checksum = r->checksum;
			res->begin_s = r->begin_s;
			res->end_s = r->end_s;
			if (r->hwm_bytes > run->max_worker_hwm_bytes)
				run->max_worker_hwm_bytes = r->hwm_bytes;
		}
		break;
	case PROTO_MPI_FINISHED:
		k->job = -1;
		k->finished = true;
		break;
	default:
		break;
	}
}

static void drain_progress(struct strategy_run *run, struct mpi_run *m)
{
	struct proto_mpi_progress r;
	for (;;) {
		ssize_t n = read(m->progress, &r, sizeof r);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof r)
			return;          /* empty (EAGAIN): records come whole */
		on_record(run, m, &r);
	}
}

/*
 * When the batch is late, or -1 while it is not.  *rank and *job name the
 * late rank and job (-1 when none is to blame; *rank -2 when every rank
 * finished and the results are late).  With no job limit there is no
 * deadline: the user asked for none.
 */
static double execute_deadline(const struct strategy_run *run, const struct mpi_run *m, int *rank, int *job)
{
	double lim = run->p.job_timeout_s, deadline = -1, last_finish = 0;
	bool all_finished = true, any = false;
	*rank = *job = -1;
	if (!(lim > 0))
		return -1;
	for (int r = 0; r < m->nranks; r++) {
		const struct rank_state *k = &m->ranks[r];
		if (!k->reports) {
			all_finished = false;
			continue;
		}
		any = true;
		if (k->finished) {
			last_finish = k->since > last_finish ? k->since : last_finish;
			continue;
		}
		all_finished = false;
		double d = (k->since > m->t_go ? k->since : m->t_go) + lim;
		if (deadline < 0 || d < deadline) {
			deadline = d;
			*rank = r;
			*job = k->job;
		}
	}
	/* Ranks that cannot report (other machines): the batch as a whole. */
	double batch = m->t_go + lim * run->p.jobs + MPI_TAIL_S;
	if (deadline < 0 || batch < deadline) {
		deadline = batch;
		*rank = *job = -1;
	}
	if (any && all_finished && last_finish + lim + MPI_TAIL_S < deadline) {
		deadline = last_finish + lim + MPI_TAIL_S;
		*rank = -2;              /* the results' way out, not a rank */
		*job = -1;
	}
	return deadline;
}

/* ------------------------------------------------------------------ */
/* Rank 0's lines                                                      */
/* ------------------------------------------------------------------ */

/*
 * The next line from rank 0, handling progress records meanwhile.
 * 0; -EINTR after a signal; -EPIPE at end of file; -ETIMEDOUT when the
 * deadline (setup) or the batch's deadline (execute) passed.
 */
static int next_line(struct strategy_run *run, struct mpi_run *m, bool executing, double setup_deadline,
		     char *out, size_t len, int *late_rank, int *late_job)
{
	for (;;) {
		char *nl = memchr(m->line, '\n', m->nline);
		if (nl || m->nline == sizeof m->line) {
			size_t n = nl ? (size_t)(nl - m->line) + 1 : m->nline;
			size_t c = n < len ? n : len - 1;
			memcpy(out, m->line, c);
			out[c] = '\0';
			memmove(m->line, m->line + n, m->nline - n);
			m->nline -= n;
			return 0;
		}
		if (strategy_interrupted)
			return -EINTR;
		double deadline = executing ? execute_deadline(run, m, late_rank, late_job) : setup_deadline;
		double t = worker_clock();
		if (deadline >= 0 && t >= deadline)
			return -ETIMEDOUT;
		int ms = deadline < 0 ? -1 : (int)((deadline - t) * 1000) + 1;
		struct pollfd pf[3] = { { .fd = m->from, .events = POLLIN },
					{ .fd = m->progress, .events = POLLIN },
					{ .fd = strategy_interrupt_fd, .events = POLLIN } };
		int n = poll(pf, strategy_interrupt_fd >= 0 ? 3 : 2, ms);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n <= 0)
			continue;
		if (pf[1].revents & POLLIN)
			drain_progress(run, m);
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(m->from, m->line + m->nline, sizeof m->line - m->nline);
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0) {
				drain_progress(run, m);
				return r == 0 ? -EPIPE : -errno;
			}
			m->nline += (size_t)r;
		}
	}
}

/* ------------------------------------------------------------------ */
/* The launch                                                          */
/* ------------------------------------------------------------------ */

/* The folders of the launcher, named after the runner so that a leftover
 * one says whose it was. */
static int make_folders(struct strategy_run *run, struct mpi_run *m)
{
	const char *base = getenv("TMPDIR");
	char tmpl[PATH_MAX];
	if (!base || !base[0])
		base = "/tmp";
	snprintf(tmpl, sizeof tmpl, "%s/spreadbench-mpi.%d.XXXXXX", base, (int)getpid());
	if (!mkdtemp(tmpl)) {
		int rc = -errno;
		snprintf(run->error, sizeof run->error, "cannot make a folder for mpiexec in '%.100s': %s", base,
			 strerror(-rc));
		return rc;
	}
	snprintf(m->tmpdir, sizeof m->tmpdir, "%s", tmpl);
	snprintf(m->fifo, sizeof m->fifo, "%s/progress", m->tmpdir);
	if (mkfifo(m->fifo, 0600) < 0) {
		int rc = -errno;
		snprintf(run->error, sizeof run->error, "cannot make the progress FIFO: %s", strerror(-rc));
		return rc;
	}
	/* Opening the read end first, without waiting, lets ranks open the
	 * write end at once; the runner's own write end keeps it from
	 * reporting end-of-file between ranks. */
	m->progress = open(m->fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	m->progress_keep = m->progress < 0 ? -1 : open(m->fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (m->progress < 0 || m->progress_keep < 0) {
		int rc = -errno;
		snprintf(run->error, sizeof run->error, "cannot open the progress FIFO: %s", strerror(-rc));
		return rc;
	}
	/* The segments go to /dev/shm as by default, in a folder of our own;
	 * across machines the other machines keep Open MPI's default. */
	snprintf(tmpl, sizeof tmpl, "/dev/shm/spreadbench-mpi.%d.XXXXXX", (int)getpid());
	if (!run->p.hostfile && mkdtemp(tmpl))
		snprintf(m->shmdir, sizeof m->shmdir, "%s", tmpl);
	return 0;
}

/* The environment of the launcher: this one with TMPDIR set to its folder. */
static char **launcher_env(const struct mpi_run *m, char *tmpdir_var, size_t len)
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
	snprintf(tmpdir_var, len, "TMPDIR=%s", m->tmpdir);
	env[k++] = tmpdir_var;
	env[k] = NULL;
	return env;
}

static int mpi_setup(struct strategy_run *run)
{
	struct mpi_run *m = calloc(1, sizeof *m);
	if (!m)
		return -ENOMEM;
	run->priv = m;
	m->to = m->from = m->progress = m->progress_keep = -1;
	const struct strategy_params *p = &run->p;
	int rc = mpi_check(p, run->error, sizeof run->error);
	if (rc)
		return rc;
	m->nranks = p->workers > 0 ? p->workers : 1;
	m->ranks = calloc((size_t)m->nranks, sizeof *m->ranks);
	if (!m->ranks)
		return -ENOMEM;
	program_path(p, m->program, sizeof m->program);
	if (access(m->program, X_OK) != 0) {
		snprintf(run->error, sizeof run->error, "cannot run '%.100s': %s", m->program, strerror(errno));
		return -ENOENT;
	}
	rc = make_folders(run, m);
	if (rc)
		return rc;
	/* Ranks whose launcher ended come to the runner to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	char n[16], seed[32], jobs[16], chunk[16], vn[16], fault_job[16];
	snprintf(n, sizeof n, "%d", p->workers);
	snprintf(seed, sizeof seed, "%" PRIu64, p->seed);
	snprintf(jobs, sizeof jobs, "%d", p->jobs);
	snprintf(chunk, sizeof chunk, "%d", p->chunksize > 0 ? p->chunksize : 1);
	snprintf(vn, sizeof vn, "%d", p->virtual_nodes > 0 ? p->virtual_nodes : 1);
	snprintf(fault_job, sizeof fault_job, "%d", p->fault_job);
	const char *argv[64];
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
	/* Session files in the launcher's own folder (on this machine alone
	 * when others take part), shared-memory segments in ours. */
	argv[a++] = "--mca";
	argv[a++] = p->hostfile ? "orte_local_tmpdir_base" : "orte_tmpdir_base";
	argv[a++] = m->tmpdir;
	if (m->shmdir[0]) {
		argv[a++] = "--mca";
		argv[a++] = "btl_vader_backing_directory";
		argv[a++] = m->shmdir;
		argv[a++] = "--mca";
		argv[a++] = "osc_sm_backing_directory";
		argv[a++] = m->shmdir;
	}
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
	argv[a++] = "--progress";
	argv[a++] = m->fifo;
	if (p->fault != STRATEGY_FAULT_NONE) {
		argv[a++] = "--fault";
		argv[a++] = strategy_fault_name(p->fault);
		argv[a++] = "--fault-job";
		argv[a++] = fault_job;
	}
	argv[a] = NULL;

	/* Its standard input is a socket, so that writing to a launcher that
	 * died is an error (MSG_NOSIGNAL), not a SIGPIPE. */
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
	char **env = launcher_env(m, tmpdir_var, sizeof tmpdir_var);
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
	double t_spawn = worker_clock();
	rc = env ? -posix_spawn(&m->pid, argv[0], &fa, &attr, (char *const *)argv, env) : -ENOMEM;
	free(env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(in_sock[1]);
	close(out_pipe[1]);
	m->to = in_sock[0];
	m->from = out_pipe[0];
	if (rc) {
		m->pid = 0;
		snprintf(run->error, sizeof run->error, "cannot start '%.100s': %s", argv[0], strerror(-rc));
		return rc;
	}

	double deadline = p->setup_timeout_s > 0 ? t_spawn + p->setup_timeout_s : -1;
	char line[512];
	int late_rank, late_job;
	for (;;) {
		rc = next_line(run, m, false, deadline, line, sizeof line, &late_rank, &late_job);
		if (rc == -EPIPE) {
			ended_early(run, m, "before its ranks were ready");
			return -ECHILD;
		}
		if (rc == -ETIMEDOUT) {
			stop(m);
			snprintf(run->error, sizeof run->error,
				 "the ranks did not have their inputs in place within %g s (the setup time limit); "
				 "the MPI job was ended",
				 p->setup_timeout_s);
			return rc;
		}
		if (rc)
			return rc;
		double entry, init, ready;
		int ro, ranks;
		if (sscanf(line, "READY %lf %lf %lf %d %d", &entry, &init, &ready, &ro, &ranks) == 5) {
			run->start_latency_s = entry - t_spawn;
			run->setup_latency_s = ready - init;
			run->workers_started = ranks;
			drain_progress(run, m);
			return 0;
		}
	}
}

/* ------------------------------------------------------------------ */
/* The batch                                                           */
/* ------------------------------------------------------------------ */

/* The batch passed its limit: end the MPI job and say which job was late;
 * finished jobs keep the answers their ranks reported. */
static int batch_late(struct strategy_run *run, struct mpi_run *m, int rank, int job)
{
	char cause[120];
	double lim = run->p.job_timeout_s;
	stop(m);
	if (job >= 0)
		snprintf(cause, sizeof cause, "job %d passed its time limit on rank %d (%g s)", job, rank, lim);
	else if (rank >= 0)
		snprintf(cause, sizeof cause, "rank %d made no progress for %g s between jobs (the time limit)", rank,
			 lim);
	else if (rank == -2)
		snprintf(cause, sizeof cause, "every rank finished but the results did not come through mpiexec "
			 "within %g s", lim + MPI_TAIL_S);
	else
		snprintf(cause, sizeof cause, "the batch passed its time limit (%g s per job)", lim);
	snprintf(run->error, sizeof run->error, "%s; the MPI job (its launcher's process group) was ended", cause);
	for (int i = 0; i < run->p.jobs; i++) {
		struct strategy_job_result *r = &run->results[i];
		if (r->status != STRATEGY_JOB_PENDING)
			continue;
		r->status = STRATEGY_JOB_TIMEOUT;
		r->worker = i == job && rank >= 0 ? rank : -1;
		if (i == job)
			snprintf(r->error, sizeof r->error, "job %d passed its time limit on rank %d (%g s); the MPI "
				 "job was ended", i, rank, lim);
		else
			snprintf(r->error, sizeof r->error, "job %d not finished: the MPI job was ended (%s)", i, cause);
	}
	return -ETIMEDOUT;
}

static int mpi_execute(struct strategy_run *run)
{
	struct mpi_run *m = run->priv;
	m->t_go = worker_clock();
	for (int r = 0; r < m->nranks; r++)
		m->ranks[r].job = -1;
	if (send(m->to, "GO\n", 3, MSG_NOSIGNAL) != 3) {
		ended_early(run, m, "before the batch began");
		return -ECHILD;
	}
	char line[512];
	for (;;) {
		int late_rank = -1, late_job = -1;
		int rc = next_line(run, m, true, -1, line, sizeof line, &late_rank, &late_job);
		if (rc == -ETIMEDOUT)
			return batch_late(run, m, late_rank, late_job);
		if (rc == -EPIPE) {
			ended_early(run, m, "before the batch finished");
			for (int i = 0; i < run->p.jobs; i++)
				if (run->results[i].status == STRATEGY_JOB_PENDING) {
					run->results[i].status = STRATEGY_JOB_FAILED;
					snprintf(run->results[i].error, sizeof run->results[i].error, "job %d: %.230s", i,
						 run->error);
				}
			return 0;
		}
		if (rc)
			return rc;
		if (strncmp(line, "DONE", 4) == 0) {
			m->batch_done = true;
			return 0;
		}
		int i, status, rank, steps;
		long burned, crowned;
		double stop_time, begin, end;
		uint64_t sum, hwm;
		if (sscanf(line, "RESULT %d %d %d %ld %ld %d %lf %" SCNu64 " %lf %lf %" SCNu64, &i, &status, &rank,
			   &burned, &crowned, &steps, &stop_time, &sum, &begin, &end, &hwm) != 11 ||
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
		r->stop_time = (float)stop_time;
		r->checksum = sum;
		r->begin_s = begin;
		r->end_s = end;
		if (hwm > run->max_worker_hwm_bytes)
			run->max_worker_hwm_bytes = hwm;
	}
}

/*
 * Reaps the launcher (ending it if it lingers or the run was interrupted)
 * and removes its folders.  After a batch that finished, a launcher that
 * failed makes the run failed: a rank that died after it sent its answers
 * is still a run that went wrong.
 */
static void mpi_teardown(struct strategy_run *run)
{
	struct mpi_run *m = run->priv;
	if (!m)
		return;
	if (m->to >= 0)
		close(m->to);
	m->to = -1;
	bool lingered = false;
	if (strategy_interrupted) {
		stop(m);
	} else if (reap(m, MPI_END_WAIT_S) == -ETIMEDOUT) {
		stop(m);
		lingered = true;
	}
	if (m->pid > 0)
		reap_orphans();
	if (m->batch_done && !run->failed && (lingered || m->status != 0)) {
		char how[64];
		describe_status(m->status, how, sizeof how);
		run->failed = true;
		if (lingered)
			snprintf(run->error, sizeof run->error,
				 "mpiexec did not end within %g s after the batch and was ended", MPI_END_WAIT_S);
		else
			snprintf(run->error, sizeof run->error,
				 "mpiexec %s after the batch: a rank or the launcher failed (its messages are above)",
				 how);
	}
	if (m->from >= 0)
		close(m->from);
	if (m->progress >= 0)
		close(m->progress);
	if (m->progress_keep >= 0)
		close(m->progress_keep);
	m->from = m->progress = m->progress_keep = -1;
	remove_tree(m->shmdir);
	remove_tree(m->tmpdir);
	free(m->ranks);
	free(m);
	run->priv = NULL;
}

const struct strategy strategy_mpi_shm = {
	.name = "mpi-shm",
	.summary = "MPI ranks started by mpiexec; one MPI-3 shared window of the inputs per node",
	.flags = STRATEGY_SCHEDULES | STRATEGY_MPI | STRATEGY_STOPS_JOBS,
	.setup = mpi_setup,
	.execute = mpi_execute,
	.teardown = mpi_teardown,
	.footprint = mpi_footprint,
	.check = mpi_check,
};
