/*
 * mpi_shm.c - the mpi-shm strategy: the runner starts spreadbench-mpi
 * through the MPI launcher found at build time (Open MPI's mpiexec) and
 * talks to its rank 0 over mpiexec's standard input and output (see
 * mpi_main.c).  setup is the launch up to the moment every rank has its
 * shared window (so launch and window set-up are timed apart from the
 * jobs), execute sends GO and reads one result per job, teardown reaps
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
 * Nothing of Open MPI's outlives a run (launcher.h).
 *
 * Deliberately left out: retrying a failed launch, and cleaning up after
 * a runner that was itself killed with SIGKILL.
 */
#include "launcher.h"
#include "params.h"
#include "strategy.h"
#include "worker.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Seconds the launcher may take to end after the batch. */
#define MPI_END_WAIT_S 30.0
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
	struct launcher l;
	bool batch_done;
	struct rank_state *ranks;
	int nranks;
	double t_go;
};

/* Whether /dev/shm, where Open MPI keeps a window's file, is mounted with
 * huge pages allowed (tmpfs's huge= option). */
static bool devshm_huge(void)
{
	char line[512];
	bool huge = false;
	FILE *f = fopen("/proc/mounts", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof line, f))
		if (strstr(line, " /dev/shm tmpfs ") &&
		    (strstr(line, "huge=always") || strstr(line, "huge=within_size") || strstr(line, "huge=advise")))
			huge = true;
	fclose(f);
	return huge;
}

static int mpi_check(const struct strategy_params *p, char *err, size_t len)
{
	/* A window lives in a file Open MPI makes under /dev/shm: hugetlb
	 * pages cannot back it, and transparent huge pages only where that
	 * tmpfs allows them. */
	if (p->pages == STRATEGY_PAGES_HUGE) {
		snprintf(err, len, "mpi-shm cannot put its window in hugetlb pages (Open MPI backs it with a file "
			 "in /dev/shm): use --shm-pages auto, thp or 4k");
		return -ENOTSUP;
	}
	if (p->pages == STRATEGY_PAGES_THP && !devshm_huge()) {
		snprintf(err, len, "mpi-shm's window can only get transparent huge pages where /dev/shm is "
			 "mounted with huge=advise (or always, within_size); here it is not");
		return -ENOTSUP;
	}
	return launcher_check_files(p->workers, err, len);
}

/* Copies of the inputs: one shared window per (virtual) node. */
static void mpi_footprint(const struct strategy_params *p, struct strategy_footprint *out)
{
	int ranks = p->workers > 1 ? p->workers : 1, k = p->virtual_nodes > 1 ? p->virtual_nodes : 1;
	out->input_copies = k < ranks ? k : ranks;
	out->states = ranks;
}

static void ended_early(struct strategy_run *run, struct mpi_run *m, const char *when)
{
	char how[96];
	if (launcher_reap(&m->l, 10.0) == -ETIMEDOUT)
		launcher_stop(&m->l);
	launcher_describe(m->l.status, how, sizeof how);
	snprintf(run->error, sizeof run->error, "mpiexec closed its output %s and %s; its messages are above", when,
		 how);
}

/* ------------------------------------------------------------------ */
/* Progress records                                                    */
/* ------------------------------------------------------------------ */

static void set_result(struct strategy_run *run, int job, int rank, int status, const struct workload_summary *sum,
		       double begin, double end, uint64_t hwm)
{
	struct strategy_job_result *res = &run->results[job];
	res->status = status == STRATEGY_JOB_OK ? STRATEGY_JOB_OK : STRATEGY_JOB_FAILED;
	if (res->status != STRATEGY_JOB_OK)
		snprintf(res->error, sizeof res->error, "job %d: rank %d: %s", job, rank,
			 status == STRATEGY_JOB_PENDING ? "not run" : "the job failed");
	res->worker = rank;
	res->summary = *sum;
	res->begin_s = begin;
	res->end_s = end;
	if (hwm > run->max_worker_hwm_bytes)
		run->max_worker_hwm_bytes = hwm;
}

