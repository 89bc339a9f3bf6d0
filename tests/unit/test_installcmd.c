/*
 * test_installcmd.c - the generated install.cmd (windows/installcmd.c):
 * CRLF on every line and ASCII only; every certutil, reg, sc, wevtutil,
 * msiexec, net, findstr and ping line checked token by token against the
 * syntax Microsoft documents (windows-commands: certutil -addstore,
 * -importpfx [-f] [-csp provider] with AT_KEYEXCHANGE and no -p, -store,
 * -delstore; reg import/query; sc query/stop/start; wevtutil qe with the
 * XPath time filter; msiexec /i /qn /l*v with the documented properties);
 * no password option anywhere; one distinct exit code per failure, its
 * tens digit the step it belongs to; no msiexec for the management server;
 * values with blanks, % ^ & ! ( ) read back unchanged by cmd.exe (an
 * emulation of its parse phases: % expansion, quotes and carets, delayed
 * expansion) and always inside quotes; '"' and control characters refused
 * with the field named; the renewal's old certificate removed only after
 * the new one was imported and loaded.
 *
 * Wine's certutil is an empty stub, so the certificate-store steps are
 * checked here, against the documented syntax; the Wine integration test
 * runs the rest of the script.
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

#include "core/events.h"
#include "windows/cmdquote.h"
#include "windows/installcmd.h"
#include "windows/msicmd.h"

static const char *const INTS[] = { "intermediate-1.cer",
				    "intermediate-2.cer" };

static struct installcmd_in agent_in(void)
{
	struct installcmd_in in = {
		.fqdn = "agent01.contoso.example",
		.mgmt_group = "Contoso Ops 1",
		.server = "ms01.contoso.example",
		.port = 5723,
		.pfx_name = "agent01.contoso.example.pfx",
		.serial_hex = "00AF3C56",
		.serial_reversed = "563CAF00",
		.thumbprint = "0123456789abcdef0123456789ABCDEF01234567",
		.intermediates = INTS,
		.n_intermediates = 2,
		.event_wait_s = 90,
	};
	return in;
}

static char *gen(const struct installcmd_in *in)
{
	char err[256];
	const char *field = "unset";
	char *t = installcmd_text(in, &field, err, sizeof(err));
	if (!t)
		fail_msg("installcmd_text: %s (field %s)", err,
			 field ? field : "none");
	assert_null(field);
	return t;
}

/* ---- lines and tokens ------------------------------------------------------ */

/* The lines without their CRLF (array NULL-terminated; free both). */
static char **lines_of(char *text, size_t *n)
{
	size_t cap = 16, k = 0;
	char **v = malloc(cap * sizeof(*v));
	for (char *p = text; *p;) {
		char *e = strstr(p, "\r\n");
		assert_non_null(e);
		*e = '\0';
		if (k + 2 > cap)
			v = realloc(v, (cap *= 2) * sizeof(*v));
		v[k++] = p;
		p = e + 2;
	}
	v[k] = NULL;
	*n = k;
	return v;
}

#define TOK_MAX 40
/* Blank-separated tokens, quotes kept; redirections (>x, >>x, 2>&1,
 * 2>nul) and a pipe's right side dropped. */
static int tokens(const char *line, char tok[TOK_MAX][400])
{
	int n = 0;
	const char *p = line;
	while (*p && n < TOK_MAX) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '|')
			break;
		char *o = tok[n];
		bool inq = false;
		while (*p && (inq || *p != ' ')) {
			if (*p == '"')
				inq = !inq;
			*o++ = *p++;
		}
		*o = '\0';
		if (tok[n][0] != '>' && strncmp(tok[n], "2>", 2) != 0)
			n++;
	}
	return n;
}

