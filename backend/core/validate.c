/*
 * validate.c - the value rules of validate.h: host names (the computer's
 * and the management server's), the management group, the template name,
 * the PFX friendly name, port, key size, URLs, the SHA-256 pin, commands
 * and paths.  Messages
 * start lowercase, quote the value and say what is wrong; the fix says
 * what to write instead.
 */
#include "core/validate.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "core/text.h"
#include "core/cmdline.h"

#define SHOW_MAX 80               /* longest value quoted in a message */
#define STR_(x) #x
#define STR(x) STR_(x)           /* a number macro as a string literal */

enum diag_severity verdict_set(struct verdict *v, enum diag_severity sev,
			       const char *fix, const char *fmt, ...)
{
	va_list ap;
	v->sev = sev;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
	va_end(ap);
	snprintf(v->fix, sizeof(v->fix), "%s", fix ? fix : "");
	return sev;
}

enum diag_severity verdict_pass(struct verdict *v)
{
	v->sev = SEV_PASS;
	v->msg[0] = v->fix[0] = '\0';
	return SEV_PASS;
}

/* A value as quoted in messages: cut after max bytes (never inside a
 * UTF-8 sequence), "..." marking the cut. */
static const char *shown_max(const char *s, size_t max, char *buf, size_t n)
{
	size_t len = strlen(s);
	if (len <= max) {
		snprintf(buf, n, "%s", s);
		return buf;
	}
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	snprintf(buf, n, "%.*s...", (int)max, s);
	return buf;
}

static const char *shown(const char *s, char *buf, size_t n)
{
	return shown_max(s, SHOW_MAX, buf, n);
}

/* Characters, not bytes (UTF-8). */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xC0) != 0x80;
	return n;
}

static bool is_ascii_alnum(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= 'A' && ch <= 'Z');
}

