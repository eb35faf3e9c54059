/*
 * mpi_main.c - spreadbench-mpi, the program the mpi-shm strategy starts
 * through the MPI launcher (mpiexec).  Ranks are grouped by node with
 * MPI_Comm_split_type(MPI_COMM_TYPE_SHARED), and each node group (or each
 * of --virtual-nodes K slices of it, standing in for separate machines)
 * holds one MPI-3 shared window with the workload's inputs: its first rank
 * allocates it, every rank of the group builds its part of it (workload.h's
 * build, one part per rank), and after a barrier every rank maps it
 * read-only.  The window's page size is read back from /proc and reported.  Jobs are spread over all ranks of all nodes:
 * block or snake plans (each rank computes the same plan), or dynamic
 * chunks from a shared counter on world rank 0 (MPI_Fetch_and_op).
 *
 * World rank 0 talks to the runner on its standard input and output
 * (mpiexec forwards both): it prints "READY ..." once every window is
 * ready, waits for "GO", and after the batch prints one "RESULT ..." line
 * per job and "DONE", each line in one write(2).  End of file on its input
 * before "GO" (the runner is gone) aborts the whole job.  With --progress,
 * every rank that can open the runner's FIFO also reports each job as it
 * begins and ends (proto.h), which is how the runner holds each job to its
 * time limit.  A rank dies with the process that started it (mpiexec, or
 * Open MPI's daemon on another machine), so ending the launcher ends every
 * rank on this machine at once, even a stopped one.  --fault makes the
 * rank running a job (or rank 0 while setting up) fail, as the workers'
 * --fault does.
 */
#include "inputs.h"
#include "jobs.h"
#include "strategy.h"
#include "worker.h"
#include "workloads.h"

#include "proto.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <mpi.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

/* One job's answer, gathered to rank 0 as bytes. */
struct mpi_result {
	int status;                      /* enum strategy_job_status */
	int rank;
	struct workload_summary summary;
	double begin_s, end_s;
	uint64_t hwm_bytes;
};

struct opts {
	struct strategy_params p;
	const char *progress;            /* the runner's FIFO, or NULL */
	const struct workload *wl;
	struct workload_scenario *ws;
};

/* The FIFO, or -1 where it cannot be opened (another machine). */
static int progress_fd = -1;

static void report(const struct proto_mpi_progress *r)
{
	if (progress_fd < 0)
		return;
	ssize_t n;
	do
		n = write(progress_fd, r, sizeof *r);
	while (n < 0 && errno == EINTR);
}

/* One line to the runner in one write(2), so that what mpiexec forwards
 * from other ranks cannot land inside it. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t left = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
	for (const char *p = buf; left;) {
		ssize_t w = write(STDOUT_FILENO, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		left -= (size_t)w;
	}
}

/* Rank 0 says why, every rank stops. */
static void fail(int rank, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4), noreturn));
static void fail(int rank, int code, const char *fmt, ...)
{
	if (rank == 0) {
		va_list ap;
		va_start(ap, fmt);
		fprintf(stderr, "spreadbench-mpi: ");
		vfprintf(stderr, fmt, ap);
		fprintf(stderr, "\n");
		va_end(ap);
	}
	MPI_Abort(MPI_COMM_WORLD, code);
	_exit(code);
}

static int parse(int argc, char **argv, struct opts *o)
{
	params_defaults(&o->p);
	for (int i = 1; i < argc;) {
		int rc = params_take_arg(argc, argv, &i, PARAM_TO_MPI, &o->p);
		if (rc < 0)
			return rc;
		if (rc)
			continue;
		if (strcmp(argv[i], "--progress") != 0 || i + 1 >= argc)
			return -EINVAL;
		o->progress = argv[i + 1];
		i += 2;
	}
	return 0;
}

static void run_one(struct workload_state *st, const struct opts *o, const struct workload_job *job, int i, int rank,
		    double t0, struct mpi_result *r)
{
	r->rank = rank;
	r->begin_s = worker_clock() - t0;
	report(&(struct proto_mpi_progress){ .kind = PROTO_MPI_BEGIN, .rank = rank, .job = i, .begin_s = r->begin_s });
	if (i == o->p.fault_job)
		worker_commit_fault(o->p.fault);
	int rc = o->wl->run_job(st, job, &r->summary);
	r->end_s = worker_clock() - t0;
	r->hwm_bytes = worker_self_hwm();
	r->status = rc ? STRATEGY_JOB_FAILED : STRATEGY_JOB_OK;
	report(&(struct proto_mpi_progress){ .kind = PROTO_MPI_END, .rank = rank, .job = i, .status = r->status,
					     .summary = r->summary, .hwm_bytes = r->hwm_bytes,
					     .begin_s = r->begin_s, .end_s = r->end_s });
}

