/*
 * serial.c - stage 6, import serial (serial.h): installs certificate and
 * key for the agent, records the serial in both byte orders and the
 * thumbprint in the agent configuration, writes the Windows .reg file and
 * the Windows bundle (serial_bundle.c), restarts the agent, and checks the
 * result (serial_check.c).
 */
#include "stages/serial_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/agentconf.h"
#include "core/fsutil.h"
#include "core/stage_table.h"
#include "sys/cmdrun.h"
#include "windows/bundle.h"
#include "windows/regfile.h"
#include "stages/stages.h"
#include "pki/x509util.h"

#define FIELD_REG "agent.reg_file"
#define FIELD_RESTART "agent.restart_command"

void serial_result_free(void *p)
{
	struct serial_result *r = p;
	if (!r)
		return;
	free(r->config_path);
	free(r->cert_path);
	free(r->key_path);
	free(r->serial_hex);
	free(r->serial_reversed);
	free(r->thumbprint);
	free(r->reg_file);
	free(r->bundle_dir);
	free(r->bundle_zip);
	free(r->bundle_files);
	free(r->bundle_todo);
	free(r);
}

/* ---- writing -------------------------------------------------------------- */

/* Write the .reg file for reversed_hex + thumbprint to path (atomic,
 * 0644).  0 / -1 with a DIAG_SERIAL_REG_FILE diagnostic at "agent.reg_file". */
static int serial_write_reg(const char *path, const char *reversed_hex,
			    const char *thumbprint, struct diag_list *dl)
{
	char err[FS_ERRLEN];
	size_t len = 0;
	char *text = regfile_format(reversed_hex, thumbprint, &len, err,
				    sizeof(err));
	if (!text) {
		diag_add(dl, DIAG_SERIAL_REG_FILE, SEV_FAIL, FIELD_REG, NULL,
			 "cannot build the registry file '%s': %s", path, err);
		return -1;
	}
	int r = fs_write_atomic(path, text, len, 0644, err, sizeof(err));
	free(text);
	if (r != 0) {
		diag_add(dl, DIAG_SERIAL_REG_FILE, SEV_FAIL, FIELD_REG,
			 "check the directory exists and is writable, or set "
			 "[agent] reg_file to another path",
			 "cannot write the registry file: %s", err);
		return -1;
	}
	diag_add(dl, DIAG_SERIAL_REG_FILE, SEV_PASS, FIELD_REG,
		 "import it on the Windows computer with "
		 "'reg import <file>' as an administrator, then restart the "
		 "HealthService",
		 "wrote '%s' (ChannelCertificateSerialNumber, "
		 "ChannelCertificateHash)", path);
	return 0;
}

/* One installed file; text NULL when it could not be encoded.  0 / -1
 * with a diagnostic naming what ("certificate") and its [certificate]
 * key ("certificate" or "key"). */
static int install_one(const char *dst, const char *text, size_t len,
		       unsigned mode, const char *what, const char *key,
		       struct diag_list *dl)
{
	char err[FS_ERRLEN];
	if (text && fs_write_atomic(dst, text, len, mode, err,
				    sizeof(err)) == 0)
		return 0;
	struct diag *d = diag_add(dl, DIAG_SERIAL_INSTALL, SEV_FAIL,
				  FIELD_CONFIG, NULL,
				  "cannot install the agent's %s: %s", what,
				  text ? err : "cannot encode it");
	if (d)
		diag_set_fix(d, "check the directory is writable, or set "
			     "[certificate] %s in the agent configuration to "
			     "another path", key);
	return -1;
}

/* Install cert (0644) and key (0600) at their destinations. */
static int install_files(X509 *cert, EVP_PKEY *key, const char *cert_dst,
			 const char *key_dst, struct diag_list *dl)
{
	char *pem = x509_to_pem(cert);
	int rc = install_one(cert_dst, pem, pem ? strlen(pem) : 0, 0644,
			     "certificate", "certificate", dl);
	free(pem);
	if (rc != 0)
		return -1;
	size_t klen = 0;
	char *kpem = x509_key_to_pem(key, &klen);
	rc = install_one(key_dst, kpem, klen, 0600, "private key", "key", dl);
	fs_free_secret(kpem, klen);
	if (rc != 0)
		return -1;
	diag_add(dl, DIAG_SERIAL_INSTALL, SEV_PASS, FIELD_CONFIG, NULL,
		 "installed the certificate '%s' and the private key '%s' "
		 "(mode 0600)", cert_dst, key_dst);
	return 0;
}

