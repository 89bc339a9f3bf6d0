/*
 * test_serial.c - stage 6, import serial (backend/stages/serial.c): refused before
 * the agent is installed; serials of 1, 8, 16, 19 and 20 bytes and one with
 * a leading 00 recorded as printed and byte-reversed, the .reg file
 * compared byte for byte with the tests/data/serial .reg.in files (the thumbprint,
 * which depends on the generated key, substituted for @THUMBPRINT@);
 * certificate and key installed (0600); the restart command succeeding,
 * failing and missing; the check finding an edited serial (event 20066), a
 * readable key and a renewed certificate that was never imported.
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

#include "core/agentconf.h"
#include "certgen.h"
#include "core/config.h"
#include "core/ctx.h"
#include "core/fsutil.h"
#include "line_sink.h"
#include "lab_harness.h"
#include "run_capture.h"
#include "unit_util.h"
#include "stages/serial.h"
#include "stages/stages.h"
#include "core/state.h"
#include "pki/x509util.h"

#define FQDN "agent01.example.test"

struct fx {
	char dir[64];
	char *cert, *key, *config;
	X509 *root;
	EVP_PKEY *root_key;
	X509 *leaf;
	struct config cfg;
	struct state st;
	struct ctx c;
	struct diag_list dl;
};

/*
 * A leaf with the given serial (DER content bytes; NULL = random) and the
 * cached key of key_slot (1 the setup leaf's, 2 "another key"; never the
 * root's, which is slot 0).
 */
static int make_leaf(struct fx *f, const unsigned char *serial, size_t n,
		     int key_slot, const char *cert_path, const char *key_path,
		     X509 **out)
{
	struct certgen_opts o;
	X509 *leaf = NULL;
	EVP_PKEY *k = NULL;
	certgen_opts_leaf(&o, FQDN);
	o.issuer = f->root;
	o.issuer_key = f->root_key;
	o.serial = serial;
	o.serial_len = n;
	o.key_slot = key_slot;
	if (certgen_make(&o, &leaf, &k) || certgen_write_pem(cert_path, &leaf, 1) ||
	    certgen_write_key(key_path, k))
		return -1;
	EVP_PKEY_free(k);
	if (out)
		*out = leaf;
	else
		X509_free(leaf);
	return 0;
}

