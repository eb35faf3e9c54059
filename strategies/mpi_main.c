/*
 * mpi_main.c - spreadbench-mpi, the program the mpi-shm strategy starts
 * through the MPI launcher (mpiexec).  Ranks are grouped by node with
 * MPI_Comm_split_type(MPI_COMM_TYPE_SHARED), and each node group (or each
 * of --virtual-nodes K slices of it, standing in for separate machines)
 * holds one MPI-3 shared window with the landscape: its first rank
 * allocates and fills it, the others query it, and after a barrier every
 * rank maps it read-only.  Jobs are spread over all ranks of all nodes:
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
#include "strategy.h"
#include "worker.h"

#include "proto.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
	long burned_cells, crowned_cells;
	int steps;
	float stop_time;
	uint64_t checksum;
	double begin_s, end_s;
	uint64_t hwm_bytes;
};

struct opts {
	struct strategy_params p;
	int virtual_nodes;
	const char *progress;            /* the runner's FIFO, or NULL */
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

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "scenario", required_argument, NULL, 's' }, { "seed", required_argument, NULL, 'S' },
		{ "mix", required_argument, NULL, 'm' },      { "dtype", required_argument, NULL, 'd' },
		{ "jobs", required_argument, NULL, 'j' },     { "schedule", required_argument, NULL, 'k' },
		{ "chunksize", required_argument, NULL, 'c' }, { "virtual-nodes", required_argument, NULL, 'v' },
		{ "order", required_argument, NULL, 'o' },
		{ "fault", required_argument, NULL, 'f' },    { "fault-job", required_argument, NULL, 'J' },
		{ "progress", required_argument, NULL, 'P' },
		{ 0 },
	};
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			o->p.scenario = optarg;
			break;
		case 'S':
			o->p.seed = strtoull(optarg, &end, 10);
			if (*end)
				return -EINVAL;
			break;
		case 'm':
			if (kernel_job_mix_parse(optarg, &o->p.mix))
				return -EINVAL;
			break;
		case 'd':
			o->p.dtype = strcmp(optarg, "f64") == 0 ? KERNEL_F64 : KERNEL_F32;
			break;
		case 'j':
			o->p.jobs = (int)strtol(optarg, &end, 10);
			if (*end || o->p.jobs < 1)
				return -EINVAL;
			break;
		case 'k':
			if (strategy_schedule_parse(optarg, &o->p.schedule))
				return -EINVAL;
			break;
		case 'c':
			o->p.chunksize = (int)strtol(optarg, &end, 10);
			if (*end || o->p.chunksize < 1)
				return -EINVAL;
			break;
		case 'o':
			if (strategy_order_parse(optarg, &o->p.order))
				return -EINVAL;
			break;
		case 'v':
			o->virtual_nodes = (int)strtol(optarg, &end, 10);
			if (*end || o->virtual_nodes < 1)
				return -EINVAL;
			break;
		case 'f':
			if (strategy_fault_parse(optarg, &o->p.fault))
				return -EINVAL;
			break;
		case 'J':
			o->p.fault_job = (int)strtol(optarg, &end, 10);
			if (*end)
				return -EINVAL;
			break;
		case 'P':
			o->progress = optarg;
			break;
		default:
			return -EINVAL;
		}
	}
	return o->p.scenario && optind == argc ? 0 : -EINVAL;
}

static void run_one(struct kernel_fire *f, const struct opts *o, const struct kernel_job *job, int i, int rank,
		    double t0, struct mpi_result *r)
{
	struct kernel_fire_result res;
	r->rank = rank;
	r->begin_s = worker_clock() - t0;
	report(&(struct proto_mpi_progress){ .kind = PROTO_MPI_BEGIN, .rank = rank, .job = i, .begin_s = r->begin_s });
	if (i == o->p.fault_job)
		worker_commit_fault(o->p.fault);
	int rc = kernel_fire_run(f, job, &res);
	r->end_s = worker_clock() - t0;
	r->hwm_bytes = worker_self_hwm();
	if (rc) {
		r->status = STRATEGY_JOB_FAILED;
	} else {
		r->status = STRATEGY_JOB_OK;
		r->burned_cells = res.burned_cells;
		r->crowned_cells = res.crowned_cells;
		r->steps = res.steps;
		r->stop_time = res.stop_time;
		r->checksum = res.checksum;
	}
	report(&(struct proto_mpi_progress){
		.kind = PROTO_MPI_END, .rank = rank, .job = i, .status = r->status, .burned_cells = r->burned_cells,
		.crowned_cells = r->crowned_cells, .steps = r->steps, .stop_time = r->stop_time,
		.checksum = r->checksum, .hwm_bytes = r->hwm_bytes, .begin_s = r->begin_s, .end_s = r->end_s });
}

