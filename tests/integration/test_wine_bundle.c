/*
 * test_wine_bundle.c - the Windows half on Windows' own tools, under Wine
 * (issue 16): one fresh WINEPREFIX in the build directory for the whole
 * program (group setup; removed in the group teardown), the stand-in
 * MOMAgent.msi built with wixl from tests/data/wine/momagent.wxs, and
 * scripts run with `wine cmd /c`, asserted with `wine reg query`.
 *
 * What Wine cannot show: its certutil is an empty stub that returns 0, so
 * the certificate-store steps (Root, CA, the PFX into My with the SChannel
 * provider) are checked against Microsoft's documented syntax in
 * tests/unit/test_installcmd.c, not here; there is no HealthService, so
 * every run ends at step 6 with its message and exit code (asserted).
 *
 * Wine 8's cmd differs from Windows' in one way that matters here: it
 * scans a substituted variable's value again, for % after %VAR% and for !
 * after !VAR! (Windows' cmd substitutes once).  A value holding both % and
 * !, or a bundle folder whose path holds ! (after "!HERE!"), is mangled by
 * a script that carries it through a variable; written literally inside
 * quotes, % doubled, delayed expansion off, and files named relative to
 * the folder the script pushd'ed into, it reaches msiexec intact under
 * both.  test_bundle_group_values and test_bundle_in_awkward_folder hold
 * install.cmd to that.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "certgen.h"
#include "lab_harness.h"
#include "pki/pkcs12.h"
#include "pki/x509util.h"
#include "run_capture.h"
#include "wine_harness.h"
#include "windows/bundle.h"
#include "windows/installcmd.h"

#define CMD_TIMEOUT_S 180

struct wine_fixture {
	struct wine_prefix w;
	char *work;      /* the prefix's C:\opsmgr-test: scripts, bundles */
	char *msi;       /* <work>/MOMAgent.msi */
};

static struct wine_fixture fx;

static char *path_in(const char *dir, const char *name)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

static int group_setup(void **st)
{
	(void)st;
	if (wine_prefix_create(&fx.w) != 0)
		return -1;
	fx.work = fx.w.work;
	fx.msi = path_in(fx.work, "MOMAgent.msi");
	return fx.msi ? wine_build_momagent_msi(fx.msi) : -1;
}

static int group_teardown(void **st)
{
	(void)st;
	wine_prefix_destroy(&fx.w);
	free(fx.msi);
	memset(&fx, 0, sizeof(fx));
	return 0;
}

/* Forget the stand-in agent: uninstall it and remove every key it or an
 * install.cmd wrote, so each test starts from "agent not installed". */
static void agent_reset(void)
{
	char *win = wine_win_path(fx.msi);
	const char *args[] = { "msiexec", "/x", win, "/qn", NULL };
	wine_run(&fx.w, args, fx.work, CMD_TIMEOUT_S, NULL);
	free(win);
	wine_reg_delete_key(&fx.w, "HKLM\\SOFTWARE\\opsmgr-enroll-test");
	wine_reg_delete_key(&fx.w,
			    "HKLM\\SOFTWARE\\Microsoft\\Microsoft Operations Manager");
	assert_int_equal(wine_reg_key_exists(&fx.w, WINE_MSI_RECORD_KEY), 0);
}

/* The value the stand-in MSI recorded for a property (NULL: none). */
static char *msi_received(const char *prop)
{
	char type[32] = "";
	char *v = wine_reg_value(&fx.w, WINE_MSI_RECORD_KEY, prop, type,
				 sizeof(type));
	if (v)
		assert_string_equal(type, "REG_SZ");
	return v;
}

/* The MSI received exactly `want` for prop. */
static void expect_received(const char *prop, const char *want)
{
	char *v = msi_received(prop);
	if (!v) {
		const char *args[] = { "reg", "query", WINE_MSI_RECORD_KEY, NULL };
		char *all = NULL;
		int rc = wine_run(&fx.w, args, NULL, CMD_TIMEOUT_S, &all);
		fail_msg("the stand-in MSI recorded no %s (reg query %d):\n%s",
			 prop, rc, all ? all : "");
	}
	assert_string_equal(v, want);
	free(v);
}

/* A .cmd file (CRLF) in the work directory from LF-separated lines. */
static char *write_cmd(const char *name, const char *lf_text)
{
	size_t n = strlen(lf_text);
	char *crlf = malloc(2 * n + 1), *o = crlf;
	assert_non_null(crlf);
	for (const char *c = lf_text; *c; c++) {
		if (*c == '\n')
			*o++ = '\r';
		*o++ = *c;
	}
	*o = '\0';
	char *p = path_in(fx.work, name);
	assert_int_equal(test_write_file(p, crlf), 0);
	free(crlf);
	return p;
}

/* ---- the stand-in MSI and the harness ---------------------------------- */

/*
 * The harness and the stand-in: the values the issue names (a space, %,
 * ^, &, !) and cmd's other special characters reach the MSI byte for byte
 * when a script writes them inside quotes on msiexec's line with % doubled
 * (DisableDelayedExpansion); the script's exit code comes back from cmd.
 *
 * Not through a variable: Wine 8's cmd scans a substituted value again,
 * so after  set "MG=a%%b 100%% c"  the line  echo "%MG%"  prints "a c"
 * (Windows' cmd expands once and prints "a%b 100% c"), and "!MG!" under
 * EnableDelayedExpansion loses everything between two '!' of the value.
 */
