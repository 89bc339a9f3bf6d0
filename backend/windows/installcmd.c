/*
 * installcmd.c - install.cmd (installcmd.h): checks the inputs, renders
 * the batch templates (installcmd_int.h) and writes the frame around the
 * seven steps of installcmd_steps.c: the header comment, the values, the
 * log, the fail/end labels and the exit code.
 *
 * How values survive cmd.exe.  Each value is set once by cmdquote's
 * `set "NAME=value"` under DisableDelayedExpansion and only ever read back
 * inside double quotes, where cmd.exe takes & | < > ^ ( ) literally.  On
 * Windows both ways of reading it, %NAME% and !NAME! (delayed expansion),
 * keep every byte cmdquote allows.  Wine's cmd.exe (the tests run the
 * script there) scans an expanded %NAME% again for '%', and an expanded
 * !NAME! again for '!'; so the script reads values as !NAME! (delayed
 * expansion on after the set lines) unless a value holds a '!', then as
 * %NAME%.  The msiexec line, where the bytes a program receives matter,
 * carries the values literally instead ({=NAME}: put_literal), and its
 * package and log by plain names.  Files the script writes or reads
 * itself (install.log, install.tmp) are plain names in its own folder
 * (pushd "%~dp0"), never variables: Wine expands no !NAME! in a for /f
 * file set.
 */
#include "windows/installcmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "windows/cmdquote.h"
#include "windows/installcmd_int.h"
#include "windows/msicmd.h"

#define F_FQDN "computer.fqdn"
#define F_MG "agent.management_group"
#define F_SERVER "agent.server"
#define F_PORT "agent.port"
#define SERIAL_HEX_MAX 80        /* 40 bytes: more than RFC 5280's 20 */
#define EVENT_WAIT_MAX 3600

/* ---- the renderer ------------------------------------------------------- */

static const char *lit_find(const struct ic_gen *g, const char *k, size_t n)
{
	for (int i = 0; i < g->n_lit; i++)
		if (strlen(g->lit[i].key) == n && !memcmp(g->lit[i].key, k, n))
			return g->lit[i].val;
	return NULL;
}

static void lit_set(struct ic_gen *g, const char *key, const char *fmt,
		    long v)
{
	if (g->n_lit >= IC_LIT_MAX) {
		g->bad = key;
		return;
	}
	struct ic_lit *l = &g->lit[g->n_lit++];
	l->key = key;
	snprintf(l->val, sizeof(l->val), fmt, v);
}

static void lit_str(struct ic_gen *g, const char *key, const char *val)
{
	if (g->n_lit >= IC_LIT_MAX || strlen(val) >= sizeof(g->lit[0].val)) {
		g->bad = key;
		return;
	}
	struct ic_lit *l = &g->lit[g->n_lit++];
	l->key = key;
	snprintf(l->val, sizeof(l->val), "%s", val);
}

/* The values from the answers the script carries, by the names its set
 * lines give them (FQDN first: the only one a server role has). */
#define IC_VALUES 3
static const char *const IC_VALUE_NAMES[IC_VALUES] = { "FQDN", "MG",
							 "SERVER" };

static const char *ic_value(const struct installcmd_in *in, size_t i)
{
	return i == 0 ? in->fqdn : i == 1 ? in->mgmt_group : in->server;
}

/* {=NAME}: the value itself, '%' doubled, for a line that hands it to
 * another program (msiexec).  Windows' cmd expands %NAME% once, but
 * Wine's scans the expansion again ("a%b%c" loses "%b%"), so the bytes
 * msiexec receives are written into the line; inside quotes, with no '!'
 * on the line while delayed expansion is on (g->delayed: no value holds
 * one), cmd takes every byte cmdquote_check lets through literally. */
static void put_literal(struct ic_gen *g, const char *tmpl, const char *k,
			size_t n)
{
	for (size_t i = 0; i < IC_VALUES; i++) {
		const char *val = ic_value(g->in, i);
		if (strlen(IC_VALUE_NAMES[i]) != n ||
		    memcmp(IC_VALUE_NAMES[i], k, n) || !val)
			continue;
		for (const char *v = val; *v; v++)
			strbuf_put(&g->b, *v == '%' ? "%%" : v,
				   *v == '%' ? 2 : 1);
		return;
	}
	g->bad = tmpl;
}

