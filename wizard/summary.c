/*
 * summary.c - the enrollment summary (summary.h): the report text from
 * struct state only, and summary.txt saved with earlier reports kept as
 * summary-1.txt, summary-2.txt ...
 */
#include "summary.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/fsutil.h"
#include "core/stage_table.h"
#include "core/strbuf.h"
#include "windows/bundle.h"
#include "flow.h"

#define SUMMARY_MAX_KEPT 10000
#define SUMMARY_READ_CAP (1024u * 1024u)

static const char *v(const char *s)
{
	return s && *s ? s : "(none)";
}

/* First stage of the state's role that is not finished, STAGE_COUNT when
 * every one is. */
static int next_stage(const struct state *st)
{
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++)
		if (stage_applies_to_role((enum stage)s, (int)st->role) &&
		    !stage_status_finished(st->stage[s]))
			return s;
	return STAGE_COUNT;
}

static bool approved(const struct state *st)
{
	return st->approval && strcmp(st->approval, "approved") == 0 &&
	       stage_status_finished(st->stage[STAGE_APPROVAL]);
}

static void headline(struct strbuf *b, const struct state *st)
{
	int next = next_stage(st);
	if (next < STAGE_COUNT)
		strbuf_printf(b, "Enrollment not finished yet (next: stage %d)."
			      "\n\n", next);
	else if (st->role == ROLE_SERVER)
		strbuf_printf(b, "Enrollment complete: this management server "
			      "has its certificate.\n\n");
	else if (approved(st))
		strbuf_printf(b, "Enrollment complete: the agent is approved."
			      "\n\n");
	else
		strbuf_printf(b, "Enrollment complete: every stage is done "
			      "(approval was not checked: [approval] source = "
			      "none).\n\n");
}

static void approval_line(struct strbuf *b, const struct state *st)
{
	if (!st->approval || !*st->approval) {
		strbuf_printf(b, "Approval:          (none)\n");
		return;
	}
	strbuf_printf(b, "Approval:          %s", st->approval);
	if (st->approval_at && *st->approval_at)
		strbuf_printf(b, " (the server's last answer, %s)",
			      st->approval_at);
	strbuf_printf(b, "\n");
}

/* The Windows bundle stage 6 wrote: every file with its path, and the one
 * thing to do. */
static void bundle_part(struct strbuf *b, const struct state *st)
{
	strbuf_printf(b, "\nWindows bundle:    %s\n", st->bundle_dir);
	char *names = strdup(st->bundle_files ? st->bundle_files : "");
	char *save = NULL;
	for (char *n = names ? strtok_r(names, " ", &save) : NULL; n;
	     n = strtok_r(NULL, " ", &save))
		strbuf_printf(b, "  %s/%s\n", st->bundle_dir, n);
	free(names);
	strbuf_printf(b, "Bundle zip:        %s\n", v(st->bundle_zip));
	char *todo = st->bundle_zip && st->fqdn
			     ? bundle_todo_text(st->bundle_zip, st->fqdn)
			     : NULL;
	strbuf_printf(b, "\nOn the Windows side: %s.\n",
		      todo ? todo : "run install.cmd from the bundle as "
				    "administrator");
	free(todo);
	if (st->role == ROLE_SERVER)
		strbuf_printf(b, "Every agent needs the same root: give each "
			      "its own bundle.\n");
	else
		strbuf_printf(b, "The management server needs its certificate "
			      "too: its own bundle (role = server).\n");
}

char *summary_text(const struct state *st)
{
	struct strbuf b = STRBUF_INIT;

	strbuf_printf(&b, "opsmgr-enroll %s summary\n", OPSMGR_VERSION);
	headline(&b, st);
	for (int i = STAGE_FIRST; i <= STAGE_LAST; i++)
		strbuf_printf(&b, "  stage %d %-15s %s\n", i,
			      stage_title((enum stage)i),
			      stage_status_name(st->stage[i]));
	strbuf_printf(&b, "\nComputer:          %s\n", v(st->fqdn));
	strbuf_printf(&b, "Role:              %s\n", role_name(st->role));
	strbuf_printf(&b, "Trusted root:      %s (SHA-256 %s)\n",
		      v(st->root_path), v(st->root_sha256));
	strbuf_printf(&b, "Private key:       %s\n", v(st->key_path));
	strbuf_printf(&b, "Certificate:       %s\n", v(st->cert_path));
	strbuf_printf(&b, "PFX:               %s\n", v(st->pfx_path));
	strbuf_printf(&b, "Agent config:      %s\n", v(st->agent_config_path));
	strbuf_printf(&b, "Serial:            %s\n", v(st->serial_hex));
	if (st->serial_reversed)
		strbuf_printf(&b, "Registry order:    %s "
			      "(ChannelCertificateSerialNumber)\n",
			      st->serial_reversed);
	if (st->reg_file)
		strbuf_printf(&b, "Registry file:     %s\n", st->reg_file);
	strbuf_printf(&b, "SHA-1 thumbprint:  %s\n", v(st->thumbprint));
	strbuf_printf(&b, "Management server: %s:%s (group %s)\n",
		      v(st->mgmt_server), v(st->mgmt_port), v(st->mgmt_group));
	approval_line(&b, st);
	if (st->bundle_dir) {
		bundle_part(&b, st);
		return strbuf_take(&b);
	}
	strbuf_printf(&b, "\nOn the Windows side:\n"
		      "  1. Import the root into Local Computer > Trusted Root "
		      "Certification Authorities.\n"
		      "  2. Import the PFX into Local Computer > Personal.\n"
		      "  3. Install MOMAgent.msi with the saved silent command "
		      "line.\n"
		      "  4. Run MOMCertImport with the PFX (or import the .reg "
		      "file) and restart the Microsoft Monitoring Agent "
		      "(HealthService).\n"
		      "  5. Do the certificate steps on the management server "
		      "too.\n");
	return strbuf_take(&b);
}

