/*
 * evidence_check.c - `check --evidence` (evidence_check.h): the evidence
 * opened and parsed file by file, the registry serial against the My
 * store, the key's provider, the service, the agent's management group and
 * the TCP test; the certificate's checklist and the events are
 * evidence_check_cert.c's and evidence_check_events.c's.
 */
#include "evidence_check.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evidence_check_int.h"
#include "windows/evidence_layout.h"
#include "windows/evidence_text.h"
#include "windows/regfile.h"

#define SCHANNEL_CSP "Microsoft RSA SChannel Cryptographic Provider"
#define KEY_FIX "import the PFX (with its key) into LocalMachine\\My again, " \
	"or run 'certutil -repairstore my SERIAL' to restore the key's link"
#define SERIAL_FIX "import the bundle's .reg file (or run MOMCertImport) so " \
	"that ChannelCertificateSerialNumber holds the serial's bytes reversed, " \
	"then restart HealthService"

void ev_file_fail(struct ev_run *r, const char *name, const char *what)
{
	diag_add(r->dl, DIAG_EVIDENCE_FILE, SEV_FAIL, NULL,
		 "run collect.cmd again, elevated; its collect.log says what each step did",
		 "evidence file '%s': %s", name, what);
}

int ev_read(struct ev_run *r, const char *name, unsigned char **buf,
	    size_t *len)
{
	char err[512];
	int n = evidence_read(&r->src, name, buf, len, err, sizeof(err));
	if (n == 1)
		ev_file_fail(r, name, "missing from the evidence");
	else if (n < 0)
		ev_file_fail(r, name, err);
	return n;
}

typedef int (*ev_parser)(const unsigned char *, size_t, void *, char *,
			 size_t);

static int parse_reg(const unsigned char *b, size_t n, void *out, char *e,
		     size_t el)
{
	return reg_parse(b, n, out, e, el);
}

static int parse_store(const unsigned char *b, size_t n, void *out, char *e,
		       size_t el)
{
	return certutil_parse(b, n, out, e, el);
}

static int parse_events(const unsigned char *b, size_t n, void *out, char *e,
			size_t el)
{
	return events_parse(b, n, out, e, el);
}

/* Read and parse one file; true when it parsed. */
static bool load(struct ev_run *r, const char *name, ev_parser parse,
		 void *out)
{
	unsigned char *buf;
	size_t len;
	char err[512];
	if (ev_read(r, name, &buf, &len) != 0)
		return false;
	int rc = parse(buf, len, out, err, sizeof(err));
	free(buf);
	if (rc < 0)
		ev_file_fail(r, name, err);
	return rc == 0;
}

/* The value of "key=value" in a key=value file (computer.txt, tcp.txt),
 * malloc'd, or NULL. */
static char *kv_get(struct ev_run *r, const char *name, const char *key,
		    bool report)
{
	unsigned char *buf;
	size_t len;
	char err[256];
	char *found = NULL;
	int n = report ? ev_read(r, name, &buf, &len)
		       : evidence_read(&r->src, name, &buf, &len, err, sizeof(err));
	if (n != 0)
		return NULL;
	char *text = evidence_text_utf8(buf, len, NULL, err, sizeof(err));
	free(buf);
	if (!text) {
		if (report)
			ev_file_fail(r, name, err);
		return NULL;
	}
	char *p = text, *line;
	size_t kl = strlen(key);
	while (!found && (line = evidence_next_line(&p)) != NULL) {
		char *s = evidence_trim(line);
		if (!strncasecmp(s, key, kl) && s[kl] == '=')
			found = strdup(evidence_trim(s + kl + 1));
	}
	free(text);
	return found;
}