/* One placeholder (k: its text between the braces). */
static void put_placeholder(struct ic_gen *g, const char *tmpl,
			    const char *k, size_t n, bool in_quotes)
{
	if (n > 1 && k[0] == '#') {
		const char *v = lit_find(g, k + 1, n - 1);
		if (!v)
			g->bad = tmpl;
		else
			strbuf_puts(&g->b, v);
	} else if (n > 1 && k[0] == '$') {
		strbuf_printf(&g->b, "%%%.*s%%", (int)(n - 1), k + 1);
	} else if (n > 1 && k[0] == '=' && in_quotes) {
		put_literal(g, tmpl, k + 1, n - 1);
	} else if (n > 0 && in_quotes) {
		const char *m = g->delayed ? "!" : "%";
		strbuf_printf(&g->b, "%s%.*s%s", m, (int)n, k, m);
	} else {
		g->bad = tmpl;   /* a value outside quotes: never */
	}
}

/* A template into the buffer; echo: its fixed text as echo's argument. */
static void render(struct ic_gen *g, const char *tmpl, bool echo)
{
	bool inq = false;
	const char *p = tmpl;
	while (*p) {
		if (*p == '{') {
			const char *e = strchr(p, '}');
			if (!e) {
				g->bad = tmpl;
				return;
			}
			put_placeholder(g, tmpl, p + 1, (size_t)(e - p - 1),
					inq);
			p = e + 1;
			continue;
		}
		size_t n = strcspn(p, "{");
		if (echo) {
			if (cmdquote_echo(&g->b, p, n, &inq) != 0)
				g->bad = tmpl;
		} else {
			for (size_t i = 0; i < n; i++)
				if (p[i] == '"')
					inq = !inq;
			strbuf_put(&g->b, p, n);
		}
		p += n;
	}
}

void ic_emit(struct ic_gen *g, const char *tmpl)
{
	render(g, tmpl, false);
	strbuf_puts(&g->b, "\r\n");
}

void ic_say(struct ic_gen *g, const char *tmpl)
{
	static const char *const to[] = { "", ">>" IC_LOG " " };
	for (size_t i = 0; i < 2; i++) {
		strbuf_puts(&g->b, to[i]);
		if (!*tmpl) {
			strbuf_puts(&g->b, "echo.\r\n");
			continue;
		}
		strbuf_puts(&g->b, "echo ");
		render(g, tmpl, true);
		strbuf_puts(&g->b, "\r\n");
	}
}

void ic_say_plain(struct ic_gen *g, const char *prefix, const char *text)
{
	static const char *const to[] = { "", ">>" IC_LOG " " };
	for (size_t i = 0; i < 2; i++) {
		bool inq = false;
		strbuf_printf(&g->b, "%secho ", to[i]);
		if (cmdquote_echo(&g->b, prefix, strlen(prefix), &inq) != 0 ||
		    cmdquote_echo(&g->b, text, strlen(text), &inq) != 0)
			g->bad = text;
		strbuf_puts(&g->b, "\r\n");
	}
}

void ic_fail(struct ic_gen *g, const char *code_key)
{
	char t[64];
	snprintf(t, sizeof(t), "  set \"RC={#%s}\"", code_key);
	ic_emit(g, t);
	ic_emit(g, "  goto fail");
}

/* ---- the inputs ----------------------------------------------------------- */

static int fail_in(const char **field, const char *f, char *err,
		   size_t errlen, const char *fmt, const char *a,
		   const char *b)
{
	if (field)
		*field = f;
	snprintf(err, errlen, fmt, a, b ? b : "");
	return -1;
}

static bool is_hex(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (text_hex_digit((unsigned char)s[i]) < 0)
			return false;
	return true;
}

