/*
 * test_fire_threads.c - one fire split across threads gives exactly what
 * one thread gives: the same burned and crowned cells, steps, stop time
 * and time-of-arrival checksum, and the same output in every cell, for
 * unequal demo fires at 2, 3 and 4 threads, with steps split even when
 * tiny, and with small steps left to one thread while the others wait.
 * Without OpenMP, asking for more than one thread is refused.
 * Also: the f64 landscape, whose values are not rounded to float32 before
 * the kernel reads them, burns nearly the same cells as the f32 one; and a
 * landscape block filled in parts, by two threads in shuffled order, is
 * byte for byte the block built at once, each part confined to whole pages
 * of its own.
 */
#include "check.h"
#include "kernel.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

struct built {
	struct kernel_scenario sc;
	void *buf;
	size_t bytes;
	struct kernel_landscape ls;
};

static int build(const char *name, enum kernel_dtype dtype, struct built *b)
{
	int rc = kernel_scenario_find(name, 5, &b->sc);
	if (rc)
		return rc;
	b->bytes = kernel_scenario_input_bytes(&b->sc, dtype);
	b->buf = kernel_block_alloc(b->bytes);
	if (!b->buf)
		return -ENOMEM;
	kernel_scenario_build(&b->sc, dtype, b->buf);
	kernel_landscape_attach(&b->sc, dtype, b->buf, &b->ls);
	return 0;
}

static bool same_cells(const struct kernel_fire *a, const struct kernel_fire *b, int rows, int cols)
{
	for (int y = 0; y < rows; y++)
		for (int x = 0; x < cols; x++) {
			float ta = kernel_fire_time_of_arrival(a, y, x), tb = kernel_fire_time_of_arrival(b, y, x);
			if (memcmp(&ta, &tb, sizeof ta) || kernel_fire_type(a, y, x) != kernel_fire_type(b, y, x))
				return false;
			float ra = kernel_fire_spread_rate(a, y, x), rb = kernel_fire_spread_rate(b, y, x);
			float ia = kernel_fire_intensity(a, y, x), ib = kernel_fire_intensity(b, y, x);
			float pa = kernel_fire_phi(a, y, x), pb = kernel_fire_phi(b, y, x);
			if (memcmp(&ra, &rb, sizeof ra) || memcmp(&ia, &ib, sizeof ia) || memcmp(&pa, &pb, sizeof pa))
				return false;
		}
	return true;
}

static void threads_match(void)
{
	struct built b;
	CHECK_EQ(build("demo", KERNEL_F32, &b), 0);
	struct kernel_fire *one = NULL, *many = NULL;
	CHECK_EQ(kernel_fire_new(&b.ls, &one), 0);
	CHECK_EQ(kernel_fire_new(&b.ls, &many), 0);
	CHECK_EQ(kernel_fire_threads(one), 1);
	if (!kernel_has_openmp()) {
		CHECK_EQ(kernel_fire_set_threads(many, 2), -ENOTSUP);
		CHECK_EQ(kernel_fire_set_threads(many, 1), 0);
		printf("test_fire_threads: built without OpenMP; one thread only\n");
	} else {
		long biggest = 0;
		for (int threads = 2; threads <= 4; threads++) {
			CHECK_EQ(kernel_fire_set_threads(many, threads), 0);
			CHECK_EQ(kernel_fire_threads(many), threads);
			for (int j = 0; j < 6; j++) {
				/* Jobs 0-3 split every step; 4 and 5 switch between
				 * one thread and all as their band grows. */
				kernel_fire_set_split_min(many, j < 4 ? 1 : 400, 1);
				struct kernel_job job;
				struct kernel_fire_result r1, rn;
				CHECK_EQ(kernel_scenario_job(&b.sc, KERNEL_JOBS_MIXED, j, &job), 0);
				CHECK_EQ(kernel_fire_run(one, &job, &r1), 0);
				CHECK_EQ(kernel_fire_run(many, &job, &rn), 0);
				CHECK(r1.burned_cells > 10);
				biggest = r1.burned_cells > biggest ? r1.burned_cells : biggest;
				CHECK_EQ(rn.burned_cells, r1.burned_cells);
				CHECK_EQ(rn.crowned_cells, r1.crowned_cells);
				CHECK_EQ(rn.steps, r1.steps);
				CHECK(rn.stop_time == r1.stop_time);
				CHECK(rn.checksum == r1.checksum);
				CHECK(rn.length_to_width == r1.length_to_width);
				CHECK(same_cells(one, many, b.sc.rows, b.sc.cols));
			}
		}
		CHECK(biggest > 5000);
		CHECK_EQ(kernel_fire_set_threads(many, 0), 0);
		CHECK(kernel_fire_threads(many) >= 1);
	}
	CHECK_EQ(kernel_fire_set_threads(many, -1), -EINVAL);
	kernel_fire_free(one);
	kernel_fire_free(many);
	kernel_block_free(b.buf, b.bytes);
}

/* f64 inputs keep the generator's values unrounded, so a few cells may
 * differ; the fires must agree within 2 % of burned cells. */