static void load_all(struct ev_run *r, const char *fqdn)
{
	r->fqdn = fqdn ? strdup(fqdn)
		       : kv_get(r, EVIDENCE_COMPUTER, EVIDENCE_KEY_FQDN, true);
	if (r->fqdn && !*r->fqdn) {
		free(r->fqdn);
		r->fqdn = NULL;
	}
	r->settings_ok = load(r, EVIDENCE_MACHINE_SETTINGS_REG, parse_reg,
			      &r->settings);
	r->groups_ok = load(r, EVIDENCE_GROUPS_REG, parse_reg, &r->groups);
	r->my_ok = load(r, EVIDENCE_STORE_MY, parse_store, &r->my);
	r->root_ok = load(r, EVIDENCE_STORE_ROOT, parse_store, &r->root);
	r->ca_ok = load(r, EVIDENCE_STORE_CA, parse_store, &r->ca);
	r->events_ok = load(r, EVIDENCE_EVENTS_XML, parse_events, &r->events);
}

/* bytes as upper hex, in order or reversed: malloc'd. */
static char *hex_bytes(const unsigned char *b, size_t n, bool reverse)
{
	char *h = malloc(n * 2 + 1);
	if (!h)
		return NULL;
	for (size_t i = 0; i < n; i++)
		sprintf(h + 2 * i, "%02X", b[reverse ? n - 1 - i : i]);
	h[n * 2] = '\0';
	return h;
}

/* The certificate of My whose serial (display order, as certutil prints
 * it) begins or ends with the n-byte part: a truncated registry value. */
static const struct cu_cert *truncated_of(const struct cu_store *my,
					  const char *part)
{
	size_t pl = strlen(part);
	for (size_t i = 0; pl >= 8 && i < my->n; i++) {
		const char *s = my->c[i].serial;
		size_t sl = strlen(s);
		if (sl > pl && (!strcmp(s + sl - pl, part) || !strncmp(s, part, pl)))
			return &my->c[i];
	}
	return NULL;
}

static const char *subject_of(const struct cu_cert *c)
{
	return c->subject ? c->subject : "(no subject)";
}

/* The registry serial found in My, or why not. */
static void match_serial(struct ev_run *r, const struct reg_value *v)
{
	char *want = hex_bytes(v->data, v->len, true);
	char *as_is = hex_bytes(v->data, v->len, false);
	const struct cu_cert *c;
	if (!want || !as_is) {
		/* out of memory: nothing more to say */
	} else if ((c = cu_find_serial(&r->my, want))) {
		r->cert = c;
		diag_add(r->dl, DIAG_EVIDENCE_CERT_FOUND, SEV_PASS, NULL, NULL,
			 "the registry serial %s is certificate %d in My ('%s')",
			 want, c->index, subject_of(c));
	} else if ((c = cu_find_serial(&r->my, as_is))) {
		diag_add(r->dl, DIAG_EVIDENCE_CERT_FOUND, SEV_FAIL, NULL,
			 SERIAL_FIX,
			 "ChannelCertificateSerialNumber is not reversed: it holds the serial of certificate %d in My ('%s') in the order certutil prints it (%s); Operations Manager reads the bytes reversed",
			 c->index, subject_of(c), as_is);
	} else if ((c = truncated_of(&r->my, want))) {
		diag_add(r->dl, DIAG_EVIDENCE_CERT_FOUND, SEV_FAIL, NULL,
			 SERIAL_FIX,
			 "ChannelCertificateSerialNumber is truncated: it holds %zu of the %zu bytes of the serial %s of certificate %d in My ('%s') (a script that assumes at most 19 bytes?)",
			 v->len, strlen(c->serial) / 2, c->serial, c->index,
			 subject_of(c));
	} else {
		diag_add(r->dl, DIAG_EVIDENCE_CERT_FOUND, SEV_FAIL, NULL,
			 "import the certificate with its key into LocalMachine\\My again (the bundle's PFX), then its serial into the registry (the bundle's .reg file or MOMCertImport) and restart HealthService",
			 "the registry serial %s is no certificate in My (%zu there): deleted or replaced since it was imported",
			 want, r->my.n);
	}
	free(want);
	free(as_is);
}

