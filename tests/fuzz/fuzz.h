/*
 * fuzz.h - what the fuzz targets share: the libFuzzer entry point, and a
 * check that stops the run (abort, which libFuzzer and the replay driver
 * report as a crash with the input) when a property does not hold.
 */
#ifndef SPREADBENCH_FUZZ_H
#define SPREADBENCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                                  \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                           \
		}                                                                          \
	} while (0)

#endif
