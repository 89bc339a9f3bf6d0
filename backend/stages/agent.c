/*
 * agent.c - stage 5, install agent (stages.h, agent.h): checks the
 * management group, server and port; probes DNS and TCP to the server
 * (each its own diagnostic); writes the agent configuration (agentconf.h)
 * atomically; runs the optional installer command; and for a Windows
 * target shows the silent MOMAgent.msi line and where stage 6 puts the
 * bundle (writing the msiexec-only file (msicmd.h) only when [agent]
 * msi_command_file names one).
 */
#include "stages/agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/agentconf.h"
#include "core/config.h"
#include "core/stage_table.h"
#include "core/validate.h"
#include "core/fsutil.h"
#include "windows/bundle.h"
#include "windows/cmdquote.h"
#include "windows/msicmd.h"
#include "sys/netprobe.h"
#include "sys/cmdrun.h"
#include "stages/serial.h"
#include "stages/stages.h"

#define F_MG "agent.management_group"
#define F_SERVER "agent.server"
#define F_PORT "agent.port"
#define F_CONFIG "agent.config"
#define F_INSTALL "agent.install_command"
#define F_MSI "agent.msi_command_file"

/* ---- field checks --------------------------------------------------------- */

int agent_check_mgmt_group(const char *mg, char *err, size_t errlen)
{
	struct verdict v;
	rule_mgmt_group(mg, &v);
	snprintf(err, errlen, "%s", v.msg);
	return v.sev == SEV_FAIL ? -1 : 0;
}

/* ---- paths --------------------------------------------------------------- */

/* [agent] msi_command_file, when set: the msiexec-only command file. */
static bool msi_file_set(const struct config *cfg)
{
	return cfg->agent_msi_command_file && *cfg->agent_msi_command_file;
}

void agent_result_free(void *p)
{
	struct agent_result *r = p;
	if (!r)
		return;
	free(r->config_path);
	free(r->addresses);
	free(r->msi_line);
	free(r->msi_file);
	free(r->bundle_zip);
	free(r->bundle_todo);
	free(r);
}

/* ---- the stage ------------------------------------------------------------ */

static int agent_port(const struct config *cfg)
{
	return cfg->agent_port ? cfg->agent_port : CONFIG_DEFAULT_PORT;
}

/* A Windows target: the value goes into install.cmd and onto msiexec's
 * command line, so cmdquote's rule judges it too, at its field.  1 when
 * it refuses (a FAIL added). */
static int windows_value(const struct config *cfg, const char *value,
			 const char *field, enum diag_check check,
			 const char *what, struct diag_list *dl)
{
	char why[160];
	if (cfg->agent_target != TARGET_WINDOWS || !value ||
	    cmdquote_check(value, why, sizeof(why)) == 0)
		return 0;
	diag_add(dl, check, SEV_FAIL, field,
		 "choose a value without it: for a Windows target it goes "
		 "into install.cmd and msiexec's command line",
		 "%s '%s' %s", what, value, why);
	return 1;
}

int agent_check_fields(const struct config *cfg, struct diag_list *dl)
{
	int port = agent_port(cfg);
	struct verdict v;
	struct diag *d;
	int bad = 0;
	if (rule_mgmt_group(cfg->agent_mgmt_group, &v) == SEV_FAIL)
		bad = 1;
	else
		bad |= windows_value(cfg, cfg->agent_mgmt_group, F_MG,
				     DIAG_AGENT_MGMT_GROUP, "management group",
				     dl);
	if (!rule_diag(dl, DIAG_AGENT_MGMT_GROUP, F_MG, &v) && !bad)
		diag_add(dl, DIAG_AGENT_MGMT_GROUP, SEV_PASS, F_MG, NULL,
			 "management group '%s'", cfg->agent_mgmt_group);
	int server_bad = rule_server(cfg->agent_server, &v) == SEV_FAIL;
	if (!server_bad)
		server_bad = windows_value(cfg, cfg->agent_server, F_SERVER,
					   DIAG_AGENT_SERVER,
					   "management server", dl);
	bad |= server_bad;
	d = rule_diag(dl, DIAG_AGENT_SERVER, F_SERVER, &v);
	if (!d && !server_bad)
		diag_add(dl, DIAG_AGENT_SERVER, SEV_PASS, F_SERVER, NULL,
			 "management server '%s'", cfg->agent_server);
	bad |= rule_port(port, &v) == SEV_FAIL;
	rule_diag(dl, DIAG_AGENT_PORT, F_PORT, &v);
	return bad ? -1 : 0;
}

