/*
 * agent.c - stage 5, install agent (stages.h, agent.h): checks the
 * management group, server and port; probes DNS and TCP to the server
 * (each its own diagnostic); writes the agent configuration (agentconf.h)
 * atomically; runs the optional installer command; and for a Windows
 * target writes the silent MOMAgent.msi command file (msicmd.h).
 */
#include "stages/agent.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/agentconf.h"
#include "core/config.h"
#include "sys/fsutil.h"
#include "windows/msicmd.h"
#include "sys/netprobe.h"
#include "sys/cmdrun.h"
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
	if (!mg || !*mg) {
		snprintf(err, errlen, "no management group name: set it to "
				      "the name chosen when Operations "
				      "Manager was installed");
		return -1;
	}
	size_t n = strlen(mg);
	if (mg[0] == ' ' || mg[n - 1] == ' ') {
		snprintf(err, errlen, "management group '%s' %s with a space, "
				      "which Operations Manager does not allow",
			 mg, mg[0] == ' ' ? "begins" : "ends");
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)mg; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen, "management group '%s' contains "
					      "a control character", mg);
			return -1;
		}
		if (strchr(AGENT_MGMT_GROUP_FORBIDDEN, *p)) {
			snprintf(err, errlen,
				 "management group '%s' contains '%c', which "
				 "Operations Manager does not allow (none of "
				 "%s)", mg, *p, AGENT_MGMT_GROUP_FORBIDDEN);
			return -1;
		}
	}
	/* Count characters, not bytes (UTF-8). */
	size_t chars = 0;
	for (const unsigned char *p = (const unsigned char *)mg; *p; p++)
		chars += (*p & 0xC0) != 0x80;
	if (chars > AGENT_MGMT_GROUP_MAX) {
		snprintf(err, errlen, "management group '%s' is %zu characters "
				      "long; the limit is %d",
			 mg, chars, AGENT_MGMT_GROUP_MAX);
		return -1;
	}
	return 0;
}

static int is_ip_literal(const char *s)
{
	unsigned char b[16];
	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

int agent_check_server(const char *server, char *err, size_t errlen)
{
	if (!server || !*server) {
		snprintf(err, errlen, "no management server: set it to the "
				      "server's FQDN (e.g. ms01.contoso.com)");
		return -1;
	}
	if (is_ip_literal(server))
		return 0;
	size_t n = strlen(server);
	if (n > AGENT_SERVER_MAX) {
		snprintf(err, errlen, "management server name is %zu "
				      "characters long; a DNS name has at "
				      "most %d", n, AGENT_SERVER_MAX);
		return -1;
	}
	if (n > 1 && server[n - 1] == '.')
		n--;                       /* absolute name: trailing dot */
	int labels = 0, all_numeric = 1;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		char ch = i < n ? server[i] : '.';
		if (ch == '.') {
			size_t l = i - start;
			if (l == 0 || l > 63) {
				snprintf(err, errlen,
					 "management server '%s' is not a valid "
					 "host name: %s", server,
					 l == 0 ? "empty label (two dots in a "
						  "row, or a leading dot)"
						: "a label is longer than 63 "
						  "characters");
				return -1;
			}
			if (server[start] == '-' || server[i - 1] == '-') {
				snprintf(err, errlen,
					 "management server '%s' is not a valid "
					 "host name: a label begins or ends "
					 "with '-'", server);
				return -1;
			}
			labels++;
			start = i + 1;
			continue;
		}
		if (!isalnum((unsigned char)ch) && ch != '-') {
			if (isprint((unsigned char)ch))
				snprintf(err, errlen,
					 "management server '%s' is not a "
					 "valid host name: '%c' is not allowed "
					 "(letters, digits, '-' and '.')",
					 server, ch);
			else
				snprintf(err, errlen,
					 "management server '%s' is not a "
					 "valid host name: it contains a "
					 "non-printable or non-ASCII character",
					 server);
			return -1;
		}
		if (!isdigit((unsigned char)ch))
			all_numeric = 0;
	}
	if (all_numeric) {
		snprintf(err, errlen, "management server '%s' is neither a "
				      "host name nor an IP address", server);
		return -1;
	}
	if (labels == 1 && strcasecmp(server, "localhost") != 0) {
		snprintf(err, errlen, "management server '%s' is a short "
				      "name; the agent should use the "
				      "server's FQDN (the name in its "
				      "certificate)", server);
		return 1;
	}
	return 0;
}

int agent_check_port(long port, char *err, size_t errlen)
{
	if (port < 1 || port > 65535) {
		snprintf(err, errlen, "port %ld is out of range: use 1-65535 "
				      "(Operations Manager's default is %d)",
			 port, CONFIG_DEFAULT_PORT);
		return -1;
	}
	return 0;
}

/* ---- paths --------------------------------------------------------------- */

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
	char err[512];
	int bad = 0;
	if (agent_check_mgmt_group(cfg->agent_mgmt_group, err, sizeof(err))) {
		diag_add(dl, DIAG_AGENT_MGMT_GROUP, SEV_FAIL, F_MG,
			 "use the management group name exactly as shown at "
			 "the top of the Operations console",
			 "%s", err);
		bad = 1;
	} else {
		diag_add(dl, DIAG_AGENT_MGMT_GROUP, SEV_PASS, F_MG, NULL,
			 "management group '%s'", cfg->agent_mgmt_group);
	}
	int s = agent_check_server(cfg->agent_server, err, sizeof(err));
	if (s < 0) {
		diag_add(dl, DIAG_AGENT_SERVER, SEV_FAIL, F_SERVER,
			 "set [agent] server to the management server's FQDN",
			 "%s", err);
		bad = 1;
	} else if (s > 0) {
		struct diag *d = diag_add(dl, DIAG_AGENT_SERVER, SEV_WARN,
					  F_SERVER,
					  "use the fully qualified name, e.g. "
					  "ms01.contoso.com",
					  "%s", err);
		if (d)
			d->event = 0;   /* a naming advice, not a failure */
	} else {
		diag_add(dl, DIAG_AGENT_SERVER, SEV_PASS, F_SERVER, NULL,
			 "management server '%s'", cfg->agent_server);
	}
	if (agent_check_port(port, err, sizeof(err))) {
		diag_add(dl, DIAG_AGENT_PORT, SEV_FAIL, F_PORT,
			 "use 5723 unless the server was set up with another "
			 "port", "%s", err);
		bad = 1;
	}
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
	if (st == ST_OK && windows && write_msi_file(c, port, res, dl) != 0)
		st = ST_FAIL;
	ctx_set_out(c, STAGE_AGENT, res, agent_result_free);
	return st;
}
