/*
 * cli.c - parses the command line of opsmgr-enroll into struct cli.
 */
#include "cli.h"

#include "core/duration.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_CONFIG = 256, OPT_ANSWERS, OPT_STATE_DIR, OPT_NONINT, OPT_STAGES,
	OPT_JSON, OPT_CERT, OPT_KEY, OPT_PFX, OPT_PASSFILE, OPT_FQDN,
	OPT_TRUST, OPT_OFFLINE, OPT_HELP, OPT_VERSION, OPT_ABANDON,
	OPT_NEW_KEY, OPT_OVERWRITE, OPT_IF_DUE, OPT_BEFORE,
	OPT_SERVER, OPT_PORT, OPT_EVIDENCE
};

/* Every option once, with the commands that take it; getopt_long gets the
 * ones of the command being parsed, in this order. */
enum { FOR_WIZARD = 1u, FOR_CHECK = 2u, FOR_HISTORY = 4u, FOR_SAVE = 8u,
       FOR_RENEW = 16u, FOR_TEMPLATE = 32u, FOR_COLLECT = 64u };

static const struct {
	const char *name;
	int has_arg;
	int val;
	unsigned cmds;
} OPTS[] = {
	{ "config", required_argument, OPT_CONFIG,
	  FOR_WIZARD | FOR_CHECK | FOR_HISTORY | FOR_SAVE | FOR_RENEW },
	{ "answers", required_argument, OPT_ANSWERS,
	  FOR_WIZARD | FOR_CHECK | FOR_HISTORY | FOR_SAVE | FOR_RENEW },
	{ "state-dir", required_argument, OPT_STATE_DIR,
	  FOR_WIZARD | FOR_CHECK | FOR_HISTORY | FOR_SAVE | FOR_RENEW },
	{ "non-interactive", no_argument, OPT_NONINT, FOR_WIZARD | FOR_RENEW },
	{ "stages", required_argument, OPT_STAGES, FOR_WIZARD },
	{ "abandon-pending", no_argument, OPT_ABANDON, FOR_WIZARD },
	{ "new-key", no_argument, OPT_NEW_KEY, FOR_WIZARD },
	{ "json", no_argument, OPT_JSON, FOR_CHECK | FOR_HISTORY },
	{ "cert", required_argument, OPT_CERT, FOR_CHECK },
	{ "key", required_argument, OPT_KEY, FOR_CHECK },
	{ "pfx", required_argument, OPT_PFX, FOR_CHECK },
	{ "password-file", required_argument, OPT_PASSFILE, FOR_CHECK },
	{ "fqdn", required_argument, OPT_FQDN, FOR_CHECK },
	{ "trust-store", required_argument, OPT_TRUST, FOR_CHECK },
	{ "offline", no_argument, OPT_OFFLINE, FOR_CHECK },
	{ "evidence", required_argument, OPT_EVIDENCE, FOR_CHECK },
	{ "overwrite", no_argument, OPT_OVERWRITE, FOR_SAVE },
	{ "if-due", no_argument, OPT_IF_DUE, FOR_RENEW },
	{ "before", required_argument, OPT_BEFORE, FOR_RENEW },
	{ "server", required_argument, OPT_SERVER, FOR_COLLECT },
	{ "port", required_argument, OPT_PORT, FOR_COLLECT },
	{ "help", no_argument, OPT_HELP,
	  FOR_WIZARD | FOR_CHECK | FOR_HISTORY | FOR_SAVE | FOR_RENEW |
	  FOR_TEMPLATE | FOR_COLLECT },
	{ "version", no_argument, OPT_VERSION, FOR_WIZARD },
};
#define NOPTS (sizeof(OPTS) / sizeof(OPTS[0]))

/* The getopt_long table of one command (out has NOPTS + 1 entries). */
static void options_for(unsigned cmd, struct option *out)
{
	size_t n = 0;
	for (size_t i = 0; i < NOPTS; i++)
		if (OPTS[i].cmds & cmd)
			out[n++] = (struct option){ OPTS[i].name, OPTS[i].has_arg,
						    NULL, OPTS[i].val };
	out[n] = (struct option){ NULL, 0, NULL, 0 };
}