static void test_msi_records_exact_properties(void **st)
{
	(void)st;
	static const struct { const char *value, *in_script; } groups[] = {
		{ "Contoso Ops", "Contoso Ops" },
		{ "R&D 100% ^up! (a) <b>|c;d,e=f",
		  "R&D 100%% ^up! (a) <b>|c;d,e=f" },
		{ "%PATH% !x! ^^", "%%PATH%% !x! ^^" },
	};
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		agent_reset();
		char text[2048];
		snprintf(text, sizeof(text),
			 "@echo off\n"
			 "setlocal EnableExtensions DisableDelayedExpansion\n"
			 "msiexec /i \"%%~dp0MOMAgent.msi\" /qn /l*v \"%%~dp0msi.log\" "
			 "MANAGEMENT_GROUP=\"%s\" MANAGEMENT_SERVER_DNS=ms01.example.test "
			 "SECURE_PORT=5723 USE_SETTINGS_FROM_AD=0 "
			 "USE_MANUALLY_SPECIFIED_SETTINGS=1 ACTIONS_USE_COMPUTER_ACCOUNT=1 "
			 "AcceptEndUserLicenseAgreement=1\n"
			 "if errorlevel 1 exit /b 40\n"
			 "exit /b 7\n", groups[i].in_script);
		char *script = write_cmd("props.cmd", text);
		char *out = NULL;
		int rc = wine_cmd_script(&fx.w, script, NULL, CMD_TIMEOUT_S, &out);
		if (rc != 7)
			fprintf(stderr, "props.cmd rc %d:\n%s\n", rc, out);
		assert_int_equal(rc, 7);
		expect_received("MANAGEMENT_GROUP", groups[i].value);
		expect_received("MANAGEMENT_SERVER_DNS", "ms01.example.test");
		expect_received("SECURE_PORT", "5723");
		expect_received("AcceptEndUserLicenseAgreement", "1");
		expect_received("USE_SETTINGS_FROM_AD", "0");
		free(out);
		free(script);
	}
}

/* Like the real package, the stand-in refuses to install without the
 * licence property: msiexec's 1603 reaches the script, nothing is
 * recorded. */
static void test_msi_refuses_without_eula(void **st)
{
	(void)st;
	agent_reset();
	char *script = write_cmd("noeula.cmd",
				 "@echo off\n"
				 "msiexec /i \"%~dp0MOMAgent.msi\" /qn MANAGEMENT_GROUP=G "
				 "MANAGEMENT_SERVER_DNS=ms01.example.test SECURE_PORT=5723 "
				 "USE_MANUALLY_SPECIFIED_SETTINGS=1\n"
				 "set RC=%ERRORLEVEL%\n"
				 "if \"%RC%\"==\"1603\" exit /b 9\n"
				 "exit /b 1\n");
	char *out = NULL;
	int rc = wine_cmd_script(&fx.w, script, NULL, CMD_TIMEOUT_S, &out);
	if (rc != 9)
		fprintf(stderr, "noeula.cmd rc %d:\n%s\n", rc, out);
	assert_int_equal(rc, 9);
	assert_int_equal(wine_reg_key_exists(&fx.w, WINE_MSI_RECORD_KEY), 0);
	free(out);
	free(script);
}

/* ---- bundles made with the product's own functions ----------------------- */

#define FQDN "agent01.example.test"
#define SERVER "ms01.example.test"
#define PORT 5723
/* The PFX password: it must appear in no file of the bundle, in no line
 * install.cmd prints and in no line of install.log. */
#define PFX_PASSWORD "Wine-Pfx-Secret-7q3!"

struct bundle_spec {
	const char *name;               /* the case's directory under work */
	const unsigned char *serial;    /* the leaf's DER serial content */
	size_t serial_len;
	const char *mgmt_group;
	bool server_role;
	bool intermediate;              /* root -> issuing CA -> leaf */
	bool with_msi;                  /* MOMAgent.msi beside install.cmd */
	const char *server;             /* NULL: SERVER */
};

struct made_bundle {
	char *dir;                      /* <work>/<name> */
	char *folder;                   /* <dir>/<fqdn>-opsmgr */
	char *script;                   /* <folder>/install.cmd */
	char *serial_reversed;          /* independently computed, upper hex */
	char *thumbprint;
};

static void made_bundle_release(struct made_bundle *mb)
{
	free(mb->dir);
	free(mb->folder);
	free(mb->script);
	free(mb->serial_reversed);
	free(mb->thumbprint);
	memset(mb, 0, sizeof(*mb));
}

/* Upper hex of bytes, reversed when asked (the test's own reckoning, not
 * the product's). */
static char *hex_of(const unsigned char *b, size_t n, bool reversed)
{
	char *h = malloc(2 * n + 1);
	assert_non_null(h);
	for (size_t i = 0; i < n; i++)
		sprintf(h + 2 * i, "%02X", b[reversed ? n - 1 - i : i]);
	h[2 * n] = '\0';
	return h;
}

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	assert_non_null(in);
	assert_non_null(out);
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void der_cert(X509 *x, unsigned char **der, size_t *len)
{
	*der = NULL;
	int n = i2d_X509(x, der);
	assert_true(n > 0);
	*len = (size_t)n;
}