static void dtypes_agree(void)
{
	struct built b32, b64;
	CHECK_EQ(build("demo", KERNEL_F32, &b32), 0);
	CHECK_EQ(build("demo", KERNEL_F64, &b64), 0);
	CHECK(b64.bytes > 1.9 * b32.bytes);
	struct kernel_fire *f32 = NULL, *f64 = NULL;
	CHECK_EQ(kernel_fire_new(&b32.ls, &f32), 0);
	CHECK_EQ(kernel_fire_new(&b64.ls, &f64), 0);
	for (int j = 0; j < 4; j++) {
		struct kernel_job job;
		struct kernel_fire_result a, c;
		CHECK_EQ(kernel_scenario_job(&b32.sc, KERNEL_JOBS_MIXED, j, &job), 0);
		CHECK_EQ(kernel_fire_run(f32, &job, &a), 0);
		CHECK_EQ(kernel_fire_run(f64, &job, &c), 0);
		double rel = fabs((double)c.burned_cells - (double)a.burned_cells) / (double)a.burned_cells;
		printf("test_fire_threads: job %d burned f32 %ld f64 %ld (%.4f%%)\n", j, a.burned_cells,
		       c.burned_cells, 100 * rel);
		CHECK(rel <= 0.02);
	}
	kernel_fire_free(f32);
	kernel_fire_free(f64);
	kernel_block_free(b32.buf, b32.bytes);
	kernel_block_free(b64.buf, b64.bytes);
}

/* Two threads take parts from one shuffled list until it is empty. */
struct part_queue {
	const struct kernel_scenario *sc;
	enum kernel_dtype dtype;
	void *buf;
	const int *order;
	int nparts;
	atomic_int next;
	atomic_int failed;
};

static void *fill_parts(void *arg)
{
	struct part_queue *q = arg;
	for (int i; (i = atomic_fetch_add(&q->next, 1)) < q->nparts;)
		if (kernel_scenario_build_part(q->sc, q->dtype, q->buf, q->order[i], q->nparts))
			atomic_store(&q->failed, 1);
	return NULL;
}

static void shuffle(int *v, int n, uint64_t seed)
{
	for (int i = 0; i < n; i++)
		v[i] = i;
	for (int i = n - 1; i > 0; i--) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		int j = (int)((seed >> 33) % (uint64_t)(i + 1));
		int t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

/* Built alone into a block of 0xa5 bytes, part p leaves every page either
 * untouched or equal to the whole build; counts[] tallies who wrote it. */
static void part_alone(const struct built *whole, int p, int nparts, unsigned char *scratch,
		       int *counts)
{
	memset(scratch, 0xa5, whole->bytes);
	CHECK_EQ(kernel_scenario_build_part(&whole->sc, whole->ls.layer[0].dtype, scratch, p, nparts), 0);
	const unsigned char *ref = whole->buf;
	for (size_t pg = 0; pg < whole->bytes / 4096; pg++) {
		const unsigned char *a = scratch + pg * 4096;
		bool untouched = true;
		for (int i = 0; i < 4096 && untouched; i++)
			untouched = a[i] == 0xa5;
		if (untouched)
			continue;
		CHECK(memcmp(a, ref + pg * 4096, 4096) == 0);
		counts[pg]++;
	}
}

static void parts_match(const char *name, enum kernel_dtype dtype, int nparts)
{
	struct built whole;
	CHECK_EQ(build(name, dtype, &whole), 0);
	CHECK(whole.bytes % 4096 == 0);
	void *buf = kernel_block_alloc(whole.bytes);
	int *order = malloc(sizeof *order * (size_t)nparts);
	CHECK(buf && order);
	memset(buf, 0xa5, whole.bytes);
	shuffle(order, nparts, (uint64_t)nparts * 7919u + (uint64_t)dtype);
	struct part_queue q = { .sc = &whole.sc, .dtype = dtype, .buf = buf, .order = order,
				.nparts = nparts };
	atomic_init(&q.next, 0);
	atomic_init(&q.failed, 0);
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, fill_parts, &q), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ(atomic_load(&q.failed), 0);
	CHECK(memcmp(buf, whole.buf, whole.bytes) == 0);

	int *counts = calloc(whole.bytes / 4096, sizeof *counts);
	CHECK(counts != NULL);
	for (int p = 0; p < nparts; p++)
		part_alone(&whole, p, nparts, buf, counts);
	/* Every page (even one that happens to hold only 0xa5 bytes, which
	 * none does) was written by exactly one part. */
	int bad = 0;
	for (size_t pg = 0; pg < whole.bytes / 4096; pg++)
		bad += counts[pg] != 1;
	CHECK_EQ(bad, 0);
	CHECK_EQ(kernel_scenario_build_part(&whole.sc, dtype, buf, nparts, nparts), -EINVAL);
	CHECK_EQ(kernel_scenario_build_part(&whole.sc, dtype, buf, -1, nparts), -EINVAL);
	CHECK_EQ(kernel_scenario_build_part(&whole.sc, dtype, buf, 0, 0), -EINVAL);
	printf("test_fire_threads: %s %s block of %zu bytes built in %d parts\n", name,
	       dtype == KERNEL_F64 ? "f64" : "f32", whole.bytes, nparts);
	free(counts);
	free(order);
	kernel_block_free(buf, whole.bytes);
	kernel_block_free(whole.buf, whole.bytes);
}

int main(void)
{
	threads_match();
	dtypes_agree();
	parts_match("tiny", KERNEL_F32, 5);
	parts_match("tiny", KERNEL_F64, 64);
	parts_match("demo", KERNEL_F32, 13);
	parts_match("demo", KERNEL_F64, 7);
	return check_result("test_fire_threads");
}