/* "seven" for the usage text; digits past ten. */
static void put_count(FILE *out, int n)
{
	static const char *const WORDS[] = { "no", "one", "two", "three",
					     "four", "five", "six", "seven",
					     "eight", "nine", "ten" };
	if (n >= 0 && n <= 10)
		fputs(WORDS[n], out);
	else
		fprintf(out, "%d", n);
}

/* A stage's title in running text: "trust root", "install agent"; its
 * spaces written as `space`. */
static void put_stage_name(FILE *out, enum stage s, char space)
{
	const char *t = stage_title(s);
	fputc(tolower((unsigned char)t[0]), out);
	for (const char *p = t + 1; *p; p++)
		fputc(*p == ' ' ? space : *p, out);
}

/*
 * The paragraph naming the stages, "... in seven stages: 1 trust root,
 * 2 request, ... 7 await approval.  Without ...", wrapped at 72 columns
 * without breaking inside "N name,".
 */
#define NBSP '\a'   /* a space the wrapping does not break at */

static void put_stages_paragraph(FILE *out)
{
	char text[1024];
	FILE *m = fmemopen(text, sizeof(text), "w");
	if (!m)
		return;
	fputs("Enrolls an Operations Manager agent (or management server) on a "
	      "computer outside the domain with certificates, in ", m);
	put_count(m, STAGE_LAST);
	fputs(" stages:", m);
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		fprintf(m, " %d", s);
		fputc(NBSP, m);
		put_stage_name(m, (enum stage)s, NBSP);
		fputs(s < STAGE_LAST ? "," : ".", m);
	}
	fputs("\a\aWithout --non-interactive it opens the wizard and resumes "
	      "saved progress.", m);
	fclose(m);
	int col = 0;
	for (char *w = strtok(text, " "); w; w = strtok(NULL, " ")) {
		int len = (int)strlen(w);
		if (col && col + 1 + len > 72) {
			fputc('\n', out);
			col = 0;
		} else if (col) {
			fputc(' ', out);
			col++;
		}
		for (char *p = w; *p; p++)
			fputc(*p == NBSP ? ' ' : *p, out);
		col += len;
	}
	fputc('\n', out);
}