/* 1: path holds exactly text; 0: it holds something else; -1: it is
 * missing (ENOENT, *missing set) or unreadable (err). */
static int same_contents(const char *path, const char *text, bool *missing,
			 char *err, size_t errlen)
{
	unsigned char *old = NULL;
	size_t len = 0;
	*missing = !fs_exists(path);
	if (*missing)
		return -1;
	if (fs_read_file(path, SUMMARY_READ_CAP, &old, &len, err, errlen) < 0)
		return -1;
	int same = len == strlen(text) && memcmp(old, text, len) == 0;
	free(old);
	return same;
}

/* Move path to <dir>/summary-N.txt, the first free N.  0 / -1 with err. */
static int keep_earlier(const char *dir, const char *path, char *kept,
			size_t kept_len, char *err, size_t errlen)
{
	for (int n = 1; n <= SUMMARY_MAX_KEPT; n++) {
		char name[32];
		snprintf(name, sizeof(name), "summary-%d.txt", n);
		char *to = fs_join(dir, name);
		if (!to) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		int rc = fs_rename_noreplace(path, to);
		int e = errno;
		if (rc == 0 && kept)
			snprintf(kept, kept_len, "%s", to);
		if (rc != 0 && e != EEXIST) {
			char eb[128];
			snprintf(err, errlen, "cannot keep the earlier report "
				 "'%s' as '%s': %s", path, to,
				 diag_errno_text(e, eb, sizeof(eb)));
		}
		free(to);
		if (rc == 0)
			return 0;
		if (e != EEXIST)
			return -1;
	}
	snprintf(err, errlen, "cannot keep the earlier report '%s': "
		 "summary-1.txt to summary-%d.txt all exist", path,
		 SUMMARY_MAX_KEPT);
	return -1;
}

int summary_save(const char *state_dir, const char *text, char *saved,
		 size_t saved_len, char *kept, size_t kept_len, char *err,
		 size_t errlen)
{
	bool missing = false;
	int rc = -1;
	char *path = fs_join(state_dir, SUMMARY_FILE_NAME);
	if (kept && kept_len)
		kept[0] = '\0';
	if (!path) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int same = same_contents(path, text, &missing, err, errlen);
	if (same < 0 && !missing)
		goto out;
	if (same == 0 &&
	    keep_earlier(state_dir, path, kept, kept_len, err, errlen) < 0)
		goto out;
	if (same != 1 &&
	    fs_write_atomic(path, text, strlen(text), 0600, err, errlen) < 0)
		goto out;
	if (saved)
		snprintf(saved, saved_len, "%s", path);
	rc = 0;
out:
	free(path);
	return rc;
}

int summary_save_if_complete(struct flow *f, FILE *out)
{
	char err[FS_ERRLEN], saved[4096], kept[4096];
	if (flow_next_stage(f) < STAGE_COUNT)
		return 0;
	char *text = summary_text(&f->st);
	int rc = text ? summary_save(f->state_dir, text, saved, sizeof(saved),
				     kept, sizeof(kept), err, sizeof(err))
		      : -1;
	if (!text)
		snprintf(err, sizeof(err), "out of memory");
	if (rc == 0 && *kept)
		fprintf(out, "summary saved to %s (the earlier one kept as "
			"%s)\n", saved, kept);
	else if (rc == 0)
		fprintf(out, "summary saved to %s\n", saved);
	else
		fprintf(out, "cannot save the summary: %s\n", err);
	free(text);
	return rc;
}