static enum status run_restart(const struct config *cfg, const struct hooks *h,
			       struct diag_list *dl, bool *ran_ok)
{
	const struct cmdrun spec = {
		.setting = "restart_command", .field = FIELD_RESTART,
		.check = DIAG_SERIAL_RESTART,
		.cmdline = cfg->agent_restart_command,
		.timeout_s = cfg->agent_command_timeout,
		.progress = "restarting the agent",
	};
	enum status s = cmdrun_run_report(
		&spec, h, "agent restarted",
		"restart the agent by hand and check its log, or fix [agent] "
		"restart_command", dl);
	*ran_ok = s == ST_OK;
	return s;
}

static bool windows_target(const struct config *cfg, const struct agentconf *a)
{
	return cfg->agent_target == TARGET_WINDOWS ||
	       (a->target && strcmp(a->target, "windows") == 0);
}

/* Windows target: the bundle and the push.  ST_OK / ST_FAIL /
 * ST_CANCELLED. */
static enum status write_bundle(struct ctx *c, const struct agentconf *a,
				X509 *cert, struct serial_result *res,
				const struct hooks *h, struct diag_list *dl)
{
	const struct config *cfg = c->cfg;
	const struct serial_bundle_in bi = {
		.st = c->st, .res = res,
		.dir = serial_bundle_dir(c),
		.fqdn = ctx_fqdn(c),
		.server_role = cfg->role == ROLE_SERVER,
		.mgmt_group = a->management_group, .server = a->server,
		.port = a->port ? a->port : CONFIG_DEFAULT_PORT,
		.old_serial = NULL,   /* renewal (issue 19) passes it */
		.push_command = cfg->agent_push_command,
		.timeout_s = cfg->agent_command_timeout,
	};
	enum status s = serial_bundle_run(&bi, cert, h, dl);
	if (res->bundle_dir && !res->reg_file)
		res->reg_file = fs_join(res->bundle_dir, BUNDLE_REG_NAME);
	return s;
}

enum status stage_serial_run(struct ctx *c, const struct hooks *h,
			     struct diag_list *dl)
{
	struct config *cfg = c->cfg;
	struct state *st = c->st;
	char err[FS_ERRLEN];
	enum status s = ST_FAIL;
	struct agentconf a;
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	struct serial_result *res = calloc(1, sizeof(*res));
	char *config_path = agentconf_path(cfg, st, c->state_dir);