void cli_usage(FILE *out)
{
	fputs(
"usage: opsmgr-enroll [--config FILE] [--answers FILE] [--state-dir DIR]\n"
"                     [--non-interactive] [--stages A-B] [--abandon-pending]\n"
"                     [--new-key]\n"
"       opsmgr-enroll check [--json] [--answers FILE] [--config FILE] [--state-dir DIR]\n"
"                     [--cert FILE --key FILE | --pfx FILE --password-file FILE]\n"
"                     [--fqdn NAME] [--trust-store DIR] [--offline]\n"
"       opsmgr-enroll check --evidence DIR|ZIP [--json] [--fqdn NAME]\n"
"       opsmgr-enroll history [--json] [--answers FILE] [--state-dir DIR]\n"
"       opsmgr-enroll save-answers FILE [--state-dir DIR] [--answers FILE]\n"
"                     [--config FILE] [--overwrite]\n"
"       opsmgr-enroll renew [--if-due] [--before DURATION] [--non-interactive]\n"
"                     [--answers FILE] [--config FILE] [--state-dir DIR]\n"
"       opsmgr-enroll config-template\n"
"       opsmgr-enroll collect-script [--server HOST] [--port N]\n"
"       opsmgr-enroll explain EVENT_ID|TEXT|-\n"
"       opsmgr-enroll --help | --version\n"
"\n", out);
	put_stages_paragraph(out);
	fprintf(out,
"\n"
"  --config FILE        configuration file (INI), over the system and user files\n"
"  --answers FILE       answers file (INI) that pre-fills every field\n"
"  --state-dir DIR      where progress, keys and logs live\n"
"                       (default $XDG_STATE_HOME/opsmgr-enroll)\n"
"  --non-interactive    run the stages without a UI, one line per step\n"
"  --stages A-B         only stages A to B (%d-%d), e.g. 1-4 or 6\n"
"  --abandon-pending    leave a request the CA holds when its answers changed\n"
"                       (archived with its ID) and send a new one\n"
"  --new-key            a new key also when only the CA or template changed\n"
"  check                troubleshooting report on an existing setup\n"
"    --json             print the report as JSON\n"
"    --offline          no network: skip CRL fetches and the server probe\n"
"    --evidence DIR|ZIP diagnose a Windows computer from what its collect.cmd\n"
"                       wrote (the folder or its zip), here\n"
"  history              the requests replaced by changed answers, newest first\n"
"    --json             print them as JSON\n"
"  save-answers FILE    write the answers of the enrollment in the state\n"
"                       directory as an answers file for the next computer\n"
"                       (no passwords; its password_file lines to fill in)\n"
"    --overwrite        replace FILE when it exists\n"
"  renew                stages %d-%d again with the same answers for a new key\n"
"                       and certificate; the agent keeps the one in use until\n"
"                       the new one is verified and installed\n"
"    --if-due           only when the certificate in use is due (no network\n"
"                       otherwise)\n"
"    --before DURATION  due within DURATION of its expiry (30d, 12h, 10m, 45s;\n"
"                       default: the last third of its lifetime, at most 30d)\n"
"  config-template      print the system configuration file with every key\n"
"                       commented out at its default\n"
"  collect-script       print collect.cmd: run as Administrator on a Windows\n"
"                       computer, it collects evidence (no secrets) for\n"
"                       check --evidence\n"
"    --server HOST --port N  the management server its TCP test tries\n"
"                       (default: the agent's configured one)\n"
"  explain EVENT_ID|TEXT  an Operations Manager event's meaning, usual causes,\n"
"                       the check deciding each, and the fix; a pasted event\n"
"                       text finds its ID ('-': read the text from stdin)\n"
"\n"
"Exit status: 0 done; 2 usage or configuration error; 10+N stage N failed\n"
"(%d ", STAGE_FIRST, STAGE_LAST, STAGE_REQUEST, STAGE_LAST,
		stage_exit_code(STAGE_FIRST));
	put_stage_name(out, STAGE_FIRST, ' ');
	fprintf(out, " ... %d ", stage_exit_code(STAGE_LAST));
	put_stage_name(out, STAGE_LAST, ' ');
	fputs(
"); 75 waiting on the CA or on approval\n"
"(run again later to resume); check: 0 nothing failed, 1 a check failed;\n"
"renew: 0 also when nothing is due.\n"
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
	if (*end || a < STAGE_FIRST || a > STAGE_LAST || b < a ||
	    b > STAGE_LAST)
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
	unsigned cmd = FOR_WIZARD;
	int first = 1;
	if (argc > 1 && strcmp(argv[1], "check") == 0) {
		out->cmd = CLI_CHECK;
		cmd = FOR_CHECK;
		first = 2;
	} else if (argc > 1 && strcmp(argv[1], "history") == 0) {
		out->cmd = CLI_HISTORY;
		cmd = FOR_HISTORY;
		first = 2;
	} else if (argc > 1 && strcmp(argv[1], "save-answers") == 0) {
		out->cmd = CLI_SAVE_ANSWERS;
		cmd = FOR_SAVE;
		first = 2;
	} else if (argc > 1 && strcmp(argv[1], "explain") == 0) {
		/* the words are the text itself (it may hold "--"), no options */
		out->cmd = CLI_EXPLAIN;
		out->explain_argc = argc - 2;
		out->explain_argv = argv + 2;
		if (argc == 3 && strcmp(argv[2], "--help") == 0)
			out->cmd = CLI_HELP;
		else if (argc < 3) {
			snprintf(err, errlen, "explain needs an EVENT_ID or the "
				 "event's TEXT ('-' reads it from standard input)");
			return -1;
		}
		return 0;
	} else if (argc > 1 && strcmp(argv[1], "renew") == 0) {
		out->cmd = CLI_RENEW;
		cmd = FOR_RENEW;
		first = 2;
	} else if (argc > 1 && strcmp(argv[1], "config-template") == 0) {
		out->cmd = CLI_CONFIG_TEMPLATE;
		cmd = FOR_TEMPLATE;
		first = 2;
	} else if (argc > 1 && strcmp(argv[1], "collect-script") == 0) {
		out->cmd = CLI_COLLECT_SCRIPT;
		cmd = FOR_COLLECT;
		first = 2;
	}
	out->before_s = -1;
	struct option opts[NOPTS + 1];
	options_for(cmd, opts);
	/* getopt_long on a sub-vector: argv[first-1] plays the program name */
	int subc = argc - first + 1;
	char **subv = argv + first - 1;
	optind = 0;   /* glibc: full re-initialisation */
	opterr = 0;
	int c;
	/* save-answers FILE: its options may come before or after FILE */
	const char *optstring = cmd == FOR_SAVE ? ":" : "+:";
	while ((c = getopt_long(subc, subv, optstring, opts, NULL)) != -1) {
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
					 "--stages '%s': expected A-B or N with %d <= A <= B <= %d",
					 optarg, STAGE_FIRST, STAGE_LAST);
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
		case OPT_EVIDENCE: out->check.evidence = optarg; break;
		case OPT_ABANDON: out->abandon_pending = true; break;
		case OPT_NEW_KEY: out->new_key = true; break;
		case OPT_OVERWRITE: out->overwrite = true; break;
		case OPT_IF_DUE: out->if_due = true; break;
		case OPT_BEFORE: {
			struct verdict v;
			if (duration_parse(optarg, &out->before_s, &v) < 0) {
				snprintf(err, errlen, "--before: %s", v.msg);
				return -1;
			}
			break;
		}
		case OPT_SERVER: out->collect_server = optarg; break;
		case OPT_PORT: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (end == optarg || *end || v < 1 || v > 65535) {
				snprintf(err, errlen,
					 "--port '%s': expected a number from 1 to 65535",
					 optarg);
				return -1;
			}
			out->collect_port = (int)v;
			break;
		}
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
	if (out->cmd == CLI_SAVE_ANSWERS && optind < subc)
		out->save_path = subv[optind++];
	if (optind < subc) {
		snprintf(err, errlen, "unexpected argument '%s'%s", subv[optind],
			 out->cmd == CLI_WIZARD ?
			  " (the commands are 'check', 'history', 'save-answers', 'renew', 'config-template', 'collect-script' and 'explain')" : "");
		return -1;
	}
	if (out->cmd == CLI_SAVE_ANSWERS && (!out->save_path || !*out->save_path)) {
		snprintf(err, errlen,
			 "save-answers needs the FILE to write the answers to");
		return -1;
	}
	if (out->cmd == CLI_CHECK) {
		const struct check_opts *k = &out->check;
		if (k->evidence && (k->cert_path || k->pfx_path || k->trust_store)) {
			snprintf(err, errlen, "--evidence reads the Windows computer's own certificates: no --cert, --pfx or --trust-store with it");
			return -1;
		}
		if ((k->cert_path || k->key_path) && k->pfx_path) {
			snprintf(err, errlen, "give either --cert/--key or --pfx, not both");
			return -1;
		}
		if (!!k->cert_path != !!k->key_path) {
			snprintf(err, errlen, "--cert and --key go together");
			return -1;
		}
		if (k->pfx_path && !k->password_file) {
			snprintf(err, errlen,
				 "--pfx needs --password-file (passwords are never taken on the command line)");
			return -1;
		}
		out->flow.interactive = false;
	}
	return 0;
}