static void unquote(char *s)
{
	size_t n = strlen(s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
}

static bool is_hex_token(const char *s)
{
	return *s && strspn(s, "0123456789abcdefABCDEF") == strlen(s);
}

/* ---- Microsoft's documented syntax ------------------------------------ */

struct seen {
	int addstore, importpfx, store, delstore, reg_import, reg_query;
	int sc, wevtutil, msiexec, net, findstr, ping;
};

/* certutil [-f] [-csp provider] -verb args (windows-commands/certutil) */
static void check_certutil(char t[TOK_MAX][400], int n, struct seen *s)
{
	int i = 1;
	bool csp = false;
	for (; i < n && t[i][0] == '-'; i++) {
		if (!strcmp(t[i], "-f"))
			continue;
		if (!strcmp(t[i], "-csp") && i + 1 < n) {
			unquote(t[++i]);
			assert_string_equal(t[i], "Microsoft RSA SChannel "
					    "Cryptographic Provider");
			csp = true;
			continue;
		}
		break;
	}
	assert_true(i < n);
	const char *verb = t[i];
	for (int j = 0; j < n; j++) {
		assert_string_not_equal(t[j], "-p");        /* no password */
		assert_string_not_equal(t[j], "-user");     /* machine stores */
	}
	char *a1 = i + 1 < n ? t[i + 1] : NULL, *a2 = i + 2 < n ? t[i + 2] : NULL;
	if (a2)
		unquote(a2);
	if (!strcmp(verb, "-addstore")) {
		assert_int_equal(n, i + 3);
		assert_false(csp);
		assert_true(!strcmp(a1, "Root") || !strcmp(a1, "CA"));
		assert_non_null(strstr(a2, ".cer"));
		s->addstore++;
	} else if (!strcmp(verb, "-importpfx")) {
		/* -importpfx [CertificateStoreName] PFXFile [Modifiers] */
		assert_int_equal(n, i + 4);
		assert_true(csp);
		assert_string_equal(a1, "My");
		assert_non_null(strstr(a2, ".pfx"));
		assert_string_equal(t[i + 3], "AT_KEYEXCHANGE");
		s->importpfx++;
	} else if (!strcmp(verb, "-store") || !strcmp(verb, "-delstore")) {
		assert_int_equal(n, i + 3);
		assert_false(csp);
		assert_string_equal(a1, "My");
		assert_true(is_hex_token(a2));           /* certID: a serial */
		if (!strcmp(verb, "-store"))
			s->store++;
		else
			s->delstore++;
	} else {
		fail_msg("certutil verb '%s' not expected", verb);
	}
}

static void check_reg(char t[TOK_MAX][400], int n, struct seen *s)
{
	if (!strcmp(t[1], "import")) {                 /* reg import FileName */
		assert_int_equal(n, 3);
		unquote(t[2]);
		assert_string_equal(t[2], INSTALLCMD_REG_NAME);
		s->reg_import++;
		return;
	}
	assert_string_equal(t[1], "query");    /* reg query Key [/v Value] */
	unquote(t[2]);
	static const char om[] = INSTALLCMD_REG_OM "\\";
	assert_memory_equal(t[2], om, strlen(om));
	assert_true(n == 3 || (n == 5 && !strcmp(t[3], "/v")));
	s->reg_query++;
}

/* wevtutil qe <log> /q:<XPath> /c:1 /rd:true /f:text */
static void check_wevtutil(char t[TOK_MAX][400], int n, const char *line,
			   struct seen *s)
{
	assert_string_equal(t[1], "qe");
	const char *q = strstr(line, "/q:\"");
	assert_non_null(q);
	int id = 0, used = 0;
	assert_int_equal(sscanf(q, "/q:\"*[System[(EventID=%d) and "
				"TimeCreated[timediff(@SystemTime) <= "
				"%%WINDOW%%]]]\"%n", &id, &used), 1);
	assert_true(used > 0);
	assert_non_null(strstr(line, "wevtutil qe \"" OM_EVENT_LOG "\" /q:"));
	assert_non_null(strstr(q + used, " /c:1 /rd:true /f:text"));
	assert_true(id == OM_EVENT_CERT_LOADED || om_event_find(id));
	(void)n;
	s->wevtutil++;
}

/* msiexec /i Package /qn /l*v Logfile PROPERTY=value... */
static void check_msiexec(char t[TOK_MAX][400], int n, struct seen *s)
{
	static const char *const props[] = {
		"USE_SETTINGS_FROM_AD=", "USE_MANUALLY_SPECIFIED_SETTINGS=",
		"MANAGEMENT_GROUP=", "MANAGEMENT_SERVER_DNS=", "SECURE_PORT=",
		"ACTIONS_USE_COMPUTER_ACCOUNT=",
		"AcceptEndUserLicenseAgreement=",
	};
	assert_int_equal(n, 6 + 7);
	assert_string_equal(t[1], "/i");
	/* relative to the bundle folder (pushd "%~dp0"): no variable */
	assert_string_equal(t[2], "\"" MSICMD_MSI_NAME "\"");
	assert_string_equal(t[3], "/qn");
	assert_string_equal(t[4], "/l*v");
	assert_non_null(strstr(t[5], INSTALLCMD_MSI_LOG_NAME));
	for (int i = 0; i < 7; i++)
		assert_memory_equal(t[6 + i], props[i], strlen(props[i]));
	s->msiexec++;
}

static void check_tool_line(const char *raw, struct seen *s)
{
	char t[TOK_MAX][400];
	const char *line = raw + strspn(raw, " ");
	int n = tokens(line, t);
	if (n == 0)
		return;
	if (!strcmp(t[0], "certutil"))
		check_certutil(t, n, s);
	else if (!strcmp(t[0], "reg"))
		check_reg(t, n, s);
	else if (!strcmp(t[0], "wevtutil"))
		check_wevtutil(t, n, line, s);
	else if (!strcmp(t[0], "msiexec"))
		check_msiexec(t, n, s);
	else if (!strcmp(t[0], "sc")) {
		/* sc query|stop|start ServiceName */
		assert_int_equal(n, 3);
		assert_true(!strcmp(t[1], "query") || !strcmp(t[1], "stop") ||
			    !strcmp(t[1], "start"));
		assert_string_equal(t[2], "HealthService");
		s->sc++;
		if (strchr(line, '|')) {
			assert_non_null(strstr(line, "| findstr /l /c:\""));
			s->findstr++;
		}
	} else if (!strcmp(t[0], "net")) {
		assert_int_equal(n, 2);
		assert_string_equal(t[1], "session");
		s->net++;
	} else if (!strcmp(t[0], "findstr")) {
		assert_string_equal(t[1], "/l");
		s->findstr++;
	} else if (!strcmp(t[0], "ping")) {
		assert_int_equal(n, 4);
		assert_string_equal(t[1], "-n");
		assert_string_equal(t[3], "127.0.0.1");
		s->ping++;
	}
}

static void test_documented_syntax(void **state)
{
	(void)state;
	struct installcmd_in in = agent_in();
	in.old_serial = "61000000021F";
	char *text = gen(&in);
	size_t n;
	char **l = lines_of(text, &n);
	struct seen s = { 0 };
	for (size_t i = 0; i < n; i++)
		check_tool_line(l[i], &s);
	assert_int_equal(s.addstore, 3);     /* root + two intermediates */
	assert_int_equal(s.importpfx, 1);
	assert_int_equal(s.store, 1);
	assert_int_equal(s.delstore, 1);
	assert_int_equal(s.reg_import, 1);
	assert_true(s.reg_query >= 5);
	assert_true(s.sc >= 5);
	assert_int_equal(s.wevtutil, 1 + 8);
	assert_int_equal(s.msiexec, 1);
	assert_int_equal(s.net, 1);
	assert_true(s.findstr >= 3);
	assert_true(s.ping >= 3);
	free(l);
	free(text);
}

/* ---- the file's form ------------------------------------------------------ */

static void test_crlf_ascii(void **state)
{
	(void)state;
	struct installcmd_in in = agent_in();
	char *t = gen(&in);
	size_t len = strlen(t);
	assert_true(len > 2000);
	assert_memory_equal(t, "@echo off\r\n", 11);
	assert_memory_equal(t + len - 2, "\r\n", 2);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c == '\n')
			assert_int_equal(t[i - 1], '\r');
		else if (c == '\r')
			assert_int_equal(t[i + 1], '\n');
		else
			assert_true(c >= 0x20 && c < 0x7f);
	}
	/* each step announced, in order */
	const char *p = t;
	for (int s = 1; s <= 7; s++) {
		char mark[16];
		snprintf(mark, sizeof(mark), "echo [%d/7]", s);
		p = strstr(p, mark);
		assert_non_null(p);
	}
	/* logged beside the script, no password anywhere */
	assert_non_null(strstr(t, "pushd \"%~dp0\""));
	assert_non_null(strstr(t, ">>\"install.log\" echo [3/7]"));
	assert_null(strstr(t, " -p "));
	assert_null(strstr(t, "-password"));
	assert_null(strstr(t, "/p:"));
	free(t);
}