/*
 * A root (and an issuing CA), a leaf with the spec's serial, its PFX built
 * by pkcs12_build, install.cmd from installcmd_text and the bundle from
 * bundle_write, in <work>/<spec->name>; MOMAgent.msi copied beside.
 */
static void make_bundle(const struct bundle_spec *spec, struct made_bundle *mb)
{
	memset(mb, 0, sizeof(*mb));
	mb->dir = path_in(fx.work, spec->name);
	assert_int_equal(mkdir(mb->dir, 0700), 0);

	struct certgen_opts o;
	X509 *root = NULL, *ca = NULL, *leaf = NULL;
	EVP_PKEY *root_key = NULL, *ca_key = NULL, *leaf_key = NULL;
	certgen_opts_ca(&o, "Wine Test Root");
	assert_int_equal(certgen_make(&o, &root, &root_key), 0);
	X509 *issuer = root;
	EVP_PKEY *issuer_key = root_key;
	if (spec->intermediate) {
		certgen_opts_ca(&o, "Wine Test Issuing CA");
		o.issuer = root;
		o.issuer_key = root_key;
		o.key_slot = 1;
		assert_int_equal(certgen_make(&o, &ca, &ca_key), 0);
		issuer = ca;
		issuer_key = ca_key;
	}
	certgen_opts_leaf(&o, FQDN);
	o.issuer = issuer;
	o.issuer_key = issuer_key;
	o.key_slot = 2;
	o.serial = spec->serial;
	o.serial_len = spec->serial_len;
	assert_int_equal(certgen_make(&o, &leaf, &leaf_key), 0);

	char *cert_path = path_in(mb->dir, "leaf.pem");
	char *key_path = path_in(mb->dir, "leaf.key");
	assert_int_equal(certgen_write_pem(cert_path, &leaf, 1), 0);
	assert_int_equal(certgen_write_key(key_path, leaf_key), 0);
	struct pkcs12_opts po = { .key_path = key_path, .cert_path = cert_path,
				  .password = PFX_PASSWORD,
				  .compat = COMPAT_LEGACY };
	unsigned char *pfx = NULL;
	size_t pfx_len = 0;
	char err[512] = "";
	assert_int_equal(pkcs12_build(&po, NULL, &pfx, &pfx_len, NULL, err,
				      sizeof(err)), 0);

	char *serial_hex = x509_serial_hex(leaf);
	char *serial_rev = x509_serial_reversed_hex(leaf);
	mb->thumbprint = x509_fingerprint(leaf, EVP_sha1());
	mb->serial_reversed = hex_of(spec->serial, spec->serial_len, true);
	char *expect_hex = hex_of(spec->serial, spec->serial_len, false);
	assert_string_equal(serial_hex, expect_hex);
	free(expect_hex);

	unsigned char *root_der = NULL, *ca_der = NULL;
	size_t root_len = 0, ca_len = 0;
	der_cert(root, &root_der, &root_len);
	char *root_thumb = x509_fingerprint(root, EVP_sha1());
	struct bundle_cert inter = { 0 };
	char *inter_name = NULL, *ca_thumb = NULL;
	if (ca) {
		der_cert(ca, &ca_der, &ca_len);
		ca_thumb = x509_fingerprint(ca, EVP_sha1());
		inter = (struct bundle_cert){ ca_der, ca_len, ca_thumb,
					      "CN=Wine Test Issuing CA" };
		inter_name = bundle_intermediate_name(0);
	}
	char *pfx_name = bundle_pfx_name(FQDN);
	const char *inter_names[1] = { inter_name };
	struct installcmd_in ii = {
		.server_role = spec->server_role, .fqdn = FQDN,
		.mgmt_group = spec->server_role ? NULL : spec->mgmt_group,
		.server = spec->server_role ? NULL
			  : spec->server ? spec->server : SERVER,
		.port = spec->server_role ? 0 : PORT,
		.pfx_name = pfx_name, .serial_hex = serial_hex,
		.serial_reversed = serial_rev, .thumbprint = mb->thumbprint,
		.intermediates = inter_name ? inter_names : NULL,
		.n_intermediates = inter_name ? 1 : 0,
		.event_wait_s = 5,
	};
	const char *field = NULL;
	char *text = installcmd_text(&ii, &field, err, sizeof(err));
	if (!text)
		fail_msg("installcmd_text refused '%s' (%s): %s",
			 spec->mgmt_group ? spec->mgmt_group : "",
			 field ? field : "-", err);
	struct bundle_in bi = {
		.dir = mb->dir, .fqdn = FQDN, .server_role = spec->server_role,
		.root = { root_der, root_len, root_thumb, "CN=Wine Test Root" },
		.intermediates = ca ? &inter : NULL,
		.n_intermediates = ca ? 1 : 0,
		.pfx = pfx, .pfx_len = pfx_len,
		.serial_hex = serial_hex, .serial_reversed = serial_rev,
		.thumbprint = mb->thumbprint,
		.mgmt_group = ii.mgmt_group, .server = ii.server,
		.port = ii.port, .install_cmd = text,
	};
	struct bundle_out out;
	bundle_out_init(&out);
	field = NULL;
	if (bundle_write(&bi, &out, &field, err, sizeof(err)) != 0)
		fail_msg("bundle_write: %s", err);
	mb->folder = strdup(out.folder);
	mb->script = path_in(mb->folder, BUNDLE_INSTALL_NAME);
	if (spec->with_msi) {
		char *msi = path_in(mb->folder, "MOMAgent.msi");
		copy_file(fx.msi, msi);
		free(msi);
	}
	bundle_out_release(&out);

	free(text);
	free(pfx_name);
	free(inter_name);
	free(ca_thumb);
	free(root_thumb);
	OPENSSL_free(root_der);
	OPENSSL_free(ca_der);
	free(serial_hex);
	free(serial_rev);
	OPENSSL_cleanse(pfx, pfx_len);
	free(pfx);
	free(cert_path);
	free(key_path);
	X509_free(root);
	X509_free(ca);
	X509_free(leaf);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(leaf_key);
}