static int write_agent_config(const char *path, const char *target)
{
	struct agentconf a;
	struct diag_list dl;
	agentconf_init(&a);
	diag_list_init(&dl);
	a.management_group = strdup("MG1");
	a.server = strdup("ms01.example.test");
	a.port = 5723;
	a.role = strdup("agent");
	a.target = strdup(target);
	int r = agentconf_write(path, &a, &dl);
	agentconf_release(&a);
	diag_list_release(&dl);
	return r;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	strcpy(f->dir, "/tmp/test_serial.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	struct certgen_opts o;
	certgen_opts_ca(&o, "Serial Test Root");
	if (certgen_make(&o, &f->root, &f->root_key))
		return -1;
	f->cert = fs_join(f->dir, "cert.pem");
	f->key = fs_join(f->dir, "key.pem");
	f->config = fs_join(f->dir, "agent.ini");
	static const unsigned char sn[] = { 0x2F, 0x3C, 0x56 };
	if (make_leaf(f, sn, sizeof(sn), 1, f->cert, f->key, &f->leaf))
		return -1;
	config_init(&f->cfg);
	state_init(&f->st);
	state_set_str(&f->st.cert_path, f->cert);
	state_set_str(&f->st.key_path, f->key);
	ctx_init(&f->c, &f->cfg, &f->st, f->dir);
	diag_list_init(&f->dl);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	test_rm_rf(f->dir);
	diag_list_release(&f->dl);
	ctx_release(&f->c);
	state_release(&f->st);
	config_release(&f->cfg);
	X509_free(f->root);
	X509_free(f->leaf);
	EVP_PKEY_free(f->root_key);
	free(f->cert);
	free(f->key);
	free(f->config);
	free(f);
	return 0;
}

static const struct diag *find_diag(const struct diag_list *dl,
				    enum diag_check c, enum diag_severity sev,
				    const char *field, const char *substr)
{
	for (size_t i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->items[i];
		if (d->check != c || d->sev != sev)
			continue;
		if (field && (!d->field || strcmp(d->field, field) != 0))
			continue;
		if (substr && !strstr(d->message, substr))
			continue;
		return d;
	}
	diag_print_text(stderr, dl, SEV_PASS);
	fail_msg("no diagnostic %s (sev %d) at %s containing '%s'",
		 diag_check_id(c), (int)sev, field ? field : "-",
		 substr ? substr : "");
	return NULL;
}

/* ---- refused before stage 5 ------------------------------------------- */

static void test_refused_before_install(void **state)
{
	struct fx *f = *state;
	assert_int_equal(stage_serial_run(&f->c, NULL, &f->dl), ST_FAIL);
	const struct diag *d = find_diag(
		&f->dl, DIAG_SERIAL_AGENT_CONFIGURED, SEV_FAIL, "agent.config",
		"the agent is not configured yet: run stage 5 (install agent) "
		"first");
	assert_non_null(strstr(d->message, f->config));
	assert_int_equal(d->stage, STAGE_SERIAL);
	/* nothing installed, nothing recorded */
	char *c = fs_join(f->dir, AGENTCONF_CERT_NAME);
	char *k = fs_join(f->dir, AGENTCONF_KEY_NAME);
	assert_false(fs_exists(c));
	assert_false(fs_exists(k));
	assert_null(f->st.serial_hex);
	free(c);
	free(k);
	diag_list_release(&f->dl);

	/* check mode says the same */
	assert_int_equal(serial_check(&f->c, &f->dl), ST_FAIL);
	find_diag(&f->dl, DIAG_SERIAL_AGENT_CONFIGURED, SEV_FAIL, "agent.config",
		  "not configured yet");
}

/* A management server has no stage 5: its configuration starts here. */
static void test_server_role_without_stage5(void **state)
{
	struct fx *f = *state;
	f->cfg.role = ROLE_SERVER;
	config_set_str(&f->cfg.fqdn, "ms01.example.test");
	config_set_str(&f->cfg.agent_mgmt_group, "MG1");
	assert_int_equal(stage_serial_run(&f->c, NULL, &f->dl), ST_OK);
	struct agentconf a;
	assert_int_equal(agentconf_read(f->config, &a, &f->dl), 0);
	assert_string_equal(a.role, "server");
	assert_string_equal(a.server, "ms01.example.test");
	assert_string_equal(a.serial_hex, "2F3C56");
	agentconf_release(&a);
	assert_int_equal(fs_mode(f->config), 0600);
	diag_list_release(&f->dl);
	assert_int_equal(serial_check(&f->c, &f->dl), ST_OK);
}

/* ---- serial lengths ------------------------------------------------------ */

struct sn_case {
	const char *reg;          /* expected file in tests/data/serial */
	unsigned char der[24];    /* DER content bytes */
	size_t n;
	const char *printed;
	const char *reversed;
};

static const struct sn_case cases[] = {
	{ "serial-1.reg.in", { 0x05 }, 1, "05", "05" },
	{ "serial-8.reg.in", { 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF },
	  8, "0123456789ABCDEF", "EFCDAB8967452301" },
	{ "serial-16.reg.in",
	  { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A,
	    0x1B, 0x1C, 0x1D, 0x1E, 0x1F },
	  16, "101112131415161718191A1B1C1D1E1F",
	  "1F1E1D1C1B1A19181716151413121110" },
	/* AD CS style: 19 bytes with runs of zeros inside */
	{ "serial-19.reg.in",
	  { 0x61, 0x00, 0x00, 0x00, 0x0F, 0x2B, 0x5A, 0x9C, 0x8D, 0x3E, 0x71,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0A, 0x42 },
	  19, "610000000F2B5A9C8D3E71000000000000 0A42",
	  "420A000000000000713E8D9C5A2B0F00000061" },
	{ "serial-20.reg.in",
	  { 0x7F, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A,
	    0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x12, 0x13 },
	  20, "7F0102030405060708090A0B0C0D0E0F10111213",
	  "131211100F0E0D0C0B0A090807060504030201 7F" },
	/* high bit set: DER needs a leading 00, which Windows keeps */
	{ "serial-leading00.reg.in", { 0x00, 0xAF, 0x3C, 0x56 }, 4, "00AF3C56",
	  "563CAF00" },
};

/* Literals above are split with a blank for readability: drop blanks. */
static char *squeeze(const char *s)
{
	char *o = strdup(s), *w = o;
	for (const char *p = s; *p; p++)
		if (*p != ' ')
			*w++ = *p;
	*w = '\0';
	return o;
}

static char *expected_reg(const char *name, X509 *cert)
{
	char *path = test_data_path("serial", name);
	char *tpl = test_read_file(path);
	free(path);
	if (!tpl)
		return NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	X509_digest(cert, EVP_sha1(), md, &mdlen);
	char thumb[2 * EVP_MAX_MD_SIZE + 1];
	for (unsigned i = 0; i < mdlen; i++)
		sprintf(thumb + 2 * i, "%02X", md[i]);
	const char *mark = "@THUMBPRINT@";
	char *at = strstr(tpl, mark);
	if (!at) {
		free(tpl);
		return NULL;
	}
	char *out = NULL;
	if (asprintf(&out, "%.*s%s%s", (int)(at - tpl), tpl, thumb,
		     at + strlen(mark)) < 0)
		out = NULL;
	free(tpl);
	return out;
}

static void test_serial_lengths(void **state)
{
	struct fx *f = *state;
	assert_int_equal(write_agent_config(f->config, "windows"), 0);
	f->cfg.agent_target = TARGET_WINDOWS;
	/* the Windows bundle takes its root and PFX from stages 1 and 4 */
	char *root = fs_join(f->dir, "root.pem");
	char *pfx = fs_join(f->dir, "agent.pfx");
	assert_int_equal(certgen_write_pem(root, &f->root, 1), 0);
	assert_int_equal(test_write_file(pfx, "pfx bytes"), 0);
	state_set_str(&f->st.root_path, root);
	state_set_str(&f->st.pfx_path, pfx);
	config_set_str(&f->cfg.fqdn, FQDN);
	free(root);
	free(pfx);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct sn_case *t = &cases[i];
		X509 *leaf = NULL;
		assert_int_equal(make_leaf(f, t->der, t->n, 1, f->cert, f->key, &leaf),
				 0);
		diag_list_release(&f->dl);
		enum status s = stage_serial_run(&f->c, NULL, &f->dl);
		if (s != ST_OK)
			diag_print_text(stderr, &f->dl, SEV_PASS);
		assert_int_equal(s, ST_OK);

		char *printed = squeeze(t->printed);
		char *reversed = squeeze(t->reversed);
		/* recorded in the agent configuration */
		struct agentconf a;
		assert_int_equal(agentconf_read(f->config, &a, &f->dl), 0);
		assert_string_equal(a.serial_hex, printed);
		assert_string_equal(a.serial_reversed, reversed);
		assert_int_equal(strlen(a.serial_hex), 2 * t->n);
		char *thumb = x509_fingerprint(leaf, EVP_sha1());
		assert_string_equal(a.thumbprint, thumb);
		agentconf_release(&a);
		/* and in the state and the screen's result */
		assert_string_equal(f->st.serial_hex, printed);
		assert_string_equal(f->st.thumbprint, thumb);
		struct serial_result *r = f->c.out[STAGE_SERIAL];
		assert_non_null(r);
		assert_string_equal(r->serial_reversed, reversed);

		/* the bundle's .reg file, byte for byte */
		char *regpath = fs_join(f->dir, FQDN "-opsmgr/serial.reg");
		assert_non_null(r->reg_file);
		assert_string_equal(r->reg_file, regpath);
		char *got = test_read_file(regpath);
		char *want = expected_reg(t->reg, leaf);
		assert_non_null(got);
		assert_non_null(want);
		assert_string_equal(got, want);
		assert_int_equal(fs_mode(regpath), 0644);

		free(got);
		free(want);
		free(regpath);
		free(thumb);
		free(printed);
		free(reversed);
		X509_free(leaf);
	}
}