/* Every failure: its own code, set right before `goto fail`, its tens
 * digit the step it belongs to; the enum's codes all used. */
static void test_exit_codes(void **state)
{
	(void)state;
	struct installcmd_in in = agent_in();
	char *text = gen(&in);
	size_t n;
	char **l = lines_of(text, &n);
	int step = 0, used[100] = { 0 };
	for (size_t i = 0; i < n; i++) {
		int s, code;
		if (sscanf(l[i], "echo [%d/7]", &s) == 1)
			step = s;
		if (!strncmp(l[i], "  set \"RC=", 10) &&
		    sscanf(l[i], "  set \"RC=%d\"", &code) == 1) {
			assert_true(code > 0 && code < 100);
			assert_int_equal(code / 10, step);
			assert_string_equal(l[i + 1], "  goto fail");
			used[code]++;
		}
	}
	static const int codes[] = {
		INSTALLCMD_EXIT_NOT_ELEVATED, INSTALLCMD_EXIT_MISSING_FILE,
		INSTALLCMD_EXIT_WOW64, INSTALLCMD_EXIT_ROOT, INSTALLCMD_EXIT_CA,
		INSTALLCMD_EXIT_PFX, INSTALLCMD_EXIT_MSI,
		INSTALLCMD_EXIT_NO_AGENT, INSTALLCMD_EXIT_REG_IMPORT,
		INSTALLCMD_EXIT_NO_SERVICE, INSTALLCMD_EXIT_RESTART,
		INSTALLCMD_EXIT_CERT, INSTALLCMD_EXIT_REG_READBACK,
		INSTALLCMD_EXIT_EVENT, INSTALLCMD_EXIT_NO_EVENT,
	};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (!used[codes[i]])
			fail_msg("exit code %d never set", codes[i]);
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(codes[i], codes[j]);
	}
	free(l);
	free(text);
	/* the HealthService failure with MOMCertImport's words */
	text = gen(&in);
	char *p = strstr(text, "sc query HealthService >>");
	assert_non_null(p);
	assert_non_null(strstr(p, "^(HealthService^) does not exist"));
	assert_non_null(strstr(text, "exit /b %RC%\r\n"));
	free(text);
}