/* Run the bundle's install.cmd /nopause; its exit status, *out its
 * output. */
static int run_install(const struct made_bundle *mb, char **out)
{
	const char *args[] = { INSTALLCMD_NOPAUSE, NULL };
	int rc = wine_cmd_script(&fx.w, mb->script, args, CMD_TIMEOUT_S, out);
	return rc;
}

static char *bundle_file_text(const struct made_bundle *mb, const char *name)
{
	char *p = path_in(mb->folder, name);
	char *t = test_read_file(p);
	free(p);
	return t;
}

/* After a failure: the script's output and its lines that carry the
 * values (set, msiexec), to name the line that went wrong. */
static void dump_script_lines(const struct made_bundle *mb, const char *out)
{
	fprintf(stderr, "install.cmd output:\n%s\ninstall.cmd lines carrying "
		"the values:\n", out ? out : "");
	char *text = bundle_file_text(mb, BUNDLE_INSTALL_NAME);
	for (char *l = text; l && *l;) {
		char *e = strstr(l, "\r\n");
		if (e)
			*e = '\0';
		if (!strncmp(l, "msiexec ", 8) || !strncmp(l, "set \"MG=", 8) ||
		    !strncmp(l, "set \"SERVER=", 12) ||
		    !strncmp(l, "set \"HERE=", 10) || !strncmp(l, "pushd ", 6) ||
		    strstr(l, "EnableDelayedExpansion"))
			fprintf(stderr, "  %s\n", l);
		l = e ? e + 2 : NULL;
	}
	free(text);
}

/* The password is in no file of the folder, not in the output. */
static void assert_no_password(const struct made_bundle *mb, const char *out,
			       const char *password)
{
	assert_null(strstr(out, password));
	static const char *const names[] = { BUNDLE_INSTALL_NAME,
		BUNDLE_README_NAME, BUNDLE_REG_NAME, INSTALLCMD_LOG_NAME };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *t = bundle_file_text(mb, names[i]);
		assert_non_null(t);
		if (strstr(t, password))
			fail_msg("the PFX password is in %s", names[i]);
		free(t);
	}
}


/* The script stopped at step 6 (no HealthService under Wine) with its
 * message and exit code, in its output and in install.log. */
static void assert_stopped_at_service(const struct made_bundle *mb, int rc,
				      const char *out)
{
	if (rc != INSTALLCMD_EXIT_NO_SERVICE)
		fprintf(stderr, "install.cmd exit %d, output:\n%s\n", rc, out);
	assert_int_equal(rc, INSTALLCMD_EXIT_NO_SERVICE);
	assert_non_null(strstr(out, INSTALLCMD_MSG_NO_SERVICE));
	char *log = bundle_file_text(mb, INSTALLCMD_LOG_NAME);
	assert_non_null(log);
	assert_non_null(strstr(log, INSTALLCMD_MSG_NO_SERVICE));
	free(log);
}

/* Run a script with the agent installed: the stand-in's record, removed
 * first, stays absent (no msiexec); the stop at step 6; *out its
 * output. */
static void run_without_msiexec(const struct made_bundle *mb, char **out)
{
	wine_reg_delete_key(&fx.w, WINE_MSI_RECORD_KEY);
	assert_int_equal(wine_reg_key_exists(&fx.w, WINE_MSI_RECORD_KEY), 0);
	*out = NULL;
	int rc = run_install(mb, out);
	assert_stopped_at_service(mb, rc, *out);
	assert_int_equal(wine_reg_key_exists(&fx.w, WINE_MSI_RECORD_KEY), 0);
}

/* install.log holds steps 1 to 6 in order, and msiexec's verbose log lies
 * beside the script (the agent role's first install). */
static void assert_steps_logged(const struct made_bundle *mb, bool msi_ran)
{
	char *log = bundle_file_text(mb, INSTALLCMD_LOG_NAME);
	assert_non_null(log);
	const char *at = log;
	for (int step = 1; step <= 6; step++) {
		char tag[8];
		snprintf(tag, sizeof(tag), "[%d/7]", step);
		const char *p = strstr(at, tag);
		if (!p)
			fail_msg("install.log has no %s after the earlier steps:\n%s",
				 tag, log);
		at = p;
	}
	assert_null(strstr(at, "[7/7]"));
	free(log);
	if (msi_ran) {
		char *msilog = path_in(mb->folder, INSTALLCMD_MSI_LOG_NAME);
		struct stat sb;
		assert_int_equal(stat(msilog, &sb), 0);
		assert_true(sb.st_size > 1000);
		free(msilog);
	}
}

