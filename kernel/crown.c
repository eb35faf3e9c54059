/*
 * crown.c - crown fire: Van Wagner (1977) initiation and critical spread
 * rate, Cruz et al. (2005) active spread rate, Rothermel (1991) crown
 * length-to-width ratio, and the combination of surface and crown
 * behaviour (kernel-spec.md section 4).  Crown equations run in SI.
 */
#include "kernel.h"
#include "kernel_internal.h"

#include <math.h>

float kernel_crown_critical_intensity(float canopy_base_height, float foliar_moisture)
{
	/* Heat of ignition (kJ/kg) and Van Wagner's eq. 4. */
	float H = (float)(460.0 + 2600.0 * foliar_moisture);
	float v = (float)(0.01 * canopy_base_height * H);
	return (float)(v * sqrt(v));
}

float kernel_crowning_spread_rate(const struct kernel_surface_max *smax, float canopy_cover,
				  float canopy_base_height, float foliar_moisture)
{
	if (canopy_cover <= 0.4f)
		return INFINITY;
	if (smax->max_fireline_intensity > 0.0f) {
		float I_crit = kernel_crown_critical_intensity(canopy_base_height, foliar_moisture);
		return smax->max_spread_rate * I_crit / smax->max_fireline_intensity;
	}
	return 0.0f;
}

void kernel_crown_max(float canopy_height, float canopy_base_height, float canopy_bulk_density,
		      float heat_of_combustion_kJ_kg, float m1, float wind_speed_10m,
		      float upwind_direction, float slope, float aspect,
		      struct kernel_crown_max *out)
{
	float w2[2], s2[2], w3[3], s3[3];
	azimuthal_to_cartesian(wind_speed_10m, opposite_direction(upwind_direction), w2);
	azimuthal_to_cartesian(slope, opposite_direction(aspect), s2);
	to_slope_plane(w2, s2, w3);
	to_slope_plane(s2, s2, s3);
	float U10 = magnitude_3d(w3);

	/* Cruz et al. (2005) active rate; Van Wagner's critical rate 3/CBD. */
	float R_active = (float)(11.02 * pow(U10, 0.90) * pow(canopy_bulk_density, 0.19) *
				 exp(-17.0 * m1));
	float R_crit = (float)(3.0 / canopy_bulk_density);
	out->active_spread_rate = R_active;
	out->critical_spread_rate = R_crit;
	if (R_active > R_crit) {
		out->fire_type = 3;
		out->spread_rate = R_active;
	} else {
		out->fire_type = 2;
		out->spread_rate = (float)(R_active * exp(-R_active / R_crit));
	}
	if (U10 > 0.0f) {
		unit_3d(w3, out->dir);
	} else if (slope > 0.0f) {
		unit_3d(s3, out->dir);
	} else {
		out->dir[0] = 0.0f;
		out->dir[1] = 1.0f;
		out->dir[2] = 0.0f;
	}
	out->fireline_intensity = (float)(out->spread_rate * canopy_bulk_density *
					  (canopy_height - canopy_base_height) *
					  heat_of_combustion_kJ_kg / 60.0);
	/* Rothermel (1991) eq. 9, with the 20-ft wind in mph. */
	float u20_mph = km_hr_to_mph((float)(U10 / 1.15));
	float lw = (float)(1.0 + 0.125 * u20_mph);
	out->length_to_width = lw < 1e10f ? lw : 1e10f;
	out->eccentricity = kernel_eccentricity(out->length_to_width);
}
