/*
 * cli.c - parses the command line of opsmgr-enroll into struct cli.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_CONFIG = 256, OPT_ANSWERS, OPT_STATE_DIR, OPT_NONINT, OPT_STAGES,
	OPT_JSON, OPT_CERT, OPT_KEY, OPT_PFX, OPT_PASSFILE, OPT_FQDN,
	OPT_TRUST, OPT_OFFLINE, OPT_HELP, OPT_VERSION
};

static const struct option WIZARD_OPTS[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "answers", required_argument, NULL, OPT_ANSWERS },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "non-interactive", no_argument, NULL, OPT_NONINT },
	{ "stages", required_argument, NULL, OPT_STAGES },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static const struct option CHECK_OPTS[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "answers", required_argument, NULL, OPT_ANSWERS },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "pfx", required_argument, NULL, OPT_PFX },
	{ "password-file", required_argument, NULL, OPT_PASSFILE },
	{ "fqdn", required_argument, NULL, OPT_FQDN },
	{ "trust-store", required_argument, NULL, OPT_TRUST },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

void cli_usage(FILE *out)
{
	fputs(
"usage: opsmgr-enroll [--config FILE] [--answers FILE] [--state-dir DIR]\n"
"                     [--non-interactive] [--stages A-B]\n"
"       opsmgr-enroll check [--json] [--answers FILE] [--config FILE] [--state-dir DIR]\n"
"                     [--cert FILE --key FILE | --pfx FILE --password-file FILE]\n"
"                     [--fqdn NAME] [--trust-store DIR] [--offline]\n"
"       opsmgr-enroll --help | --version\n"
"\n"
"Enrolls an Operations Manager agent (or management server) on a computer\n"
"outside the domain with certificates, in seven stages: 1 trust root,\n"
"2 request, 3 verify, 4 export, 5 install agent, 6 import serial,\n"
"7 await approval.  Without --non-interactive it opens the wizard and\n"
"resumes saved progress.\n"
"\n"
"  --config FILE        configuration file (INI), over the system and user files\n"
"  --answers FILE       answers file (INI) that pre-fills every field\n"
"  --state-dir DIR      where progress, keys and logs live\n"
"                       (default $XDG_STATE_HOME/opsmgr-enroll)\n"
"  --non-interactive    run the stages without a UI, one line per step\n"
"  --stages A-B         only stages A to B (1-7), e.g. 1-4 or 6\n"
"  check                troubleshooting report on an existing setup\n"
"    --json             print the report as JSON\n"
"    --offline          no network: skip CRL fetches and the server probe\n"
"\n"
"Exit status: 0 done; 2 usage or configuration error; 10+N stage N failed\n"
"(11 trust root ... 17 await approval); 75 waiting on the CA or on approval\n"
"(run again later to resume); check: 0 nothing failed, 1 a check failed.\n"
"See opsmgr-enroll(1).\n", out);
}

int cli_parse_stages(const char *s, int *from, int *to)
{
	char *end;
	long a = strtol(s, &end, 10);
	long b = a;
	if (end == s)
		return -1;
	if (*end == '-') {
		const char *p = end + 1;
		b = strtol(p, &end, 10);
		if (end == p)
			return -1;
	}
	if (*end || a < 1 || a > 7 || b < a || b > 7)
		return -1;
	*from = (int)a;
	*to = (int)b;
	return 0;
}

int cli_parse(int argc, char **argv, struct cli *out, char *err,
	      size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->flow.interactive = true;
	const struct option *opts = WIZARD_OPTS;
	int first = 1;
	if (argc > 1 && strcmp(argv[1], "check") == 0) {
		out->cmd = CLI_CHECK;
		opts = CHECK_OPTS;
		first = 2;
	}
	/* getopt_long on a sub-vector: argv[first-1] plays the program name */
	int subc = argc - first + 1;
	char **subv = argv + first - 1;
	optind = 0;   /* glibc: full re-initialisation */
	opterr = 0;
	int c;
	while ((c = getopt_long(subc, subv, "+:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_CONFIG: out->flow.config_path = optarg; break;
		case OPT_ANSWERS: out->flow.answers_path = optarg; break;
		case OPT_STATE_DIR: out->flow.state_dir = optarg; break;
		case OPT_NONINT:
			out->non_interactive = true;
			out->flow.interactive = false;
			break;
		case OPT_STAGES:
			if (cli_parse_stages(optarg, &out->flow.stage_from,
					     &out->flow.stage_to) < 0) {
				snprintf(err, errlen,
					 "--stages '%s': expected A-B or N with 1 <= A <= B <= 7",
					 optarg);
				return -1;
			}
			break;
		case OPT_JSON: out->check.json = true; break;
		case OPT_CERT: out->check.cert_path = optarg; break;
		case OPT_KEY: out->check.key_path = optarg; break;
		case OPT_PFX: out->check.pfx_path = optarg; break;
		case OPT_PASSFILE: out->check.password_file = optarg; break;
		case OPT_FQDN: out->check.fqdn = optarg; break;
		case OPT_TRUST: out->check.trust_store = optarg; break;
		case OPT_OFFLINE: out->check.skip_network = true; break;
		case OPT_HELP: out->cmd = CLI_HELP; return 0;
		case OPT_VERSION: out->cmd = CLI_VERSION; return 0;
		case ':':
			snprintf(err, errlen, "option '%s' needs a value",
				 subv[optind - 1]);
			return -1;
		default:
			snprintf(err, errlen, "unknown option '%s'",
				 subv[optind - 1]);
			return -1;
		}
	}
	if (optind < subc) {
		snprintf(err, errlen, "unexpected argument '%s'%s", subv[optind],
			 out->cmd == CLI_WIZARD ?
			 " (the only command is 'check')" : "");
		return -1;
	}
	if (out->cmd == CLI_CHECK) {
		const struct check_opts *k = &out->check;
		if ((k->cert_path || k->key_path) && k->pfx_path) {
			snprintf(err, errlen, "give either --cert/--key or --pfx, not both");
			return -1;
		}
		if (!!k->cert_path != !!k->key_path) {
			snprintf(err, errlen, "--cert and --key go together");
			return -1;
		}
		if (!!k->pfx_path != !!k->password_file) {
			snprintf(err, errlen,
				 "--pfx and --password-file go together (passwords are never taken on the command line)");
			return -1;
		}
		out->flow.interactive = false;
	}
	return 0;
}
