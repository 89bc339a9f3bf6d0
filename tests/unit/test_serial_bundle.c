/*
 * test_serial_bundle.c - stage 6's Windows bundle (backend/stages/
 * serial_bundle.c through stage_serial_run): the root of stage 1 as DER,
 * the intermediate of stage 2's chain (which holds the root too, in any
 * order) as intermediate-1.cer, the PFX of stage 4 byte for byte; the
 * state's bundle lines and the serial.reg as the state's reg_file;
 * [agent] bundle_dir honoured; [agent] push_command run with {zip},
 * {bundle} and {fqdn} replaced, its output in the stage's lines, its
 * failure failing the stage; a missing PFX or root sending the operator
 * back to stage 4 or 1; a management group install.cmd cannot carry
 * refused at its field; the management server's bundle without msiexec.
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

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "certgen.h"
#include "core/agentconf.h"
#include "core/config.h"
#include "core/ctx.h"
#include "core/fsutil.h"
#include "core/stage_table.h"
#include "core/state.h"
#include "lab_harness.h"
#include "line_sink.h"
#include "run_capture.h"
#include "stages/serial.h"
#include "stages/stages.h"

#define FQDN "win01.example.test"
#define PFX_BYTES "\x30\x82\x01\x00 stand-in pfx"

struct fx {
	char *dir;
	X509 *root, *inter, *leaf;
	char *config;
	struct config cfg;
	struct state st;
	struct ctx c;
	struct diag_list dl;
};

static char *in_dir(const struct fx *f, const char *name)
{
	return fs_join(f->dir, name);
}

static int write_agent_config(const char *path, const char *group)
{
	struct agentconf a;
	struct diag_list dl;
	agentconf_init(&a);
	diag_list_init(&dl);
	a.management_group = strdup(group);
	a.server = strdup("ms01.example.test");
	a.port = 5724;
	a.role = strdup("agent");
	a.target = strdup("windows");
	int r = agentconf_write(path, &a, &dl);
	agentconf_release(&a);
	diag_list_release(&dl);
	return r;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	EVP_PKEY *rk = NULL, *ik = NULL, *lk = NULL;
	struct certgen_opts o;
	f->dir = test_mkdtemp("test_serial_bundle");
	certgen_opts_ca(&o, "Bundle Stage Root");
	assert_int_equal(certgen_make(&o, &f->root, &rk), 0);
	certgen_opts_ca(&o, "Bundle Stage Issuing");
	o.issuer = f->root;
	o.issuer_key = rk;
	o.key_slot = 2;
	assert_int_equal(certgen_make(&o, &f->inter, &ik), 0);
	certgen_opts_leaf(&o, FQDN);
	o.issuer = f->inter;
	o.issuer_key = ik;
	o.key_slot = 1;
	static const unsigned char sn[] = { 0x00, 0x9A, 0x01 };
	o.serial = sn;
	o.serial_len = sizeof(sn);
	assert_int_equal(certgen_make(&o, &f->leaf, &lk), 0);

	char *cert = in_dir(f, "cert.pem"), *key = in_dir(f, "key.pem");
	char *chain = in_dir(f, "chain.pem"), *root = in_dir(f, "root.pem");
	char *pfx = in_dir(f, "agent.pfx");
	X509 *both[] = { f->root, f->inter };   /* root first on purpose */
	assert_int_equal(certgen_write_pem(cert, &f->leaf, 1), 0);
	assert_int_equal(certgen_write_key(key, lk), 0);
	assert_int_equal(certgen_write_pem(chain, both, 2), 0);
	assert_int_equal(certgen_write_pem(root, &f->root, 1), 0);
	assert_int_equal(certgen_write_file(pfx, PFX_BYTES,
					    sizeof(PFX_BYTES) - 1), 0);
	f->config = in_dir(f, "agent.ini");
	assert_int_equal(write_agent_config(f->config, "Ops Group"), 0);
	config_init(&f->cfg);
	state_init(&f->st);
	f->cfg.agent_target = TARGET_WINDOWS;
	config_set_str(&f->cfg.fqdn, FQDN);
	state_set_str(&f->st.cert_path, cert);
	state_set_str(&f->st.key_path, key);
	state_set_str(&f->st.chain_path, chain);
	state_set_str(&f->st.root_path, root);
	state_set_str(&f->st.pfx_path, pfx);
	ctx_init(&f->c, &f->cfg, &f->st, f->dir);
	diag_list_init(&f->dl);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(lk);
	free(cert);
	free(key);
	free(chain);
	free(root);
	free(pfx);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	test_rm_rf(f->dir);
	free(f->dir);
	free(f->config);
	diag_list_release(&f->dl);
	ctx_release(&f->c);
	state_release(&f->st);
	config_release(&f->cfg);
	X509_free(f->root);
	X509_free(f->inter);
	X509_free(f->leaf);
	free(f);
	return 0;
}

