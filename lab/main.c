/*
 * main.c - opsmgr-enroll-lab: argument parsing and the server's lifetime.
 *   opsmgr-enroll-lab --dir DIR [--auto-approve SECONDS] [--delay-submit SECONDS]
 *                     [--validity DURATION] [--language en|de|fr|zh]
 *                     [--challenge SCHEMES]
 *       create or reuse the lab in DIR, serve the CA (its pages in the
 *       language given, its 401s offering the schemes given) and the
 *       management server on 127.0.0.1 until SIGTERM/SIGINT (exit 0);
 *       --validity (core/duration.h: "3m", "12h", "30d") is how long
 *       the certificates it issues live (default one year)
 *   opsmgr-enroll-lab approve|deny|revoke|list --dir DIR ...  (lab_cli.c)
 */
#include "lab.h"
#include "core/duration.h"
#include "core/fsutil.h"
#include "core/secret.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static volatile sig_atomic_t stopping;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: opsmgr-enroll-lab --dir DIR [--auto-approve SECONDS] "
		"[--delay-submit SECONDS]\n"
		"                         [--validity DURATION]\n"
		"                         [--language en|de|fr|zh] "
		"[--challenge negotiate,ntlm,basic]\n"
		"       opsmgr-enroll-lab approve --dir DIR (REQUEST_ID | "
		"AGENT_FQDN)\n"
		"       opsmgr-enroll-lab deny    --dir DIR (REQUEST_ID | "
		"AGENT_FQDN)\n"
		"       opsmgr-enroll-lab revoke  --dir DIR REQUEST_ID\n"
		"       opsmgr-enroll-lab list    --dir DIR [--pending-agents]\n"
		"\n"
		"Runs a loopback AD CS web-enrollment CA (templates OpsMgr, "
		"OpsMgrManual,\nWebServer) and an Operations Manager "
		"management server stand-in, in the\nforeground until SIGTERM "
		"or SIGINT.  DIR/answers.ini is a ready answers file.\n"
		"--validity (e.g. 3m, 12h, 30d) sets how long issued "
		"certificates live\n(default one year), so renewal can be "
		"practised in minutes.\n");
}

static int seconds_arg(const char *opt, const char *v, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = v ? strtol(v, &end, 10) : -1;
	if (!v || errno || *end || end == v || n < 0 || n > 86400 * 365) {
		fprintf(stderr, "opsmgr-enroll-lab: %s needs a number of "
			"seconds (0 or more), got '%s'\n", opt, v ? v : "");
		return -1;
	}
	*out = (int)n;
	return 0;
}

static int validity_arg(const char *v, long long *out)
{
	struct verdict vd;

	if (duration_parse(v, out, &vd)) {
		fprintf(stderr, "opsmgr-enroll-lab: --validity: %s (%s)\n",
			vd.msg, vd.fix);
		return -1;
	}
	return 0;
}

static int language_arg(const char *v, enum lab_lang *out)
{
	if (v && !lab_lang_parse(v, out))
		return 0;
	fprintf(stderr, "opsmgr-enroll-lab: --language needs one of "
		LAB_LANG_NAMES ", got '%s'\n", v ? v : "");
	return -1;
}

/* "negotiate,ntlm,basic": the schemes a 401 offers, in that order. */
static int challenge_arg(const char *v, struct lab_ctx *c)
{
	static const char *const names[] = {
		[LAB_SCHEME_NEGOTIATE] = "negotiate",
		[LAB_SCHEME_NTLM] = "ntlm",
		[LAB_SCHEME_BASIC] = "basic",
	};
	const char *p = v;

	c->nchallenge = 0;
	while (p && *p && c->nchallenge < LAB_MAX_CHALLENGES) {
		size_t n = strcspn(p, ",");
		int found = -1;

		for (int i = 0; i < LAB_MAX_CHALLENGES; i++)
			if (strlen(names[i]) == n && !strncasecmp(p, names[i], n))
				found = i;
		for (int i = 0; found >= 0 && i < c->nchallenge; i++)
			if (c->challenge[i] == (enum lab_scheme)found)
				found = -1;
		if (found < 0)
			break;
		c->challenge[c->nchallenge++] = (enum lab_scheme)found;
		p += n;
		if (*p == ',' && p[1])
			p++;
	}
	if (p && !*p && c->nchallenge)
		return 0;
	fprintf(stderr, "opsmgr-enroll-lab: --challenge needs a list of "
		"different schemes out of negotiate, ntlm, basic separated by "
		"commas (e.g. 'negotiate,ntlm,basic'), got '%s'\n", v ? v : "");
	return -1;
}