/* ---- installation ------------------------------------------------------- */

static void test_install_default_and_configured_paths(void **state)
{
	struct fx *f = *state;
	assert_int_equal(write_agent_config(f->config, "local"), 0);
	assert_int_equal(stage_serial_run(&f->c, NULL, &f->dl), ST_OK);
	char *c = fs_join(f->dir, AGENTCONF_CERT_NAME);
	char *k = fs_join(f->dir, AGENTCONF_KEY_NAME);
	assert_int_equal(fs_mode(k), 0600);
	assert_true(fs_is_regular(c));
	char err[256];
	EVP_PKEY *key = x509_load_key_file(k, err, sizeof(err));
	assert_non_null(key);
	assert_int_equal(x509_key_matches(f->leaf, key), 1);
	EVP_PKEY_free(key);
	/* local target: no .reg, no bundle */
	char *reg = fs_join(f->dir, FQDN "-opsmgr");
	assert_false(fs_exists(reg));
	struct serial_result *r = f->c.out[STAGE_SERIAL];
	assert_null(r->reg_file);
	assert_null(r->bundle_dir);
	assert_string_equal(r->cert_path, c);
	assert_string_equal(r->key_path, k);
	assert_string_equal(r->serial_hex, "2F3C56");
	assert_string_equal(r->serial_reversed, "563C2F");
	find_diag(&f->dl, DIAG_SERIAL_MATCH, SEV_PASS, "agent.config", "2F3C56");
	find_diag(&f->dl, DIAG_SERIAL_KEY_PERMS, SEV_PASS, "agent.config", "0600");
	diag_list_release(&f->dl);

	/* the configuration names other places: installed there; a reg_file
	 * setting alone makes the .reg */
	struct agentconf a;
	assert_int_equal(agentconf_read(f->config, &a, &f->dl), 0);
	char *sub = fs_join(f->dir, "pki");
	assert_int_equal(mkdir(sub, 0700), 0);
	char *c2 = fs_join(sub, "mine.crt");
	char *k2 = fs_join(sub, "mine.key");
	config_set_str(&a.cert_path, c2);
	config_set_str(&a.key_path, k2);
	assert_int_equal(agentconf_write(f->config, &a, &f->dl), 0);
	agentconf_release(&a);
	char *reg2 = fs_join(sub, "serial.reg");
	config_set_str(&f->cfg.agent_reg_file, reg2);
	assert_int_equal(stage_serial_run(&f->c, NULL, &f->dl), ST_OK);
	assert_int_equal(fs_mode(k2), 0600);
	assert_true(fs_is_regular(c2));
	assert_true(fs_is_regular(reg2));
	char *txt = test_read_file(reg2);
	assert_non_null(strstr(txt, "\"ChannelCertificateSerialNumber\"=hex:56,3c,2f\r\n"));
	free(txt);

	free(reg2);
	free(c2);
	free(k2);
	free(sub);
	free(reg);
	free(c);
	free(k);
}