static void check_serial(struct ev_run *r)
{
	if (!r->settings_ok)
		return;   /* the file's own FAIL says why */
	const struct reg_value *v = reg_find(&r->settings, REGFILE_KEY,
					     "ChannelCertificateSerialNumber");
	if (!v || v->kind != REGV_HEX || !v->len) {
		diag_add(r->dl, DIAG_EVIDENCE_REG_SERIAL, SEV_FAIL, NULL,
			 SERIAL_FIX, "%s: no ChannelCertificateSerialNumber (REG_BINARY) under '%s'",
			 EVIDENCE_MACHINE_SETTINGS_REG, REGFILE_KEY);
		return;
	}
	diag_add(r->dl, DIAG_EVIDENCE_REG_SERIAL, SEV_PASS, NULL, NULL,
		 "ChannelCertificateSerialNumber holds %zu bytes", v->len);
	if (!r->my_ok)
		diag_add(r->dl, DIAG_EVIDENCE_CERT_FOUND, SEV_SKIP, NULL, NULL,
			 "the My store's dump (%s) could not be read",
			 EVIDENCE_STORE_MY);
	else
		match_serial(r, v);
}

/* "AB CD" vs "abcd": the same hex digits. */
static bool same_hex(const char *a, const char *b)
{
	for (;; a++, b++) {
		while (*a == ' ' || *a == ':')
			a++;
		while (*b == ' ' || *b == ':')
			b++;
		if (toupper((unsigned char)*a) != toupper((unsigned char)*b))
			return false;
		if (!*a)
			return true;
	}
}

static void check_hash(struct ev_run *r)
{
	if (!r->settings_ok || !r->cert)
		return;
	const struct reg_value *v = reg_find(&r->settings, REGFILE_KEY,
					     "ChannelCertificateHash");
	if (!v || v->kind != REGV_SZ)
		diag_add(r->dl, DIAG_EVIDENCE_HASH, SEV_INFO, NULL, NULL,
			 "no ChannelCertificateHash (optional: the agent finds its certificate by the serial)");
	else if (!r->cert->sha1)
		diag_add(r->dl, DIAG_EVIDENCE_HASH, SEV_SKIP, NULL, NULL,
			 "certutil printed no 'Cert Hash(sha1)' for certificate %d",
			 r->cert->index);
	else if (same_hex(v->str, r->cert->sha1))
		diag_add(r->dl, DIAG_EVIDENCE_HASH, SEV_PASS, NULL, NULL,
			 "ChannelCertificateHash is the thumbprint %s of the certificate in use",
			 r->cert->sha1);
	else
		diag_add(r->dl, DIAG_EVIDENCE_HASH, SEV_WARN, NULL,
			 "write ChannelCertificateHash with the same certificate as the serial (the bundle's .reg file writes both)",
			 "ChannelCertificateHash '%s' is not the thumbprint %s of the certificate the serial names",
			 v->str, r->cert->sha1);
}