/* A registry value reads back as `type` holding exactly `want`. */
static void expect_reg(const char *key, const char *name, const char *type,
		       const char *want)
{
	char got_type[32] = "";
	char *v = wine_reg_value(&fx.w, key, name, got_type, sizeof(got_type));
	if (!v)
		fail_msg("no value %s in %s", name, key);
	assert_string_equal(got_type, type);
	assert_string_equal(v, want);
	free(v);
}

/* What serial.reg put into the registry: the serial's bytes reversed and
 * the thumbprint. */
static void assert_serial_registry(const struct made_bundle *mb)
{
	expect_reg(INSTALLCMD_REG_MACHINE, "ChannelCertificateSerialNumber",
		   "REG_BINARY", mb->serial_reversed);
	expect_reg(INSTALLCMD_REG_MACHINE, "ChannelCertificateHash", "REG_SZ",
		   mb->thumbprint);
}

/* The MSI received exactly the management group, server and port, and
 * the agent's keys (installcmd.h's paths) name them. */
static void assert_msi_got(const char *mg)
{
	char port[16];
	snprintf(port, sizeof(port), "%d", PORT);
	expect_received("MANAGEMENT_GROUP", mg);
	expect_received("MANAGEMENT_SERVER_DNS", SERVER);
	expect_received("SECURE_PORT", port);
	expect_received("AcceptEndUserLicenseAgreement", "1");
	expect_received("USE_SETTINGS_FROM_AD", "0");
	expect_received("USE_MANUALLY_SPECIFIED_SETTINGS", "1");
	expect_received("ACTIONS_USE_COMPUTER_ACCOUNT", "1");
	char key[1024], dword[16];
	snprintf(key, sizeof(key), "%s\\%s\\%s", INSTALLCMD_REG_GROUPS, mg,
		 INSTALLCMD_REG_PARENT);
	snprintf(dword, sizeof(dword), "0x%x", PORT);
	expect_reg(key, INSTALLCMD_REG_SERVER_VALUE, "REG_SZ", SERVER);
	expect_reg(key, INSTALLCMD_REG_PORT_VALUE, "REG_DWORD", dword);
	char *ver = wine_reg_value(&fx.w, INSTALLCMD_REG_SETUP,
				   INSTALLCMD_REG_SETUP_VALUE, NULL, 0);
	assert_non_null(ver);
	free(ver);
}

/*
 * The whole script on the agent, for serials of 1, 16, 19 and 20 bytes
 * (the 20-byte one with a leading 00, which stays in the registry as the
 * last byte): the MSI installed with the bundle's values, serial.reg
 * imported (serial reversed, hash = thumbprint), then the stop at step 6.
 */
static void test_bundle_serials(void **st)
{
	(void)st;
	static const unsigned char s1[] = { 0x05 };
	static const unsigned char s16[] = { 0x1F, 0x00, 0x00, 0x00, 0x3A, 0x5E,
		0x7C, 0x21, 0x90, 0xAB, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F };
	static const unsigned char s19[] = { 0x61, 0x00, 0x00, 0x00, 0x0D, 0x4F,
		0x2B, 0xE8, 0x77, 0x51, 0xC3, 0x09, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x0D, 0x01 };
	static const unsigned char s20[] = { 0x00, 0xC3, 0x5A, 0x11, 0x00, 0x00,
		0x9E, 0x42, 0x87, 0x10, 0xFF, 0x00, 0x01, 0x02, 0x03, 0x04,
		0x05, 0x06, 0x07, 0xAF };
	const struct bundle_spec specs[] = {
		{ "serial1", s1, sizeof(s1), "Contoso Ops", false, false, true, NULL },
		{ "serial16", s16, sizeof(s16), "Contoso Ops", false, true, true, NULL },
		{ "serial19", s19, sizeof(s19), "Contoso Ops", false, false, true, NULL },
		{ "serial20", s20, sizeof(s20), "Contoso Ops", false, true, true, NULL },
	};
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		agent_reset();
		struct made_bundle mb;
		make_bundle(&specs[i], &mb);
		char *out = NULL;
		int rc = run_install(&mb, &out);
		assert_stopped_at_service(&mb, rc, out);
		assert_steps_logged(&mb, true);
		assert_serial_registry(&mb);
		assert_msi_got(specs[i].mgmt_group);
		assert_no_password(&mb, out, PFX_PASSWORD);
		free(out);
		made_bundle_release(&mb);
	}
}

/*
 * Management groups with the characters the issue names (a space, %, ^,
 * &, !) and cmd's other special ones go through install.cmd to the MSI
 * byte for byte.  (rule_mgmt_group refuses most of them for a real
 * group; install.cmd's quoting must not depend on that.)
 */