static void test_server_role(void **state)
{
	(void)state;
	struct installcmd_in in = agent_in();
	in.server_role = true;
	in.mgmt_group = NULL;    /* not asked for a management server */
	in.server = NULL;
	in.port = 0;
	in.fqdn = "ms01.contoso.example";
	in.pfx_name = "ms01.contoso.example.pfx";
	char *t = gen(&in);
	assert_null(strstr(t, "msiexec"));
	assert_null(strstr(t, MSICMD_MSI_NAME));
	assert_null(strstr(t, "set \"MG="));
	assert_null(strstr(t, INSTALLCMD_REG_SETUP));
	assert_non_null(strstr(t, "echo [4/7] management server"));
	assert_non_null(strstr(t, "-importpfx My \"ms01.contoso.example.pfx\""));
	assert_non_null(strstr(t, "sc start HealthService"));
	free(t);
	/* the agent role has it */
	in = agent_in();
	t = gen(&in);
	assert_non_null(strstr(t, "msiexec /i "));
	free(t);
}

/* ---- cmd.exe reading the values back ----------------------------------- */

struct var {
	const char *name, *value;
};

/* Phase 1: %% -> %, %NAME% -> its value (undefined: nothing); the result
 * is not scanned again. */
static char *phase1(const char *s, const struct var *v, size_t nv)
{
	char *out = calloc(1, strlen(s) * 4 + 4096), *o = out;
	for (const char *p = s; *p; p++) {
		if (*p != '%') {
			*o++ = *p;
			continue;
		}
		if (p[1] == '%') {
			*o++ = '%';
			p++;
			continue;
		}
		const char *e = strchr(p + 1, '%');
		assert_non_null(e);
		for (size_t i = 0; i < nv; i++)
			if ((size_t)(e - p - 1) == strlen(v[i].name) &&
			    !strncmp(p + 1, v[i].name, (size_t)(e - p - 1)))
				o += sprintf(o, "%s", v[i].value);
		p = e;
	}
	return out;
}