static void check_key(struct ev_run *r)
{
	const struct cu_cert *c = r->cert;
	if (!c)
		return;
	if (c->missing_keyset || (!c->provider && c->keyspec < 0)) {
		diag_add(r->dl, DIAG_EVIDENCE_PRIVATE_KEY, SEV_FAIL, NULL, KEY_FIX,
			 "certutil shows no private key for certificate %d ('%s')%s",
			 c->index, subject_of(c),
			 c->missing_keyset ? ": \"Missing stored keyset\"" : "");
		return;
	}
	diag_add(r->dl, DIAG_EVIDENCE_PRIVATE_KEY, SEV_PASS, NULL, NULL,
		 "certificate %d has a private key (provider '%s')", c->index,
		 c->provider ? c->provider : "not printed");
	const char *prov = c->provider ? c->provider : "";
	const char *redo = "request the certificate from a template with the legacy CSP '" SCHANNEL_CSP
		"' (key exchange), or import the PFX this tool made (it names that CSP)";
	if (strstr(prov, "Key Storage Provider") || c->keyspec == 0)
		diag_add(r->dl, DIAG_EVIDENCE_KEY_PROVIDER, SEV_FAIL, NULL, redo,
			 "the key is a CNG key (provider '%s', KeySpec %d): Operations Manager needs KeySpec 1 (AT_KEYEXCHANGE) in a CryptoAPI provider",
			 prov, c->keyspec < 0 ? 0 : c->keyspec);
	else if (c->keyspec == 2)
		diag_add(r->dl, DIAG_EVIDENCE_KEY_PROVIDER, SEV_FAIL, NULL, redo,
			 "the key's KeySpec is 2 (AT_SIGNATURE): Operations Manager needs 1 (AT_KEYEXCHANGE)");
	else if (c->keyspec < 0)
		diag_add(r->dl, DIAG_EVIDENCE_KEY_PROVIDER, SEV_WARN, NULL,
			 "collect with 'certutil -v -store My' (collect.cmd does)",
			 "certutil printed no KeySpec for the key (provider '%s')", prov);
	else if (strcasecmp(prov, SCHANNEL_CSP) != 0)
		diag_add(r->dl, DIAG_EVIDENCE_KEY_PROVIDER, SEV_WARN, NULL, redo,
			 "the key is in '%s', not in '" SCHANNEL_CSP "' (KeySpec %d)",
			 prov, c->keyspec);
	else
		diag_add(r->dl, DIAG_EVIDENCE_KEY_PROVIDER, SEV_PASS, NULL, NULL,
			 "the key is in '%s' with KeySpec 1 (AT_KEYEXCHANGE)", prov);
}

/* "NAME : N  WORD" of sc's output: WORD (and N), or NULL. */
static char *sc_field(struct ev_run *r, const char *file, const char *name,
		      char **failed)
{
	unsigned char *buf;
	size_t len;
	char err[256];
	char *found = NULL;
	if (ev_read(r, file, &buf, &len) != 0)
		return NULL;
	char *text = evidence_text_utf8(buf, len, NULL, err, sizeof(err));
	free(buf);
	if (!text) {
		ev_file_fail(r, file, err);
		return NULL;
	}
	char *p = text, *line;
	while (!found && (line = evidence_next_line(&p)) != NULL) {
		char *s = evidence_trim(line);
		size_t n = strlen(name);
		if (strstr(s, "FAILED") && failed && !*failed)
			*failed = strdup(s);
		if (strncmp(s, name, n) || !strchr(s + n, ':'))
			continue;
		char *v = evidence_trim(strchr(s + n, ':') + 1);
		while (isdigit((unsigned char)*v))
			v++;
		v = evidence_trim(v);
		char *end = v;
		while (*end && *end != ' ' && *end != '\t')
			end++;
		*end = '\0';
		found = strdup(v);
	}
	free(text);
	return found;
}

static void check_service(struct ev_run *r)
{
	char *failed = NULL;
	char *state = sc_field(r, EVIDENCE_SC_QUERY, "STATE", &failed);
	char *start = sc_field(r, EVIDENCE_SC_QC, "START_TYPE", NULL);
	if (!state && failed)
		diag_add(r->dl, DIAG_EVIDENCE_SERVICE, SEV_FAIL, NULL,
			 "install the agent (the bundle's install.cmd)",
			 "%s is not there: sc says '%s'", EVIDENCE_SERVICE, failed);
	else if (state && !strcmp(state, "RUNNING"))
		diag_add(r->dl, DIAG_EVIDENCE_SERVICE, SEV_PASS, NULL, NULL,
			 "%s is running (start type %s)", EVIDENCE_SERVICE,
			 start ? start : "not collected");
	else if (state)
		diag_add(r->dl, DIAG_EVIDENCE_SERVICE, SEV_FAIL, NULL,
			 start && !strcmp(start, "DISABLED")
				 ? "sc config HealthService start= auto, then net start HealthService"
				 : "net start HealthService (elevated), then read the Operations Manager log",
			 "%s is %s (start type %s): the agent does not run",
			 EVIDENCE_SERVICE, state, start ? start : "not collected");
	free(failed);
	free(state);
	free(start);
}

