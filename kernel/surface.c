/*
 * surface.c - Rothermel (1972) surface fire with Albini's (1976)
 * revisions: reaction intensity, no-wind/no-slope spread, the wind and
 * slope factors combined as vectors on the slope plane, the wind limit,
 * midflame wind (Albini & Baughman 1979 as given by Andrews 2012) and the
 * Behave length-to-width ratio.  Every quantity is a float32, as in the
 * model this reproduces; double appears only inside expressions.
 * English units inside Rothermel's equations, SI at the boundary.
 */
#include "kernel.h"
#include "kernel_internal.h"

#include <math.h>

#define RHO_P 32.0f
#define S_T 0.0555f
#define S_E 0.01f

/* Rothermel's moisture damping coefficient (eq. 29). */
static float moisture_damping(float mf, float mx)
{
	if (mx > 0.0f) {
		float r = mf / mx;
		r = r < 1.0f ? r : 1.0f;
		return (float)(1.0 - 2.59 * r + 5.11 * r * r - 3.52 * r * r * r);
	}
	return 0.0f;
}

void kernel_surface_min(const struct kernel_moist_fuel *mf, float spread_adjustment,
			struct kernel_surface_min *out, struct kernel_surface_detail *detail)
{
	const struct kernel_fuel_model *fm = mf->base;
	const float *f = mf->f_ij, *w = mf->w_o, *s = fm->sigma, *M_f = mf->M_f, *M_x = mf->M_x;
	float f_dead = mf->f_i[0], f_live = mf->f_i[1];

	/* Fuel bed (eqs. 71, 74, 69, 40). */
	float sig_dead = f[0] * s[0] + f[1] * s[1] + f[2] * s[2] + f[3] * s[3];
	float sig_live = f[4] * s[4] + f[5] * s[5];
	float sigma = f_dead * sig_dead + f_live * sig_live;
	float vol = 0.0f, load = 0.0f;
	for (int i = 0; i < KERNEL_FUEL_CLASSES; i++) {
		vol += w[i] / RHO_P;
		load += w[i];
	}
	float beta = fm->delta > 0.0f ? vol / fm->delta : 0.0f;
	float beta_op = sigma > 0.0f ? (float)(3.348 * pow(sigma, -0.8189)) : 1.0f;
	float rho_b = fm->delta > 0.0f ? load / fm->delta : 0.0f;

	/* Reaction intensity per category (eqs. 27-30, 24). */
	float eta_S[2], eta_M[2], h_cat[2], W_n[2];
	for (int c = 0; c < 2; c++) {
		int lo = c ? 4 : 0, hi = c ? 6 : 4;
		float se = 0.0f, mfc = 0.0f, mxc = 0.0f, hc = 0.0f, wn = 0.0f;
		for (int i = lo; i < hi; i++) {
			se += f[i] * S_E;
			mfc += f[i] * M_f[i];
			mxc += f[i] * M_x[i];
			hc += f[i] * fm->h[i];
			wn += mf->g_ij[i] * w[i] * (1.0f - S_T);
		}
		eta_S[c] = se > 0.0f ? (float)(0.174 * pow(se, -0.19)) : 1.0f;
		eta_M[c] = moisture_damping(mfc, mxc);
		h_cat[c] = hc;
		W_n[c] = wn;
	}
	float btus = W_n[0] * h_cat[0] * eta_M[0] * eta_S[0] + W_n[1] * h_cat[1] * eta_M[1] * eta_S[1];
	float A = sigma > 0.0f ? (float)(133.0 * pow(sigma, -0.7913)) : 0.0f;
	float B = (float)pow(sigma, 1.5);
	float gamma_max = (float)(B / (495.0 + 0.0594 * B));
	float C = beta / beta_op;
	float gamma = (float)(gamma_max * pow(C, A) * exp(A * (1.0 - C)));
	float I_R = btus * gamma;

	/* No-wind, no-slope spread (eqs. 42, 77, 12, 52). */
	float xi = (float)(exp((0.792 + 0.681 * sqrt(sigma)) * (beta + 0.1)) / (192.0 + 0.2595 * sigma));
	float heat_source = I_R * xi;
	float sink[2] = { 0.0f, 0.0f };
	for (int i = 0; i < KERNEL_FUEL_CLASSES; i++) {
		float eps = s[i] > 0.0f ? (float)exp(-138.0 / s[i]) : 0.0f;
		float qig = M_f[i] > 0.0f ? (float)(250.0 + 1116.0 * M_f[i]) : 0.0f;
		sink[i < 4 ? 0 : 1] += f[i] * eps * qig;
	}
	float heat_sink = rho_b * (f_dead * sink[0] + f_live * sink[1]);
	float R0 = heat_sink > 0.0f ? heat_source / heat_sink : 0.0f;
	float t_r = sigma > 0.0f ? (float)(384.0 / sigma) : 0.0f;
	float depth = R0 * t_r;
	float I_s = (float)(I_R * depth / 60.0);

	/* Wind and slope coefficients (eqs. 47-50, 51). */
	float U_max = (float)(0.9 * I_R);
	float wB = (float)(0.02526 * pow(sigma, 0.54));
	float wC = (float)(7.47 * exp(-0.133 * pow(sigma, 0.55)));
	float wE = (float)(0.715 * exp(-3.59 * sigma * 1e-4));
	float wF = (float)pow(beta / beta_op, wE);