/* Phase 2: quotes and carets of one simple command, cut at its
 * redirection; an unescaped & | < ( ) outside quotes would end it or
 * start something else: a test failure. */
static void phase2(char *s)
{
	bool inq = false;
	char *o = s;
	for (char *p = s; *p; p++) {
		if (*p == '"')
			inq = !inq;
		else if (!inq && *p == '^' && p[1])
			p++;
		else if (!inq && *p == '>')
			break;        /* a redirection: not part of the command */
		else if (!inq && strchr("&|<()", *p))
			fail_msg("unescaped '%c' outside quotes in: %s", *p, s);
		*o++ = *p;
	}
	*o = '\0';
}

/* Phase 5: delayed expansion of a line holding '!': !NAME! -> value,
 * carets removed; the values are not scanned again. */
static char *phase5(const char *s, const struct var *v, size_t nv)
{
	if (!strchr(s, '!'))
		return strdup(s);
	char *out = calloc(1, strlen(s) * 4 + 4096), *o = out;
	for (const char *p = s; *p; p++) {
		if (*p == '^' && p[1]) {
			*o++ = *++p;
			continue;
		}
		if (*p != '!') {
			*o++ = *p;
			continue;
		}
		const char *e = strchr(p + 1, '!');
		assert_non_null(e);
		for (size_t i = 0; i < nv; i++)
			if ((size_t)(e - p - 1) == strlen(v[i].name) &&
			    !strncmp(p + 1, v[i].name, (size_t)(e - p - 1)))
				o += sprintf(o, "%s", v[i].value);
		p = e;
	}
	return out;
}

/* What cmd.exe runs for a line of the script (after its set lines). */
static char *cmd_reads(const char *line, const struct var *v, size_t nv,
		       bool delayed)
{
	char *a = phase1(line, v, nv);
	phase2(a);
	char *b = delayed ? phase5(a, v, nv) : strdup(a);
	free(a);
	return b;
}

static const char *line_with(char **l, const char *prefix, const char *has)
{
	for (size_t i = 0; l[i]; i++)
		if (!strncmp(l[i], prefix, strlen(prefix)) &&
		    (!has || strstr(l[i], has)))
			return l[i];
	fail_msg("no line '%s...%s'", prefix, has ? has : "");
	return NULL;
}

