/*
 * test_ctx.c - backend/core/ctx.c: the paths a run derives from the state
 * directory, the FQDN in use (configuration before state), and loading the
 * passwords the configuration names (each failure at its own field and
 * check, a password already typed left alone; a file others may read is a
 * warning at the field, one others may write or another user owns is
 * refused there), and every password, typed or read, masked in the log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/ctx.h"
#include "core/diag.h"
#include "core/log.h"
#include "core/state.h"
#include "lab_harness.h"
#include "run_capture.h"

static void test_paths_and_fqdn(void **st)
{
	struct config cfg;
	struct state s;
	struct ctx c;
	config_init(&cfg);
	state_init(&s);
	ctx_init(&c, &cfg, &s, "/var/x");
	char *p = ctx_path(&c, "key.pem");
	assert_string_equal(p, "/var/x/key.pem");
	free(p);
	assert_string_equal(ctx_trust_store(&c), "/var/x/trust");
	assert_ptr_equal(ctx_trust_store(&c), ctx_trust_store(&c));
	config_set_str(&cfg.trust_store, "/etc/roots");
	assert_string_equal(ctx_trust_store(&c), "/etc/roots");

	assert_null(ctx_fqdn(&c));
	state_set_str(&s.fqdn, "saved.example.com");
	assert_string_equal(ctx_fqdn(&c), "saved.example.com");
	config_set_str(&cfg.fqdn, "");
	assert_string_equal(ctx_fqdn(&c), "saved.example.com");
	config_set_str(&cfg.fqdn, "agent01.example.com");
	assert_string_equal(ctx_fqdn(&c), "agent01.example.com");
	ctx_release(&c);

	ctx_init(&c, &cfg, &s, NULL);
	p = ctx_path(&c, "state");
	assert_string_equal(p, "./state");
	free(p);
	ctx_release(&c);
	state_release(&s);
	config_release(&cfg);
}

/* A temporary directory holding the password file pw (PW_TEXT, 0600), a
 * configuration and a diagnostics list; all released by pw_teardown. */
#define PW_TEXT "F1le-Secret"

struct pwfx {
	char *dir;
	char pw[600];
	struct config cfg;
	struct diag_list dl;
};

static int pw_setup(void **state)
{
	struct pwfx *f = calloc(1, sizeof(*f));
	if (!f || !(f->dir = test_mkdtemp("ctx")))
		return -1;
	snprintf(f->pw, sizeof(f->pw), "%s/pw.txt", f->dir);
	if (test_write_file(f->pw, PW_TEXT "\n") != 0)
		return -1;
	config_init(&f->cfg);
	diag_list_init(&f->dl);
	*state = f;
	return 0;
}