static const struct diag *find(const struct diag_list *dl, enum diag_check c,
			       enum diag_severity sev)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->items[i].check == c && dl->items[i].sev == sev)
			return &dl->items[i];
	diag_print_text(stderr, dl, SEV_PASS);
	fail_msg("no %s diagnostic of severity %d", diag_check_id(c), (int)sev);
	return NULL;
}

static enum status run(struct fx *f, const struct hooks *h)
{
	diag_list_release(&f->dl);
	enum status s = stage_serial_run(&f->c, h, &f->dl);
	return s;
}

/* The file's bytes equal the certificate's DER. */
static void assert_der_file(const char *path, X509 *x)
{
	unsigned char *der = NULL, *got = NULL;
	int n = i2d_X509(x, &der);
	size_t len = 0;
	char err[FS_ERRLEN];
	assert_int_equal(fs_read_file(path, 1 << 20, &got, &len, err,
				      sizeof(err)), 0);
	assert_int_equal(len, (size_t)n);
	assert_memory_equal(got, der, len);
	OPENSSL_free(der);
	free(got);
}

static void test_bundle_from_the_stages(void **state)
{
	struct fx *f = *state;
	assert_int_equal(run(f, NULL), ST_OK);
	char *folder = in_dir(f, FQDN "-opsmgr");
	char *zip = in_dir(f, FQDN "-opsmgr.zip");
	const struct diag *d = find(&f->dl, DIAG_SERIAL_BUNDLE, SEV_PASS);
	assert_non_null(strstr(d->message, folder));
	assert_non_null(strstr(d->message, "next: copy "));
	assert_non_null(strstr(d->message, zip));

	char *p = fs_join(folder, "root.cer");
	assert_der_file(p, f->root);
	free(p);
	p = fs_join(folder, "intermediate-1.cer");
	assert_der_file(p, f->inter);
	free(p);
	p = fs_join(folder, "intermediate-2.cer");
	assert_false(fs_exists(p));
	free(p);
	p = fs_join(folder, FQDN ".pfx");
	char *pfx = test_read_file(p);
	assert_string_equal(pfx, PFX_BYTES);
	assert_int_equal(fs_mode(p), 0600);
	free(pfx);
	free(p);
	p = fs_join(folder, "serial.reg");
	char *reg = test_read_file(p);
	assert_non_null(strstr(reg, "=hex:01,9a,00\r\n"));
	free(reg);

	/* the state and the screen's result */
	assert_string_equal(f->st.bundle_dir, folder);
	assert_string_equal(f->st.bundle_zip, zip);
	assert_string_equal(f->st.bundle_files,
			    "root.cer intermediate-1.cer " FQDN ".pfx "
			    "serial.reg install.cmd collect.cmd README.txt");
	assert_string_equal(f->st.reg_file, p);
	const struct serial_result *r = f->c.out[STAGE_SERIAL];
	assert_string_equal(r->bundle_zip, zip);
	assert_non_null(strstr(r->bundle_todo, "right-click install.cmd"));
	/* install.cmd is installcmd_text's for the agent configuration's
	 * values: the msiexec step with its group, server and port */
	char *ip = fs_join(folder, "install.cmd");
	char *ic = test_read_file(ip);
	assert_non_null(strstr(ic, "\nmsiexec /i "));
	assert_non_null(strstr(ic, "Ops Group"));
	assert_non_null(strstr(ic, "ms01.example.test"));
	assert_non_null(strstr(ic, "SECURE_PORT=5724"));
	assert_non_null(strstr(ic, "intermediate-1.cer"));
	assert_non_null(strstr(ic, FQDN ".pfx"));
	free(ic);
	free(ip);
	/* README names the group from the agent configuration */
	char *rp = fs_join(folder, "README.txt");
	char *readme = test_read_file(rp);
	assert_non_null(strstr(readme, "Management group: Ops Group\r\n"));
	assert_non_null(strstr(readme, "port 5724\r\n"));
	free(readme);
	free(rp);
	free(p);
	free(folder);
	free(zip);
}

