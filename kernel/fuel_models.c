/*
 * fuel_models.c - the 58 standard fuel models and their moisturizing.
 *
 * The table below holds the 13 numbers of each row of data/fuel_models.csv
 * (Anderson 1982; Scott & Burgan 2005; five nonburnable codes) in the
 * file's own units; tests/test_fuel_models.c reads the CSV with libcsv and
 * checks that the two agree.  Expansion to six size classes and dynamic
 * curing follow kernel-spec.md section 2 and Albini (1976).  Codes that
 * have no table entry map to a nonburnable model, never to garbage.
 */
#include "kernel.h"

#include <math.h>
#include <pthread.h>

struct fuel_row {
	int number;
	const char *code;
	double v[13];  /* delta, Mx%, h/1000, w(5), sigma(5) */
};

static const struct fuel_row fuel_rows[] = {
	{ 1, "R01", { 1.0, 12.0, 8.0, 0.034, 0.0, 0.0, 0.0, 0.0, 3500.0, 0.0, 0.0, 0.0, 0.0 } },
	{ 2, "R02", { 1.0, 15.0, 8.0, 0.092, 0.046, 0.023, 0.023, 0.0, 3000.0, 109.0, 30.0, 1500.0, 0.0 } },
	{ 3, "R03", { 2.5, 25.0, 8.0, 0.138, 0.0, 0.0, 0.0, 0.0, 1500.0, 0.0, 0.0, 0.0, 0.0 } },
	{ 4, "R04", { 6.0, 20.0, 8.0, 0.23, 0.184, 0.092, 0.23, 0.0, 2000.0, 109.0, 30.0, 1500.0, 0.0 } },
	{ 5, "R05", { 2.0, 20.0, 8.0, 0.046, 0.023, 0.0, 0.092, 0.0, 2000.0, 109.0, 0.0, 1500.0, 0.0 } },
	{ 6, "R06", { 2.5, 25.0, 8.0, 0.069, 0.115, 0.092, 0.0, 0.0, 1750.0, 109.0, 30.0, 0.0, 0.0 } },
	{ 7, "R07", { 2.5, 40.0, 8.0, 0.052, 0.086, 0.069, 0.017, 0.0, 1750.0, 109.0, 30.0, 1550.0, 0.0 } },
	{ 8, "R08", { 0.2, 30.0, 8.0, 0.069, 0.046, 0.115, 0.0, 0.0, 2000.0, 109.0, 30.0, 0.0, 0.0 } },
	{ 9, "R09", { 0.2, 25.0, 8.0, 0.134, 0.019, 0.007, 0.0, 0.0, 2500.0, 109.0, 30.0, 0.0, 0.0 } },
	{ 10, "R10", { 1.0, 25.0, 8.0, 0.138, 0.092, 0.23, 0.092, 0.0, 2000.0, 109.0, 30.0, 1500.0, 0.0 } },
	{ 11, "R11", { 1.0, 15.0, 8.0, 0.069, 0.207, 0.253, 0.0, 0.0, 1500.0, 109.0, 30.0, 0.0, 0.0 } },
	{ 12, "R12", { 2.3, 20.0, 8.0, 0.184, 0.644, 0.759, 0.0, 0.0, 1500.0, 109.0, 30.0, 0.0, 0.0 } },
	{ 13, "R13", { 3.0, 25.0, 8.0, 0.322, 1.058, 1.288, 0.0, 0.0, 1500.0, 109.0, 30.0, 0.0, 0.0 } },
	{ 91, "NB1", { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 } },
	{ 92, "NB2", { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 } },
	{ 93, "NB3", { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 } },
	{ 98, "NB4", { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 } },
	{ 99, "NB5", { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 } },
	{ 101, "GR1", { 0.4, 15.0, 8.0, 0.0046, 0.0, 0.0, 0.0138, 0.0, 2200.0, 109.0, 30.0, 2000.0, 0.0 } },
	{ 102, "GR2", { 1.0, 15.0, 8.0, 0.0046, 0.0, 0.0, 0.0459, 0.0, 2000.0, 109.0, 30.0, 1800.0, 0.0 } },
	{ 103, "GR3", { 2.0, 30.0, 8.0, 0.0046, 0.0184, 0.0, 0.0689, 0.0, 1500.0, 109.0, 30.0, 1300.0, 0.0 } },
	{ 104, "GR4", { 2.0, 15.0, 8.0, 0.0115, 0.0, 0.0, 0.0872, 0.0, 2000.0, 109.0, 30.0, 1800.0, 0.0 } },
	{ 105, "GR5", { 1.5, 40.0, 8.0, 0.0184, 0.0, 0.0, 0.1148, 0.0, 1800.0, 109.0, 30.0, 1600.0, 0.0 } },
	{ 106, "GR6", { 1.5, 40.0, 9.0, 0.0046, 0.0, 0.0, 0.1561, 0.0, 2200.0, 109.0, 30.0, 2000.0, 0.0 } },
	{ 107, "GR7", { 3.0, 15.0, 8.0, 0.0459, 0.0, 0.0, 0.2479, 0.0, 2000.0, 109.0, 30.0, 1800.0, 0.0 } },
	{ 108, "GR8", { 4.0, 30.0, 8.0, 0.023, 0.0459, 0.0, 0.3352, 0.0, 1500.0, 109.0, 30.0, 1300.0, 0.0 } },
	{ 109, "GR9", { 5.0, 40.0, 8.0, 0.0459, 0.0459, 0.0, 0.4132, 0.0, 1800.0, 109.0, 30.0, 1600.0, 0.0 } },
	{ 121, "GS1", { 0.9, 15.0, 8.0, 0.0092, 0.0, 0.0, 0.023, 0.0298, 2000.0, 109.0, 30.0, 1800.0, 1800.0 } },
	{ 122, "GS2", { 1.5, 15.0, 8.0, 0.023, 0.023, 0.0, 0.0275, 0.0459, 2000.0, 109.0, 30.0, 1800.0, 1800.0 } },
	{ 123, "GS3", { 1.8, 40.0, 8.0, 0.0138, 0.0115, 0.0, 0.0666, 0.0574, 1800.0, 109.0, 30.0, 1600.0, 1600.0 } },
	{ 124, "GS4", { 2.1, 40.0, 8.0, 0.0872, 0.0138, 0.0046, 0.1561, 0.326, 1800.0, 109.0, 30.0, 1600.0, 1600.0 } },
	{ 141, "SH1", { 1.0, 15.0, 8.0, 0.0115, 0.0115, 0.0, 0.0069, 0.0597, 2000.0, 109.0, 30.0, 1800.0, 1600.0 } },
	{ 142, "SH2", { 1.0, 15.0, 8.0, 0.062, 0.1102, 0.0344, 0.0, 0.1768, 2000.0, 109.0, 30.0, 0.0, 1600.0 } },
	{ 143, "SH3", { 2.4, 40.0, 8.0, 0.0207, 0.1377, 0.0, 0.0, 0.2847, 1600.0, 109.0, 30.0, 0.0, 1400.0 } },
	{ 144, "SH4", { 3.0, 30.0, 8.0, 0.039, 0.0528, 0.0092, 0.0, 0.1171, 2000.0, 109.0, 30.0, 1800.0, 1600.0 } },
	{ 145, "SH5", { 6.0, 15.0, 8.0, 0.1653, 0.0964, 0.0, 0.0, 0.1331, 750.0, 109.0, 30.0, 0.0, 1600.0 } },
	{ 146, "SH6", { 2.0, 30.0, 8.0, 0.1331, 0.0666, 0.0, 0.0, 0.0643, 750.0, 109.0, 30.0, 0.0, 1600.0 } },
	{ 147, "SH7", { 6.0, 15.0, 8.0, 0.1607, 0.2433, 0.101, 0.0, 0.1561, 750.0, 109.0, 30.0, 0.0, 1600.0 } },
	{ 148, "SH8", { 3.0, 40.0, 8.0, 0.0941, 0.1561, 0.039, 0.0, 0.1997, 750.0, 109.0, 30.0, 0.0, 1600.0 } },
	{ 149, "SH9", { 4.4, 40.0, 8.0, 0.2066, 0.1125, 0.0, 0.0712, 0.3214, 750.0, 109.0, 30.0, 1800.0, 1500.0 } },
	{ 161, "TU1", { 0.6, 20.0, 8.0, 0.0092, 0.0413, 0.0689, 0.0092, 0.0413, 2000.0, 109.0, 30.0, 1800.0, 1600.0 } },
	{ 162, "TU2", { 1.0, 30.0, 8.0, 0.0436, 0.0826, 0.0574, 0.0, 0.0092, 2000.0, 109.0, 30.0, 0.0, 1600.0 } },
	{ 163, "TU3", { 1.3, 30.0, 8.0, 0.0505, 0.0069, 0.0115, 0.0298, 0.0505, 1800.0, 109.0, 30.0, 1600.0, 1400.0 } },
	{ 164, "TU4", { 0.5, 12.0, 8.0, 0.2066, 0.0, 0.0, 0.0, 0.0918, 2300.0, 109.0, 30.0, 0.0, 2000.0 } },
	{ 165, "TU5", { 1.0, 25.0, 8.0, 0.1837, 0.1837, 0.1377, 0.0, 0.1377, 1500.0, 109.0, 30.0, 0.0, 750.0 } },
	{ 181, "TL1", { 0.2, 30.0, 8.0, 0.0459, 0.101, 0.1653, 0.0, 0.0, 2000.0, 109.0, 30.0, 0.0, 0.0 } },
	{ 182, "TL2", { 0.2, 25.0, 8.0, 0.0643, 0.1056, 0.101, 0.0, 0.0, 2000.0, 109.0, 30.0, 0.0, 0.0 } },
	{ 183, "TL3", { 0.3, 20.0, 8.0, 0.023, 0.101, 0.1286, 0.0, 0.0, 2000.0, 109.0, 30.0, 0.0, 0.0 } },
	{ 184, "TL4", { 0.4, 25.0, 8.0, 0.023, 0.0689, 0.1928, 0.0, 0.0, 2000.0, 109.0, 30.0, 0.0, 0.0 } },
	{ 185, "TL5", { 0.6, 25.0, 8.0, 0.0528, 0.1148, 0.202, 0.0, 0.0, 2000.0, 109.0, 30.0, 0.0, 1600.0 } },
	{ 186, "TL6", { 0.3, 25.0, 8.0, 0.1102, 0.0551, 0.0551, 0.0, 0.0, 2000.0, 109.0, 30.0, 0.0, 0.0 } },
	{ 187, "TL7", { 0.4, 25.0, 8.0, 0.0138, 0.0643, 0.3719, 0.0, 0.0, 2000.0, 109.0, 30.0, 0.0, 0.0 } },
	{ 188, "TL8", { 0.3, 35.0, 8.0, 0.2663, 0.0643, 0.0505, 0.0, 0.0, 1800.0, 109.0, 30.0, 0.0, 0.0 } },
	{ 189, "TL9", { 0.6, 35.0, 8.0, 0.3053, 0.1515, 0.1905, 0.0, 0.0, 1800.0, 109.0, 30.0, 0.0, 1600.0 } },
	{ 201, "SB1", { 1.0, 25.0, 8.0, 0.0689, 0.1377, 0.5051, 0.0, 0.0, 2000.0, 109.0, 30.0, 0.0, 0.0 } },
	{ 202, "SB2", { 1.0, 25.0, 8.0, 0.2066, 0.1951, 0.1837, 0.0, 0.0, 2000.0, 109.0, 30.0, 0.0, 0.0 } },
	{ 203, "SB3", { 1.2, 25.0, 8.0, 0.2525, 0.1263, 0.1377, 0.0, 0.0, 2000.0, 109.0, 30.0, 0.0, 0.0 } },
	{ 204, "SB4", { 2.7, 25.0, 8.0, 0.241, 0.1607, 0.241, 0.0, 0.0, 2000.0, 109.0, 30.0, 0.0, 0.0 } },
};

