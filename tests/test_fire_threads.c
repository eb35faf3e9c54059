/*
 * test_fire_threads.c - one fire split across threads gives exactly what
 * one thread gives: the same burned and crowned cells, steps, stop time
 * and time-of-arrival checksum, and the same output in every cell, for
 * unequal demo fires at 2, 3 and 4 threads with the passes split even when
 * tiny.  Without OpenMP, asking for more than one thread is refused.
 * Also: the f64 landscape, whose values are not rounded to float32 before
 * the kernel reads them, burns nearly the same cells as the f32 one.
 */
#include "check.h"
#include "kernel.h"

#include <errno.h>
#include <math.h>
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
		kernel_fire_set_split_min(many, 1, 1);
		for (int threads = 2; threads <= 4; threads++) {
			CHECK_EQ(kernel_fire_set_threads(many, threads), 0);
			CHECK_EQ(kernel_fire_threads(many), threads);
			for (int j = 0; j < 4; j++) {
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

int main(void)
{
	threads_match();
	dtypes_agree();
	return check_result("test_fire_threads");
}
