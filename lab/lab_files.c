/*
 * lab_files.c - the files the running lab publishes once it is serving:
 * DIR/lab.ini (its ports, URL, user, password and root file, the
 * administrator's certificate and key for the management server, pid) and
 * DIR/answers.ini (a ready answers file for the wizard pointing at this
 * lab; for the management-server role its [approval] list_command and
 * approve_command run this program's list and approve, so approving goes
 * through the administrator certificate).  Both written atomically; lab.ini removed on a clean exit.
 * Passwords are never written into them, only the files holding them.
 */
#include "lab.h"
#include "core/fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A value iniparser reads back unchanged (no ; # quotes or line breaks,
 * no blanks at either end). */
static int ini_safe(const char *v)
{
	size_t n = strlen(v);

	if (strpbrk(v, ";#\"'\r\n\\=[]"))
		return 0;
	return !n || (v[0] != ' ' && v[n - 1] != ' ');
}

/*
 * The server role's [approval] commands: this program's `list
 * --pending-agents` and `approve` on DIR (malloc'd, "" when the program's
 * path cannot stand in an INI value or a command line unquoted).
 */
static char *server_role_commands(const struct lab_ctx *c)
{
	char exe[4096], *text = NULL;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return strdup("");
	exe[n] = '\0';
	if (!ini_safe(exe) || strpbrk(exe, " \t") || strpbrk(c->dir, " \t"))
		return strdup("");
	if (asprintf(&text, "list_command = %s list --dir %s --pending-agents\n"
		     "approve_command = %s approve --dir %s {agent}\n", exe,
		     c->dir, exe, c->dir) < 0)
		return NULL;
	return text;
}

int lab_write_ini_files(const struct lab_ctx *c, char *err, size_t errlen)
{
	char *lab = NULL, *ans = NULL, *labp = lab_path(c, "lab.ini");
	char *ansp = lab_path(c, "answers.ini");
	char *pin = lab_root_sha256(c), *cmds = server_role_commands(c);
	int rc = -1;

	if (!labp || !ansp || !pin || !cmds) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (!ini_safe(c->dir)) {
		snprintf(err, errlen, "lab directory '%s' has a character INI "
			 "files cannot hold (; # quotes \\ = [ ] or a line "
			 "break); use another --dir", c->dir);
		goto out;
	}
	if (asprintf(&lab,
		     "; written by opsmgr-enroll-lab while it serves\n"
		     "[lab]\n"
		     "ca_port = %d\n"
		     "ms_port = %d\n"
		     "ca_url = https://127.0.0.1:%d/certsrv/\n"
		     "ms_server = localhost\n"
		     "user = " LAB_USER "\n"
		     "password_file = %s/password\n"
		     "root = %s/ca/root.pem\n"
		     "root_sha256 = %s\n"
		     "admin_cert = %s/" LAB_ADMIN_CERT "\n"
		     "admin_key = %s/" LAB_ADMIN_KEY "\n"
		     "answers = %s/answers.ini\n"
		     "log = %s/lab.log\n"
		     "pid = %ld\n"
		     "validity_seconds = %lld\n",
		     c->ca_port, c->ms_port, c->ca_port, c->dir, c->dir, pin,
		     c->dir, c->dir, c->dir, c->dir, (long)getpid(),
		     c->validity_s) < 0) {
		lab = NULL;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (asprintf(&ans,
		     "; answers for opsmgr-enroll against the lab in %s\n"
		     "[computer]\n"
		     "fqdn = agent01.lab.test\n"
		     "\n[trust]\n"
		     "source = ca\n"
		     "sha256 = %s\n"
		     "accept = no\n"
		     "\n[ca]\n"
		     "url = https://127.0.0.1:%d/certsrv/\n"
		     "template = OpsMgr\n"
		     "auth = basic\n"
		     "user = " LAB_USER "\n"
		     "password_file = %s/password\n"
		     "ca_file = %s/ca/root.pem\n"
		     "timeout = 30\n"
		     "\n[key]\n"
		     "bits = 2048\n"
		     "\n[export]\n"
		     "pfx = %s/agent01.pfx\n"
		     "password_file = %s/pfx-password\n"
		     "compat = modern\n"
		     "friendly_name = OpsMgr agent\n"
		     "overwrite = yes\n"
		     "\n[agent]\n"
		     "management_group = LAB\n"
		     "server = localhost\n"
		     "port = %d\n"
		     "config = %s/agent/agent.ini\n"
		     "\n[approval]\n"
		     "source = lab\n"
		     "interval = 1\n"
		     "timeout = 120\n"
		     "%s",
		     c->dir, pin, c->ca_port, c->dir, c->dir, c->dir, c->dir,
		     c->ms_port, c->dir, cmds) < 0) {
		ans = NULL;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* answers.ini first: lab.ini is the "ready" signal. */
	if (fs_write_atomic(ansp, ans, strlen(ans), 0600, err, errlen) ||
	    fs_write_atomic(labp, lab, strlen(lab), 0600, err, errlen))
		goto out;
	rc = 0;
out:
	free(lab);
	free(ans);
	free(labp);
	free(ansp);
	free(pin);
	free(cmds);
	return rc;
}

void lab_remove_ini(const struct lab_ctx *c)
{
	char *p = lab_path(c, "lab.ini");

	if (p)
		unlink(p);
	free(p);
}