static bool is_ip_literal(const char *s)
{
	unsigned char b[16];
	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/* ---- host names ---------------------------------------------------------- */

/*
 * The DNS syntax both host rules share, over the first n characters of s
 * (a trailing dot already left out).  subj names the value ("management
 * server 'x'").  Also counts the labels.
 */
static enum diag_severity host_labels(const char *s, size_t n,
				      const char *subj, const char *fix,
				      int *labels, struct verdict *v)
{
	size_t start = 0, last = 0;
	*labels = 0;
	if (n > RULE_HOST_MAX)
		return verdict_set(v, SEV_FAIL, fix,
				   "%s is %zu characters long; a DNS name has at most %d",
				   subj, n, RULE_HOST_MAX);
	for (size_t i = 0; i <= n; i++) {
		unsigned char ch = i < n ? (unsigned char)s[i] : '.';
		if (ch == '.') {
			size_t l = i - start;
			if (l == 0)
				return verdict_set(v, SEV_FAIL, fix,
						   "%s has an empty label (two dots in a row, or a leading dot)",
						   subj);
			if (l > 63)
				return verdict_set(v, SEV_FAIL, fix,
						   "%s has a label longer than 63 characters",
						   subj);
			if (s[start] == '-' || s[i - 1] == '-')
				return verdict_set(v, SEV_FAIL, fix,
						   "%s has a label that starts or ends with '-'",
						   subj);
			(*labels)++;
			last = start;
			start = i + 1;
			continue;
		}
		if (is_ascii_alnum(ch) || ch == '-')
			continue;
		if (ch >= 0x20 && ch < 0x7f)
			return verdict_set(v, SEV_FAIL, fix,
					   "%s contains '%c': a host name has only letters, digits, '-' and '.'",
					   subj, ch);
		return verdict_set(v, SEV_FAIL, fix,
				   "%s contains a non-printable or non-ASCII character",
				   subj);
	}
	if (strspn(s + last, "0123456789") >= n - last)
		return verdict_set(v, SEV_FAIL, fix,
				   "%s is neither a host name nor an IP address",
				   subj);
	return verdict_pass(v);
}

/* What a host name names: the words of its messages. */
struct host_use {
	const char *what;          /* "management server", or "" */
	const char *empty;         /* the message for no name at all */
	const char *fix;
};

static const struct host_use COMPUTER = {
	"",                        /* its field says whose name it is */
	"no computer name: type this computer's fully qualified DNS name, "
	"e.g. 'agent01.example.com'",
	"set [computer] fqdn to this computer's fully qualified DNS name, "
	"e.g. 'agent01.example.com'",
};

static const struct host_use SERVER = {
	"management server",
	"no management server: set it to the server's FQDN (e.g. "
	"ms01.contoso.com)",
	"set [agent] server to the management server's FQDN, e.g. "
	"ms01.contoso.com",
};

/* The subject of the messages ("management server 'x'"); false with the
 * failure in v when there is no name. */
static bool host_subject(const struct host_use *u, const char *name,
			 char *subj, size_t n, struct verdict *v)
{
	char sb[SHOW_MAX + 4];
	if (!name || !*name) {
		verdict_set(v, SEV_FAIL, u->fix, "%s", u->empty);
		return false;
	}
	snprintf(subj, n, "%s%s'%s'", u->what, *u->what ? " " : "",
		 shown(name, sb, sizeof(sb)));
	return true;
}

enum diag_severity rule_computer_fqdn(const char *name, struct verdict *v)
{
	const char *fix = COMPUTER.fix;
	char subj[SHOW_MAX + 32];
	int labels;
	if (!host_subject(&COMPUTER, name, subj, sizeof(subj), v))
		return v->sev;
	size_t n = strlen(name);
	if (is_ip_literal(name))
		return verdict_set(v, SEV_FAIL, fix,
				   "%s is an IP address: the certificate must name the computer's DNS name",
				   subj);
	if (n <= RULE_HOST_MAX && name[n - 1] == '.')
		return verdict_set(v, SEV_FAIL, fix,
				   "%s ends with a trailing dot: leave it out",
				   subj);
	if (!strchr(name, '.'))
		return verdict_set(v, SEV_FAIL, fix,
				   "%s has no domain part: use the fully qualified name, e.g. '%.60s.example.com'",
				   subj, name);
	return host_labels(name, n, subj, fix, &labels, v);
}

enum diag_severity rule_server(const char *name, struct verdict *v)
{
	char subj[SHOW_MAX + 32];
	int labels;
	if (!host_subject(&SERVER, name, subj, sizeof(subj), v))
		return v->sev;
	if (is_ip_literal(name))
		return verdict_pass(v);
	size_t n = strlen(name);
	if (n > 1 && name[n - 1] == '.')
		n--;                       /* absolute name: trailing dot */
	if (host_labels(name, n, subj, SERVER.fix, &labels, v) != SEV_PASS)
		return v->sev;
	if (labels == 1 && strcasecmp(name, "localhost") != 0)
		return verdict_set(v, SEV_WARN,
				   "use the fully qualified name, e.g. ms01.contoso.com",
				   "%s is a short name; the agent should use the server's FQDN (the name in its certificate)",
				   subj);
	return verdict_pass(v);
}

/* ---- names --------------------------------------------------------------- */

enum diag_severity rule_mgmt_group(const char *mg, struct verdict *v)
{
	static const char fix[] =
		"use the management group name exactly as shown at the top of "
		"the Operations console; it cannot be changed later";
	if (!mg || !*mg)
		return verdict_set(v, SEV_FAIL, fix,
				   "no management group name: set it to the name chosen when Operations Manager was installed");
	size_t n = strlen(mg);
	if (mg[0] == ' ' || mg[n - 1] == ' ')
		return verdict_set(v, SEV_FAIL, fix,
				   "management group '%s' %s with a space, which Operations Manager does not allow",
				   mg, mg[0] == ' ' ? "begins" : "ends");
	for (const unsigned char *p = (const unsigned char *)mg; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return verdict_set(v, SEV_FAIL, fix,
					   "management group '%s' contains a control character",
					   mg);
		if (strchr(RULE_MGMT_GROUP_FORBIDDEN, *p))
			return verdict_set(v, SEV_FAIL, fix,
					   "management group '%s' contains '%c', which Operations Manager does not allow (none of %s)",
					   mg, *p, RULE_MGMT_GROUP_FORBIDDEN);
	}
	size_t chars = utf8_chars(mg);
	char sb[SHOW_MAX + 4];
	if (chars > RULE_MGMT_GROUP_MAX)     /* the reason first, then the start */
		return verdict_set(v, SEV_FAIL, fix,
				   "management group is %zu characters long, the limit is %d: '%s'",
				   chars, RULE_MGMT_GROUP_MAX,
				   shown_max(mg, 24, sb, sizeof(sb)));
	return verdict_pass(v);
}

enum diag_severity rule_friendly_name(const char *name, struct verdict *v)
{
	size_t chars = name ? utf8_chars(name) : 0;
	char sb[SHOW_MAX + 4];
	if (chars > RULE_FRIENDLY_NAME_MAX)
		return verdict_set(v, SEV_FAIL,
				   "shorten the friendly name, or leave it empty to use the computer's name",
				   "the friendly name is %zu characters long, the limit is %d: '%s'",
				   chars, RULE_FRIENDLY_NAME_MAX,
				   shown_max(name, 24, sb, sizeof(sb)));
	return verdict_pass(v);
}

enum diag_severity rule_template(const char *t, struct verdict *v)
{
	if (!t || !*t)
		return verdict_set(v, SEV_FAIL,
				   "set [ca] template to the template's name, e.g. 'OpsMgr'",
				   "no certificate template is set");
	for (const char *p = t; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return verdict_set(v, SEV_FAIL,
					   "type the template name on one line, e.g. 'OpsMgr'",
					   "the template name contains a control character");
	if (strchr(t, ' '))
		return verdict_set(v, SEV_WARN,
				   "use the template name without spaces, e.g. 'OpsMgr'",
				   "template '%s' contains spaces: AD CS wants the template name, not its display name",
				   t);
	return verdict_pass(v);
}

/* ---- numbers ------------------------------------------------------------- */

enum diag_severity rule_port(long port, struct verdict *v)
{
	if (port < RULE_PORT_MIN || port > RULE_PORT_MAX)
		return verdict_set(v, SEV_FAIL,
				   "use 5723 unless the server was set up with another port",
				   "port %ld is out of range: it must be between %d and %d (Operations Manager's default is %d)",
				   port, RULE_PORT_MIN, RULE_PORT_MAX,
				   CONFIG_DEFAULT_PORT);
	return verdict_pass(v);
}

enum diag_severity rule_key_bits(long bits, struct verdict *v)
{
	static const char fix[] = "use 2048 (the default), 3072 or 4096";
	if (bits < RULE_KEY_BITS_MIN)
		return verdict_set(v, SEV_FAIL, fix,
				   "a %ld-bit key is below the %d-bit floor Operations Manager accepts",
				   bits, RULE_KEY_BITS_MIN);
	if (bits > RULE_KEY_BITS_MAX)
		return verdict_set(v, SEV_FAIL, fix,
				   "a %ld-bit key is larger than this tool makes (%d)",
				   bits, RULE_KEY_BITS_MAX);
	if (bits < RULE_KEY_BITS_GOOD)
		return verdict_set(v, SEV_WARN, fix,
				   "a %ld-bit key is weaker than the %d bits current guidance requires",
				   bits, RULE_KEY_BITS_GOOD);
	return verdict_pass(v);
}

/* ---- URLs ---------------------------------------------------------------- */

static const char URL_FIX[] =
	"write the full URL, e.g. https://ca.example.com/certsrv/";

/* The port after the host, [pb, ae). */
static enum diag_severity url_port(const char *u, const char *pb,
				   const char *ae, struct verdict *v)
{
	static const char fix[] = "write the port as a number from "
		STR(RULE_PORT_MIN) " to " STR(RULE_PORT_MAX);
	long port = 0;
	if (pb == ae)
		return verdict_set(v, SEV_FAIL, URL_FIX,
				   "'%s' has an empty port after ':'", u);
	for (const char *p = pb; p < ae; p++) {
		if (*p < '0' || *p > '9' || port > RULE_PORT_MAX)
			return verdict_set(v, SEV_FAIL, fix,
					   "'%s' has an invalid port '%.*s'", u,
					   (int)(ae - pb), pb);
		port = port * 10 + (*p - '0');
	}
	if (port < RULE_PORT_MIN || port > RULE_PORT_MAX)
		return verdict_set(v, SEV_FAIL, fix,
				   "'%s' has a port out of range (%ld)", u, port);
	return verdict_pass(v);
}

enum diag_severity rule_url(const char *u, struct verdict *v)
{
	const char *fix = URL_FIX;
	const char *rest;
	if (!u || !*u)
		return verdict_set(v, SEV_FAIL, fix, "no URL is set");
	if (strncasecmp(u, "https://", 8) == 0)
		rest = u + 8;
	else if (strncasecmp(u, "http://", 7) == 0)
		rest = u + 7;
	else
		return verdict_set(v, SEV_FAIL, fix,
				   "'%s' is not an http:// or https:// URL", u);
	size_t alen = strcspn(rest, "/?#");
	if (memchr(rest, '@', alen))
		return verdict_set(v, SEV_FAIL,
				   "put the user name in [ca] user and the password in a file named by [ca] password_file",
				   "the URL must not contain a user name or password");
	if (strpbrk(u, " \t\r\n\v\f"))
		return verdict_set(v, SEV_FAIL, "write spaces in a URL as %20",
				   "'%s' contains a space", u);
	if (alen == 0)
		return verdict_set(v, SEV_FAIL, fix, "'%s' has no host name", u);
	const char *ae = rest + alen, *colon = NULL;
	if (*rest == '[') {               /* IPv6 literal */
		const char *rb = memchr(rest, ']', alen);
		if (!rb)
			return verdict_set(v, SEV_FAIL, fix,
					   "'%s' has an unterminated '[' in the host", u);
		if (rb + 1 < ae && rb[1] != ':')
			return verdict_set(v, SEV_FAIL, fix,
					   "'%s' has text after the IPv6 address", u);
		if (rb + 1 < ae)
			colon = rb + 1;
	} else {
		colon = memchr(rest, ':', alen);
		if (colon == rest)
			return verdict_set(v, SEV_FAIL, fix,
					   "'%s' has no host name", u);
	}
	if (colon)
		return url_port(u, colon + 1, ae, v);
	return verdict_pass(v);
}

enum diag_severity rule_plain_http(const char *u, bool allow_http,
				   struct verdict *v)
{
	if (rule_url(u, v) != SEV_PASS || strncasecmp(u, "http://", 7) != 0)
		return v->sev;
	if (allow_http)
		return verdict_set(v, SEV_WARN, "use https:// outside a test bench",
				   "'%s' is plain http (allowed by allow_insecure_http): requests, passwords and certificates travel unencrypted",
				   u);
	return verdict_set(v, SEV_FAIL,
			   "use https:// (AD CS web enrollment needs it for Basic authentication anyway), or set [ca] allow_insecure_http = yes on a test bench",
			   "'%s' is plain http: requests, passwords and certificates would travel unencrypted",
			   u);
}

enum diag_severity rule_ca_url(const char *u, bool allow_http,
			       struct verdict *v)
{
	if (!u || !*u)
		return verdict_set(v, SEV_FAIL,
				   "set [ca] url to the CA's web enrollment address, e.g. https://ca.example.com/certsrv/",
				   "no CA URL is set");
	return rule_plain_http(u, allow_http, v);
}

/* ---- pin, command, path --------------------------------------------------- */

enum diag_severity rule_pin(const char *pin, char hex[RULE_PIN_HEX + 1],
			    struct verdict *v)
{
	static const char fix[] =
		"write the SHA-256 fingerprint as 64 hex digits, colons allowed (AB:CD:...)";
	char sb[SHOW_MAX + 4], buf[RULE_PIN_HEX + 1];
	size_t n = 0;
	for (const char *p = pin; *p; p++) {
		if (*p == ':')
			continue;
		int d = text_hex_digit((unsigned char)*p);
		if (d < 0)
			return verdict_set(v, SEV_FAIL, fix,
					   "'%s' is not a SHA-256 fingerprint: '%c' is not a hex digit",
					   shown(pin, sb, sizeof(sb)), *p);
		if (n < RULE_PIN_HEX)
			buf[n] = "0123456789ABCDEF"[d];
		n++;
	}
	if (n != RULE_PIN_HEX)
		return verdict_set(v, SEV_FAIL, fix,
				   "'%s' is not a SHA-256 fingerprint: it has %zu hex digits, %d are needed",
				   shown(pin, sb, sizeof(sb)), n, RULE_PIN_HEX);
	buf[RULE_PIN_HEX] = '\0';
	if (hex)
		memcpy(hex, buf, sizeof(buf));
	return verdict_pass(v);
}

enum diag_severity rule_command(const char *cmd, struct verdict *v)
{
	char **argv = NULL, err[256] = "", sb[SHOW_MAX + 4];
	if (!*cmd)
		return verdict_pass(v);
	if (cmdline_split(cmd, &argv, err, sizeof(err)) != 0)
		return verdict_set(v, SEV_FAIL,
				   "write the program and its arguments separated by blanks; quote arguments with '...' or \"...\"",
				   "'%s' is not a usable command: %s",
				   shown(cmd, sb, sizeof(sb)), err);
	strv_free(argv);
	return verdict_pass(v);
}

enum diag_severity rule_path(const char *path, struct verdict *v)
{
	char sb[SHOW_MAX + 4];
	if (path[0] == '~')
		return verdict_set(v, SEV_WARN, "write the full path, e.g. /home/me/...",
				   "'%s': '~' is not expanded; the path is used literally",
				   shown(path, sb, sizeof(sb)));
	return verdict_pass(v);
}

struct diag *rule_diag(struct diag_list *dl, enum diag_check check,
		       const char *field, const struct verdict *v)
{
	if (v->sev == SEV_PASS)
		return NULL;
	return diag_add(dl, check, v->sev, field, v->fix[0] ? v->fix : NULL,
			"%s", v->msg);
}