/* The management group under "...\Agent Management Groups\NAME\..." */
static void check_groups(struct ev_run *r)
{
	const char *mark = "\\Agent Management Groups\\";
	const char *server = NULL;
	char group[256] = "";
	unsigned port = 0;
	for (size_t i = 0; r->groups_ok && i < r->groups.n; i++) {
		const struct reg_value *v = &r->groups.v[i];
		const char *m = strcasestr(v->key, mark);
		if (!m || !strcasestr(v->key, "\\Parent Health Services\\"))
			continue;
		m += strlen(mark);
		snprintf(group, sizeof(group), "%.*s",
			 (int)strcspn(m, "\\"), m);
		if (!strcasecmp(v->name, "NetworkName") && v->kind == REGV_SZ && !server)
			server = v->str;
		if (!strcasecmp(v->name, "Port") && v->kind == REGV_DWORD && !port)
			port = v->dword;
	}
	if (!r->groups_ok)
		return;
	if (!server)
		diag_add(r->dl, DIAG_AGENT_CONFIG, SEV_FAIL, NULL,
			 "install the agent with its management group and server (the bundle's install.cmd)",
			 "%s: no management group with a server (NetworkName) is configured",
			 EVIDENCE_GROUPS_REG);
	else
		diag_add(r->dl, DIAG_AGENT_CONFIG, SEV_PASS, NULL, NULL,
			 "management group '%s': server %s, port %u", group,
			 server, port);
}

static void check_tcp(struct ev_run *r)
{
	char *res = kv_get(r, EVIDENCE_TCP, EVIDENCE_KEY_RESULT, false);
	char *srv = kv_get(r, EVIDENCE_TCP, EVIDENCE_KEY_SERVER, false);
	char *port = kv_get(r, EVIDENCE_TCP, EVIDENCE_KEY_PORT, false);
	char *det = kv_get(r, EVIDENCE_TCP, EVIDENCE_KEY_DETAIL, false);
	const char *where = srv && *srv ? srv : "(no server)";
	const char *p = port && *port ? port : "?";
	if (!res)
		;   /* not collected: nothing to say */
	else if (!strcmp(res, EVIDENCE_TCP_OPEN))
		diag_add(r->dl, DIAG_AGENT_TCP, SEV_PASS, NULL, NULL,
			 "the computer reached %s port %s", where, p);
	else if (!strcmp(res, EVIDENCE_TCP_FAILED))
		diag_add(r->dl, DIAG_AGENT_TCP, SEV_FAIL, NULL,
			 "open the port on the firewalls between them and check that the management server's name resolves on the computer",
			 "the computer could not reach %s port %s%s%s", where, p,
			 det && *det ? ": " : "", det ? det : "");
	else
		diag_add(r->dl, DIAG_AGENT_TCP, SEV_SKIP, NULL, NULL,
			 "the TCP test was not run on the computer (%s)", res);
	free(res);
	free(srv);
	free(port);
	free(det);
}

static void run_release(struct ev_run *r)
{
	evidence_close(&r->src);
	free(r->fqdn);
	reg_file_release(&r->settings);
	reg_file_release(&r->groups);
	cu_store_release(&r->my);
	cu_store_release(&r->root);
	cu_store_release(&r->ca);
	ev_list_release(&r->events);
}

int evidence_check(const char *path, const char *fqdn, struct diag_list *dl)
{
	struct ev_run r;
	char err[512];
	memset(&r, 0, sizeof(r));
	r.dl = dl;
	if (evidence_open(&r.src, path, err, sizeof(err)) < 0) {
		diag_add(dl, DIAG_EVIDENCE_FILE, SEV_FAIL, NULL,
			 "give the folder collect.cmd wrote, or its zip",
			 "%s", err);
		return -1;
	}
	load_all(&r, fqdn);
	check_serial(&r);
	check_hash(&r);
	check_key(&r);
	ev_check_cert_file(&r);
	check_groups(&r);
	check_tcp(&r);
	check_service(&r);
	ev_check_events(&r);
	run_release(&r);
	return diag_worst(dl) == SEV_FAIL ? 1 : 0;
}