#define FUEL_ROWS (sizeof(fuel_rows) / sizeof(fuel_rows[0]))
#define FUEL_INDEX 300

static struct kernel_fuel_model models[FUEL_ROWS];
static struct kernel_fuel_model unknown_model;
static const struct kernel_fuel_model *by_number[FUEL_INDEX];
static pthread_once_t models_once = PTHREAD_ONCE_INIT;

/* FIREMOD size class of a surface-area-to-volume ratio (Albini 1976). */
static int firemod_size_class(float sigma)
{
	if (sigma >= 1200.0)
		return 1;
	if (sigma >= 192.0)
		return 2;
	if (sigma >= 96.0)
		return 3;
	if (sigma >= 48.0)
		return 4;
	if (sigma >= 16.0)
		return 5;
	return 6;
}

static void expand_row(const struct fuel_row *r, struct kernel_fuel_model *m)
{
	m->number = r->number;
	m->code = r->code;
	m->burnable = !(r->number >= 91 && r->number <= 99);
	float w_herb = (float)r->v[6];
	m->dynamic = r->number > 100 && w_herb > 1e-6;
	m->delta = (float)r->v[0];
	float mxd = (float)(r->v[1] * 0.01);
	float h = (float)(r->v[2] * 1000.0);
	m->w_o[0] = (float)r->v[3];
	m->w_o[1] = (float)r->v[4];
	m->w_o[2] = (float)r->v[5];
	m->w_o[3] = 0.0f;
	m->w_o[4] = w_herb;
	m->w_o[5] = (float)r->v[7];
	m->sigma[0] = (float)r->v[8];
	m->sigma[1] = (float)r->v[9];
	m->sigma[2] = (float)r->v[10];
	m->sigma[3] = m->dynamic ? (float)r->v[11] : 0.0f;
	m->sigma[4] = (float)r->v[11];
	m->sigma[5] = (float)r->v[12];
	for (int i = 0; i < KERNEL_FUEL_CLASSES; i++) {
		m->h[i] = h;
		double A = i < 4 ? -138.0 : -500.0;
		m->exp_A_sigma[i] = m->sigma[i] > 1e-6 ? (float)exp(A / m->sigma[i]) : 0.0f;
		m->size_class[i] = firemod_size_class(m->sigma[i]);
	}
	m->M_x[0] = m->M_x[1] = m->M_x[2] = mxd;
	m->M_x[3] = m->dynamic ? mxd : 0.0f;
	m->M_x[4] = m->M_x[5] = 0.0f;
}