static void test_bundle_group_values(void **st)
{
	(void)st;
	static const char *const groups[] = {
		"Contoso Ops",
		"R&D 100% done",
		"caret ^ and ^^ two",
		"bang! and !x! pair",
		"%PATH% and %~dp0",
		"all & | < > ( ) ; , = ^ ! % at once",
	};
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		char name[32];
		snprintf(name, sizeof(name), "group%zu", i);
		const struct bundle_spec spec = { name, (const unsigned char *)"\x42",
						  1, groups[i], false, false, true, NULL };
		agent_reset();
		struct made_bundle mb;
		make_bundle(&spec, &mb);
		char *out = NULL;
		int rc = run_install(&mb, &out);
		char *got = msi_received("MANAGEMENT_GROUP");
		if (!got || strcmp(got, groups[i]) != 0) {
			fprintf(stderr, "management group '%s' reached the MSI as '%s'\n",
				groups[i], got ? got : "(nothing: msiexec failed)");
			dump_script_lines(&mb, out);
		}
		assert_non_null(got);
		assert_string_equal(got, groups[i]);
		assert_stopped_at_service(&mb, rc, out);
		free(got);
		free(out);
		made_bundle_release(&mb);
	}
}

/*
 * An operator extracts the zip anywhere: the bundle in a folder whose name
 * holds a space, & ( ) ! ^ ; , =, started from another working directory
 * (an elevated cmd starts in System32) through a launcher that names the
 * script by its quoted path, as Explorer does.  (Not %: Wine's cmd expands
 * %~dp0's value again, which Windows' does not.)
 */
static void test_bundle_in_awkward_folder(void **st)
{
	(void)st;
	const struct bundle_spec spec = { "R&D (x) !y! ^z a;b,c=d",
					  (const unsigned char *)"\x01\x02", 2,
					  "Contoso Ops", false, false, true, NULL };
	agent_reset();
	struct made_bundle mb;
	make_bundle(&spec, &mb);
	char *win = wine_win_path(mb.script);
	char launcher_text[4096];
	snprintf(launcher_text, sizeof(launcher_text), "@\"%s\" %s\n", win,
		 INSTALLCMD_NOPAUSE);
	char *elsewhere = path_in(fx.work, "system32");
	mkdir(elsewhere, 0700);
	char *launcher_name = path_in("system32", "launch.cmd");
	char *launcher = write_cmd(launcher_name, launcher_text);
	char *out = NULL;
	int rc = wine_cmd_script(&fx.w, launcher, NULL, CMD_TIMEOUT_S, &out);
	if (rc != INSTALLCMD_EXIT_NO_SERVICE)
		dump_script_lines(&mb, out);
	assert_stopped_at_service(&mb, rc, out);
	assert_serial_registry(&mb);
	assert_msi_got(spec.mgmt_group);
	free(out);
	free(launcher);
	free(launcher_name);
	free(elsewhere);
	free(win);
	made_bundle_release(&mb);
}

/* The management server's bundle has no msiexec step: the MSI lying
 * beside is not installed; the serial still goes into the registry. */
static void test_bundle_server_role(void **st)
{
	(void)st;
	const struct bundle_spec spec = { "server", (const unsigned char *)"\x7F\x01",
					  2, NULL, true, true, true, NULL };
	agent_reset();
	struct made_bundle mb;
	make_bundle(&spec, &mb);
	char *text = bundle_file_text(&mb, BUNDLE_INSTALL_NAME);
	assert_null(strstr(text, "msiexec"));
	free(text);
	char *out = NULL;
	int rc = run_install(&mb, &out);
	assert_stopped_at_service(&mb, rc, out);
	assert_steps_logged(&mb, false);
	assert_serial_registry(&mb);
	assert_int_equal(wine_reg_key_exists(&fx.w, WINE_MSI_RECORD_KEY), 0);
	assert_no_password(&mb, out, PFX_PASSWORD);
	free(out);
	made_bundle_release(&mb);
}

/* An agent bundle without MOMAgent.msi on a computer without the agent
 * stops at step 4 with its own exit code, before touching the registry. */
static void test_bundle_no_agent_no_msi(void **st)
{
	(void)st;
	const struct bundle_spec spec = { "nomsi", (const unsigned char *)"\x33",
					  1, "Contoso Ops", false, false, false, NULL };
	agent_reset();
	struct made_bundle mb;
	make_bundle(&spec, &mb);
	char *out = NULL;
	int rc = run_install(&mb, &out);
	if (rc != INSTALLCMD_EXIT_NO_AGENT)
		fprintf(stderr, "install.cmd exit %d, output:\n%s\n", rc, out);
	assert_int_equal(rc, INSTALLCMD_EXIT_NO_AGENT);
	assert_int_equal(wine_reg_key_exists(&fx.w, INSTALLCMD_REG_MACHINE), 0);
	assert_int_equal(wine_reg_key_exists(&fx.w, WINE_MSI_RECORD_KEY), 0);
	free(out);
	made_bundle_release(&mb);
}

/* Does the output hold a line with all of these (NULL-terminated)? */
static bool has_line_with(const char *out, const char *const parts[])
{
	for (const char *l = out; l && *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		char *line = strndup(l, len);
		bool all = true;
		for (size_t i = 0; parts[i] && all; i++)
			all = strstr(line, parts[i]) != NULL;
		free(line);
		if (all)
			return true;
		l = e ? e + 1 : NULL;
	}
	return false;
}