static void on_record(struct strategy_run *run, struct mpi_run *m, const struct proto_mpi_progress *r)
{
	if (r->rank < 0 || r->rank >= m->nranks)
		return;
	struct rank_state *k = &m->ranks[r->rank];
	k->reports = true;
	k->since = worker_clock();
	switch (r->kind) {
	case PROTO_MPI_BEGIN:
		k->job = r->job;
		break;
	case PROTO_MPI_END:
		k->job = -1;
		if (r->job >= 0 && r->job < run->p.jobs)
			set_result(run, r->job, r->rank, r->status, &r->summary, r->begin_s, r->end_s, r->hwm_bytes);
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
	while (launcher_record(&m->l, &r) == 1)
		on_record(run, m, &r);
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

/*
 * The next line from rank 0, handling progress records meanwhile.
 * 0; -EINTR after a signal; -EPIPE at end of file; -ETIMEDOUT when the
 * deadline (setup) or the batch's deadline (execute) passed.
 */
static int next_line(struct strategy_run *run, struct mpi_run *m, bool executing, double setup_deadline,
		     char *out, size_t len, int *late_rank, int *late_job)
{
	for (;;) {
		if (launcher_take_line(&m->l, out, len))
			return 0;
		double deadline = executing ? execute_deadline(run, m, late_rank, late_job) : setup_deadline;
		bool progress;
		int rc = launcher_wait(&m->l, deadline, &progress);
		if (progress || rc == -EPIPE)
			drain_progress(run, m);
		if (rc)
			return rc;
	}
}

/* ------------------------------------------------------------------ */
/* The launch                                                          */
/* ------------------------------------------------------------------ */

/* Starts the ranks through the launcher: the MPI program with the run
 * parameters it needs, from the table, and where to report progress. */
static int start_ranks(struct strategy_run *run, struct mpi_run *m)
{
	const struct strategy_params *p = &run->p;
	char program[PATH_MAX];
	launcher_program_path(p->worker_path, program, sizeof program);
	if (access(program, X_OK) != 0) {
		snprintf(run->error, sizeof run->error, "cannot run '%.100s': %s", program, strerror(errno));
		return -ENOENT;
	}
	const char *argv[2 * 40 + 8];
	struct param_argv texts = { .n = 0 };
	int a = 0, rc;
	if ((rc = params_to_argv(p, run->strategy->flags, PARAM_TO_MPI, argv, &a, &texts)))
		return rc;
	argv[a++] = "--progress";
	argv[a++] = LAUNCHER_FIFO;
	argv[a] = NULL;
	return launcher_start(&m->l, m->nranks, p->hostfile, program, argv, run->error, sizeof run->error);
}

/* Waits, within the setup limit, for rank 0's READY line: when the ranks
 * started and had their inputs, and the window's page size. */
static int wait_ready(struct strategy_run *run, struct mpi_run *m, double t_spawn)
{
	const struct strategy_params *p = &run->p;
	double deadline = p->setup_timeout_s > 0 ? t_spawn + p->setup_timeout_s : -1;
	char line[512];
	int late_rank, late_job;
	for (;;) {
		int rc = next_line(run, m, false, deadline, line, sizeof line, &late_rank, &late_job);
		if (rc == -EPIPE) {
			ended_early(run, m, "before its ranks were ready");
			return -ECHILD;
		}
		if (rc == -ETIMEDOUT) {
			launcher_stop(&m->l);
			snprintf(run->error, sizeof run->error,
				 "the ranks did not have their inputs in place within %g s (the setup time limit); "
				 "the MPI job was ended",
				 p->setup_timeout_s);
			return rc;
		}
		if (rc)
			return rc;
		double entry, init, ready, page;
		int ro, ranks;
		if (sscanf(line, "READY %lf %lf %lf %d %d %lf", &entry, &init, &ready, &ro, &ranks, &page) == 6) {
			run->start_latency_s = entry - t_spawn;
			run->setup_latency_s = ready - init;
			run->workers_started = ranks;
			run->page_bytes = (size_t)page;
			drain_progress(run, m);
			return 0;
		}
	}
}

static int mpi_setup(struct strategy_run *run)
{
	struct mpi_run *m = calloc(1, sizeof *m);
	if (!m)
		return -ENOMEM;
	run->priv = m;
	m->l.to = m->l.from = m->l.progress = m->l.progress_keep = -1;
	const struct strategy_params *p = &run->p;
	int rc = mpi_check(p, run->error, sizeof run->error);
	if (rc)
		return rc;
	m->nranks = p->workers > 0 ? p->workers : 1;
	m->ranks = calloc((size_t)m->nranks, sizeof *m->ranks);
	if (!m->ranks)
		return -ENOMEM;
	if ((rc = start_ranks(run, m)))
		return rc;
	return wait_ready(run, m, worker_clock());
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
	launcher_stop(&m->l);
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

/* "RESULT job status rank checksum figure... begin end hwm": one job's
 * answer, as rank 0 prints it (mpi_main.c), WORKLOAD_FIGURES figures in
 * hexadecimal floating point. */
static void on_result_line(struct strategy_run *run, const char *line)
{
	int i, status, rank, used;
	struct workload_summary sum;
	double begin, end;
	uint64_t hwm;
	if (sscanf(line, "RESULT %d %d %d %" SCNx64 "%n", &i, &status, &rank, &sum.checksum, &used) != 4)
		return;
	const char *at = line + used;
	for (int k = 0; k < WORKLOAD_FIGURES; k++) {
		char *next;
		sum.figure[k] = strtod(at, &next);
		if (next == at)
			return;
		at = next;
	}
	if (sscanf(at, "%lf %lf %" SCNu64, &begin, &end, &hwm) != 3 || i < 0 || i >= run->p.jobs)
		return;
	set_result(run, i, rank, status, &sum, begin, end, hwm);
}

static int mpi_execute(struct strategy_run *run)
{
	struct mpi_run *m = run->priv;
	m->t_go = worker_clock();
	for (int r = 0; r < m->nranks; r++)
		m->ranks[r].job = -1;
	if (launcher_send(&m->l, "GO\n")) {
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
		on_result_line(run, line);
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
	if (m->l.to >= 0)
		close(m->l.to);
	m->l.to = -1;
	bool lingered = false;
	if (strategy_interrupted) {
		launcher_stop(&m->l);
	} else if (launcher_reap(&m->l, MPI_END_WAIT_S) == -ETIMEDOUT) {
		launcher_stop(&m->l);
		lingered = true;
	}
	if (m->batch_done && !run->failed && (lingered || m->l.status != 0)) {
		char how[64];
		launcher_describe(m->l.status, how, sizeof how);
		run->failed = true;
		if (lingered)
			snprintf(run->error, sizeof run->error,
				 "mpiexec did not end within %g s after the batch and was ended", MPI_END_WAIT_S);
		else
			snprintf(run->error, sizeof run->error,
				 "mpiexec %s after the batch: a rank or the launcher failed (its messages are above)",
				 how);
	}
	launcher_release(&m->l);
	free(m->ranks);
	free(m);
	run->priv = NULL;
}

const struct strategy strategy_mpi_shm = {
	.name = "mpi-shm",
	.summary = "MPI ranks started by mpiexec; one MPI-3 shared window of the inputs per node",
	.flags = STRATEGY_SCHEDULES | STRATEGY_MPI | STRATEGY_STOPS_JOBS | STRATEGY_SHARES_MEMORY,
	.setup = mpi_setup,
	.execute = mpi_execute,
	.teardown = mpi_teardown,
	.footprint = mpi_footprint,
	.check = mpi_check,
};
