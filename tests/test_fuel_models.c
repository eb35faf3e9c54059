/*
 * test_fuel_models.c - the kernel's built-in fuel model table against
 * data/fuel_models.csv, read with libcsv as a user's file would be (the
 * name of model 6 holds a quoted comma), plus the derived flags and the
 * mapping of unknown codes to a nonburnable model.  It does not test
 * moisturizing; test_physics does, against the spec's table 8.6.
 */
#include "check.h"
#include "kernel.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#define FIELDS 19

struct reader {
	int field;
	int row;
	char text[FIELDS][128];
	int rows_checked;
};

static void check_row(struct reader *r)
{
	if (r->row++ == 0) {
		CHECK(strcmp(r->text[0], "fuel_model_number") == 0);
		return;
	}
	int number = atoi(r->text[0]);
	const struct kernel_fuel_model *fm = kernel_fuel_model(number);
	CHECK_EQ(fm->number, number);
	CHECK(strcmp(fm->code, r->text[1]) == 0);
	CHECK_REL(fm->delta, atof(r->text[4]), 1e-6);
	CHECK_REL(fm->M_x[0] * 100.0, atof(r->text[5]), 1e-6);
	CHECK_REL(fm->h[0] / 1000.0, atof(r->text[6]), 1e-6);
	int w_slot[5] = { 0, 1, 2, 4, 5 };
	for (int i = 0; i < 5; i++) {
		CHECK_REL(fm->w_o[w_slot[i]], atof(r->text[7 + i]), 1e-6);
		CHECK_REL(fm->sigma[w_slot[i]], atof(r->text[12 + i]), 1e-6);
	}
	CHECK_EQ(fm->dynamic, atoi(r->text[17]));
	CHECK_EQ(fm->burnable, atoi(r->text[18]));
	r->rows_checked++;
}

static void on_field(void *s, size_t len, void *data)
{
	struct reader *r = data;
	if (r->field < FIELDS) {
		size_t n = len < sizeof r->text[0] - 1 ? len : sizeof r->text[0] - 1;
		memcpy(r->text[r->field], s, n);
		r->text[r->field][n] = '\0';
	}
	r->field++;
}

static void on_row(int c, void *data)
{
	(void)c;
	struct reader *r = data;
	CHECK_EQ(r->field, FIELDS);
	check_row(r);
	r->field = 0;
}

int main(void)
{
	const char *path = SPREADBENCH_SOURCE_DIR "/data/fuel_models.csv";
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		perror(path);
		return 1;
	}
	struct csv_parser p;
	struct reader r = { 0 };
	CHECK(csv_init(&p, CSV_APPEND_NULL) == 0);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		CHECK(csv_parse(&p, buf, n, on_field, on_row, &r) == n);
	csv_fini(&p, on_field, on_row, &r);
	csv_free(&p);
	fclose(fp);

	CHECK_EQ(r.rows_checked, 58);
	CHECK_EQ(kernel_fuel_model_count(), 58);
	/* Model 6's name holds a comma; its depth must not shift. */
	CHECK_REL(kernel_fuel_model(6)->delta, 2.5, 1e-6);
	/* Dynamic only for Scott & Burgan models with herbaceous load. */
	CHECK(kernel_fuel_model(102)->dynamic);
	CHECK(!kernel_fuel_model(2)->dynamic);
	CHECK(!kernel_fuel_model(185)->dynamic);
	/* Codes without an entry are nonburnable, whatever their range. */
	int unknown[] = { 0, 14, 94, 97, 100, 299, 32767, -9999 };
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
		CHECK(!kernel_fuel_model(unknown[i])->burnable);
	for (int nb = 91; nb <= 99; nb++)
		CHECK(!kernel_fuel_model(nb)->burnable);
	return check_result("test_fuel_models");
}