static void check_value_read_back(const char *mg)
{
	struct installcmd_in in = agent_in();
	in.mgmt_group = mg;
	char *text = gen(&in);
	bool delayed = strstr(text, "\r\nsetlocal EnableDelayedExpansion\r\n");
	size_t n;
	char **l = lines_of(text, &n);
	assert_int_equal(delayed, strchr(mg, '!') == NULL);
	/* the set line, under DisableDelayedExpansion */
	char *set = cmd_reads(line_with(l, "set \"MG=", NULL), NULL, 0, false);
	char want[400];
	snprintf(want, sizeof(want), "set \"MG=%s\"", mg);
	assert_string_equal(set, want);
	free(set);
	struct var v[] = { { "MG", mg }, { "SERVER", in.server },
			   { "HERE", "C:\\b\\x-opsmgr" },
			   { "FQDN", in.fqdn } };
	/* msiexec's command line */
	char *m = cmd_reads(line_with(l, "msiexec ", NULL), v, 4, delayed);
	snprintf(want, sizeof(want), " MANAGEMENT_GROUP=\"%s\" ", mg);
	assert_non_null(strstr(m, want));
	assert_non_null(strstr(m, "/i \"MOMAgent.msi\" "));
	free(m);
	/* what the operator reads, on screen and in install.log */
	char *e = cmd_reads(line_with(l, "echo   installing the agent", NULL),
			    v, 4, delayed);
	snprintf(want, sizeof(want), "management group \"%s\", server", mg);
	assert_non_null(strstr(e, want));
	free(e);
	/* the installed agent's key */
	char *q = cmd_reads(line_with(l, "reg query ", "\\Agent Management "
				      "Groups\\"), v, 4, delayed);
	snprintf(want, sizeof(want), "Groups\\%s\\Parent Health Services\\0\"",
		 mg);
	assert_non_null(strstr(q, want));
	free(q);
	/* every use of the variable stands inside quotes */
	const char *ref = delayed ? "!MG!" : "%MG%";
	for (size_t i = 0; i < n; i++) {
		bool inq = false;
		for (const char *p = l[i]; *p; p++) {
			if (*p == '"')
				inq = !inq;
			if (!strncmp(p, ref, 4))
				assert_true(inq);
		}
	}
	free(l);
	free(text);
}

static void test_values_read_back(void **state)
{
	(void)state;
	check_value_read_back("Contoso Ops 1");
	check_value_read_back("50% off");
	check_value_read_back("%PATH% and %%");
	check_value_read_back("a^b^^c");
	check_value_read_back("Tom & Jerry | <x> (y)");
	check_value_read_back("Bang! group");
	check_value_read_back("!MG! 50% ^&");
	check_value_read_back("a,b;c=d");
}

static void test_refused_at_field(void **state)
{
	(void)state;
	static const struct {
		const char *mg, *server, *fqdn, *field, *says;
	} bad[] = {
		{ "say \"hi\"", NULL, NULL, "agent.management_group", "'\"'" },
		{ "line\r\nbreak", NULL, NULL, "agent.management_group",
		  "0x0D" },
		{ "tab\there", NULL, NULL, "agent.management_group", "0x09" },
		{ "caf\xc3\xa9", NULL, NULL, "agent.management_group",
		  "non-ASCII" },
		{ "ends\\", NULL, NULL, "agent.management_group", "'\\'" },
		{ NULL, "ms01\"x", NULL, "agent.server", "'\"'" },
		{ NULL, "ms01\nx", NULL, "agent.server", "0x0A" },
		{ NULL, NULL, "a\x1b" "b", "computer.fqdn", "0x1B" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct installcmd_in in = agent_in();
		if (bad[i].mg)
			in.mgmt_group = bad[i].mg;
		if (bad[i].server)
			in.server = bad[i].server;
		if (bad[i].fqdn)
			in.fqdn = bad[i].fqdn;
		char err[256] = "";
		const char *field = NULL;
		char *t = installcmd_text(&in, &field, err, sizeof(err));
		assert_null(t);
		assert_non_null(field);
		assert_string_equal(field, bad[i].field);
		if (!strstr(err, bad[i].says))
			fail_msg("'%s' does not say %s", err, bad[i].says);
	}
	/* generator inputs that are not answers: refused, no field */
	struct installcmd_in in = agent_in();
	const char *f = "x";
	char err[256];
	in.thumbprint = "0123";
	assert_null(installcmd_text(&in, &f, err, sizeof(err)));
	assert_null(f);
	in = agent_in();
	in.serial_reversed = "AF3C5600";       /* not the reverse */
	assert_null(installcmd_text(&in, &f, err, sizeof(err)));
	in = agent_in();
	const char *evil[] = { "x&y.cer" };
	in.intermediates = evil;
	in.n_intermediates = 1;
	assert_null(installcmd_text(&in, &f, err, sizeof(err)));
	in = agent_in();
	in.port = 70000;
	assert_null(installcmd_text(&in, &f, err, sizeof(err)));
	assert_string_equal(f, "agent.port");
}

/* Serials of 1, 16, 19 and 20 bytes, one with a leading 00: the script
 * compares the registry with the reversed bytes; certutil finds the
 * certificate by its thumbprint whatever the serial's form. */
static void test_serial_lengths(void **state)
{
	(void)state;
	static const struct {
		const char *hex, *rev;
	} s[] = {
		{ "7F", "7F" },
		{ "0102030405060708090A0B0C0D0E0F10",
		  "100F0E0D0C0B0A090807060504030201" },
		{ "00A1A2A3A4A5A6A7A8A9B0B1B2B3B4B5B6B7B8",
		  "B8B7B6B5B4B3B2B1B0A9A8A7A6A5A4A3A2A100" },
		{ "610000000A1B2C3D4E5F60718293A4B5C6D7E8F9",
		  "F9E8D7C6B5A4938271605F4E3D2C1B0A00000061" },
	};
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		struct installcmd_in in = agent_in();
		in.serial_hex = s[i].hex;
		in.serial_reversed = s[i].rev;
		char *t = gen(&in);
		char want[200];
		snprintf(want, sizeof(want), "certutil -store My \"%s\"",
			 in.thumbprint);
		assert_non_null(strstr(t, want));
		snprintf(want, sizeof(want), "certificate %s has no private",
			 s[i].hex);
		assert_non_null(strstr(t, want));
		snprintf(want, sizeof(want), "if /i not \"!GOT!\"==\"%s\" (",
			 s[i].rev);
		assert_non_null(strstr(t, want));
		free(t);
	}
	/* the 00 byte kept on one side only */
	struct installcmd_in in = agent_in();
	in.serial_hex = "AF3C56";
	in.serial_reversed = "563CAF00";
	free(gen(&in));
}