int main(int argc, char **argv)
{
	double t_entry = worker_clock();
	struct opts o = { .p = { .chunksize = 1, .fault_job = -1 }, .virtual_nodes = 1 };
	/* Die with the launcher: a rank it can no longer stop must not run on. */
	pid_t parent = getppid();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	MPI_Init(&argc, &argv);
	int rank, size;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (parse(argc, argv, &o)) {
		if (rank == 0)
			fprintf(stderr, "spreadbench-mpi: bad command line\n");
		MPI_Abort(MPI_COMM_WORLD, 2);
	}
	double t_init = worker_clock();
	o.p.workers = size;
	if (rank == 0 && o.p.fault_job == STRATEGY_FAULT_AT_SETUP)
		worker_commit_fault(o.p.fault);
	/* Non-blocking only to open: no reader (another machine) means no reports. */
	if (o.progress && (progress_fd = open(o.progress, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) >= 0) {
		fcntl(progress_fd, F_SETFL, 0);
		report(&(struct proto_mpi_progress){ .kind = PROTO_MPI_HELLO, .rank = rank, .job = -1 });
	}

	/* Node groups, and K virtual nodes within each. */
	MPI_Comm node, group;
	MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node);
	int node_rank, node_size;
	MPI_Comm_rank(node, &node_rank);
	MPI_Comm_size(node, &node_size);
	int k = o.virtual_nodes < node_size ? o.virtual_nodes : node_size;
	MPI_Comm_split(node, (int)((long)node_rank * k / node_size), node_rank, &group);
	int group_rank;
	MPI_Comm_rank(group, &group_rank);

	struct kernel_scenario sc;
	if (kernel_scenario_find(o.p.scenario, o.p.seed, &sc))
		MPI_Abort(MPI_COMM_WORLD, 2);
	size_t bytes = kernel_scenario_input_bytes(&sc, o.p.dtype);
	long page = sysconf(_SC_PAGESIZE);
	/* One spare page, so the layers can start on a page boundary and
	 * the whole block can be protected read-only. */
	MPI_Aint want = group_rank == 0 ? (MPI_Aint)(bytes + (size_t)page) : 0;
	char *mine = NULL, *base = NULL;
	MPI_Win win;
	MPI_Win_allocate_shared(want, 1, MPI_INFO_NULL, group, &mine, &win);
	MPI_Aint got;
	int disp;
	MPI_Win_shared_query(win, 0, &got, &disp, &base);
	char *block = (char *)(((uintptr_t)base + (uintptr_t)page - 1) & ~((uintptr_t)page - 1));
	if (group_rank == 0)
		kernel_scenario_build(&sc, o.p.dtype, block);
	MPI_Barrier(group);
	int ro = mprotect(block, (bytes / (size_t)page) * (size_t)page, PROT_READ) == 0;
	struct kernel_landscape ls;
	kernel_landscape_attach(&sc, o.p.dtype, block, &ls);
	struct kernel_fire *fire = NULL;
	int rc = kernel_fire_new(&ls, &fire);
	if (rc)
		MPI_Abort(MPI_COMM_WORLD, 1);

	/* The job list and, for block and snake, every rank's share. */
	struct kernel_job *jobs = calloc((size_t)o.p.jobs, sizeof *jobs);
	int *order = calloc((size_t)o.p.jobs, sizeof *order), *assign = calloc((size_t)o.p.jobs, sizeof *assign);
	struct mpi_result *res = calloc((size_t)o.p.jobs, sizeof *res);
	if (!jobs || !order || !assign || !res)
		MPI_Abort(MPI_COMM_WORLD, 1);
	for (int i = 0; i < o.p.jobs; i++)
		if (strategy_batch_job(&sc, o.p.mix, o.p.order, o.p.jobs, i, &jobs[i]))
			MPI_Abort(MPI_COMM_WORLD, 1);
	struct strategy_run plan = { .p = o.p, .sc = sc, .jobs = jobs };
	strategy_plan(&plan, order, assign);

	/* The shared counter for dynamic scheduling, on world rank 0. */
	int *counter = NULL;
	MPI_Win cwin;
	MPI_Win_allocate(rank == 0 ? (MPI_Aint)sizeof(int) : 0, sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD,
			 &counter, &cwin);
	if (rank == 0)
		*counter = 0;
	MPI_Barrier(MPI_COMM_WORLD);
	double t_ready = worker_clock();

	/* Entry and ready times to rank 0, then wait for the runner. */
	double mine_t[3] = { t_entry, t_init, (double)ro }, sum_t[3], max_t[3];
	MPI_Reduce(mine_t, sum_t, 3, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
	MPI_Reduce(mine_t, max_t, 3, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
	int go = 0;
	if (rank == 0) {
		say("READY %.9f %.9f %.9f %d %d\n", sum_t[0] / size, max_t[1], t_ready, (int)sum_t[2], size);
		char line[64];
		go = fgets(line, sizeof line, stdin) && strncmp(line, "GO", 2) == 0;
	}
	MPI_Bcast(&go, 1, MPI_INT, 0, MPI_COMM_WORLD);
	if (!go)
		MPI_Abort(MPI_COMM_WORLD, 3);
	double t0 = worker_clock();
	MPI_Bcast(&t0, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);

	if (o.p.schedule == STRATEGY_SCHEDULE_DYNAMIC) {
		int chunk = o.p.chunksize, at;
		MPI_Win_lock_all(0, cwin);
		for (;;) {
			MPI_Fetch_and_op(&chunk, &at, MPI_INT, 0, 0, MPI_SUM, cwin);
			MPI_Win_flush(0, cwin);
			if (at >= o.p.jobs)
				break;
			for (int i = at; i < at + chunk && i < o.p.jobs; i++)
				run_one(fire, &o, &jobs[order[i]], order[i], rank, t0, &res[order[i]]);
		}
		MPI_Win_unlock_all(cwin);
	} else {
		for (int i = 0; i < o.p.jobs; i++)
			if (assign[order[i]] == rank)
				run_one(fire, &o, &jobs[order[i]], order[i], rank, t0, &res[order[i]]);
	}
	report(&(struct proto_mpi_progress){ .kind = PROTO_MPI_FINISHED, .rank = rank, .job = -1 });

	/* Every rank's results to rank 0, which keeps the ones that ran. */
	size_t per = (size_t)o.p.jobs * sizeof *res;
	char *all = rank == 0 ? malloc(per * (size_t)size) : NULL;
	if (rank == 0 && !all)
		MPI_Abort(MPI_COMM_WORLD, 1);
	MPI_Gather(res, (int)per, MPI_BYTE, all, (int)per, MPI_BYTE, 0, MPI_COMM_WORLD);
	if (rank == 0) {
		for (int i = 0; i < o.p.jobs; i++) {
			struct mpi_result r = { .status = STRATEGY_JOB_PENDING, .rank = -1 };
			for (int q = 0; q < size; q++) {
				const struct mpi_result *x = (const struct mpi_result *)(all + per * (size_t)q) + i;
				if (x->status != STRATEGY_JOB_PENDING)
					r = *x;
			}
			say("RESULT %d %d %d %ld %ld %d %.9g %" PRIu64 " %.9f %.9f %" PRIu64 "\n", i, r.status, r.rank,
			    r.burned_cells, r.crowned_cells, r.steps, (double)r.stop_time, r.checksum, r.begin_s,
			    r.end_s, r.hwm_bytes);
		}
		say("DONE\n");
	}
	free(all);
	free(res);
	free(jobs);
	free(order);
	free(assign);
	kernel_fire_free(fire);
	MPI_Win_free(&cwin);
	mprotect(block, (bytes / (size_t)page) * (size_t)page, PROT_READ | PROT_WRITE);
	MPI_Win_free(&win);
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
