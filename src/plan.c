/*
 * plan.c - the plan: built-in settings, copying, and expansion into
 * configurations.
 */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Built-in settings: every mode's defaults, no workloads yet. */
void plan_init(struct plan *p)
{
	memset(p, 0, sizeof *p);
	p->name = xstrdup("default");
	p->modes[0] = MODE_SINGLE;
	p->modes[1] = MODE_POOL;
	p->nmodes = 2;
	p->workers[0] = 1;
	p->nworkers = 1;
	bufprintf(p->workers_spec, sizeof p->workers_spec, "1");
	p->cores[0] = 0;
	p->ncores = 1;
	bufprintf(p->cores_spec, sizeof p->cores_spec, "all");
	p->runs = 5;
	p->warmup = 1;
	p->chunksize = 0;
	p->bind = BIND_NONE;
	p->publish = true;
	p->fault.crash_task = PARAM_NONE;
	p->fault.hang_task = PARAM_NONE;
	p->fault.exit_task = PARAM_NONE;
}

/* Free the name and workload parameters. */
void plan_free(struct plan *p)
{
	if (p == NULL)
		return;
	free(p->name);
	p->name = NULL;
	for (size_t i = 0; i < p->nwl; i++)
		free(p->wls[i].cfg);
	p->nwl = 0;
}

/* Deep copy. */
void plan_copy(struct plan *dst, const struct plan *src)
{
	*dst = *src;
	dst->name = xstrdup(src->name != NULL ? src->name : "");
	dst->nwl = 0;
	for (size_t i = 0; i < src->nwl; i++)
		plan_add_copy(dst, &src->wls[i]);
}

int plan_add_copy(struct plan *p, const struct plan_workload *src)
{
	struct plan_workload *pw;

	if (p->nwl == PLAN_MAX_WL)
		return -1;
	pw = &p->wls[p->nwl];
	*pw = *src;
	pw->cfg = xmalloc(src->wl->cfg_size);
	memcpy(pw->cfg, src->cfg, src->wl->cfg_size);
	return (int)p->nwl++;
}

/* Find or add a workload by name. */
int plan_workload(struct plan *p, const char *name)
{
	const struct workload *wl = workload_find(name);

	if (wl == NULL)
		return -1;
	for (size_t i = 0; i < p->nwl; i++) {
		if (p->wls[i].wl == wl)
			return (int)i;
	}
	if (p->nwl == PLAN_MAX_WL)
		return -1;
	p->wls[p->nwl].wl = wl;
	p->wls[p->nwl].cfg = xcalloc(1, wl->cfg_size);
	p->wls[p->nwl].label[0] = '\0';
	p->wls[p->nwl].nworkers = 0;
	params_defaults(wl->params, p->wls[p->nwl].cfg);
	return (int)p->nwl++;
}

void plan_clear_entry_workers(struct plan *p)
{
	for (size_t i = 0; i < p->nwl; i++)
		p->wls[i].nworkers = 0;
}

/* Cores > workloads > modes > workers; single once per workload. */
size_t plan_expand(const struct plan *p, struct plan_config **out)
{
	size_t cap = 1, n = 0;
	struct plan_config *v;

	for (size_t w = 0; w < p->nwl; w++)
		cap += p->ncores * p->nmodes * (p->wls[w].nworkers ? p->wls[w].nworkers : p->nworkers);
	v = xcalloc(cap, sizeof *v);

	for (size_t c = 0; c < p->ncores; c++) {
		for (size_t w = 0; w < p->nwl; w++) {
			const struct plan_workload *pw = &p->wls[w];
			const unsigned *counts = pw->nworkers ? pw->workers : p->workers;
			size_t ncounts = pw->nworkers ? pw->nworkers : p->nworkers;

			for (size_t m = 0; m < p->nmodes; m++) {
				if (p->modes[m] == MODE_SINGLE) {
					v[n++] = (struct plan_config){ w, MODE_SINGLE, 1, p->cores[c] };
					continue;
				}
				for (size_t k = 0; k < ncounts; k++)
					v[n++] = (struct plan_config){ w, p->modes[m], counts[k],
								       p->cores[c] };
			}
		}
	}
	*out = v;
	return n;
}

/* Explicit chunk size, or Python's ceil(len / (4 * workers)). */
uint64_t plan_chunksize(const struct plan *p, size_t ntasks, unsigned workers)
{
	uint64_t div;

	if (p->chunksize != 0)
		return p->chunksize;
	div = 4 * (uint64_t)(workers ? workers : 1);
	return ntasks == 0 ? 1 : (ntasks + div - 1) / div;
}

/* Human label of a configuration. */
void plan_config_label(const struct plan *p, const struct plan_config *c, char *buf, size_t len)
{
	const struct plan_workload *w = &p->wls[c->wl];
	const char *name = w->label[0] != '\0' ? w->label : w->wl->name;

	if (c->cores != 0)
		bufprintf(buf, len, "%s %s w=%u c=%u", name, mode_name(c->mode), c->workers,
			  c->cores);
	else
		bufprintf(buf, len, "%s %s w=%u", name, mode_name(c->mode), c->workers);
}