static void test_no_certificate_yet(void **state)
{
	struct fx *f = *state;
	assert_int_equal(write_agent_config(f->config, "local"), 0);
	state_set_str(&f->st.cert_path, NULL);
	assert_int_equal(stage_serial_run(&f->c, NULL, &f->dl), ST_FAIL);
	find_diag(&f->dl, DIAG_SERIAL_INSTALL, SEV_FAIL, NULL,
		  "has not produced a certificate");
	diag_list_release(&f->dl);

	state_set_str(&f->st.key_path, "");
	assert_int_equal(stage_serial_run(&f->c, NULL, &f->dl), ST_FAIL);
	find_diag(&f->dl, DIAG_SERIAL_INSTALL, SEV_FAIL, NULL,
		  "has not produced a private key");
}

/* ---- restart command ------------------------------------------------------ */

static void test_restart_success(void **state)
{
	struct fx *f = *state;
	assert_int_equal(write_agent_config(f->config, "local"), 0);
	config_set_str(&f->cfg.agent_restart_command,
		       "printf 'stopping HealthService\\nstarting HealthService\\n'");
	struct line_sink l = { 0 };
	struct hooks h = { .line = line_sink_add, .ud = &l };
	assert_int_equal(stage_serial_run(&f->c, &h, &f->dl), ST_OK);
	assert_non_null(strstr(l.buf, "stopping HealthService|starting HealthService|"));
	find_diag(&f->dl, DIAG_SERIAL_RESTART, SEV_PASS, "agent.restart_command",
		  "exited with status 0");
	struct serial_result *r = f->c.out[STAGE_SERIAL];
	assert_true(r->restarted);
}