/* The agent configuration: keep what stage 6 recorded, set ours. */
static int write_config(struct ctx *c, const char *path, int port,
			struct diag_list *dl)
{
	const struct config *cfg = c->cfg;
	struct agentconf a;
	struct diag_list old;
	diag_list_init(&old);
	int rr = agentconf_read(path, &a, &old);
	diag_list_release(&old);
	if (rr < 0)
		diag_add(dl, DIAG_AGENT_CONFIG, SEV_INFO, F_CONFIG, NULL,
			 "the existing agent configuration '%s' could not be "
			 "read and is replaced", path);
	config_set_str(&a.management_group, cfg->agent_mgmt_group);
	config_set_str(&a.server, cfg->agent_server);
	a.port = port;
	config_set_str(&a.role, role_name(cfg->role));
	config_set_str(&a.target, agent_target_name(cfg->agent_target));
	if (!a.cert_path)
		a.cert_path = agentconf_default_cert_path(path);
	if (!a.key_path)
		a.key_path = agentconf_default_key_path(path);
	int rc = agentconf_write(path, &a, dl);
	if (rc == 0)
		diag_add(dl, DIAG_AGENT_CONFIG, SEV_PASS, F_CONFIG, NULL,
			 "agent configuration written to '%s' (certificate "
			 "'%s', key '%s')", path, a.cert_path, a.key_path);
	agentconf_release(&a);
	return rc;
}

/* Runs [agent] install_command.  ST_OK / ST_FAIL / ST_CANCELLED. */
static enum status run_install(struct ctx *c, const char *config_path,
			       int port, const struct hooks *h,
			       struct agent_result *res, struct diag_list *dl)
{
	const struct config *cfg = c->cfg;
	char port_text[16];
	snprintf(port_text, sizeof(port_text), "%d", port);
	/* The installer learns what it installs from its environment. */
	const char *env[] = {
		"OPSMGR_AGENT_CONFIG", config_path,
		"OPSMGR_MANAGEMENT_GROUP", cfg->agent_mgmt_group,
		"OPSMGR_MANAGEMENT_SERVER", cfg->agent_server,
		"OPSMGR_MANAGEMENT_PORT", port_text,
		NULL
	};
	const struct cmdrun spec = {
		.setting = "install_command", .field = F_INSTALL,
		.check = DIAG_AGENT_INSTALL,
		.cmdline = cfg->agent_install_command, .env = env,
		.timeout_s = cfg->agent_command_timeout,
		.progress = "running the installer command",
	};
	struct cmdrun_result run;
	enum status st = cmdrun_run(&spec, h, &run, dl);
	res->install_ran = st != ST_FAIL;
	if (st == ST_OK) {
		if (run.proc.exited)
			res->install_exit = run.proc.exit_code;
		if (cmdrun_exited(&run, 0)) {
			cmdrun_report(&spec, &run, SEV_PASS, NULL, NULL, dl);
		} else {
			cmdrun_report(&spec, &run, SEV_FAIL,
				      "read the installer's output above and "
				      "fix the cause, then run this stage again",
				      NULL, dl);
			st = ST_FAIL;
		}
	}
	cmdrun_result_release(&run);
	return st;
}

/* [agent] msi_command_file: the msiexec-only install command file. */
static int write_msi_file(struct ctx *c, int port, struct agent_result *res,
			  struct diag_list *dl)
{
	const struct config *cfg = c->cfg;
	char *text = msicmd_file_text(cfg->agent_mgmt_group, cfg->agent_server,
				      port);
	char *path = strdup(cfg->agent_msi_command_file);
	if (!res->msi_line || !text || !path) {
		diag_add(dl, DIAG_AGENT_MSI, SEV_FAIL, F_MSI, NULL,
			 "cannot build the msiexec command line from these "
			 "values");
		free(text);
		free(path);
		return -1;
	}
	char err[FS_ERRLEN];
	int rc = fs_write_atomic(path, text, strlen(text), 0644, err,
				 sizeof(err));
	if (rc != 0) {
		diag_add(dl, DIAG_AGENT_MSI, SEV_FAIL, F_MSI,
			 "choose a writable path for [agent] msi_command_file",
			 "cannot write the install command file: %s", err);
	} else {
		diag_add(dl, DIAG_AGENT_MSI, SEV_PASS, F_MSI, NULL,
			 "silent install command written to '%s': %s", path,
			 res->msi_line);
		res->msi_file = path;
		path = NULL;
	}
	free(text);
	free(path);
	return rc;
}

/* The Windows part of stage 5: the msiexec line, the msiexec-only file
 * when [agent] msi_command_file asks for it, and for a Windows target
 * where stage 6 puts the bundle whose install.cmd runs that line. */