static void models_init(void)
{
	static const struct fuel_row nb = { 0, "NB", { 0 } };
	expand_row(&nb, &unknown_model);
	unknown_model.burnable = false;
	for (size_t i = 0; i < FUEL_ROWS; i++) {
		expand_row(&fuel_rows[i], &models[i]);
		by_number[fuel_rows[i].number] = &models[i];
	}
}

const struct kernel_fuel_model *kernel_fuel_model(int number)
{
	pthread_once(&models_once, models_init);
	if (number < 0 || number >= FUEL_INDEX || !by_number[number])
		return &unknown_model;
	return by_number[number];
}

size_t kernel_fuel_model_count(void)
{
	return FUEL_ROWS;
}

const struct kernel_fuel_model *kernel_fuel_model_at(size_t i)
{
	pthread_once(&models_once, models_init);
	return i < FUEL_ROWS ? &models[i] : NULL;
}

/* Rothermel's particle density, total and effective mineral content. */
#define RHO_P 32.0f
#define S_T 0.0555f
#define S_E 0.01f

void kernel_fuel_moisturize(const struct kernel_fuel_model *fm, const float moisture[5],
			    struct kernel_moist_fuel *out)
{
	out->base = fm;
	float *w = out->w_o, *M_f = out->M_f;
	for (int i = 0; i < KERNEL_FUEL_CLASSES; i++) {
		w[i] = fm->w_o[i];
		out->M_x[i] = fm->M_x[i];
	}
	M_f[0] = moisture[0];
	M_f[1] = moisture[1];
	M_f[2] = moisture[2];
	M_f[3] = 0.0f;
	M_f[4] = moisture[3];
	M_f[5] = moisture[4];