/* A bundle file name written into the script as it is. */
static bool is_file_name(const char *s)
{
	return s && *s && *s != '.' && strlen(s) < 200 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789.-_") == strlen(s);
}

/* reversed is serial's bytes in reverse order; a leading 00 byte of the
 * DER serial may be missing from either. */
static bool reversed_matches(const char *s, const char *r)
{
	size_t n = strlen(s), m = strlen(r);
	if (n % 2)
		return true;   /* an odd hex form: nothing to compare */
	char rev[SERIAL_HEX_MAX + 1];
	for (size_t i = 0; i < n; i += 2) {
		rev[n - 2 - i] = s[i];
		rev[n - 1 - i] = s[i + 1];
	}
	rev[n] = '\0';
	if (n == m)
		return !strcasecmp(rev, r);
	if (n + 2 == m)
		return !strncasecmp(rev, r, n) && !strcmp(r + n, "00");
	if (m + 2 == n)
		return !strncasecmp(rev, r, m) && !strcmp(rev + m, "00");
	return false;
}

static int check_value(const char *v, const char *what, const char *f,
		       const char **field, char *err, size_t errlen)
{
	char why[160];
	if (cmdquote_check(v, why, sizeof(why)) == 0)
		return 0;
	return fail_in(field, f, err, errlen, "%s %s", what, why);
}

static int check_in(const struct installcmd_in *in, const char **field,
		    char *err, size_t errlen)
{
	if (check_value(in->fqdn, "the computer name", F_FQDN, field, err,
			errlen) != 0)
		return -1;
	if (!in->server_role &&
	    (check_value(in->mgmt_group, "the management group", F_MG, field,
			 err, errlen) != 0 ||
	     check_value(in->server, "the management server", F_SERVER, field,
			 err, errlen) != 0))
		return -1;
	if (!in->server_role && (in->port < 1 || in->port > 65535)) {
		if (field)
			*field = F_PORT;
		snprintf(err, errlen, "the port %d is not between 1 and 65535",
			 in->port);
		return -1;
	}
	if (!is_file_name(in->pfx_name))
		return fail_in(field, F_FQDN, err, errlen,
			       "the PFX file name '%s' is not a plain file "
			       "name (letters, digits, '.', '-', '_')%s",
			       in->pfx_name ? in->pfx_name : "(none)", NULL);
	for (size_t i = 0; i < in->n_intermediates; i++)
		if (!in->intermediates || !is_file_name(in->intermediates[i]))
			return fail_in(field, NULL, err, errlen,
				       "the intermediate certificate file name "
				       "'%s' is not a plain file name%s",
				       in->intermediates && in->intermediates[i]
					       ? in->intermediates[i] : "(none)",
				       NULL);
	if (!is_hex(in->serial_hex, SERIAL_HEX_MAX) ||
	    !is_hex(in->serial_reversed, SERIAL_HEX_MAX) ||
	    strlen(in->serial_reversed) % 2 ||
	    !reversed_matches(in->serial_hex, in->serial_reversed))
		return fail_in(field, NULL, err, errlen,
			       "the serial '%s' and its registry order '%s' "
			       "are not hex of the same bytes",
			       in->serial_hex ? in->serial_hex : "(none)",
			       in->serial_reversed ? in->serial_reversed
						   : "(none)");
	if (!is_hex(in->thumbprint, 40) || strlen(in->thumbprint) != 40)
		return fail_in(field, NULL, err, errlen,
			       "the thumbprint '%s' is not 40 hex digits%s",
			       in->thumbprint ? in->thumbprint : "(none)", NULL);
	if (in->old_serial && *in->old_serial &&
	    !is_hex(in->old_serial, SERIAL_HEX_MAX))
		return fail_in(field, NULL, err, errlen,
			       "the previous serial '%s' is not hex%s",
			       in->old_serial, NULL);
	return 0;
}

/* ---- the frame ------------------------------------------------------------ */