/* msiexec's 3010 (installed, restart pending) is accepted: the script
 * says a restart is pending and goes on to import the serial. */
static void test_bundle_msi_restart_pending(void **st)
{
	(void)st;
	agent_reset();
	const struct bundle_spec spec = { "reboot", (const unsigned char *)"\x31",
					  1, "Contoso Ops", false, false, true,
					  "reboot.example.test" };
	struct made_bundle mb;
	make_bundle(&spec, &mb);
	char *out = NULL;
	int rc = run_install(&mb, &out);
	assert_stopped_at_service(&mb, rc, out);
	const char *const pending[] = { "3010", "restart", NULL };
	if (!has_line_with(out, pending))
		fprintf(stderr, "msiexec 3010:\n%s\n", out);
	assert_true(has_line_with(out, pending));
	expect_received("MANAGEMENT_SERVER_DNS", "reboot.example.test");
	assert_serial_registry(&mb);
	free(out);
	made_bundle_release(&mb);
}

/*
 * Step 4 when the agent is already there: install.cmd does not run
 * msiexec again (the stand-in's record, removed, stays absent), compares
 * the agent's management group and server with the bundle's, says so when
 * they match, warns naming both when they differ, and goes on.
 */
static void test_bundle_second_run_compares(void **st)
{
	(void)st;
	agent_reset();
	const struct bundle_spec first = { "first", (const unsigned char *)"\x11",
					   1, "Contoso Ops", false, false, true,
					   NULL };
	struct made_bundle mb;
	make_bundle(&first, &mb);
	char *out = NULL;
	int rc = run_install(&mb, &out);
	assert_stopped_at_service(&mb, rc, out);
	assert_msi_got("Contoso Ops");
	free(out);

	/* the same bundle again: no msiexec, "match" */
	run_without_msiexec(&mb, &out);
	const char *const match[] = { "\"Contoso Ops\"", "match", NULL };
	if (!has_line_with(out, match))
		fprintf(stderr, "second run:\n%s\n", out);
	assert_true(has_line_with(out, match));
	const char *const warn[] = { "WARNING", NULL };
	assert_false(has_line_with(out, warn));
	free(out);
	made_bundle_release(&mb);

	/* another server for the same group: a warning naming both */
	const struct bundle_spec moved = { "moved", (const unsigned char *)"\x12",
					   1, "Contoso Ops", false, false, true,
					   "ms02.example.test" };
	make_bundle(&moved, &mb);
	run_without_msiexec(&mb, &out);
	const char *const srv[] = { "WARNING", "\"" SERVER "\"",
				    "\"ms02.example.test\"", NULL };
	if (!has_line_with(out, srv))
		fprintf(stderr, "other server:\n%s\n", out);
	assert_true(has_line_with(out, srv));
	assert_serial_registry(&mb);
	free(out);
	made_bundle_release(&mb);

	/* another group: a warning naming it; install.log lists the
	 * agent's own */
	const struct bundle_spec other = { "other", (const unsigned char *)"\x13",
					   1, "Fabrikam Ops", false, false, true,
					   NULL };
	make_bundle(&other, &mb);
	run_without_msiexec(&mb, &out);
	const char *const grp[] = { "WARNING", "\"Fabrikam Ops\"", NULL };
	if (!has_line_with(out, grp))
		fprintf(stderr, "other group:\n%s\n", out);
	assert_true(has_line_with(out, grp));
	char *log = bundle_file_text(&mb, INSTALLCMD_LOG_NAME);
	assert_non_null(strstr(log, "Contoso Ops"));
	free(log);
	free(out);
	made_bundle_release(&mb);
}

/* ---- the bundle the product writes against the lab ---------------------- */

/* The lab's answers.ini with the agent bound for Windows: its management
 * group (with a space), the bundle directory. */
static char *lab_answers_windows(const struct lab *l, const char *dir,
				 const char *mg, const char *bundle_dir)
{
	char *text = test_read_file(l->answers);
	assert_non_null(text);
	char *at = strstr(text, "management_group = LAB\n");
	assert_non_null(at);
	*at = '\0';
	char *rest = at + strlen("management_group = LAB\n");
	char *out = NULL;
	assert_true(asprintf(&out, "%smanagement_group = %s\ntarget = windows\n"
			     "bundle_dir = %s\n%s", text, mg, bundle_dir,
			     rest) > 0);
	char *path = path_in(dir, "answers.ini");
	assert_int_equal(test_write_file(path, out), 0);
	free(out);
	free(text);
	return path;
}

/* The leaf of a PFX, read with OpenSSL alone (the test's own reckoning of
 * the serial and thumbprint). */
static X509 *pfx_leaf(const char *pfx_path, const char *password)
{
	FILE *f = fopen(pfx_path, "rb");
	assert_non_null(f);
	PKCS12 *p12 = d2i_PKCS12_fp(f, NULL);
	fclose(f);
	assert_non_null(p12);
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	STACK_OF(X509) *ca = NULL;
	assert_int_equal(PKCS12_parse(p12, password, &k, &x, &ca), 1);
	EVP_PKEY_free(k);
	sk_X509_pop_free(ca, X509_free);
	PKCS12_free(p12);
	assert_non_null(x);
	return x;
}

