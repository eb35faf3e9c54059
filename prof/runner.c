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
 * Areal throughput per CPU-hour counts each worker's core for the whole
 * wall time, so it falls when cores sit idle.  A competing load (--load)
 * spins beside the run and is left out of every figure.
 */
#include "runner.h"
#include "measure.h"
#include "noise.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

static bool same_job(const struct kernel_job *a, const struct kernel_job *b)
{
	return a->y == b->y && a->x == b->x && a->start_time == b->start_time &&
	       a->duration == b->duration;
}

static int fill_jobs(const struct strategy_params *p, struct kernel_scenario *sc, struct kernel_job *jobs)
{
	int rc = kernel_scenario_find(p->scenario, p->seed, sc);
	for (int i = 0; !rc && i < p->jobs; i++)
		rc = strategy_batch_job(sc, p->mix, p->order, p->jobs, i, &jobs[i]);
	return rc;
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

/* In the child: run each distinct job once, always with float32 inputs, so
 * that other storage types are checked against the same answer. */
static int reference_child(const struct strategy_params *p, int fd)
{
	struct strategy_run run = { .p = *p };
	run.p.dtype = KERNEL_F32;
	run.p.jobs = p->jobs;
	struct kernel_job *jobs = calloc((size_t)p->jobs + 1, sizeof *jobs);
	struct strategy_job_result *res = calloc((size_t)p->jobs + 1, sizeof *res);
	struct kernel_fire *fire = NULL;
	void *buf = NULL;
	size_t bytes = 0;
	int rc = -ENOMEM;
	if (!jobs || !res)
		goto out;
	rc = fill_jobs(&run.p, &run.sc, jobs);
	if (rc)
		goto out;
	bytes = kernel_scenario_input_bytes(&run.sc, KERNEL_F32);
	buf = kernel_block_alloc(bytes);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	rc = kernel_scenario_build(&run.sc, KERNEL_F32, buf);
	if (rc)
		goto out;
	struct kernel_landscape ls;
	kernel_landscape_attach(&run.sc, KERNEL_F32, buf, &ls);
	rc = kernel_fire_new(&ls, &fire);
	for (int i = 0; !rc && i < p->jobs; i++) {
		int twin = -1;
		for (int k = 0; k < i && twin < 0; k++)
			if (same_job(&jobs[k], &jobs[i]))
				twin = k;
		if (twin >= 0) {
			res[i] = res[twin];
			continue;
		}
		struct kernel_fire_result fr;
		rc = kernel_fire_run(fire, &jobs[i], &fr);
		res[i] = (struct strategy_job_result){
			.status = STRATEGY_JOB_OK, .burned_cells = fr.burned_cells,
			.crowned_cells = fr.crowned_cells, .steps = fr.steps, .stop_time = fr.stop_time,
			.checksum = fr.checksum,
		};
	}
	if (!rc)
		rc = runner_write_all(fd, res, sizeof *res * (size_t)p->jobs);
out:
	kernel_fire_free(fire);
	if (buf)
		kernel_block_free(buf, bytes);
	free(jobs);
	free(res);
	return rc;
}

int runner_reference_compute(const struct strategy_params *p, struct runner_reference *out,
			     char *err, size_t errlen)
{
	int fds[2], rc = 0, status = 0;
	memset(out, 0, sizeof *out);
	out->jobs = p->jobs;
	out->r = calloc((size_t)p->jobs + 1, sizeof *out->r);
	if (!out->r)
		return -ENOMEM;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	double t0 = measure_now();
	pid_t pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(fds[0]);
		close(fds[1]);
		return rc;
	}
	if (pid == 0) {
		close(fds[0]);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		_exit(reference_child(p, fds[1]) ? 1 : 0);
	}
	close(fds[1]);
	rc = runner_read_all(fds[0], out->r, sizeof *out->r * (size_t)p->jobs);
	close(fds[0]);
	if (rc)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	out->seconds = measure_now() - t0;
	if (strategy_interrupted)
		return -EINTR;
	if (rc || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "the serial reference run failed (wait status %#x)", status);
		return rc ? rc : -ECHILD;
	}
	return 0;
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

