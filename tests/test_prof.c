/*
 * test_prof.c - the whole `prof` fire (kernel-spec.md section 7: 5000 x
 * 5000 cells, 1.55 GB of float32 inputs, 720 minutes) against the
 * compiled reference run of table 8.8, within the table's tolerance: a
 * few cells (0.01 %) for counts, which float32 evaluation order may move.
 * Timing is not checked here; it belongs to the benchmark.
 */
#include "check.h"
#include "kernel.h"

#include <stdlib.h>

int main(void)
{
	struct kernel_scenario sc;
	CHECK(kernel_scenario_find("prof", 1, &sc) == 0);
	size_t bytes = kernel_scenario_input_bytes(&sc, KERNEL_F32);
	/* 18 layers as in section 7.1, each padded to a page. */
	CHECK(bytes >= 1550000000u && bytes < 1551000000u);
	void *buf = kernel_block_alloc(bytes);
	if (!buf) {
		fprintf(stderr, "cannot map %zu bytes for prof\n", bytes);
		return 1;
	}
	CHECK(kernel_scenario_build(&sc, KERNEL_F32, buf) == 0);
	struct kernel_landscape ls;
	kernel_landscape_attach(&sc, KERNEL_F32, buf, &ls);
	struct kernel_fire *f = NULL;
	CHECK(kernel_fire_new(&ls, &f) == 0);
	struct kernel_fire_result r;
	CHECK(kernel_fire_run(f, &sc.reference_job, &r) == 0);

	CHECK_REL(r.burned_cells, 254924, 1e-4);
	CHECK_REL(r.crowned_cells, 250100, 1e-4);
	CHECK(labs(r.type_counts[1] - 4824) <= 10);
	CHECK(labs(r.type_counts[2] - 17399) <= 10);
	CHECK(labs(r.type_counts[3] - 232701) <= 10);
	CHECK_REL((double)r.crowned_cells / r.burned_cells, 0.98108, 1e-4);
	CHECK_REL(r.length_to_width, 3.00989, 1e-4);
	CHECK(labs(r.tracked_cells_end - 18546) <= 20);
	CHECK(abs(r.steps - 2489) <= 2);
	CHECK_REL(r.stop_time, 2790.0, 1e-6);
	CHECK(r.stop_condition == KERNEL_STOP_MAX_DURATION);
	CHECK(abs(r.bbox[0] - 493) <= 1 && abs(r.bbox[1] - 1502) <= 1);
	CHECK(abs(r.bbox[2] - 492) <= 1 && abs(r.bbox[3] - 815) <= 1);
	/* The ignition cell keeps fire type 0 and its start time. */
	CHECK_EQ(kernel_fire_type(f, 500, 500), 0);
	CHECK_REL(kernel_fire_time_of_arrival(f, 500, 500), 2070.0, 1e-7);
	printf("prof: burned %ld, types %ld/%ld/%ld, L/W %.5f, steps %d, tracked %ld\n", r.burned_cells,
	       r.type_counts[1], r.type_counts[2], r.type_counts[3], r.length_to_width, r.steps,
	       r.tracked_cells_end);
	kernel_fire_free(f);
	kernel_block_free(buf, bytes);
	return check_result("test_prof");
}
