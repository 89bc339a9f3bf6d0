/*
 * history.c - `opsmgr-enroll history` (history.h): finds the state
 * directory the way the wizard does and prints its archive.
 */
#include "history.h"

#include <stdlib.h>

#include "core/config_load.h"
#include "core/status.h"
#include "core/text.h"
#include "stages/request_history.h"

/* Fixed words, then text from the archive (a subject, a CA's answer)
 * through text_fputs. */
static void put(FILE *out, const char *before, const char *s)
{
	fputs(before, out);
	text_fputs(s ? s : "", out);
}

static void print_text(FILE *out, const char *state_dir,
		       const struct request_history *h)
{
	if (!h->n) {
		fputs("no archived requests in '", out);
		text_fputs(state_dir, out);
		fprintf(out, "/%s'\n", REQUEST_ARCHIVE_DIR);
		return;
	}
	for (size_t i = 0; i < h->n; i++) {
		const struct request_archive_entry *e = &h->items[i];
		char id[32] = "(no ID)";
		if (e->request_id > 0)
			snprintf(id, sizeof(id), "%ld", e->request_id);
		put(out, "", e->archived);
		fprintf(out, "  request %s  ", id);
		put(out, "", e->phase);
		put(out, "  template '", e->template_name);
		put(out, "'  ", e->subject);
		put(out, "\n    CA: ", e->ca_url && *e->ca_url ? e->ca_url
						    : "(not sent)");
		put(out, "\n    why: ", e->reason);
		put(out, " (key ", e->key);
		put(out, ")\n    in: ", e->dir);
		fputc('\n', out);
	}
}

static void json_member(FILE *out, const char *name, const char *v, bool last)
{
	fprintf(out, "\"%s\": ", name);
	if (v)
		json_write_string(out, v);
	else
		fputs("null", out);
	fputs(last ? "}" : ", ", out);
}

static void print_json(FILE *out, const struct request_history *h)
{
	fputs("{\"version\": 1, \"archives\": [", out);
	for (size_t i = 0; i < h->n; i++) {
		const struct request_archive_entry *e = &h->items[i];
		fprintf(out, "%s\n  {", i ? "," : "");
		json_member(out, "archived", e->archived, false);
		fprintf(out, "\"request_id\": %ld, ", e->request_id);
		json_member(out, "ca_url", e->ca_url, false);
		json_member(out, "template", e->template_name, false);
		json_member(out, "subject", e->subject, false);
		json_member(out, "fqdn", e->fqdn, false);
		json_member(out, "phase", e->phase, false);
		json_member(out, "disposition", e->disposition, false);
		json_member(out, "submitted", e->submitted, false);
		json_member(out, "key", e->key, false);
		json_member(out, "files", e->files, false);
		json_member(out, "reason", e->reason, false);
		json_member(out, "dir", e->dir, true);
	}
	fputs(h->n ? "\n]}\n" : "]}\n", out);
}

int history_run(const struct flow_opts *o, bool json, FILE *out, FILE *err)
{
	struct config cfg;
	struct diag_list dl;
	struct request_history h;
	char why[512];
	int code = EXIT_USAGE;
	config_init(&cfg);
	diag_list_init(&dl);
	char *dir = NULL;
	if (!(dir = flow_config_and_state_dir(o, &cfg, &dl))) {
		diag_print_text(err, &dl, SEV_WARN);
		goto out;
	}
	if (request_history_load(dir, &h, why, sizeof(why)) < 0) {
		fprintf(err, "opsmgr-enroll: %s\n", why);
		goto out;
	}
	if (json)
		print_json(out, &h);
	else
		print_text(out, dir, &h);
	request_history_release(&h);
	code = EXIT_OK;
out:
	free(dir);
	diag_list_release(&dl);
	config_release(&cfg);
	return code;
}
