/*
 * stage_inputs.c - recording a stage's inputs and telling when they no
 * longer hold (stage_inputs.h).
 */
#include "core/stage_inputs.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/config_schema.h"
#include "core/digest.h"
#include "core/strbuf.h"

/* The stage table's output column, with struct state in view. */
struct stage_output {
	size_t off;            /* offsetof(struct state, member) */
	const char *name;      /* the member's name: the input's name */
	const char *what;      /* "certificate": for messages */
};
#define STAGE_OUTPUT(member, what) \
	{ offsetof(struct state, member), #member, what }
#define STAGE_NO_OUTPUT { 0, NULL, NULL }

static const struct stage_output OUTPUTS[STAGE_COUNT] = {
#define X(name, id, title, rail, entry, roles, uses, inval, output, help, keys, access) \
	[STAGE_##name] = output,
	STAGE_TABLE(X)
#undef X
};

/* The input name that carries stage u's identity in a later stage. */
static void identity_name(enum stage u, char *buf, size_t n)
{
	if (OUTPUTS[u].name)
		snprintf(buf, n, "%s", OUTPUTS[u].name);
	else
		snprintf(buf, n, "stage.%s", stage_id(u));
}

static const char *identity_value(const struct state *st, enum stage u)
{
	if (OUTPUTS[u].name)
		return *(char *const *)((const char *)st + OUTPUTS[u].off);
	return st->digest[u];
}

static bool applies(const struct ctx *c, enum stage u)
{
	return stage_applies_to_role(u, c->cfg ? (int)c->cfg->role
					       : (int)c->st->role);
}

/* Does earlier stage u's result feed s (u's invalidates column)? */
static bool feeds(const struct ctx *c, enum stage u, enum stage s)
{
	return ((stage_invalidates_mask(u) >> s) & 1u) && applies(c, u);
}

/* name=value\n with '\\' and newlines escaped so a line stays a line. */
static void put_line(struct strbuf *b, const char *name, const char *v)
{
	strbuf_printf(b, "%s=", name);
	for (const char *p = v ? v : ""; *p; p++) {
		if (*p == '\\')
			strbuf_put(b, "\\\\", 2);
		else if (*p == '\n')
			strbuf_put(b, "\\n", 2);
		else
			strbuf_put(b, p, 1);
	}
	strbuf_put(b, "\n", 1);
}

char *stage_inputs_text(const struct ctx *c, enum stage s)
{
	struct strbuf b = STRBUF_INIT;
	char val[4096], name[64];
	for (const char *const *k = stage_input_keys(s); c->cfg && *k; k++) {
		const char *v = val;
		if (strcmp(*k, "computer.fqdn") == 0)
			v = ctx_fqdn(c);
		else if (config_key_get_text(c->cfg, config_key_find(*k), val,
					     sizeof(val)) != 0)
			v = "";
		put_line(&b, *k, v);
	}
	for (int u = STAGE_FIRST; u < (int)s; u++) {
		if (!feeds(c, (enum stage)u, s))
			continue;
		identity_name((enum stage)u, name, sizeof(name));
		put_line(&b, name, identity_value(c->st, (enum stage)u));
	}
	bool oom = b.oom;
	char *text = strbuf_take(&b);
	return text || oom ? text : strdup("");
}

int stage_inputs_record(struct ctx *c, enum stage s)
{
	if (s < STAGE_FIRST || s > STAGE_LAST || !c->st)
		return -1;
	char hex[DIGEST_HEX_LEN + 1];
	char *text = stage_inputs_text(c, s);
	char *dig = NULL;
	if (!text || digest_sha256_hex(text, strlen(text), hex) != 0 ||
	    !(dig = strdup(hex))) {
		free(text);
		return -1;
	}
	free(c->st->inputs[s]);
	free(c->st->digest[s]);
	c->st->inputs[s] = text;
	c->st->digest[s] = dig;
	return 0;
}

void stage_inputs_forget(struct state *st, enum stage s)
{
	if (s < STAGE_FIRST || s > STAGE_LAST)
		return;
	free(st->inputs[s]);
	free(st->digest[s]);
	st->inputs[s] = NULL;
	st->digest[s] = NULL;
}

/* Whether text (stage s's inputs now, NULL: could not be made) differs
 * from the digest recorded for s; false when none is recorded. */
static bool text_changed(const struct ctx *c, enum stage s, const char *text)
{
	if (s < STAGE_FIRST || s > STAGE_LAST || !c->st->digest[s])
		return false;
	char hex[DIGEST_HEX_LEN + 1];
	return !text || digest_sha256_hex(text, strlen(text), hex) != 0 ||
	       strcmp(hex, c->st->digest[s]) != 0;
}

bool stage_inputs_changed(const struct ctx *c, enum stage s)
{
	if (s < STAGE_FIRST || s > STAGE_LAST || !c->st->digest[s])
		return false;
	char *text = stage_inputs_text(c, s);
	bool changed = text_changed(c, s, text);
	free(text);
	return changed;
}

/* The value of line `name` in canonical text, unescaped into buf. */
static const char *find_value(const char *text, const char *name, char *buf,
			      size_t n)
{
	size_t nl = strlen(name);
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		if ((size_t)(eol - p) > nl && strncmp(p, name, nl) == 0 &&
		    p[nl] == '=') {
			size_t o = 0;
			for (const char *q = p + nl + 1; q < eol && o + 1 < n; q++) {
				if (*q == '\\' && q + 1 < eol) {
					q++;
					buf[o++] = *q == 'n' ? '\n' : *q;
				} else {
					buf[o++] = *q;
				}
			}
			buf[o] = '\0';
			return buf;
		}
		p = *eol ? eol + 1 : eol;
	}
	return NULL;
}

const char *stage_input_recorded(const struct state *st, enum stage s,
				 const char *name, char *buf, size_t n)
{
	if (s < STAGE_FIRST || s > STAGE_LAST || !st->inputs[s] || !n)
		return NULL;
	return find_value(st->inputs[s], name, buf, n);
}

bool stage_input_changed(const struct ctx *c, enum stage s, const char *name)
{
	char was[4096], now[4096];
	if (!stage_input_recorded(c->st, s, name, was, sizeof(was)))
		return false;
	char *text = stage_inputs_text(c, s);
	const char *v = text ? find_value(text, name, now, sizeof(now)) : NULL;
	bool changed = !v || strcmp(v, was) != 0;
	free(text);
	return changed;
}

/* A value for a message: "(empty)", or cut to a readable length. */
static void shown(struct strbuf *b, const char *v)
{
	enum { MAX_SHOWN = 48 };
	if (!*v)
		strbuf_printf(b, "(empty)");
	else if (strlen(v) > MAX_SHOWN)
		strbuf_printf(b, "%.*s...", MAX_SHOWN - 3, v);
	else
		strbuf_printf(b, "%s", v);
}

/* The earlier stage whose identity input is `name`, or STAGE_NONE. */
static enum stage identity_owner(const char *name)
{
	char buf[64];
	for (int u = STAGE_FIRST; u <= STAGE_LAST; u++) {
		identity_name((enum stage)u, buf, sizeof(buf));
		if (strcmp(buf, name) == 0)
			return (enum stage)u;
	}
	return STAGE_NONE;
}

char *stage_inputs_explain(const struct ctx *c, enum stage s,
			   const char *arrow)
{
	if (s < STAGE_FIRST || s > STAGE_LAST || !c->st->digest[s])
		return NULL;
	char *text = stage_inputs_text(c, s);
	if (!text || !text_changed(c, s, text)) {
		free(text);
		return NULL;
	}
	struct strbuf keys = STRBUF_INIT, made = STRBUF_INIT;
	char name[128], was[4096], now[4096];
	for (const char *p = text; *p;) {
		const char *eq = strchr(p, '='), *eol = strchr(p, '\n');
		if (!eq || !eol || eq > eol || (size_t)(eq - p) >= sizeof(name))
			break;
		memcpy(name, p, (size_t)(eq - p));
		name[eq - p] = '\0';
		p = eol + 1;
		const char *old = stage_input_recorded(c->st, s, name, was,
						       sizeof(was));
		find_value(text, name, now, sizeof(now));
		if (old && strcmp(old, now) == 0)
			continue;
		enum stage u = identity_owner(name);
		struct strbuf *b = u != STAGE_NONE ? &made : &keys;
		if (b->n)
			strbuf_printf(b, ", ");
		if (u != STAGE_NONE && OUTPUTS[u].what) {
			strbuf_printf(b, "a new %s from %s", OUTPUTS[u].what,
				      stage_ref(u));
		} else if (u != STAGE_NONE) {
			strbuf_printf(b, "%s ran with other answers",
				      stage_ref(u));
		} else {
			strbuf_printf(b, "%s ", name);
			shown(b, old ? old : "");
			strbuf_printf(b, " %s ", arrow);
			shown(b, now);
		}
	}
	free(text);
	struct strbuf out = STRBUF_INIT;
	char *k = strbuf_take(&keys), *m = strbuf_take(&made);
	if (k)
		strbuf_printf(&out, "answers changed (%s)", k);
	if (m)
		strbuf_printf(&out, "%s%s", k ? "; " : "", m);
	if (!k && !m) /* the digest differs but no line does */
		strbuf_printf(&out, "recorded by another version");
	free(k);
	free(m);
	return strbuf_take(&out);
}

/* Is u (an earlier stage feeding s) itself unfinished or stale? */
static bool earlier_unsettled(const struct ctx *c, enum stage u)
{
	return !stage_status_finished(c->st->stage[u]) || stage_is_stale(c, u);
}

bool stage_is_stale(const struct ctx *c, enum stage s)
{
	if (s < STAGE_FIRST || s > STAGE_LAST || !c->st ||
	    !stage_status_finished(c->st->stage[s]) ||
	    c->st->stage[s] == STAGE_ST_SKIPPED || !c->st->digest[s])
		return false;
	if (stage_inputs_changed(c, s))
		return true;
	for (int u = STAGE_FIRST; u < (int)s; u++)
		if (feeds(c, (enum stage)u, s) &&
		    earlier_unsettled(c, (enum stage)u))
			return true;
	return false;
}

char *stage_stale_reason(const struct ctx *c, enum stage s, const char *arrow)
{
	if (!stage_is_stale(c, s))
		return NULL;
	char *why = stage_inputs_explain(c, s, arrow);
	if (why)
		return why;
	struct strbuf b = STRBUF_INIT;
	for (int u = STAGE_FIRST; u < (int)s; u++) {
		if (!feeds(c, (enum stage)u, s) ||
		    !earlier_unsettled(c, (enum stage)u))
			continue;
		strbuf_printf(&b, "%s is %s", stage_ref((enum stage)u),
			      stage_status_finished(c->st->stage[u])
				      ? "stale" : "not done");
		break;
	}
	return strbuf_take(&b);
}

int stage_inputs_adopt(struct config *cfg, const struct state *st)
{
	unsigned long long taken = cfg->explicit_keys;
	char was[4096], now[4096];
	int n = 0;
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		if (!st->inputs[s])
			continue;
		for (const char *const *k = stage_input_keys((enum stage)s); *k;
		     k++) {
			const struct config_key *ck = config_key_find(*k);
			if (!ck || (taken & CONFIG_KEY_BIT(ck)))
				continue;
			taken |= CONFIG_KEY_BIT(ck);
			if (!stage_input_recorded(st, (enum stage)s, *k, was,
						  sizeof(was)) ||
			    config_key_get_text(cfg, ck, now, sizeof(now)) != 0 ||
			    strcmp(was, now) == 0)
				continue;
			if (config_key_set_text(cfg, ck, was, NULL) == 0)
				n++;
		}
	}
	return n;
}