	out->base_spread_rate = ft_to_m(R0 * spread_adjustment);
	out->base_fireline_intensity = Btu_ft_s_to_kW_m(I_s * spread_adjustment);
	out->max_effective_wind_speed = ft_to_m(U_max);
	out->phiS_G = beta > 0.0f ? (float)(5.275 * pow(beta, -0.3)) : 0.0f;
	if (wF > 0.0f) {
		out->phiW_scalr = (float)((wC / wF) * pow(3.281, wB));
		out->phiW_expnt = wB;
	} else {
		out->phiW_scalr = out->phiW_expnt = 0.0f;
	}
	if (wB > 0.0f) {
		out->ws_scalr = ft_to_m((float)pow(wF / wC, 1.0 / wB));
		out->ws_expnt = (float)(1.0 / wB);
	} else {
		out->ws_scalr = out->ws_expnt = 0.0f;
	}
	if (detail) {
		detail->sigma_prime = sigma;
		detail->beta = beta;
		detail->beta_op = beta_op;
		detail->I_R = I_R;
		detail->xi = xi;
		detail->rho_b = rho_b;
		detail->heat_sink = heat_sink;
		detail->R0 = R0;
	}
}

float kernel_wind_adjustment_factor(float delta_ft, float canopy_cover, float canopy_height_m)
{
	float ch = m_to_ft(canopy_height_m);
	if (canopy_cover > 0.0f && ch > 0.0f) {
		/* Sheltered: crown ratio taken as 1 (Andrews 2012, eq. 5). */
		return (float)(0.555 / (sqrt((canopy_cover / 3.0) * ch) *
					log((20.0 + 0.36 * ch) / (0.13 * ch))));
	}
	if (delta_ft > 0.0f) {
		/* Unsheltered, flame height = fuel bed depth (eq. 6). */
		return (float)(1.83 / log((20.0 + 0.36 * delta_ft) / (0.13 * delta_ft)));
	}
	return 0.0f;
}

float kernel_midflame_wind_speed(float wind_speed_10m_kmh, float delta_ft,
				 float canopy_cover, float canopy_height_m)
{
	float u20 = (float)(wind_speed_10m_kmh / 1.15);
	float u20_mmin = km_hr_to_m_min(u20);
	float waf = kernel_wind_adjustment_factor(delta_ft, canopy_cover, canopy_height_m);
	return u20_mmin * waf;
}

float kernel_flame_length(float fireline_intensity)
{
	return (float)(0.07747042253266703 * pow(fireline_intensity, 0.46));
}

/* Behave's length-to-width ratio from the effective wind in mph. */
static float behave_length_to_width(float u_mph)
{
	float lw = (float)(0.936 * exp(0.1147 * u_mph) + 0.461 * exp(-0.0692 * u_mph) - 0.397);
	return lw < 8.0f ? lw : 8.0f;
}

float kernel_eccentricity(float lw)
{
	return (float)(sqrt(lw * lw - 1.0) / lw);
}

void kernel_surface_max(const struct kernel_surface_min *min, float midflame_wind_mmin,
			float upwind_direction, float slope, float aspect,
			struct kernel_surface_max *out)
{
	float w2[2], s2[2], w3[3], s3[3];
	azimuthal_to_cartesian(midflame_wind_mmin, opposite_direction(upwind_direction), w2);
	azimuthal_to_cartesian(slope, opposite_direction(aspect), s2);
	to_slope_plane(w2, s2, w3);
	to_slope_plane(s2, s2, s3);

	float w_mag = magnitude_3d(w3);
	float phi_W = min->phiW_scalr * (float)pow(w_mag, min->phiW_expnt);
	float phi_S = min->phiS_G * (slope * slope);
	float w_unit[3], s_unit[3];
	if (phi_W > 0.0f)
		unit_3d(w3, w_unit);
	else
		copy_3d(w3, w_unit);
	if (phi_S > 0.0f)
		unit_3d(s3, s_unit);
	else
		copy_3d(s3, s_unit);
	float phi_E3[3];
	for (int i = 0; i < 3; i++)
		phi_E3[i] = phi_W * w_unit[i] + phi_S * s_unit[i];
	float phi_E = magnitude_3d(phi_E3);
	if (phi_E > 0.0f) {
		for (int i = 0; i < 3; i++)
			out->max_dir[i] = phi_E3[i] / phi_E;
	} else if (phi_S > 0.0f) {
		unit_3d(s3, out->max_dir);
	} else {
		out->max_dir[0] = 0.0f;
		out->max_dir[1] = 1.0f;
		out->max_dir[2] = 0.0f;
	}
	out->phi_S = phi_S;
	out->phi_W = phi_W;
	out->phi_E_unlimited = phi_E;

	/* Albini's (1976) wind limit on the effective wind speed. */
	float U_eff = min->ws_scalr * (float)pow(phi_E, min->ws_expnt);
	out->U_eff_unlimited = U_eff;
	if (U_eff > min->max_effective_wind_speed) {
		U_eff = min->max_effective_wind_speed;
		phi_E = min->phiW_scalr * (float)pow(U_eff, min->phiW_expnt);
	}
	out->max_spread_rate = min->base_spread_rate * (1.0f + phi_E);
	out->max_fireline_intensity = min->base_fireline_intensity * (1.0f + phi_E);
	out->max_flame_length = kernel_flame_length(out->max_fireline_intensity);
	out->length_to_width = behave_length_to_width(m_min_to_mph(U_eff));
	out->eccentricity = kernel_eccentricity(out->length_to_width);
}