int main(int argc, char **argv)
{
	struct lab_ctx c;
	struct lab_server *srv;
	const char *dir = NULL;
	char err[1024], real[PATH_MAX], life[64] = "1 year";
	sigset_t set;
	int sig = 0;

	secret_harden_process(); /* no core dumps of the CA key (secret.h) */
	if (argc > 1 && (!strcmp(argv[1], "approve") ||
			 !strcmp(argv[1], "deny") ||
			 !strcmp(argv[1], "revoke") ||
			 !strcmp(argv[1], "list")))
		return lab_cli_main(argc - 1, argv + 1);

	memset(&c, 0, sizeof(c));
	c.auto_approve = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("opsmgr-enroll-lab %s\n", OPSMGR_VERSION);
			return 0;
		} else if (!strcmp(a, "--dir") && i + 1 < argc) {
			dir = argv[++i];
		} else if (!strcmp(a, "--auto-approve")) {
			if (seconds_arg(a, i + 1 < argc ? argv[++i] : NULL,
					&c.auto_approve))
				return 2;
		} else if (!strcmp(a, "--validity")) {
			if (validity_arg(i + 1 < argc ? argv[++i] : NULL,
					 &c.validity_s))
				return 2;
		} else if (!strcmp(a, "--delay-submit")) {
			if (seconds_arg(a, i + 1 < argc ? argv[++i] : NULL,
					&c.delay_submit))
				return 2;
		} else if (!strcmp(a, "--language")) {
			if (language_arg(i + 1 < argc ? argv[++i] : NULL,
					 &c.lang))
				return 2;
		} else if (!strcmp(a, "--challenge")) {
			if (challenge_arg(i + 1 < argc ? argv[++i] : NULL, &c))
				return 2;
		} else {
			fprintf(stderr, "opsmgr-enroll-lab: unknown argument "
				"'%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (!dir) {
		fprintf(stderr, "opsmgr-enroll-lab: --dir DIR is required\n");
		usage(stderr);
		return 2;
	}
	if (fs_mkdir_p(dir, 0700, err, sizeof(err))) {
		fprintf(stderr, "opsmgr-enroll-lab: %s\n", err);
		return 2;
	}
	if (!realpath(dir, real)) {
		fprintf(stderr, "opsmgr-enroll-lab: cannot resolve '%s': %s\n",
			dir, strerror(errno));
		return 2;
	}
	c.dir = strdup(real);
	c.stopping = &stopping;
	if (!c.dir)
		return 1;

	/* Signals are taken by sigwait below; every thread blocks them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	lab_remove_ini(&c);
	if (lab_pki_init(&c, 1, err, sizeof(err))) {
		lab_log(&c, "cannot prepare the lab in '%s': %s", c.dir, err);
		lab_ctx_release(&c);
		return 1;
	}
	srv = lab_server_start(&c, err, sizeof(err));
	if (!srv) {
		lab_log(&c, "%s", err);
		lab_ctx_release(&c);
		return 1;
	}
	if (lab_write_ini_files(&c, err, sizeof(err))) {
		lab_log(&c, "%s", err);
		lab_server_stop(srv);
		lab_ctx_release(&c);
		return 1;
	}
	if (c.validity_s > 0)
		duration_text(c.validity_s, life, sizeof(life));
	lab_log(&c, "serving: CA https://127.0.0.1:%d/certsrv/ (user "
		LAB_USER ", password in %s/password, certificates live %s), "
		"management server localhost:%d, answers file "
		"%s/answers.ini%s", c.ca_port, c.dir, life, c.ms_port, c.dir,
		c.auto_approve >= 0 ? " (agents approved automatically)" : "");
	printf("answers: %s/answers.ini\n", c.dir);
	fflush(stdout);

	while (sigwait(&set, &sig) != 0)
		;
	stopping = 1;
	lab_log(&c, "stopping (signal %d)", sig);
	lab_remove_ini(&c);
	lab_server_stop(srv);
	lab_ctx_release(&c);
	return 0;
}