static int pw_teardown(void **state)
{
	struct pwfx *f = *state;
	diag_list_release(&f->dl);
	config_release(&f->cfg);
	test_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void test_load_secrets(void **state)
{
	struct pwfx *f = *state;
	struct config *cfg = &f->cfg;
	struct diag_list *dl = &f->dl;
	const char *dir = f->dir;
	char missing[600];
	snprintf(missing, sizeof(missing), "%s/nope.txt", dir);
	struct ctx c;

	/* nothing named: nothing to do */
	ctx_init(&c, cfg, NULL, dir);
	assert_int_equal(ctx_load_secrets(&c, dl), 0);
	assert_int_equal(dl->n, 0);
	assert_false(secret_is_set(&c.ca_password));
	ctx_release(&c);

	/* both files unreadable: one failure each, at its field and check */
	config_set_str(&cfg->ca_password_file, missing);
	config_set_str(&cfg->export_password_file, missing);
	ctx_init(&c, cfg, NULL, dir);
	assert_int_equal(ctx_load_secrets(&c, dl), -1);
	assert_int_equal(dl->n, 2);
	const struct diag *d = diag_find(dl, DIAG_REQ_PASSWORD);
	assert_non_null(d);
	assert_string_equal(d->field, "ca.password_file");
	assert_non_null(strstr(d->message, "cannot read the CA password from"));
	d = diag_find(dl, DIAG_EXPORT_PASSWORD);
	assert_non_null(d);
	assert_string_equal(d->field, "export.password_file");
	assert_non_null(strstr(d->message, "cannot read the PFX password from"));
	diag_list_release(dl);

	/* a password already typed is kept; the other one is read */
	assert_int_equal(secret_set(&c.pfx_password, "typed", 5), 0);
	config_set_str(&cfg->ca_password_file, f->pw);
	assert_int_equal(ctx_load_secrets(&c, dl), 0);
	assert_int_equal(dl->n, 0);
	assert_string_equal(c.ca_password.buf, PW_TEXT);
	assert_string_equal(c.pfx_password.buf, "typed");
	ctx_release(&c);
}

/* Both password files at path; ctx_load_secrets' result. */
static int load_both(const char *path, struct ctx *c, struct config *cfg,
		     struct diag_list *dl)
{
	config_set_str(&cfg->ca_password_file, path);
	config_set_str(&cfg->export_password_file, path);
	ctx_init(c, cfg, NULL, "/nonexistent");
	return ctx_load_secrets(c, dl);
}

/* One diagnostic of sev at field under chk that names path and mode. */
static const struct diag *at_field(const struct diag_list *dl,
				   enum diag_check chk, const char *field,
				   enum diag_severity sev, const char *path,
				   const char *mode)
{
	const struct diag *d = diag_find(dl, chk);
	assert_non_null(d);
	assert_string_equal(d->field, field);
	assert_int_equal(d->sev, sev);
	assert_non_null(strstr(d->message, path));
	assert_non_null(strstr(d->message, mode));
	assert_non_null(d->fix);
	return d;
}

static void test_password_file_modes(void **state)
{
	struct pwfx *f = *state;
	struct config *cfg = &f->cfg;
	struct diag_list *dl = &f->dl;
	const char *pw = f->pw;
	struct ctx c;

	/* 0600: read, nothing said */
	assert_int_equal(load_both(pw, &c, cfg, dl), 0);
	assert_int_equal(dl->n, 0);
	ctx_release(&c);

	/* 0644: read, and a warning at each field with the chmod fix */
	assert_int_equal(chmod(pw, 0644), 0);
	assert_int_equal(load_both(pw, &c, cfg, dl), 0);
	assert_int_equal(dl->n, 2);
	const struct diag *d = at_field(dl, DIAG_REQ_PASSWORD,
					"ca.password_file", SEV_WARN, pw,
					"mode 0644");
	assert_non_null(strstr(d->message, "readable by group or others"));
	assert_non_null(strstr(d->fix, "chmod 600"));
	d = at_field(dl, DIAG_EXPORT_PASSWORD, "export.password_file",
		     SEV_WARN, pw, "mode 0644");
	assert_non_null(strstr(d->fix, "chmod 600"));
	assert_string_equal(c.ca_password.buf, PW_TEXT);
	assert_string_equal(c.pfx_password.buf, PW_TEXT);
	ctx_release(&c);
	diag_list_release(dl);

	/* 0666 and 0620: refused at each field, nothing read */
	static const mode_t writable[] = { 0666, 0620 };
	for (size_t i = 0; i < 2; i++) {
		char mode[16];
		snprintf(mode, sizeof(mode), "mode %04o", (unsigned)writable[i]);
		assert_int_equal(chmod(pw, writable[i]), 0);
		assert_int_equal(load_both(pw, &c, cfg, dl), -1);
		assert_int_equal(dl->n, 2);
		d = at_field(dl, DIAG_REQ_PASSWORD, "ca.password_file",
			     SEV_FAIL, pw, mode);
		assert_non_null(strstr(d->message, "writable by group or others"));
		assert_non_null(strstr(d->fix, "chmod 600"));
		at_field(dl, DIAG_EXPORT_PASSWORD, "export.password_file",
			 SEV_FAIL, pw, mode);
		assert_false(secret_is_set(&c.ca_password));
		assert_false(secret_is_set(&c.pfx_password));
		ctx_release(&c);
		diag_list_release(dl);
	}

	/* another user's file (not root's) */
	assert_int_equal(chmod(pw, 0600), 0);
	if (geteuid() != 0) {
		print_message("skipped the other owner: giving a file to another user needs root (running as uid %u)\n",
			      (unsigned)geteuid());
	} else {
		assert_int_equal(chown(pw, 65534, 65534), 0);
		assert_int_equal(load_both(pw, &c, cfg, dl), -1);
		assert_int_equal(dl->n, 2);
		d = at_field(dl, DIAG_REQ_PASSWORD, "ca.password_file",
			     SEV_FAIL, pw, "mode 0600");
		assert_non_null(strstr(d->message, "owned by uid 65534"));
		at_field(dl, DIAG_EXPORT_PASSWORD, "export.password_file",
			 SEV_FAIL, pw, "owned by uid 65534");
		assert_false(secret_is_set(&c.ca_password));
		ctx_release(&c);
		diag_list_release(dl);
	}

}

/* Passwords typed or read are masked in the log like each other. */
static void test_passwords_redacted_in_log(void **state)
{
	struct pwfx *f = *state;
	struct diag_list *dl = &f->dl;
	char logp[600];
	snprintf(logp, sizeof(logp), "%s/opsmgr-enroll.log", f->dir);
	struct ctx c;
	config_set_str(&f->cfg.export_password_file, f->pw);
	ctx_init(&c, &f->cfg, NULL, f->dir);
	assert_int_equal(log_open(f->dir), 0);

	assert_int_equal(ctx_set_typed_password(&c, CTX_CA_PASSWORD,
						"Typed-Ca-Secret"), 0);
	assert_string_equal(c.ca_password.buf, "Typed-Ca-Secret");
	assert_int_equal(ctx_set_typed_password(&c, CTX_PFX_PASSWORD,
						"Typed-Pfx-First"), 0);
	assert_string_equal(c.pfx_password.buf, "Typed-Pfx-First");
	assert_true(c.pfx_password_typed);   /* stage 4 records "typed" */
	assert_int_equal(ctx_set_typed_password(&c, CTX_PFX_PASSWORD, NULL), -1);
	/* the file is read only once the typed one is gone */
	assert_int_equal(ctx_load_secrets(&c, dl), 0);
	assert_string_equal(c.pfx_password.buf, "Typed-Pfx-First");
	assert_true(c.pfx_password_typed);
	secret_wipe(&c.pfx_password);
	assert_int_equal(ctx_load_secrets(&c, dl), 0);
	assert_false(c.pfx_password_typed);  /* now the file's */
	assert_string_equal(c.pfx_password.buf, PW_TEXT);
	assert_int_equal(dl->n, 0);

	log_msg("ca %s, pfx %s, file %s", "Typed-Ca-Secret", "Typed-Pfx-First",
		PW_TEXT);
	log_close();
	char *text = test_read_file(logp);
	assert_non_null(text);
	assert_null(strstr(text, "Secret"));
	assert_null(strstr(text, "Typed-Pfx-First"));
	assert_non_null(strstr(text, "ca ********, pfx ********, file ********"));
	free(text);

	ctx_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths_and_fqdn),
		cmocka_unit_test_setup_teardown(test_load_secrets, pw_setup,
						pw_teardown),
		cmocka_unit_test_setup_teardown(test_password_file_modes,
						pw_setup, pw_teardown),
		cmocka_unit_test_setup_teardown(test_passwords_redacted_in_log,
						pw_setup, pw_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
