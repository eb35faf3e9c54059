/*
 * findings.c - the list of documented findings, from the tables of their
 * files (finding.h), and what planning their points needs.
 */
#include "finding.h"

#include <string.h>

int finding_count(void)
{
	return findings_wildfire_count + findings_other_count;
}

const struct finding *finding_at(int i)
{
	if (i < 0 || i >= finding_count())
		return NULL;
	return i < findings_wildfire_count ? &findings_wildfire[i] : &findings_other[i - findings_wildfire_count];
}

const struct finding *finding_find(const char *id)
{
	for (int i = 0; i < finding_count(); i++)
		if (strcmp(finding_at(i)->id, id) == 0)
			return finding_at(i);
	return NULL;
}

struct point finding_plan_point(const struct finding_plan *plan, const char *strategy, int workers, int jobs)
{
	const struct strategy_entry *e = strategy_find(strategy);
	struct point pt = { .strategy = e ? e->strategy : NULL, .p = plan->base };
	pt.p.workers = workers;
	pt.p.jobs = jobs;
	return pt;
}

int finding_add(finding_add_fn add, void *arg, const struct point *pt)
{
	return pt->strategy ? add(arg, pt) : 0;
}

enum verdict finding_judge(const struct finding *f, struct judge *j)
{
	if (f->fire_only && strcmp(j->base_workload, "fire") != 0)
		return judge_conclude(j, VERDICT_NOT_APPLICABLE, "a claim about the fire model (the wildfire study's); "
				      "this folder ran the workload %s", j->base_workload);
	return f->judge(j);
}