static void test_restart_failure(void **state)
{
	struct fx *f = *state;
	assert_int_equal(write_agent_config(f->config, "local"), 0);
	config_set_str(&f->cfg.agent_restart_command, "false");
	assert_int_equal(stage_serial_run(&f->c, NULL, &f->dl), ST_FAIL);
	find_diag(&f->dl, DIAG_SERIAL_RESTART, SEV_FAIL, "agent.restart_command",
		  "'false' exited with status 1");
	/* the serial is still recorded and checked */
	find_diag(&f->dl, DIAG_SERIAL_MATCH, SEV_PASS, NULL, NULL);
	assert_non_null(f->st.serial_hex);
	diag_list_release(&f->dl);

	/* the last output line is shown */
	config_set_str(&f->cfg.agent_restart_command,
		       "sh -c 'echo working; echo unit opsmgr-agent not found >&2; exit 5'");
	assert_int_equal(stage_serial_run(&f->c, NULL, &f->dl), ST_FAIL);
	find_diag(&f->dl, DIAG_SERIAL_RESTART, SEV_FAIL, "agent.restart_command",
		  "exited with status 5; last output: working unit opsmgr-agent not found");
	diag_list_release(&f->dl);

	config_set_str(&f->cfg.agent_restart_command,
		       "/nonexistent/restart-agent now");
	assert_int_equal(stage_serial_run(&f->c, NULL, &f->dl), ST_FAIL);
	find_diag(&f->dl, DIAG_SERIAL_RESTART, SEV_FAIL, "agent.restart_command",
		  "/nonexistent/restart-agent");
	diag_list_release(&f->dl);

	config_set_str(&f->cfg.agent_restart_command, "sleep 5");
	f->cfg.agent_command_timeout = 1;
	assert_int_equal(stage_serial_run(&f->c, NULL, &f->dl), ST_FAIL);
	find_diag(&f->dl, DIAG_SERIAL_RESTART, SEV_FAIL, "agent.restart_command",
		  "timed out after 1 s");
}

/* ---- check ------------------------------------------------------------------ */

static void test_check_detects_mismatch(void **state)
{
	struct fx *f = *state;
	assert_int_equal(write_agent_config(f->config, "local"), 0);
	assert_int_equal(stage_serial_run(&f->c, NULL, &f->dl), ST_OK);
	diag_list_release(&f->dl);
	assert_int_equal(serial_check(&f->c, &f->dl), ST_OK);
	find_diag(&f->dl, DIAG_SERIAL_AGENT_CONFIGURED, SEV_PASS, NULL, "MG1");
	assert_int_equal(diag_worst(&f->dl), SEV_PASS);
	diag_list_release(&f->dl);

	/* someone edits the serial */
	struct agentconf a;
	assert_int_equal(agentconf_read(f->config, &a, &f->dl), 0);
	config_set_str(&a.serial_hex, "563C2F");
	assert_int_equal(agentconf_write(f->config, &a, &f->dl), 0);
	agentconf_release(&a);
	assert_int_equal(serial_check(&f->c, &f->dl), ST_FAIL);
	const struct diag *d = find_diag(&f->dl, DIAG_SERIAL_MATCH, SEV_FAIL,
					 "agent.config", "event 20066:");
	assert_int_equal(d->event, 20066);
	assert_non_null(strstr(d->message, "563C2F"));
	assert_non_null(strstr(d->message, "2F3C56"));
	assert_non_null(d->fix);
	diag_list_release(&f->dl);

	/* or only the registry-order value */
	assert_int_equal(agentconf_read(f->config, &a, &f->dl), 0);
	config_set_str(&a.serial_hex, "2F3C56");
	config_set_str(&a.serial_reversed, "2F3C56");
	assert_int_equal(agentconf_write(f->config, &a, &f->dl), 0);
	agentconf_release(&a);
	assert_int_equal(serial_check_files(f->config, NULL, &f->dl), ST_FAIL);
	find_diag(&f->dl, DIAG_SERIAL_MATCH, SEV_FAIL, NULL, "registry-order");
	diag_list_release(&f->dl);

	/* stage 6 again repairs it */
	assert_int_equal(stage_serial_run(&f->c, NULL, &f->dl), ST_OK);
	diag_list_release(&f->dl);
	assert_int_equal(serial_check(&f->c, &f->dl), ST_OK);
}

