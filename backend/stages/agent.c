/*
 * agent.c - stage 5, install agent (stages.h, agent.h): checks the
 * management group, server and port; probes DNS and TCP to the server
 * (each its own diagnostic); writes the agent configuration (agentconf.h)
 * atomically; runs the optional installer command; and for a Windows
 * target writes the silent MOMAgent.msi command file (msicmd.h).
 */
#include "stages/agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/agentconf.h"
#include "core/config.h"
#include "core/validate.h"
#include "sys/fsutil.h"
#include "windows/msicmd.h"
#include "sys/netprobe.h"
#include "sys/proc.h"
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

enum diag_severity agent_check_server(const char *server, char *err,
				      size_t errlen)
{
	struct verdict v;
	rule_server(server, &v);
	snprintf(err, errlen, "%s", v.msg);
	return v.sev;
}

int agent_check_port(long port, char *err, size_t errlen)
{
	struct verdict v;
	rule_port(port, &v);
	snprintf(err, errlen, "%s", v.msg);
	return v.sev == SEV_FAIL ? -1 : 0;
}

/* ---- paths --------------------------------------------------------------- */

char *agent_config_path(const struct ctx *c)
{
	if (c->cfg && c->cfg->agent_config && *c->cfg->agent_config)
		return strdup(c->cfg->agent_config);
	return ctx_path(c, "agent.ini");
}

static char *sibling(const char *path, const char *name)
{
	char *dir = fs_dirname(path);
	if (!dir)
		return NULL;
	char *p = fs_join(dir, name);
	free(dir);
	return p;
}

char *agent_default_cert_path(const char *config_path)
{
	return sibling(config_path, "agent-cert.pem");
}

char *agent_default_key_path(const char *config_path)
{
	return sibling(config_path, "agent-key.pem");
}

char *agent_msi_file_path(const struct ctx *c)
{
	if (c->cfg && c->cfg->agent_msi_command_file &&
	    *c->cfg->agent_msi_command_file)
		return strdup(c->cfg->agent_msi_command_file);
	return ctx_path(c, "install.cmd");
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
	free(r);
}

/* ---- the stage ------------------------------------------------------------ */

