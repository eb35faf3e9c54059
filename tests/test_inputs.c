/*
 * test_inputs.c - the shared inputs are what pool-shm promises: the same
 * bytes as a private build, in a memfd that no one can write, grow or
 * shrink once sealed, that any process can map read-only, and whose pages
 * are all mapped by the builder (so they count in its PSS).
 */
#include "check.h"
#include "inputs.h"
#include "workloads.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* Bytes of a mapping present in this process's page tables: its Rss line
 * in /proc/self/smaps (mincore would tell page cache residency instead). */
static size_t mapped_bytes(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false;
	size_t kb = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = lo == (unsigned long)p;
		else if (in && sscanf(line, "Rss: %zu kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb * 1024;
}

static const struct workload *open_fire(const char *scenario, int dtype, struct workload_scenario **ws)
{
	struct strategy_params p;
	char err[256];
	const struct workload *wl = NULL;
	params_defaults(&p);
	p.scenario = scenario;
	p.seed = 3;
	p.dtype = dtype;
	CHECK_EQ(workloads_open(&p, &wl, ws, err, sizeof err), 0);
	return wl;
}

static void check_scenario(const char *scenario, int dtype)
{
	struct inputs priv, shm, other;
	struct workload_scenario *ws, *ws_other;
	const struct workload *wl = open_fire(scenario, dtype, &ws);
	const struct workload *wl_other = open_fire(scenario, dtype == WORKLOAD_F32 ? WORKLOAD_F64 : WORKLOAD_F32,
						    &ws_other);
	char err[256];
	CHECK_EQ(inputs_build_private(&priv, wl, ws, 1), 0);
	/* 4 KiB pages: the kind every machine gives. */
	CHECK_EQ(inputs_build_memfd(&shm, wl, ws, STRATEGY_PAGES_4K, 3, err, sizeof err), 0);
	CHECK(shm.fd >= 0);
	CHECK_EQ(shm.page_bytes, 4096);
	CHECK_EQ(shm.bytes, priv.bytes);
	CHECK(memcmp(shm.buf, priv.buf, priv.bytes) == 0);
	size_t mapped = mapped_bytes(shm.buf);
	CHECK(mapped >= shm.bytes && mapped < shm.bytes + 4096);

	int seals = fcntl(shm.fd, F_GET_SEALS);
	CHECK(seals & F_SEAL_FUTURE_WRITE);
	CHECK(seals & F_SEAL_GROW);
	CHECK(seals & F_SEAL_SHRINK);
	CHECK(seals & F_SEAL_SEAL);
	/* No writable mapping, no write, no resize, no more seal changes. */
	void *w = mmap(NULL, shm.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, shm.fd, 0);
	CHECK(w == MAP_FAILED);
	if (w != MAP_FAILED)
		munmap(w, shm.bytes);
	char c = 1;
	CHECK(pwrite(shm.fd, &c, 1, 0) < 0);
	CHECK(ftruncate(shm.fd, 0) < 0);
	CHECK(fcntl(shm.fd, F_ADD_SEALS, F_SEAL_WRITE) < 0);
	/* The builder's own mapping is read-only: a write to it faults. */
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);        /* a sanitizer would catch it */
		((volatile char *)shm.buf)[0] = 1;
		_exit(0);
	}
	int st = 0;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);

	/* Another process maps the same bytes from the descriptor. */
	CHECK_EQ(inputs_map_fd(&other, shm.fd, wl, ws), 0);
	CHECK(memcmp(other.buf, priv.buf, priv.bytes) == 0);
	inputs_release(&other, false);
	/* A descriptor of another size is refused. */
	CHECK_EQ(inputs_map_fd(&other, shm.fd, wl_other, ws_other), -EINVAL);

	inputs_release(&shm, true);
	inputs_release(&priv, true);
	wl->close(ws);
	wl_other->close(ws_other);
}

/* A block filled in parts by several threads is the block filled at once,
 * whatever the number of parts (workload.h's build). */
static void check_parts(const char *workload, const char *options)
{
	struct strategy_params p;
	struct workload_scenario *ws;
	const struct workload *wl;
	char err[256];
	params_defaults(&p);
	p.workload = workload;
	p.options = options;
	CHECK_EQ(workloads_open(&p, &wl, &ws, err, sizeof err), 0);
	size_t bytes = wl->input_bytes(ws);
	void *one = inputs_block_alloc(bytes), *many = inputs_block_alloc(bytes);
	CHECK(one && many);
	CHECK_EQ(wl->build(ws, one, 0, 1), 0);
	for (int n = 2; n <= 7; n += 5) {
		memset(many, 0, bytes);
		for (int k = n - 1; k >= 0; k--)
			CHECK_EQ(wl->build(ws, many, k, n), 0);
		CHECK(memcmp(one, many, bytes) == 0);
	}
	memset(many, 0, bytes);
	CHECK_EQ(inputs_fill(wl, ws, many, 3), 0);
	CHECK(memcmp(one, many, bytes) == 0);
	inputs_block_free(one, bytes);
	inputs_block_free(many, bytes);
	wl->close(ws);
}

/* Each page size this machine can give, and a clear refusal of the ones
 * it cannot: never a silent fall-back when one was forced. */
static void check_pages(void)
{
	struct workload_scenario *ws;
	const struct workload *wl = open_fire("demo", WORKLOAD_F32, &ws);
	static const enum strategy_pages kinds[] = { STRATEGY_PAGES_AUTO, STRATEGY_PAGES_HUGE, STRATEGY_PAGES_THP };
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		struct inputs in;
		char err[256] = "";
		int rc = inputs_build_memfd(&in, wl, ws, kinds[i], 2, err, sizeof err);
		if (rc == -ENOTSUP) {
			CHECK(kinds[i] != STRATEGY_PAGES_AUTO);
			CHECK(err[0] != '\0');
			printf("skip: --shm-pages %s is not available here: %s\n", strategy_pages_name(kinds[i]), err);
			continue;
		}
		CHECK_EQ(rc, 0);
		if (rc)
			continue;
		printf("--shm-pages %s: %zu KiB pages\n", strategy_pages_name(kinds[i]), in.page_bytes >> 10);
		if (kinds[i] == STRATEGY_PAGES_HUGE || kinds[i] == STRATEGY_PAGES_THP)
			CHECK(in.page_bytes >= (2u << 20));
		else
			CHECK(in.page_bytes >= 4096);
		inputs_release(&in, true);
	}
	wl->close(ws);
}

int main(void)
{
	check_scenario("tiny", WORKLOAD_F32);
	check_scenario("tiny", WORKLOAD_F64);
	check_scenario("demo", WORKLOAD_F32);
	check_parts("fire", "");
	check_parts("synthetic", "input_mb=3,job_ms=1,job_mb=0,iters_per_ms=10");
	check_pages();
	return check_result("test_inputs");
}