static void test_check_key_file(void **state)
{
	struct fx *f = *state;
	assert_int_equal(write_agent_config(f->config, "local"), 0);
	assert_int_equal(stage_serial_run(&f->c, NULL, &f->dl), ST_OK);
	diag_list_release(&f->dl);
	char *k = fs_join(f->dir, AGENTCONF_KEY_NAME);

	assert_int_equal(chmod(k, 0640), 0);
	assert_int_equal(serial_check(&f->c, &f->dl), ST_FAIL);
	const struct diag *d = find_diag(&f->dl, DIAG_SERIAL_KEY_PERMS, SEV_FAIL,
					 "agent.config", "mode 0640");
	assert_non_null(strstr(d->fix, "chmod 600"));
	diag_list_release(&f->dl);

	/* a key that is not the certificate's */
	assert_int_equal(chmod(k, 0600), 0);
	char *oc = fs_join(f->dir, "other.pem");
	assert_int_equal(make_leaf(f, NULL, 0, 2, oc, k, NULL), 0);
	assert_int_equal(serial_check(&f->c, &f->dl), ST_FAIL);
	d = find_diag(&f->dl, DIAG_SERIAL_INSTALL, SEV_FAIL, NULL,
		      "does not belong");
	assert_int_equal(d->event, 20068);
	diag_list_release(&f->dl);

	assert_int_equal(unlink(k), 0);
	assert_int_equal(serial_check(&f->c, &f->dl), ST_FAIL);
	find_diag(&f->dl, DIAG_SERIAL_KEY_PERMS, SEV_FAIL, NULL, "is missing");
	free(oc);
	free(k);
}

static void test_check_renewed_not_imported(void **state)
{
	struct fx *f = *state;
	assert_int_equal(write_agent_config(f->config, "local"), 0);
	assert_int_equal(stage_serial_run(&f->c, NULL, &f->dl), ST_OK);
	diag_list_release(&f->dl);
	/* stage 2 fetched a renewed certificate (new serial, new key) */
	static const unsigned char sn[] = { 0x11, 0x22 };
	assert_int_equal(make_leaf(f, sn, sizeof(sn), 2, f->cert, f->key, NULL), 0);
	assert_int_equal(serial_check(&f->c, &f->dl), ST_OK);
	find_diag(&f->dl, DIAG_SERIAL_MATCH, SEV_WARN, NULL, "serial 1122");
	diag_list_release(&f->dl);
	assert_int_equal(stage_serial_run(&f->c, NULL, &f->dl), ST_OK);
	assert_string_equal(f->st.serial_hex, "1122");
}

struct cancel_at {
	int armed;
};

static void arm_on_restart(void *ud, const char *what, double frac)
{
	struct cancel_at *c = ud;
	if (strstr(what, "restarting"))
		c->armed = 1;
}

static int cancel_when_armed(void *ud)
{
	return ((struct cancel_at *)ud)->armed;
}

/* Esc while the restart command runs: the command is stopped, the stage
 * says cancelled (not failed). */
static void test_cancel_during_restart(void **state)
{
	struct fx *f = *state;
	assert_int_equal(write_agent_config(f->config, "local"), 0);
	config_set_str(&f->cfg.agent_restart_command, "sleep 60");
	struct cancel_at ca = { 0 };
	struct hooks h = { .progress = arm_on_restart,
			   .cancelled = cancel_when_armed, .ud = &ca };
	assert_int_equal(stage_serial_run(&f->c, &h, &f->dl), ST_CANCELLED);
	assert_non_null(diag_find(&f->dl, DIAG_CANCELLED));
	assert_null(diag_find(&f->dl, DIAG_SERIAL_RESTART));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused_before_install, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_server_role_without_stage5,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_serial_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_install_default_and_configured_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_certificate_yet, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_restart_success, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_restart_failure, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_check_detects_mismatch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_check_key_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_check_renewed_not_imported,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_during_restart, setup,
						teardown),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	certgen_cleanup();
	return r;
}