static void test_bundle_dir_and_push(void **state)
{
	struct fx *f = *state;
	char *out = in_dir(f, "out");
	char *rec = in_dir(f, "argv.txt");
	char *cmd = NULL;
	assert_true(asprintf(&cmd, "sh -c 'printf \"%%s\\n\" \"$@\" > %s; "
			     "echo handed over' sh {zip} admin@{fqdn}:C:/in "
			     "{bundle}", rec) > 0);
	config_set_str(&f->cfg.agent_bundle_dir, out);
	config_set_str(&f->cfg.agent_push_command, cmd);
	struct line_sink l = { 0 };
	struct hooks h = { .line = line_sink_add, .ud = &l };
	assert_int_equal(run(f, &h), ST_OK);
	find(&f->dl, DIAG_SERIAL_PUSH, SEV_PASS);
	char *argv = test_read_file(rec);
	char *want = NULL;
	assert_true(asprintf(&want, "%s/" FQDN "-opsmgr.zip\nadmin@" FQDN
			     ":C:/in\n%s/" FQDN "-opsmgr\n", out, out) > 0);
	assert_string_equal(argv, want);
	assert_non_null(strstr(l.buf, "handed over|"));
	/* the folder and the zip are in bundle_dir, not in the state dir */
	char *zip = NULL;
	assert_true(asprintf(&zip, "%s/" FQDN "-opsmgr.zip", out) > 0);
	assert_int_equal(fs_mode(zip), 0600);
	char *not_here = in_dir(f, FQDN "-opsmgr.zip");
	assert_false(fs_exists(not_here));

	/* a push that fails fails the stage; the bundle stays */
	config_set_str(&f->cfg.agent_push_command, "sh -c 'echo no route; exit 3'");
	assert_int_equal(run(f, NULL), ST_FAIL);
	const struct diag *d = find(&f->dl, DIAG_SERIAL_PUSH, SEV_FAIL);
	assert_string_equal(d->field, "agent.push_command");
	assert_non_null(strstr(d->message, "no route"));
	assert_non_null(strstr(d->fix, "copy the zip by hand"));
	find(&f->dl, DIAG_SERIAL_BUNDLE, SEV_PASS);
	assert_true(fs_exists(zip));
	free(zip);
	free(not_here);
	free(want);
	free(argv);
	free(cmd);
	free(rec);
	free(out);
}

static void test_missing_parts(void **state)
{
	struct fx *f = *state;
	char *pfx = in_dir(f, "agent.pfx");
	assert_int_equal(unlink(pfx), 0);
	assert_int_equal(run(f, NULL), ST_FAIL);
	const struct diag *d = find(&f->dl, DIAG_SERIAL_BUNDLE, SEV_FAIL);
	assert_non_null(strstr(d->message, pfx));
	assert_non_null(strstr(d->fix, stage_ref(STAGE_EXPORT)));
	assert_null(f->st.bundle_dir);
	free(pfx);

	state_set_str(&f->st.root_path, NULL);
	assert_int_equal(run(f, NULL), ST_FAIL);
	d = find(&f->dl, DIAG_SERIAL_BUNDLE, SEV_FAIL);
	assert_non_null(strstr(d->fix, stage_ref(STAGE_TRUST)));
	char *folder = in_dir(f, FQDN "-opsmgr");
	assert_false(fs_exists(folder));
	free(folder);
}

/* A value the agent configuration holds but install.cmd cannot carry
 * (cmdquote refuses non-ASCII): refused at its field, no bundle. */
static void test_unquotable_group(void **state)
{
	struct fx *f = *state;
	assert_int_equal(write_agent_config(f->config, "Ops \xc3\x9c"), 0);
	assert_int_equal(run(f, NULL), ST_FAIL);
	const struct diag *d = find(&f->dl, DIAG_SERIAL_BUNDLE, SEV_FAIL);
	assert_string_equal(d->field, "agent.management_group");
	assert_non_null(strstr(d->message, "install.cmd"));
	assert_null(f->st.bundle_dir);
	char *folder = in_dir(f, FQDN "-opsmgr");
	assert_false(fs_exists(folder));
	free(folder);
}

static void test_server_role(void **state)
{
	struct fx *f = *state;
	f->cfg.role = ROLE_SERVER;
	assert_int_equal(run(f, NULL), ST_OK);
	char *p = in_dir(f, FQDN "-opsmgr/install.cmd");
	char *text = test_read_file(p);
	assert_non_null(text);
	assert_null(strstr(text, "\nmsiexec /i "));
	free(text);
	free(p);
	p = in_dir(f, FQDN "-opsmgr/README.txt");
	text = test_read_file(p);
	assert_non_null(strstr(text, "(management server)"));
	free(text);
	free(p);
}

/* A renewal: the state's previous_serial is the certificate install.cmd
 * removes from LocalMachine\My (after the new one loaded); a first
 * enrollment's install.cmd removes nothing. */
static void test_renewal_old_serial(void **state)
{
	struct fx *f = *state;
	assert_int_equal(run(f, NULL), ST_OK);
	char *p = in_dir(f, FQDN "-opsmgr/install.cmd");
	char *text = test_read_file(p);
	assert_non_null(text);
	assert_null(strstr(text, "certutil -delstore My \""));
	free(text);
	state_set_str(&f->st.previous_serial, "0A1B2C3D4E");
	assert_int_equal(run(f, NULL), ST_OK);
	text = test_read_file(p);
	assert_non_null(text);
	assert_non_null(strstr(text, "certutil -delstore My \""));
	assert_non_null(strstr(text, "certutil -delstore My \"0A1B2C3D4E\""));
	/* removed only after event 20053 said the new one loaded */
	assert_true(strstr(text, "certutil -delstore My \"") >
		    strstr(text, "event 20053: the certificate was loaded"));
	free(text);
	free(p);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bundle_from_the_stages), T(test_bundle_dir_and_push),
		T(test_missing_parts), T(test_unquotable_group),
		T(test_server_role), T(test_renewal_old_serial),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	certgen_cleanup();
	return rc;
}
