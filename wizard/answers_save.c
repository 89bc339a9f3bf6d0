/*
 * answers_save.c - `opsmgr-enroll save-answers` (answers_save.h): the
 * configuration layers, the state directory found the way the wizard
 * finds it, the state read (never moved or rewritten), its recorded
 * answers adopted, then one answers file.
 */
#include "answers_save.h"

#include <stdlib.h>
#include <string.h>

#include "core/answers_write.h"
#include "core/config_load.h"
#include "core/fsutil.h"
#include "core/status.h"

#define STATE_READ_CAP (1024u * 1024u)

/* Read <dir>/state into st: 1 read, 0 none there, -1 with why. */
static int read_state(const char *dir, struct state *st, char *why,
		      size_t whylen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char perr[256];
	int rc = -1;
	char *path = fs_join(dir, STATE_FILE_NAME);
	if (!path) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (!fs_exists(path))
		rc = 0;
	else if (!fs_is_regular(path))
		snprintf(why, whylen, "the saved state '%s' is not a regular file",
			 path);
	else if (fs_read_file(path, STATE_READ_CAP, &buf, &len, why, whylen) == 0 &&
		 state_parse(st, (const char *)buf, len, perr, sizeof(perr)) < 0)
		snprintf(why, whylen, "cannot read the saved state '%s': %s",
			 path, perr);
	else if (buf)
		rc = 1;
	free(buf);
	free(path);
	return rc;
}

int answers_save_run(const struct flow_opts *o, const char *path,
		     bool overwrite, FILE *out, FILE *err)
{
	struct config cfg;
	struct state st;
	struct diag_list dl;
	char why[FS_ERRLEN + 300];
	int code = EXIT_USAGE;
	char *dir = NULL;
	config_init(&cfg);
	state_init(&st);
	diag_list_init(&dl);
	if (!(dir = flow_config_and_state_dir(o, &cfg, &dl))) {
		diag_print_text(err, &dl, SEV_WARN);
		goto out;
	}
	int r = read_state(dir, &st, why, sizeof(why));
	if (r < 0) {
		fprintf(err, "opsmgr-enroll: %s\n", why);
		goto out;
	}
	if (r == 0 && !o->answers_path && !o->config_path) {
		fprintf(err, "opsmgr-enroll: no enrollment in '%s' (no state "
			"file) and no --answers or --config: nothing to save; "
			"give the --state-dir of an enrollment\n", dir);
		goto out;
	}
	if (r > 0) {
		flow_resume_answers(&cfg, &st);
	} else {
		fprintf(err, "opsmgr-enroll: no enrollment in '%s': the answers "
			"come from the files given only\n", dir);
	}
	if (!overwrite && fs_exists(path)) {
		fprintf(err, "opsmgr-enroll: '%s' already exists: give another "
			"name, or --overwrite to replace it\n", path);
		goto out;
	}
	if (answers_write(path, &cfg, r > 0 ? &st : NULL, overwrite, why,
			  sizeof(why)) < 0) {
		fprintf(err, "opsmgr-enroll: %s\n", why);
		code = 1;
		goto out;
	}
	fprintf(out, "answers saved to %s (no passwords: fill in its "
		"password_file lines; computer.fqdn is left for the next "
		"computer)\n", path);
	code = EXIT_OK;
out:
	free(dir);
	diag_list_release(&dl);
	state_release(&st);
	config_release(&cfg);
	return code;
}