static void set_literals(struct ic_gen *g)
{
	const struct installcmd_in *in = g->in;
	int wait = in->event_wait_s > 0 ? in->event_wait_s
					: INSTALLCMD_EVENT_WAIT_DEFAULT;
	lit_set(g, "PORT", "%ld", in->port);
	lit_set(g, "PORTHEX", "0x%lx", in->port);
	lit_set(g, "WAIT", "%ld", wait > EVENT_WAIT_MAX ? EVENT_WAIT_MAX : wait);
	lit_str(g, "SERIAL", in->serial_hex);
	lit_str(g, "REGSERIAL", in->serial_reversed);
	lit_str(g, "THUMB", in->thumbprint);
	lit_str(g, "OLDSERIAL", in->old_serial ? in->old_serial : "");
	lit_str(g, "PFX", in->pfx_name);
	static const struct {
		const char *key;
		enum installcmd_exit code;
	} codes[] = {
		{ "E_NOT_ELEVATED", INSTALLCMD_EXIT_NOT_ELEVATED },
		{ "E_MISSING_FILE", INSTALLCMD_EXIT_MISSING_FILE },
		{ "E_WOW64", INSTALLCMD_EXIT_WOW64 },
		{ "E_ROOT", INSTALLCMD_EXIT_ROOT },
		{ "E_CA", INSTALLCMD_EXIT_CA },
		{ "E_PFX", INSTALLCMD_EXIT_PFX },
		{ "E_MSI", INSTALLCMD_EXIT_MSI },
		{ "E_NO_AGENT", INSTALLCMD_EXIT_NO_AGENT },
		{ "E_REG_IMPORT", INSTALLCMD_EXIT_REG_IMPORT },
		{ "E_NO_SERVICE", INSTALLCMD_EXIT_NO_SERVICE },
		{ "E_RESTART", INSTALLCMD_EXIT_RESTART },
		{ "E_CERT", INSTALLCMD_EXIT_CERT },
		{ "E_REG_READBACK", INSTALLCMD_EXIT_REG_READBACK },
		{ "E_EVENT", INSTALLCMD_EXIT_EVENT },
		{ "E_NO_EVENT", INSTALLCMD_EXIT_NO_EVENT },
	};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		lit_set(g, codes[i].key, "%ld", codes[i].code);
}

/* Comment lines hold no value and none of  % < > | &  (cmd.exe still
 * expands and may parse them).  A management server's script names no
 * agent installer at all. */
static const char *const HEAD_COMMENT[] = {
	"rem install.cmd - the Windows half of the Operations Manager "
	"certificate enrollment,",
	"rem written by opsmgr-enroll.  Right-click it and choose "
	"\"Run as administrator\".",
	"rem Each step is logged to install.log beside this file; the first "
	"failure stops it",
	"rem with its own exit code: 10 not elevated, 11 a bundle file is "
	"missing,",
	"rem 12 a 32-bit command prompt, 20 root store, 21 intermediate store, "
	"30 PFX import,",
	"@AGENT rem 40 the agent installer failed, 41 no agent and no agent "
	"installer beside this file,",
	"rem 50 reg import, 60 no HealthService, 61 service restart, 70 "
	"certificate or key,",
	"rem 71 registry values, 72 an error event, 73 no event 20053 in time.  "
	"0: done.",
	"rem install.cmd /nopause: no key press at the end.",
	"rem The PFX password is typed at certutil's own prompt: it is never "
	"written anywhere.",
	"rem Windows tools as Microsoft documents them (learn.microsoft.com, "
	"windows-server/",
	"rem administration/windows-commands/): certutil (-addstore, -importpfx "
	"with -csp and",
	"rem AT_KEYEXCHANGE, -store, -delstore), reg-import, reg-query, "
	"sc-query, sc-stop, sc-start,",
	"rem wevtutil (qe /q /c /rd /f) with the XPath of windows/win32/wes/"
	"consuming-events.",
	"@AGENT rem The agent installer: msiexec (/i /qn /l*v) with the "
	"properties of Microsoft's",
	"@AGENT rem \"install the Windows agent manually\" "
	"(system-center/scom/manage-deploy-windows-agent-manually).",
};