	/* Dynamic curing moves herbaceous load between live and dead. */
	if (fm->dynamic) {
		float green = (float)(M_f[4] / 0.9 - 0.3333333333333333);
		green = green < 0.0f ? 0.0f : green > 1.0f ? 1.0f : green;
		float cured = 1.0f - green;
		M_f[3] = M_f[0];
		w[3] = fm->w_o[4] * cured;
		w[4] = fm->w_o[4] * green;
	}

	/* Weighting factors by surface area (Rothermel 1972, eqs. 53-56). */
	float A_ij[KERNEL_FUEL_CLASSES];
	for (int i = 0; i < KERNEL_FUEL_CLASSES; i++)
		A_ij[i] = fm->sigma[i] * w[i] / RHO_P;
	float A_dead = A_ij[0] + A_ij[1] + A_ij[2] + A_ij[3];
	float A_live = A_ij[4] + A_ij[5];
	float A_T = A_dead + A_live;
	for (int i = 0; i < 4; i++)
		out->f_ij[i] = A_dead > 1e-6 ? A_ij[i] / A_dead : 0.0f;
	for (int i = 4; i < 6; i++)
		out->f_ij[i] = A_live > 1e-6 ? A_ij[i] / A_live : 0.0f;
	if (A_T > 1e-6) {
		out->f_i[0] = A_dead / A_T;
		out->f_i[1] = A_live / A_T;
	} else {
		out->f_i[0] = out->f_i[1] = 0.0f;
	}
	/* g_ij: weights summed over classes of the same FIREMOD size class
	 * within the category (Albini 1976), used for the net loading. */
	for (int i = 0; i < KERNEL_FUEL_CLASSES; i++) {
		int lo = i < 4 ? 0 : 4, hi = i < 4 ? 4 : 6;
		float g = 0.0f;
		for (int k = lo; k < hi; k++)
			if (fm->size_class[k] == fm->size_class[i])
				g += out->f_ij[k];
		out->g_ij[i] = g;
	}

	/* Live moisture of extinction (Rothermel eq. 88, Albini 1976). */
	float L[KERNEL_FUEL_CLASSES];
	for (int i = 0; i < KERNEL_FUEL_CLASSES; i++)
		L[i] = w[i] * fm->exp_A_sigma[i];
	float dead_moist = M_f[0] * L[0] + M_f[1] * L[1] + M_f[2] * L[2] + M_f[3] * L[3];
	float dead_load = L[0] + L[1] + L[2] + L[3];
	float live_load = L[4] + L[5];
	float mxd = out->M_x[0];
	float mx_live = mxd;
	if (dead_load > 1e-6 && live_load > 1e-6) {
		float mf_dead = dead_moist / dead_load;
		float ratio = dead_load / live_load;
		float v = (float)(2.9 * ratio * (1.0 - mf_dead / mxd) - 0.226);
		mx_live = v > mxd ? v : mxd;
	}
	out->M_x[4] = out->M_x[5] = mx_live;
}