static char *trimmed_file(const char *path)
{
	char *t = test_read_file(path);
	assert_non_null(t);
	t[strcspn(t, "\r\n")] = '\0';
	return t;
}

/*
 * The real thing: `opsmgr-enroll --non-interactive` against the lab with
 * [agent] target = windows writes the bundle at stage 6; its zip extracted
 * with unzip, MOMAgent.msi put beside install.cmd there; `wine cmd /c
 * install.cmd`: the MSI received exactly
 * the management group (with a space), server and port; the registry holds
 * the issued certificate's serial reversed and its thumbprint; the script
 * stopped at step 6; the PFX password is nowhere in the bundle or the log.
 * A second run sees the agent installed and does not run msiexec again.
 */
static void test_lab_bundle(void **st)
{
	(void)st;
	struct lab l = { 0 };
	const char *const auto_approve[] = { "--auto-approve", "0", NULL };
	assert_int_equal(lab_start(&l, NULL, auto_approve), 0);
	char *dir = path_in(fx.work, "lab-run");
	assert_int_equal(mkdir(dir, 0700), 0);
	char *bundles = path_in(dir, "bundles");
	char *state = path_in(dir, "state");
	const char *mg = "Lab Ops Group";
	char *answers = lab_answers_windows(&l, dir, mg, bundles);
	char *bin = test_build_path("opsmgr-enroll");
	const char *argv[] = { bin, "--answers", answers, "--state-dir", state,
			       "--non-interactive", "--stages", "1-6", NULL };
	char *out = NULL;
	int rc = run_capture(argv, 300, &out);
	if (rc != 0)
		fprintf(stderr, "opsmgr-enroll exit %d:\n%s\n", rc, out);
	assert_int_equal(rc, 0);
	free(out);

	/* What the operator does: copy the zip over, extract it, run the
	 * script from the extracted folder. */
	char *zip = path_in(bundles, "agent01.lab.test" BUNDLE_SUFFIX ".zip");
	struct stat sb;
	assert_int_equal(stat(zip, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	char *extracted = path_in(dir, "Downloads");
	const char *unzip[] = { "/usr/bin/unzip", "-q", zip, "-d", extracted,
				NULL };
	out = NULL;
	rc = run_capture(unzip, 60, &out);
	if (rc != 0)
		fprintf(stderr, "unzip exit %d:\n%s\n", rc, out);
	assert_int_equal(rc, 0);
	free(out);
	struct made_bundle mb = { 0 };
	mb.folder = path_in(extracted, "agent01.lab.test" BUNDLE_SUFFIX);
	mb.script = path_in(mb.folder, BUNDLE_INSTALL_NAME);
	char *pfx = path_in(mb.folder, "agent01.lab.test.pfx");
	char *pw_path = path_in(l.dir, "pfx-password");
	char *password = trimmed_file(pw_path);
	X509 *leaf = pfx_leaf(pfx, password);
	const ASN1_INTEGER *sn = X509_get0_serialNumber(leaf);
	unsigned char *sder = NULL;
	int sl = i2d_ASN1_INTEGER((ASN1_INTEGER *)sn, &sder);
	assert_true(sl > 2 && sder[1] < 0x80);   /* short form length */
	mb.serial_reversed = hex_of(sder + 2, (size_t)sder[1], true);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdn = 0;
	assert_int_equal(X509_digest(leaf, EVP_sha1(), md, &mdn), 1);
	mb.thumbprint = hex_of(md, mdn, false);
	OPENSSL_free(sder);
	X509_free(leaf);

	char *msi = path_in(mb.folder, "MOMAgent.msi");
	copy_file(fx.msi, msi);
	agent_reset();
	out = NULL;
	rc = run_install(&mb, &out);
	assert_stopped_at_service(&mb, rc, out);
	assert_serial_registry(&mb);
	char port[16];
	snprintf(port, sizeof(port), "%d", l.ms_port);
	expect_received("MANAGEMENT_GROUP", mg);
	expect_received("MANAGEMENT_SERVER_DNS", "localhost");
	expect_received("SECURE_PORT", port);
	assert_no_password(&mb, out, password);
	free(out);

	/* Second run: the agent is installed; msiexec must not run again. */
	run_without_msiexec(&mb, &out);
	free(out);

	free(msi);
	free(password);
	free(pw_path);
	free(pfx);
	free(zip);
	free(extracted);
	made_bundle_release(&mb);
	free(bin);
	free(answers);
	free(state);
	free(bundles);
	free(dir);
	lab_stop(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msi_records_exact_properties),
		cmocka_unit_test(test_msi_refuses_without_eula),
		cmocka_unit_test(test_bundle_serials),
		cmocka_unit_test(test_bundle_group_values),
		cmocka_unit_test(test_bundle_in_awkward_folder),
		cmocka_unit_test(test_bundle_server_role),
		cmocka_unit_test(test_bundle_no_agent_no_msi),
		cmocka_unit_test(test_bundle_second_run_compares),
		cmocka_unit_test(test_bundle_msi_restart_pending),
		cmocka_unit_test(test_lab_bundle),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