static void test_old_serial_after_import(void **state)
{
	(void)state;
	struct installcmd_in in = agent_in();
	in.old_serial = "5A00000003";
	char *t = gen(&in);
	const char *imp = strstr(t, "-importpfx My");
	const char *loaded = strstr(t, "\r\n:event_loaded\r\n");
	const char *del = strstr(t, "certutil -delstore My \"5A00000003\"");
	assert_non_null(imp);
	assert_non_null(loaded);
	assert_non_null(del);
	assert_true(imp < loaded && loaded < del);
	assert_null(strstr(del + 1, "certutil -delstore My \""));
	/* a failure to remove it is a warning, not a stop */
	const char *next_fail = strstr(del, "goto fail");
	const char *done = strstr(del, "\r\ngoto done\r\n");
	assert_non_null(done);
	assert_true(!next_fail || next_fail > done);
	free(t);
	/* none, or the same serial: nothing removed */
	in.old_serial = NULL;
	t = gen(&in);
	assert_null(strstr(t, "certutil -delstore My \""));
	free(t);
	in.old_serial = "00af3c56";
	t = gen(&in);
	assert_null(strstr(t, "certutil -delstore My \""));
	free(t);
}

/* Step 7 names every after-restart event with the table's texts. */
static void test_events_from_table(void **state)
{
	(void)state;
	struct installcmd_in in = agent_in();
	char *t = gen(&in);
	size_t n;
	const struct om_event *tab = om_event_table(&n);
	for (size_t i = 0; i < n; i++) {
		char label[40];
		snprintf(label, sizeof(label), "\r\n:event_%d\r\n", tab[i].id);
		assert_int_equal(strstr(t, label) != NULL, tab[i].after_restart);
	}
	const struct om_event *e = om_event_find(20069);
	char want[300];
	snprintf(want, sizeof(want), "echo   cause: %s\r\n", e->cause);
	assert_non_null(strstr(t, want));
	/* the bounded wait */
	assert_non_null(strstr(t, "if %WAITED% geq 90 ("));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crlf_ascii),
		cmocka_unit_test(test_documented_syntax),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_server_role),
		cmocka_unit_test(test_values_read_back),
		cmocka_unit_test(test_refused_at_field),
		cmocka_unit_test(test_serial_lengths),
		cmocka_unit_test(test_old_serial_after_import),
		cmocka_unit_test(test_events_from_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
