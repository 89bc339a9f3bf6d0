/*
 * stage_draft.c - a stage screen's fields loaded from and stored to the
 * configuration, and its changed fields, kept in the configuration while
 * the screen is open (see stage_draft.h).
 */
#include "stage_draft.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config_schema.h"
#include "core/stage_inputs.h"
#include "core/stage_table.h"

/* The configuration key field i stores into, or NULL (a password, or a
 * field of the screen's own such as the request mode). */
static const struct config_key *key_of(const struct draft *d, int i)
{
	if (d->fm->defs[i].type == FT_PASSWORD)
		return NULL;
	return config_key_find(d->fm->defs[i].key);
}

/* A copy may be a typed password: wiped before it is freed. */
static void free_values(char **v, int n)
{
	for (int i = 0; v && i < n; i++) {
		if (v[i])
			explicit_bzero(v[i], strlen(v[i]));
		free(v[i]);
	}
	free(v);
}

/* Copies of the form's values and of the configuration's texts now. */
static int take(const struct draft *d, char ***shown, char ***kept)
{
	char buf[UFORM_VALUE_MAX];
	char **s = calloc((size_t)d->n + 1, sizeof(*s));
	char **k = calloc((size_t)d->n + 1, sizeof(*k));
	bool oom = !s || !k;
	for (int i = 0; !oom && i < d->n; i++) {
		const struct config_key *ck = key_of(d, i);
		s[i] = strdup(uform_value(d->fm, d->fm->defs[i].key));
		oom = !s[i];
		if (ck && config_key_get_text(d->cfg, ck, buf, sizeof(buf)) == 0)
			oom = oom || !(k[i] = strdup(buf));
	}
	if (oom) {
		free_values(s, d->n);
		free_values(k, d->n);
		return -1;
	}
	*shown = s;
	*kept = k;
	return 0;
}

int draft_init(struct draft *d, struct uform *fm, struct config *cfg,
	       enum stage s)
{
	memset(d, 0, sizeof(*d));
	d->fm = fm;
	d->cfg = cfg;
	d->stage = s;
	d->n = fm->n;
	return take(d, &d->shown, &d->kept);
}

void draft_release(struct draft *d)
{
	free_values(d->shown, d->n);
	free_values(d->kept, d->n);
	d->shown = d->kept = NULL;
}

int draft_mark(struct draft *d)
{
	char **s, **k;
	if (take(d, &s, &k) < 0)
		return -1;
	draft_release(d);
	d->shown = s;
	d->kept = k;
	return 0;
}

bool draft_changed(const struct draft *d, int i)
{
	if (i < 0 || i >= d->n || d->fm->fs[i].hidden || !d->shown)
		return false;
	return strcmp(uform_value(d->fm, d->fm->defs[i].key),
		      d->shown[i] ? d->shown[i] : "") != 0;
}

bool draft_any_changed(const struct draft *d)
{
	for (int i = 0; i < d->n; i++)
		if (draft_changed(d, i))
			return true;
	return false;
}

/* Store text as key k unless the configuration holds it already.
 * 0 / -1 (the key's rule refused it: nothing changed). */
static int put(struct config *cfg, const struct config_key *k,
	       const char *text)
{
	char now[UFORM_VALUE_MAX];
	if (config_key_get_text(cfg, k, now, sizeof(now)) == 0 &&
	    strcmp(now, text) == 0)
		return 0;
	return config_key_set_text(cfg, k, text, NULL);
}

void draft_apply(struct draft *d)
{
	for (int i = 0; d->kept && i < d->n; i++) {
		const struct config_key *k = key_of(d, i);
		if (!k || !d->kept[i])
			continue;
		/* a value half typed (refused) counts as the starting one */
		if (!draft_changed(d, i) ||
		    put(d->cfg, k, uform_value(d->fm, d->fm->defs[i].key)) < 0)
			put(d->cfg, k, d->kept[i]);
	}
}

void draft_restore(struct draft *d)
{
	for (int i = 0; d->kept && i < d->n; i++)
		if (d->kept[i])
			put(d->cfg, key_of(d, i), d->kept[i]);
}

bool draft_forces_run(const struct draft *d, const struct state *st,
		      char *buf, size_t n)
{
	bool recorded = st && st->digest[d->stage];
	size_t used = 0;
	if (n > 0)
		buf[0] = '\0';
	for (int i = 0; i < d->n; i++) {
		const char *key = d->fm->defs[i].key;
		if (!draft_changed(d, i) ||
		    (recorded && key_of(d, i) && stage_reads_key(d->stage, key)))
			continue;
		if (used < n)
			used += (size_t)snprintf(buf + used, n - used, "%s%s",
						 used ? ", " : "",
						 d->fm->defs[i].label);
		else
			return true;
	}
	return used > 0;
}

bool draft_runs(struct draft *d, const struct ctx *c, const char *arrow,
		char *why, size_t n)
{
	char labels[200];
	char *r;

	draft_apply(d);
	r = stage_stale_reason(c, d->stage, arrow);
	if (r) {
		snprintf(why, n, "%s", r);
		free(r);
		return true;
	}
	if (draft_forces_run(d, c->st, labels, sizeof(labels))) {
		snprintf(why, n, "changed: %s", labels);
		return true;
	}
	if (n > 0)
		why[0] = '\0';
	return false;
}

void draft_load_form(struct uform *fm, const struct config *cfg)
{
	for (int i = 0; i < fm->n; i++) {
		const struct fdef *d = &fm->defs[i];
		char buf[UFORM_VALUE_MAX];
		if (d->type == FT_PASSWORD)
			continue;
		if (config_key_get_text(cfg, config_key_find(d->key), buf,
					sizeof(buf)) < 0)
			continue;
		if (d->type == FT_CHOICE)
			uform_set_choice(fm, d->key, buf);
		else
			uform_set(fm, d->key, buf);
	}
}

void draft_store_form(struct uform *fm, struct config *cfg)
{
	for (int i = 0; i < fm->n; i++) {
		const struct fdef *d = &fm->defs[i];
		if (d->type == FT_PASSWORD || fm->fs[i].hidden)
			continue;
		config_key_set_text(cfg, config_key_find(d->key),
				    uform_value(fm, d->key), NULL);
	}
}
