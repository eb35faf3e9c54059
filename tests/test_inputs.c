/*
 * test_inputs.c - the shared inputs are what pool-shm promises: the same
 * bytes as a private build, in a memfd that no one can write, grow or
 * shrink once sealed, that any process can map read-only, and whose pages
 * are all mapped by the builder (so they count in its PSS).
 */
#include "check.h"
#include "inputs.h"

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

static void check_scenario(const char *scenario, enum kernel_dtype dtype)
{
	struct inputs priv, shm, other;
	CHECK_EQ(inputs_build_private(&priv, scenario, 3, dtype), 0);
	CHECK_EQ(inputs_build_memfd(&shm, scenario, 3, dtype), 0);
	CHECK(shm.fd >= 0);
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
	CHECK_EQ(inputs_map_fd(&other, shm.fd, scenario, 3, dtype), 0);
	CHECK(memcmp(other.buf, priv.buf, priv.bytes) == 0);
	inputs_release(&other, false);
	/* A descriptor of another size is refused. */
	CHECK_EQ(inputs_map_fd(&other, shm.fd, scenario, 3, dtype == KERNEL_F32 ? KERNEL_F64 : KERNEL_F32),
		 -EINVAL);

	inputs_release(&shm, true);
	inputs_release(&priv, true);
}

int main(void)
{
	check_scenario("tiny", KERNEL_F32);
	check_scenario("tiny", KERNEL_F64);
	check_scenario("demo", KERNEL_F32);
	return check_result("test_inputs");
}