/* The window of this rank's group, built by all of its ranks together:
 * the page-aligned block, its page size, and whether it is read-only. */
struct window {
	MPI_Win win;
	char *block;
	size_t bytes, protect;
	size_t page_bytes;
	int ro;
};

static void window_open(const struct opts *o, MPI_Comm group, int rank, struct window *w)
{
	int group_rank, group_size;
	MPI_Comm_rank(group, &group_rank);
	MPI_Comm_size(group, &group_size);
	w->bytes = o->wl->input_bytes(o->ws);
	/* Room to start the block on a boundary of the largest page asked
	 * for, so that it can be protected read-only and, where the window's
	 * file allows, held in huge pages. */
	size_t align = o->p.pages == STRATEGY_PAGES_4K ? (size_t)sysconf(_SC_PAGESIZE) : (size_t)2 << 20;
	MPI_Aint want = group_rank == 0 ? (MPI_Aint)(w->bytes + align) : 0;
	char *mine = NULL, *base = NULL;
	MPI_Win_allocate_shared(want, 1, MPI_INFO_NULL, group, &mine, &w->win);
	MPI_Aint got;
	int disp;
	MPI_Win_shared_query(w->win, 0, &got, &disp, &base);
	/* The block's offset in the window is the first rank's: the others
	 * map the window at other addresses, aligned or not. */
	unsigned long offset = (unsigned long)((((uintptr_t)base + align - 1) & ~(uintptr_t)(align - 1)) - (uintptr_t)base);
	MPI_Bcast(&offset, 1, MPI_UNSIGNED_LONG, 0, group);
	w->block = base + offset;
	w->protect = w->bytes / (size_t)sysconf(_SC_PAGESIZE) * (size_t)sysconf(_SC_PAGESIZE);
	if (o->p.pages != STRATEGY_PAGES_4K && w->bytes >= align && ((uintptr_t)w->block & (align - 1)) == 0)
		madvise(w->block, w->bytes / align * align, MADV_HUGEPAGE);
	/* One part per rank of the group: the fill runs on all of them. */
	int rc = w->bytes ? o->wl->build(o->ws, w->block, group_rank, group_size) : 0;
	int any = rc != 0, all;
	MPI_Allreduce(&any, &all, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
	if (all)
		fail(rank, 1, "building the inputs failed on a rank (%s)", rc ? strerror(-rc) : "another rank");
	MPI_Barrier(group);
	w->page_bytes = w->bytes ? inputs_page_size_at(w->block) : 0;
	w->ro = w->protect == 0 || mprotect(w->block, w->protect, PROT_READ) == 0;
}

static void window_close(struct window *w)
{
	if (w->protect)
		mprotect(w->block, w->protect, PROT_READ | PROT_WRITE);
	MPI_Win_free(&w->win);
}

/* The batch's jobs in this rank's order: dynamic chunks from a shared
 * counter on world rank 0, or this rank's share of the block or snake
 * plan, which every rank computes alike. */
static void run_batch(const struct opts *o, struct workload_state *st, const struct workload_job *jobs,
		      const int *order, const int *assign, int rank, double t0, struct mpi_result *res, MPI_Win cwin)
{
	if (o->p.schedule != STRATEGY_SCHEDULE_DYNAMIC) {
		for (int i = 0; i < o->p.jobs; i++)
			if (assign[order[i]] == rank)
				run_one(st, o, &jobs[order[i]], order[i], rank, t0, &res[order[i]]);
		return;
	}
	int chunk = o->p.chunksize, at;
	MPI_Win_lock_all(0, cwin);
	for (;;) {
		MPI_Fetch_and_op(&chunk, &at, MPI_INT, 0, 0, MPI_SUM, cwin);
		MPI_Win_flush(0, cwin);
		if (at >= o->p.jobs)
			break;
		for (int i = at; i < at + chunk && i < o->p.jobs; i++)
			run_one(st, o, &jobs[order[i]], order[i], rank, t0, &res[order[i]]);
	}
	MPI_Win_unlock_all(cwin);
}

/* Every rank's results to rank 0, which prints the ones that ran:
 * "RESULT job status rank checksum figures begin end hwm", the figures
 * in hexadecimal floating point so that they arrive bit for bit. */
static void gather_results(const struct opts *o, const struct mpi_result *res, int rank, int size)
{
	size_t per = (size_t)o->p.jobs * sizeof *res;
	char *all = rank == 0 ? malloc(per * (size_t)size) : NULL;
	if (rank == 0 && !all)
		MPI_Abort(MPI_COMM_WORLD, 1);
	MPI_Gather(res, (int)per, MPI_BYTE, all, (int)per, MPI_BYTE, 0, MPI_COMM_WORLD);
	if (rank != 0)
		return;
	for (int i = 0; i < o->p.jobs; i++) {
		struct mpi_result r = { .status = STRATEGY_JOB_PENDING, .rank = -1 };
		for (int q = 0; q < size; q++) {
			const struct mpi_result *x = (const struct mpi_result *)(all + per * (size_t)q) + i;
			if (x->status != STRATEGY_JOB_PENDING)
				r = *x;
		}
		char figs[WORKLOAD_FIGURES * 32] = "";
		for (int k = 0, at = 0; k < WORKLOAD_FIGURES; k++)
			at += snprintf(figs + at, sizeof figs - (size_t)at, " %a", r.summary.figure[k]);
		say("RESULT %d %d %d %" PRIx64 "%s %.9f %.9f %" PRIu64 "\n", i, r.status, r.rank, r.summary.checksum,
		    figs, r.begin_s, r.end_s, r.hwm_bytes);
	}
	say("DONE\n");
	free(all);
}

/* This rank's options and workload, the fault asked for at setup, and
 * the runner's FIFO to report on.  Returns when the workload was open,
 * which the READY line reports. */
static double start_rank(int argc, char **argv, struct opts *o, int rank, int size)
{
	if (parse(argc, argv, o))
		fail(rank, 2, "bad command line (this program is started by spreadbench run)");
	char err[512];
	if (workloads_open(&o->p, &o->wl, &o->ws, err, sizeof err))
		fail(rank, 2, "%s", err);
	double t_init = worker_clock();
	o->p.workers = size;
	if (rank == 0 && o->p.fault_job == STRATEGY_FAULT_AT_SETUP)
		worker_commit_fault(o->p.fault);
	/* Non-blocking only to open: no reader (another machine) means no reports. */
	if (o->progress && (progress_fd = open(o->progress, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) >= 0) {
		fcntl(progress_fd, F_SETFL, 0);
		report(&(struct proto_mpi_progress){ .kind = PROTO_MPI_HELLO, .rank = rank, .job = -1 });
	}
	return t_init;
}

/* Node groups, and K virtual nodes within each: *group is the ranks that
 * share one window. */
static void split_groups(const struct opts *o, int rank, MPI_Comm *node, MPI_Comm *group)
{
	MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, node);
	int node_rank, node_size;
	MPI_Comm_rank(*node, &node_rank);
	MPI_Comm_size(*node, &node_size);
	int vn = o->p.virtual_nodes > 1 ? o->p.virtual_nodes : 1;
	int k = vn < node_size ? vn : node_size;
	MPI_Comm_split(*node, (int)((long)node_rank * k / node_size), node_rank, group);
}

/* The batch and, for block and snake, every rank's share. */
struct batch {
	struct workload_job *jobs;
	int *order, *assign;
	struct mpi_result *res;
};

/* Draws the batch and plans the shares; a rank that cannot fails the job. */
static void batch_draw(const struct opts *o, int rank, struct batch *b)
{
	b->jobs = calloc((size_t)o->p.jobs, sizeof *b->jobs);
	b->order = calloc((size_t)o->p.jobs, sizeof *b->order);
	b->assign = calloc((size_t)o->p.jobs, sizeof *b->assign);
	b->res = calloc((size_t)o->p.jobs, sizeof *b->res);
	if (!b->jobs || !b->order || !b->assign || !b->res || jobs_batch(o->wl, o->ws, &o->p, b->jobs))
		fail(rank, 1, "cannot draw the batch of %d jobs", o->p.jobs);
	struct strategy_run plan = { .p = o->p, .wl = o->wl, .ws = o->ws, .jobs = b->jobs };
	jobs_plan(&plan, b->order, b->assign);
}

/* Frees what batch_draw allocated. */
static void batch_free(struct batch *b)
{
	free(b->res);
	free(b->jobs);
	free(b->order);
	free(b->assign);
}

/* Entry and ready times to rank 0, which says READY and waits for the
 * runner's GO (without it, the whole job is aborted); then every rank
 * has the batch's start time, which it returns. */
static double wait_for_go(int rank, int size, double t_entry, double t_init, double t_ready, const struct window *w)
{
	double mine_t[3] = { t_entry, t_init, (double)w->ro }, sum_t[3], max_t[3];
	MPI_Reduce(mine_t, sum_t, 3, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
	MPI_Reduce(mine_t, max_t, 3, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
	int go = 0;
	if (rank == 0) {
		say("READY %.9f %.9f %.9f %d %d %zu\n", sum_t[0] / size, max_t[1], t_ready, (int)sum_t[2], size,
		    w->page_bytes);
		char line[64];
		go = fgets(line, sizeof line, stdin) && strncmp(line, "GO", 2) == 0;
	}
	MPI_Bcast(&go, 1, MPI_INT, 0, MPI_COMM_WORLD);
	if (!go)
		MPI_Abort(MPI_COMM_WORLD, 3);
	double t0 = worker_clock();
	MPI_Bcast(&t0, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	return t0;
}

int main(int argc, char **argv)
{
	double t_entry = worker_clock();
	struct opts o = { 0 };
	/* Die with the launcher: a rank it can no longer stop must not run on. */
	pid_t parent = getppid();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	MPI_Init(&argc, &argv);
	int rank, size;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	double t_init = start_rank(argc, argv, &o, rank, size);

	MPI_Comm node, group;
	split_groups(&o, rank, &node, &group);
	struct window w = { 0 };
	window_open(&o, group, rank, &w);
	/* Pages that are not what was forced: refused, not measured as if. */
	if (o.p.pages != STRATEGY_PAGES_AUTO && w.bytes && (o.p.pages == STRATEGY_PAGES_4K) != (w.page_bytes <= 4096))
		fail(rank, 4, "the shared window got %zu KiB pages, not the %s pages asked for", w.page_bytes >> 10,
		     strategy_pages_name(o.p.pages));
	struct workload_view *view = NULL;
	struct workload_state *st = NULL;
	if (o.wl->attach(o.ws, w.block, &view) || o.wl->job_new(view, &st))
		fail(rank, 1, "cannot attach to the inputs or set up a job's state");
	struct batch b;
	batch_draw(&o, rank, &b);

	/* The shared counter for dynamic scheduling, on world rank 0. */
	int *counter = NULL;
	MPI_Win cwin;
	MPI_Win_allocate(rank == 0 ? (MPI_Aint)sizeof(int) : 0, sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD,
			 &counter, &cwin);
	if (rank == 0)
		*counter = 0;
	MPI_Barrier(MPI_COMM_WORLD);
	double t_ready = worker_clock();
	double t0 = wait_for_go(rank, size, t_entry, t_init, t_ready, &w);

	run_batch(&o, st, b.jobs, b.order, b.assign, rank, t0, b.res, cwin);
	report(&(struct proto_mpi_progress){ .kind = PROTO_MPI_FINISHED, .rank = rank, .job = -1 });
	gather_results(&o, b.res, rank, size);

	batch_free(&b);
	o.wl->job_free(st);
	o.wl->detach(view);
	MPI_Win_free(&cwin);
	window_close(&w);
	o.wl->close(o.ws);
	MPI_Comm_free(&group);
	MPI_Comm_free(&node);
	if (progress_fd >= 0)
		close(progress_fd);
	MPI_Finalize();
	/* Everything of ours is freed above; Open MPI keeps some of its own
	 * allocations (and unloads the components that made them) past
	 * MPI_Finalize, which a leak checker at exit would report as ours.
	 * _exit skips that check and the runtime's atexit handlers. */
	fflush(NULL);
	_exit(0);
}