static bool matches(const struct strategy_job_result *a, const struct strategy_job_result *b)
{
	return a->burned_cells == b->burned_cells && a->crowned_cells == b->crowned_cells &&
	       a->steps == b->steps && a->checksum == b->checksum;
}

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
			row->burned_cells += r->burned_cells;
			if (!matches(r, &ref->r[i])) {
				row->jobs_invalid++;
				if (row->jobs_invalid == 1) {
					char msg[200];
					snprintf(msg, sizeof msg,
						 "job %d differs from serial: %ld cells, %d steps, checksum %016" PRIx64
						 " (serial %ld, %d, %016" PRIx64 ")",
						 i, r->burned_cells, r->steps, r->checksum, ref->r[i].burned_cells,
						 ref->r[i].steps, ref->r[i].checksum);
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

int runner_measure(const struct runner_options *o, const struct runner_reference *ref, int rep,
		   struct runner_row *row)
{
	struct strategy_run run = { .strategy = o->strategy, .p = o->p };
	struct measure_sampler *sampler = NULL;
	struct measure_peak peak = { 0 }, setup_peak = { 0 };
	struct load load = { 0 };
	double u0 = 0, s0 = 0, u1 = 0, s1 = 0;
	int rc = -ENOMEM;

	memset(row, 0, sizeof *row);
	row->strategy = o->strategy->name;
	row->p = o->p;
	row->rep = rep;
	row->parent_rss_bytes = o->parent_rss_bytes;
	row->load = o->load;
	row->cgroup_peak_bytes = -1;
	run.jobs = calloc((size_t)o->p.jobs + 1, sizeof *run.jobs);
	run.results = calloc((size_t)o->p.jobs + 1, sizeof *run.results);
	if (!run.jobs || !run.results)
		goto out;
	rc = fill_jobs(&o->p, &run.sc, run.jobs);
	if (rc)
		goto out;
	for (int i = 0; i < o->p.jobs; i++)
		run.results[i].worker = -1;
	row->input_bytes = kernel_scenario_input_bytes(&run.sc, o->p.dtype);

	measure_reset_hwm();
	/* Before the load starts: other work, not the experiment's own. */
	struct noise_mark noise;
	struct noise_figures nf;
	noise_begin(&noise);
	rc = load_start(o, &load);
	if (rc)
		goto out;
	measure_cpu_times(&u0, &s0);     /* after the load's start: see above */
	rc = measure_sampler_start_excluding(o->sample_interval_s, load.pids, load.n, &sampler);
	if (rc)
		goto out;
	double t0 = measure_now();
	int setup_rc = o->strategy->setup(&run);
	double t1 = measure_now();
	/* Between the phases, untimed: the walk is the measurement's cost. */
	measure_sampler_mark(sampler, &setup_peak);
	double t1c = measure_now();
	int exec_rc = setup_rc ? setup_rc : o->strategy->execute(&run);
	double t2 = measure_now();
	/* Untimed again: the exact PSS at the end of the batch, where a
	 * pool's memory is usually at its peak, whatever the sampler's
	 * estimate made of the ticks before. */
	measure_sampler_mark(sampler, NULL);
	double t2c = measure_now();
	o->strategy->teardown(&run);
	double t3 = measure_now();
	measure_sampler_stop(sampler, &peak);
	sampler = NULL;
	measure_cpu_times(&u1, &s1);
	noise_end(&noise, &nf);
	load_stop(&load);                /* after the CPU reading: see above */

	if (strategy_interrupted) {
		rc = -EINTR;
		goto out;
	}
	runner_row_noise(row, &nf);
	row->setup_s = t1 - t0;
	row->compute_s = setup_rc ? 0 : t2 - t1c;
	row->teardown_s = t3 - t2c;
	row->wall_s = row->setup_s + row->compute_s + row->teardown_s;
	row->user_s = u1 - u0;
	row->sys_s = s1 - s0;
	row->peak_pss_bytes = peak.pss_bytes;
	row->setup_peak_pss_bytes = setup_peak.pss_bytes;
	row->peak_rss_sum_bytes = peak.rss_sum_bytes;
	row->max_procs = peak.max_procs;
	row->sample_interval_s = peak.interval_s;
	row->sampler_cpu_fraction = peak.cpu_fraction;
	row->max_worker_hwm_bytes = run.max_worker_hwm_bytes;
	row->start_latency_s = run.start_latency_s;
	row->worker_setup_s = run.setup_latency_s;
	row->workers_started = run.workers_started;
	row->workers_replaced = run.workers_replaced;
	uint64_t cg;
	if (measure_cgroup_peak(&cg) == 0)
		row->cgroup_peak_bytes = (int64_t)cg;
	if (setup_rc || (exec_rc && run.error[0]))
		runner_append_error(row, run.error[0] ? run.error : strerror(-(setup_rc ? setup_rc : exec_rc)));
	summarise(&run, ref, row);
	if (setup_rc) {
		row->status = "failed";
		row->valid = false;
	}
	int workers = o->p.workers > 0 ? o->p.workers : 1;
	if (row->wall_s > 0) {
		row->jobs_per_s = row->jobs_ok / row->wall_s;
		row->burned_cells_per_s = row->burned_cells / row->wall_s;
		/* 30 m cells are 0.09 ha; CPU-hours are cores held for the wall time. */
		row->mha_per_cpu_hr = row->burned_cells * 0.09e-6 / (row->wall_s * workers / 3600.0);
	}
	rc = 0;
out:
	if (sampler)
		measure_sampler_stop(sampler, &peak);
	load_stop(&load);
	free(run.jobs);
	free(run.results);
	return rc;
}