static void head(struct ic_gen *g)
{
	const struct installcmd_in *in = g->in;
	ic_emit(g, "@echo off");
	for (size_t i = 0; i < sizeof(HEAD_COMMENT) / sizeof(HEAD_COMMENT[0]);
	     i++) {
		const char *c = HEAD_COMMENT[i];
		if (!strncmp(c, "@AGENT ", 7)) {
			if (in->server_role)
				continue;
			c += 7;
		}
		ic_emit(g, c);
	}
	ic_emit(g, "setlocal EnableExtensions DisableDelayedExpansion");
	ic_emit(g, "set \"RC=0\"");
	ic_emit(g, "set \"NOPAUSE=\"");
	ic_emit(g, "if /i \"%~1\"==\"" INSTALLCMD_NOPAUSE "\" set \"NOPAUSE=1\"");
	ic_emit(g, "pushd \"%~dp0\"");
	ic_emit(g, "if errorlevel 1 (");
	ic_emit(g, "  echo install.cmd cannot open its own folder: copy the "
		   "whole bundle folder to a local disk and run it there.");
	ic_emit(g, "  if not defined NOPAUSE pause");
	ic_emit(g, "  exit /b {#E_MISSING_FILE}");
	ic_emit(g, ")");
	for (size_t i = 0; i < (in->server_role ? 1u : IC_VALUES); i++) {
		char *line = cmdquote_set_line(IC_VALUE_NAMES[i],
					       ic_value(in, i));
		if (!line) {
			g->bad = IC_VALUE_NAMES[i];
			return;
		}
		strbuf_printf(&g->b, "%s\r\n", line);
		free(line);
	}
	if (g->delayed)
		ic_emit(g, "setlocal EnableDelayedExpansion");
	ic_emit(g, ">>" IC_LOG " echo.");
	ic_emit(g, ">>" IC_LOG " echo ===== install.cmd for \"{FQDN}\" started "
		   "%DATE% %TIME% =====");
	ic_say(g, "install.cmd for \"{FQDN}\": 7 steps, each logged to "
		  "install.log beside this file.");
}

static void tail(struct ic_gen *g)
{
	ic_emit(g, "goto done");
	ic_emit(g, ":fail");
	ic_say(g, "install.cmd stopped: exit code {$RC}. What it did is in "
		  "install.log beside install.cmd.");
	ic_emit(g, "goto end");
	ic_emit(g, ":done");
	ic_say(g, "done: the certificate of \"{FQDN}\" is installed and "
		  "Operations Manager loaded it.");
	ic_emit(g, "set \"RC=0\"");
	ic_emit(g, ":end");
	ic_emit(g, "if exist " IC_TMP " del " IC_TMP);
	ic_emit(g, ">>" IC_LOG " echo ===== install.cmd finished: exit code "
		   "{$RC} %DATE% %TIME% =====");
	ic_emit(g, "popd");
	ic_emit(g, "if not defined NOPAUSE pause");
	ic_emit(g, "exit /b {$RC}");
}

char *installcmd_text(const struct installcmd_in *in, const char **field,
		      char *err, size_t errlen)
{
	if (field)
		*field = NULL;
	if (!in) {
		snprintf(err, errlen, "no install.cmd inputs");
		return NULL;
	}
	if (check_in(in, field, err, errlen) != 0)
		return NULL;
	struct ic_gen g = { .b = STRBUF_INIT, .in = in };
	g.delayed = !strchr(in->fqdn, '!') &&
		    (in->server_role || (!strchr(in->mgmt_group, '!') &&
					 !strchr(in->server, '!')));
	set_literals(&g);
	head(&g);
	ic_step_elevation(&g);
	ic_step_trust(&g);
	ic_step_pfx(&g);
	ic_step_agent(&g);
	ic_step_registry(&g);
	ic_step_service(&g);
	ic_step_verify(&g);
	tail(&g);
	if (g.bad || g.b.oom) {
		snprintf(err, errlen, "install.cmd could not be written (%s)",
			 g.bad ? g.bad : "out of memory");
		strbuf_release(&g.b);
		return NULL;
	}
	return strbuf_take(&g.b);
}