static int windows_part(struct ctx *c, int port, struct agent_result *res,
			struct diag_list *dl)
{
	const struct config *cfg = c->cfg;
	res->msi_line = msicmd_line(cfg->agent_mgmt_group, cfg->agent_server,
				    port, false);
	if (msi_file_set(cfg))
		return write_msi_file(c, port, res, dl);
	if (!res->msi_line) {
		diag_add(dl, DIAG_AGENT_MSI, SEV_FAIL, F_MG, NULL,
			 "cannot build the msiexec command line from these "
			 "values");
		return -1;
	}
	/* the zip's path needs the computer's name (stage 2 knows it) */
	res->bundle_zip = serial_bundle_zip(c);
	if (res->bundle_zip)
		res->bundle_todo = bundle_todo_text(res->bundle_zip,
						    ctx_fqdn(c));
	diag_add(dl, DIAG_AGENT_MSI, SEV_PASS, NULL, NULL,
		 "%s writes the Windows bundle%s%s%s (then: %s); its "
		 "install.cmd runs: %s", stage_ref(STAGE_SERIAL),
		 res->bundle_zip ? " '" : "",
		 res->bundle_zip ? res->bundle_zip : "", res->bundle_zip ? "'" : "",
		 res->bundle_todo ? res->bundle_todo
				  : "run its install.cmd as administrator",
		 res->msi_line);
	return 0;
}

/* The management server, port and group the agent now reports to, for
 * the summary (state.h). */
static void record_target(struct state *st, const struct config *cfg,
			  int port)
{
	char port_text[16];
	snprintf(port_text, sizeof(port_text), "%d", port);
	state_set_str(&st->mgmt_server, cfg->agent_server);
	state_set_str(&st->mgmt_port, port_text);
	state_set_str(&st->mgmt_group, cfg->agent_mgmt_group);
}

enum status stage_agent_run(struct ctx *c, const struct hooks *h,
			    struct diag_list *dl)
{
	const struct config *cfg = c->cfg;
	if (cfg->role == ROLE_SERVER) {
		diag_add(dl, DIAG_AGENT_SKIPPED, SEV_INFO, NULL, NULL,
			 "%s does not apply to a management server: its own "
			 "Health Service comes with the server installation",
			 stage_ref(STAGE_AGENT));
		return ST_OK;
	}
	/* What an earlier run found must not be shown for this one. */
	ctx_set_out(c, STAGE_AGENT, NULL, NULL);
	int port = agent_port(cfg);
	if (agent_check_fields(cfg, dl) != 0)
		return ST_FAIL;
	if (hooks_cancelled(h)) {
		diag_add(dl, DIAG_CANCELLED, SEV_INFO, NULL, NULL,
			 "%s cancelled", stage_ref(STAGE_AGENT));
		return ST_CANCELLED;
	}

	bool windows = cfg->agent_target == TARGET_WINDOWS ||
		       (cfg->agent_msi_command_file &&
			*cfg->agent_msi_command_file);
	struct agent_result *res = calloc(1, sizeof(*res));
	if (!res) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory");
		return ST_FAIL;
	}

	/* Connectivity from here.  For a Windows target this computer only
	 * prepares files, so a failure is a warning, not a stop. */
	size_t first = dl->n;
	enum np_result nr = netprobe_check(
		cfg->agent_server, port, AGENT_PROBE_TIMEOUT_MS, h, dl,
		DIAG_AGENT_DNS, DIAG_AGENT_TCP, F_SERVER, F_PORT, 0, NULL);
	if (nr == NP_CANCELLED) {
		agent_result_free(res);
		return ST_CANCELLED;
	}
	for (size_t i = first; i < dl->n; i++) {
		struct diag *d = &dl->items[i];
		if (d->check == DIAG_AGENT_DNS && d->sev == SEV_PASS) {
			const char *p = strstr(d->message, " resolves to ");
			if (p)
				res->addresses = strdup(p + 13);
		}
		if (windows && d->sev == SEV_FAIL) {
			d->sev = SEV_WARN;
			diag_set_fix(d, "%s; this computer only prepares the "
					"install for a Windows computer: check "
					"again from there",
				     d->fix ? d->fix : "check the network");
		}
	}
	if (nr != NP_OK && !windows) {
		agent_result_free(res);
		return ST_FAIL;
	}

	char *path = agentconf_path(c->cfg, c->st, c->state_dir);
	if (!path || write_config(c, path, port, dl) != 0) {
		free(path);
		agent_result_free(res);
		return ST_FAIL;
	}
	state_set_str(&c->st->agent_config_path, path);
	res->config_path = path;

	enum status st = ST_OK;
	if (cfg->agent_install_command && *cfg->agent_install_command)
		st = run_install(c, path, port, h, res, dl);
	if (st == ST_OK && windows && windows_part(c, port, res, dl) != 0)
		st = ST_FAIL;
	if (st == ST_OK)
		record_target(c->st, cfg, port);
	ctx_set_out(c, STAGE_AGENT, res, agent_result_free);
	return st;
}