static int check_fields(const struct config *cfg, int port,
			struct diag_list *dl)
{
	struct verdict v;
	struct diag *d;
	int bad = 0;
	bad |= rule_mgmt_group(cfg->agent_mgmt_group, &v) == SEV_FAIL;
	if (!rule_diag(dl, DIAG_AGENT_MGMT_GROUP, F_MG, &v))
		diag_add(dl, DIAG_AGENT_MGMT_GROUP, SEV_PASS, F_MG, NULL,
			 "management group '%s'", cfg->agent_mgmt_group);
	bad |= rule_server(cfg->agent_server, &v) == SEV_FAIL;
	d = rule_diag(dl, DIAG_AGENT_SERVER, F_SERVER, &v);
	if (d && v.sev == SEV_WARN)
		d->event = 0;   /* a naming advice, not a failure */
	if (!d)
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
		a.cert_path = agent_default_cert_path(path);
	if (!a.key_path)
		a.key_path = agent_default_key_path(path);
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
	char err[512];
	char **argv = NULL;
	if (proc_split_argv(cfg->agent_install_command, &argv, err,
			    sizeof(err)) != 0 || !argv || !argv[0]) {
		diag_add(dl, DIAG_AGENT_INSTALL, SEV_FAIL, F_INSTALL,
			 "write the command as a program and its arguments, "
			 "quoted like a shell would (no shell features)",
			 "cannot use install_command '%s': %s",
			 cfg->agent_install_command,
			 argv ? err : "it is empty");
		proc_argv_free(argv);
		return ST_FAIL;
	}
	/* The installer learns what it installs from its environment. */
	char *env[5] = { NULL };
	int ok = asprintf(&env[0], "OPSMGR_AGENT_CONFIG=%s", config_path) >= 0 &&
		 asprintf(&env[1], "OPSMGR_MANAGEMENT_GROUP=%s",
			  cfg->agent_mgmt_group) >= 0 &&
		 asprintf(&env[2], "OPSMGR_MANAGEMENT_SERVER=%s",
			  cfg->agent_server) >= 0 &&
		 asprintf(&env[3], "OPSMGR_MANAGEMENT_PORT=%d", port) >= 0;
	if (!ok) {
		for (int i = 0; i < 4; i++)
			free(env[i]);
		proc_argv_free(argv);
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory");
		return ST_FAIL;
	}
	int timeout_s = cfg->agent_command_timeout > 0
				? cfg->agent_command_timeout
				: CONFIG_DEFAULT_COMMAND_TIMEOUT;
	struct proc_result pr;
	memset(&pr, 0, sizeof(pr));
	hooks_progress(h, "running the installer command", -1);
	int rc = proc_run(argv, env, timeout_s * 1000, h, &pr, err,
			  sizeof(err));
	for (int i = 0; i < 4; i++)
		free(env[i]);
	enum status st = ST_OK;
	if (rc != 0) {
		diag_add(dl, DIAG_AGENT_INSTALL, SEV_FAIL, F_INSTALL,
			 "check the program's path and that it is executable",
			 "install_command: %s", err);
		st = ST_FAIL;
		goto out;
	}
	res->install_ran = 1;
	char how[128];
	proc_describe(&pr, timeout_s * 1000, how, sizeof(how));
	if (pr.cancelled) {
		diag_add(dl, DIAG_CANCELLED, SEV_INFO, F_INSTALL, NULL,
			 "install_command '%s' was stopped: cancelled",
			 argv[0]);
		st = ST_CANCELLED;
		goto out;
	}
	if (pr.exited)
		res->install_exit = pr.exit_code;
	if (pr.exited && pr.exit_code == 0) {
		diag_add(dl, DIAG_AGENT_INSTALL, SEV_PASS, F_INSTALL, NULL,
			 "install_command '%s' %s", argv[0], how);
		goto out;
	}
	/* The end of its output says why, usually. */
	const char *tail = pr.output ? pr.output : "";
	size_t tl = strlen(tail);
	while (tl && (tail[tl - 1] == '\n' || tail[tl - 1] == '\r'))
		tl--;
	size_t from = tl > 400 ? tl - 400 : 0;
	diag_add(dl, DIAG_AGENT_INSTALL, SEV_FAIL, F_INSTALL,
		 pr.timed_out ? "raise [agent] command_timeout or check why "
				"the installer hangs"
			      : "read the installer's output above and fix "
				"the cause, then run this stage again",
		 "install_command '%s' %s%s%.*s", argv[0], how,
		 tl ? "; last output: " : " (no output)", (int)(tl - from),
		 tail + from);
	st = ST_FAIL;
out:
	proc_result_release(&pr);
	proc_argv_free(argv);
	return st;
}

static int write_msi_file(struct ctx *c, int port, struct agent_result *res,
			  struct diag_list *dl)
{
	const struct config *cfg = c->cfg;
	res->msi_line = msicmd_line(cfg->agent_mgmt_group, cfg->agent_server,
				    port, false);
	char *text = msicmd_file_text(cfg->agent_mgmt_group, cfg->agent_server,
				      port);
	char *path = agent_msi_file_path(c);
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

enum status stage_agent_run(struct ctx *c, const struct hooks *h,
			    struct diag_list *dl)
{
	const struct config *cfg = c->cfg;
	if (cfg->role == ROLE_SERVER) {
		diag_add(dl, DIAG_AGENT_SKIPPED, SEV_INFO, NULL, NULL,
			 "stage 5 (install agent) does not apply to a "
			 "management server: its own Health Service comes with "
			 "the server installation");
		return ST_OK;
	}
	int port = cfg->agent_port ? cfg->agent_port : CONFIG_DEFAULT_PORT;
	if (check_fields(cfg, port, dl) != 0)
		return ST_FAIL;
	if (hooks_cancelled(h)) {
		diag_add(dl, DIAG_CANCELLED, SEV_INFO, NULL, NULL,
			 "install agent cancelled");
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

	char *path = agent_config_path(c);
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
	if (st == ST_OK && windows && write_msi_file(c, port, res, dl) != 0)
		st = ST_FAIL;
	ctx_set_out(c, STAGE_AGENT, res, agent_result_free);
	return st;
}