	/* What an earlier run found must not be shown for this one. */
	ctx_set_out(c, STAGE_SERIAL, NULL, NULL);
	agentconf_init(&a);
	if (!res || !config_path) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory");
		goto out;
	}
	res->config_path = strdup(config_path);

	/* 1. the agent must be configured (MOMCertImport's refusal) */
	int r = agentconf_read(config_path, &a, dl);
	if (r == 1 && cfg->role == ROLE_SERVER) {
		/* A management server's Health Service comes with the server
		 * (stage 5 is skipped): start its configuration here. */
		agentconf_init(&a);
		config_set_str(&a.role, role_name(ROLE_SERVER));
		config_set_str(&a.target, agent_target_name(cfg->agent_target));
		config_set_str(&a.management_group, cfg->agent_mgmt_group);
		config_set_str(&a.server, ctx_fqdn(c));
		diag_add(dl, DIAG_SERIAL_AGENT_CONFIGURED, SEV_INFO, FIELD_CONFIG,
			 NULL,
			 "management server: its Health Service is installed "
			 "with the server; creating '%s' for its certificate",
			 config_path);
	} else if (r == 1) {
		serial_not_configured(dl, config_path);
		goto out;
	} else if (r != 0) {
		goto out;
	}

	/* 2. the certificate and key from stage 2 */
	enum request_have have = stage_request_have(st);
	if (have != REQ_HAVE) {
		struct diag *d = diag_add(
			dl, DIAG_SERIAL_INSTALL, SEV_FAIL, NULL, NULL,
			"no certificate to import yet: %s has not produced a %s",
			stage_ref(STAGE_REQUEST),
			have == REQ_NO_KEY ? "private key" : "certificate");
		diag_set_fix(d, "run stages %d to %d first",
			     STAGE_REQUEST, STAGE_EXPORT);
		goto out;
	}
	hooks_progress(h, "reading the certificate and key", 0.1);
	if (!(cert = serial_load_first_cert(st->cert_path, err, sizeof(err)))) {
		diag_add_rerun(
			dl, DIAG_SERIAL_INSTALL, SEV_FAIL, NULL, STAGE_REQUEST,
			" again to fetch the certificate",
			"cannot read the certificate '%s': %s", st->cert_path,
			err);
		goto out;
	}
	if (!(key = x509_load_key_file(st->key_path, err, sizeof(err)))) {
		struct diag *d = diag_add(
			dl, DIAG_SERIAL_INSTALL, SEV_FAIL, NULL, NULL,
			"cannot read the private key '%s': %s", st->key_path,
			err);
		diag_set_fix(d, "the key from stage %d is needed; restore it "
			     "from a backup or start over", STAGE_REQUEST);
		goto out;
	}
	if (x509_key_matches(cert, key) != 1) {
		struct diag *d = diag_add_rerun(
			dl, DIAG_SERIAL_INSTALL, SEV_FAIL, NULL, STAGE_REQUEST,
			" again so key and certificate belong together",
			"the private key '%s' does not belong to the certificate "
			"'%s'", st->key_path, st->cert_path);
		if (d)
			d->event = 20068;
		goto out;
	}

	/* 3. install where the configuration points */
	res->cert_path = a.cert_path ? strdup(a.cert_path)
				     : agentconf_default_cert_path(config_path);
	res->key_path = a.key_path ? strdup(a.key_path)
				   : agentconf_default_key_path(config_path);
	res->serial_hex = x509_serial_hex(cert);
	res->serial_reversed = x509_serial_reversed_hex(cert);
	res->thumbprint = x509_fingerprint(cert, EVP_sha1());
	if (!res->cert_path || !res->key_path || !res->serial_hex ||
	    !res->serial_reversed || !res->thumbprint) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "cannot read the serial of '%s'", st->cert_path);
		goto out;
	}
	hooks_progress(h, "installing the certificate and key", 0.3);
	if (hooks_cancelled(h)) {
		s = ST_CANCELLED;
		goto out;
	}
	if (install_files(cert, key, res->cert_path, res->key_path, dl) != 0)
		goto out;

	/* 4. record serial (both orders) and thumbprint */
	hooks_progress(h, "recording the serial", 0.5);
	config_set_str(&a.cert_path, res->cert_path);
	config_set_str(&a.key_path, res->key_path);
	config_set_str(&a.serial_hex, res->serial_hex);
	config_set_str(&a.serial_reversed, res->serial_reversed);
	config_set_str(&a.thumbprint, res->thumbprint);
	if (agentconf_write(config_path, &a, dl) != 0)
		goto out;
	diag_add(dl, DIAG_SERIAL_RECORD, SEV_PASS, FIELD_CONFIG, NULL,
		 "recorded serial %s (registry order %s) and thumbprint %s in "
		 "'%s'", res->serial_hex, res->serial_reversed, res->thumbprint,
		 config_path);

	/* 5. Windows: the .reg file MOMCertImport's registry values, and
	 * the bundle that does the Windows half */
	int failed = 0;
	if (cfg->agent_reg_file && *cfg->agent_reg_file) {
		res->reg_file = strdup(cfg->agent_reg_file);
		if (!res->reg_file ||
		    serial_write_reg(res->reg_file, res->serial_reversed,
				     res->thumbprint, dl) != 0) {
			free(res->reg_file);
			res->reg_file = NULL;
			failed = 1;
		}
	}
	if (windows_target(cfg, &a)) {
		enum status bs = write_bundle(c, &a, cert, res, h, dl);
		if (bs == ST_CANCELLED) {
			s = ST_CANCELLED;
			goto out;
		}
		if (bs != ST_OK)
			failed = 1;
	}

	/* 6. restart the agent so it loads the certificate */
	if (cfg->agent_restart_command && *cfg->agent_restart_command) {
		enum status rs = run_restart(cfg, h, dl, &res->restarted);
		if (rs == ST_CANCELLED) {
			s = ST_CANCELLED;
			goto out;
		}
		if (rs != ST_OK)
			failed = 1;
	}

	/* 7. read back and check */
	hooks_progress(h, "checking the recorded serial", 0.9);
	if (serial_check_files(config_path, st->cert_path, dl) != ST_OK)
		failed = 1;
	hooks_progress(h, "serial imported", 1.0);

	state_set_str(&st->serial_hex, res->serial_hex);
	state_set_str(&st->serial_reversed, res->serial_reversed);
	state_set_str(&st->thumbprint, res->thumbprint);
	state_set_str(&st->reg_file, res->reg_file);
	state_set_str(&st->bundle_dir, res->bundle_dir);
	state_set_str(&st->bundle_zip, res->bundle_zip);
	state_set_str(&st->bundle_files, res->bundle_files);
	s = failed ? ST_FAIL : ST_OK;
	ctx_set_out(c, STAGE_SERIAL, res, serial_result_free);
	res = NULL;
out:
	if (s == ST_CANCELLED && !diag_find(dl, DIAG_CANCELLED))
		diag_add(dl, DIAG_CANCELLED, SEV_INFO, NULL, NULL,
			 "%s cancelled", stage_ref(STAGE_SERIAL));
	serial_result_free(res);
	X509_free(cert);
	EVP_PKEY_free(key);
	agentconf_release(&a);
	free(config_path);
	return s;
}

