/*
 * lab.h - internals of opsmgr-enroll-lab shared by its files: the lab
 * context (directory, CA material, ports, options), the persisted state
 * (requests and agents), the socket-free request handlers for the CA pages
 * and the management server (so fuzzers can drive them), the PKI helpers
 * and the MHD glue.
 *
 * Directory layout (DIR = --dir):
 *   ca/root.pem ca/root.key       lab root CA (key 0600)
 *   ca/server.pem ca/server.key   HTTPS certificate for 127.0.0.1/localhost
 *   admin/admin.pem admin/admin.key  the administrator's client
 *                                 certificate (both 0600): only it may
 *                                 list, approve and reject agents
 *   password pfx-password         Basic-auth and PFX passwords (0600)
 *   state state.lock              requests + agents (see lab_store.c)
 *   requests/N.csr requests/N.pem CSR of pending / certificate of issued N
 *   lab.ini answers.ini lab.log   written by the running lab
 * DIR, DIR/ca and DIR/admin must pass the private-directory check
 * (core/privdir.h) before anything in them is used (lab_dir_check).
 *
 * Ownership: struct lab_ctx owns everything it points to
 * (lab_ctx_release frees); struct lab_state owns its arrays
 * (lab_state_release); struct lab_resp owns body (lab_resp_release);
 * struct lab_kvs owns its keys and values (lab_kvs_release).
 */
#ifndef OPSMGR_LAB_H
#define OPSMGR_LAB_H

#include <signal.h>
#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "lab_lang.h"

#define LAB_USER "labuser"
#define LAB_REALM "127.0.0.1"
#define LAB_BODY_CAP (64u * 1024u)        /* request bodies; more is 413 */
#define LAB_FIELD_CAP (48u * 1024u)       /* one form or query value */
#define LAB_MAX_FIELDS 64
#define LAB_CN_MAX 200
#define LAB_TEMPLATE_MAX 64
#define LAB_SERIAL_MAX 80
#define LAB_ADMIN_CN "opsmgr-enroll-lab administrator"
#define LAB_ADMIN_CERT "admin/admin.pem"
#define LAB_ADMIN_KEY "admin/admin.key"

/* ---- context --------------------------------------------------------- */
/* The schemes a 401 offers, one WWW-Authenticate header each, in the
 * order given (IIS: Negotiate, NTLM, then Basic when enabled).  Only
 * Basic is ever accepted: the others are offered like a Windows server
 * with Windows Authentication would, for clients to cope with. */
enum lab_scheme { LAB_SCHEME_NEGOTIATE, LAB_SCHEME_NTLM, LAB_SCHEME_BASIC };
#define LAB_MAX_CHALLENGES 3

struct lab_ctx {
	char *dir;
	int auto_approve;          /* seconds; -1 = only by command */
	int delay_submit;          /* seconds to hold a newreq answer */
	long long validity_s;      /* --validity: how long issued certificates
				    * live, in seconds; 0 = one year */
	int ca_port, ms_port;
	enum lab_lang lang;        /* --language (0: English) */
	int nchallenge;            /* --challenge; 0: Basic only */
	enum lab_scheme challenge[LAB_MAX_CHALLENGES];
	char *password;            /* Basic auth secret (wiped on release) */
	X509 *root;
	EVP_PKEY *root_key;
	char *root_pem;            /* PEM text of the root */
	char *server_pem;          /* PEM text of the HTTPS certificate */
	char *server_key_pem;      /* PEM text of its key (secret) */
	size_t server_key_len;
	char *admin_sha256;        /* SHA-256 (upper hex) of admin/admin.pem */
	struct lab_crl_cache *crl; /* the served CRL (lab_crl.c), or NULL */
	int dir_refused;           /* DIR failed lab_dir_check: no lab.log */
	volatile sig_atomic_t *stopping;  /* set when shutting down, or NULL */
};

void lab_ctx_release(struct lab_ctx *c);

/* Paths inside the lab directory (malloc'd). */
char *lab_path(const struct lab_ctx *c, const char *name);

/* Log a line to stderr and DIR/lab.log (timestamped); what the format
 * makes is escaped first (text_escape_log: control bytes and non-ASCII
 * as \xHH, a backslash doubled), so a request cannot forge or colour a
 * line. */
void lab_log(const struct lab_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- PKI (lab_pki.c: the CA's material, lab_issue.c: what it issues) -- */
/*
 * Load the CA material from DIR, creating what is missing when create is
 * set (root RSA 3072, server certificate, administrator certificate,
 * password files).  Runs lab_dir_check first.  0 / -1.
 */
int lab_pki_init(struct lab_ctx *c, int create, char *err, size_t errlen);
/* DIR, DIR/ca and (when present) DIR/admin pass privdir_check: owned by
 * us or root, writable by nobody else, nor any directory on the way to
 * them.  0, or -1 naming the path, its owner and mode and the fix. */
int lab_dir_check(const struct lab_ctx *c, char *err, size_t errlen);

enum lab_profile { LAB_PROFILE_OPSMGR, LAB_PROFILE_WEBSERVER };

/* Parse a CSR as AD CS accepts it (PEM, any BEGIN label, or bare base64);
 * checks the signature.  NULL with err on failure. */
X509_REQ *lab_parse_csr(const char *text, size_t len, char *err,
			size_t errlen);
/* Issue a certificate for req (caller frees with X509_free). */
X509 *lab_issue(const struct lab_ctx *c, X509_REQ *req, enum lab_profile p,
		const char *cdp_url, char *err, size_t errlen);
/* DER of a CRL listing the revoked requests of the state (malloc'd). */
struct lab_state;
int lab_make_crl(const struct lab_ctx *c, const struct lab_state *st,
		 unsigned char **der, size_t *len, char *err, size_t errlen);
/* The CRL to serve (lab_crl.c): lab_make_crl's, signed again only when
 * the revocations of st differ from the cached one's in c->crl (or it is
 * a day old; without c->crl every call signs); *der is a malloc'd copy.
 * 0 / -1. */
struct lab_crl_cache;
int lab_crl_der(const struct lab_ctx *c, const struct lab_state *st,
		unsigned char **der, size_t *len, char *err, size_t errlen);
/* How many times the cache signed a CRL (tests). */
unsigned long lab_crl_signed(const struct lab_ctx *c);
struct lab_crl_cache *lab_crl_cache_new(void);   /* NULL: no memory */
void lab_crl_cache_free(struct lab_crl_cache *k);
/* PKCS#7 certs-only DER of certs (x may be NULL) + root (malloc'd). */
int lab_make_p7b(const struct lab_ctx *c, X509 *x, unsigned char **der,
		 size_t *len);
/* "-----BEGIN label-----\r\n" base64 (64 cols, CRLF) "-----END ...". */
char *lab_pem_crlf(const char *label, const unsigned char *der, size_t len,
		   size_t *outlen);
/* Upper-case hex of the serial's DER content bytes (a leading 00 kept,
 * as Windows prints it), computed by the lab itself (lab_issue.c). */
char *lab_serial_hex(const X509 *x);
/* First CN of a name, sanitised (printable ASCII), or "" (malloc'd). */
char *lab_name_cn(const X509_NAME *n);
/* SHA-256 of the root / of a certificate as upper hex (malloc'd). */
char *lab_root_sha256(const struct lab_ctx *c);
char *lab_cert_sha256(const X509 *x);
/* The CRL distribution point URL for the lab CA listening on port. */
char *lab_cdp_url(int ca_port);

/* Helpers lab_pki.c shares with lab_issue.c and lab_ca.c. */
struct lab_ext {
	int nid;                   /* 0 ends a list */
	const char *value;         /* X509V3 configuration text */
};
/* Add every extension of the list e (issuer gives the key identifier). */
int lab_add_exts(X509 *issuer, X509 *subject, const struct lab_ext *e);
/* New v3 certificate with a random positive serial, valid from 10 minutes
 * ago for days (unsigned; caller frees with X509_free). */
X509 *lab_new_cert(X509_NAME *subject, X509_NAME *issuer, EVP_PKEY *pub,
		   long days);
enum lab_pem { LAB_PEM_CERT, LAB_PEM_KEY, LAB_PEM_CSR, LAB_PEM_CERT_PRIVATE };
/* Write obj (X509, EVP_PKEY or X509_REQ by kind) as PEM to path
 * atomically: certificates 0644, keys, requests and private certificates
 * 0600.  0 / -1. */
int lab_write_pem(const char *path, enum lab_pem kind, const void *obj,
		  char *err, size_t errlen);
/* DIR/requests/<id>.<ext> (malloc'd). */
char *lab_request_file(const struct lab_ctx *c, long id, const char *ext);
/* A text file of at most 1 MiB (malloc'd, NUL terminated). */
char *lab_read_text(const char *path, size_t *len, char *err, size_t errlen);
/* err = "<what>: <OpenSSL's last error>"; clears OpenSSL's queue. */
void lab_ossl_err(char *err, size_t errlen, const char *what);

/* ---- persisted state (lab_store.c) ----------------------------------- */
enum lab_req_state { REQ_PENDING, REQ_ISSUED, REQ_DENIED, REQ_REVOKED };
enum lab_deny_kind { DENY_NONE, DENY_TEMPLATE, DENY_ADMIN, DENY_NO_TEMPLATE };
enum lab_agent_state { AGENT_PENDING, AGENT_APPROVED, AGENT_REJECTED };

struct lab_request {
	long id;
	enum lab_req_state state;
	enum lab_deny_kind deny;
	long long submitted;
	long long revoked_at;       /* 0 = not revoked */
	char serial[LAB_SERIAL_MAX];/* "-" until issued */
	char templ[LAB_TEMPLATE_MAX + 1];
	char cn[LAB_CN_MAX + 1];
};

struct lab_agent {
	enum lab_agent_state state;
	long long first_seen;
	char serial[LAB_SERIAL_MAX];
	char fqdn[LAB_CN_MAX + 1];
};

struct lab_state {
	long next_id;
	struct lab_request *req;
	size_t nreq;
	struct lab_agent *ag;
	size_t nag;
};

void lab_state_unlock(int fd);
/* Lock, then load: the locked fd with st filled, or -1 (nothing held). */
int lab_state_open(const char *dir, struct lab_state *st, char *err,
		   size_t errlen);
/* Strict request ID "1".."999999999"; -1 for anything else. */
long lab_parse_id(const char *s);
/* Read DIR/state (missing = empty state, next_id 1).  0 / -1. */
int lab_state_load(const char *dir, struct lab_state *st, char *err,
		   size_t errlen);
/* Write DIR/state atomically.  0 / -1. */
int lab_state_save(const char *dir, const struct lab_state *st, char *err,
		   size_t errlen);
void lab_state_release(struct lab_state *st);
struct lab_request *lab_state_find_req(struct lab_state *st, long id);
struct lab_agent *lab_state_find_agent(struct lab_state *st,
				       const char *fqdn);
/* Append (copied); returns the stored element or NULL (no memory). */
struct lab_request *lab_state_add_req(struct lab_state *st,
				      const struct lab_request *r);
struct lab_agent *lab_state_add_agent(struct lab_state *st,
				      const struct lab_agent *a);
/* Copy s into dst (cap bytes incl. NUL) keeping printable ASCII; when
 * nospace, blanks become '_'; empty becomes "-". */
void lab_sanitise(char *dst, size_t cap, const char *s, int nospace);

const char *lab_req_state_name(enum lab_req_state s);
const char *lab_agent_state_name(enum lab_agent_state s);

/* Issue request id from its stored CSR (approve); state updated by the
 * caller.  Writes requests/N.pem.  0 / -1. */
int lab_issue_stored(const struct lab_ctx *c, struct lab_request *r,
		     const char *cdp_url, char *err, size_t errlen);

/* ---- socket-free HTTP handling (lab_ca.c, lab_ms.c) ------------------ */
struct lab_kv {
	char *key;
	char *val;
	size_t vlen;
};

struct lab_kvs {
	struct lab_kv *v;
	size_t n;
	size_t total;              /* bytes held, capped by LAB_BODY_CAP */
};

/* Append data to key (a new entry unless append and the last entry has
 * the same key).  -1 when over the caps. */
int lab_kvs_add(struct lab_kvs *k, const char *key, const char *data,
		size_t len, int append);
const char *lab_kvs_get(const struct lab_kvs *k, const char *key);
/* Parse an application/x-www-form-urlencoded text (a query string or a
 * body: '&'-separated, '+' is a blank, %XX decoded; bad escapes kept
 * literally) into k, for callers without an MHD connection (fuzzers,
 * tests).  -1 when over the caps (what fitted is kept). */
int lab_kvs_parse_urlencoded(struct lab_kvs *k, const char *text,
			     size_t len);
void lab_kvs_release(struct lab_kvs *k);

struct lab_http_req {
	const char *method;         /* "GET", "POST", ... */
	const char *path;           /* decoded path, no query */
	const struct lab_kvs *query;
	const struct lab_kvs *form; /* urlencoded body fields */
	const char *user;           /* Basic auth, NULL when absent */
	const char *pass;
	/* management server: verified peer certificate or NULL */
	const char *peer_cn;
	const char *peer_serial;
	const char *peer_sha256;    /* its SHA-256, upper hex */
};

struct lab_resp {
	unsigned status;
	const char *ctype;          /* static string */
	unsigned char *body;        /* malloc'd */
	size_t len;
	int auth_challenge;         /* send the WWW-Authenticate headers */
	int close;                  /* close the connection afterwards */
	int chunked;                /* send the body chunked (no length) */
};

void lab_resp_release(struct lab_resp *r);
/* Set r to a copy of text (or a formatted string). 0 / -1. */
int lab_resp_text(struct lab_resp *r, unsigned status, const char *ctype,
		  const char *text);
int lab_resp_take(struct lab_resp *r, unsigned status, const char *ctype,
		  unsigned char *body, size_t len);

/* The CA's pages (/certsrv/...).  Always fills r; never fails. */
void lab_ca_handle(const struct lab_ctx *c, const struct lab_http_req *q,
		   struct lab_resp *r);
/* The management server (/opsmgr/v1/...). */
void lab_ms_handle(const struct lab_ctx *c, const struct lab_http_req *q,
		   struct lab_resp *r);

/* ---- pages (lab_pages.c); all malloc'd HTML, in the language of t --- */
char *lab_page_home(const struct lab_texts *t);
char *lab_page_unauthorized(const struct lab_texts *t);
char *lab_page_not_found(const struct lab_texts *t);
char *lab_page_certcarc(const struct lab_texts *t, int renewals);
char *lab_page_certrqxt(const struct lab_texts *t);
char *lab_page_issued(const struct lab_texts *t, long id);
/* chkpnd: the answer to Mode=chkpnd ("still pending") */
char *lab_page_pending(const struct lab_texts *t, long id, int chkpnd);
/* Denied/error answer to a submission: disposition message text and the
 * LastStatus line; id <= 0 when the request got none. */
char *lab_page_denied(const struct lab_texts *t, long id, const char *title,
		      const char *disposition, const char *last_status);
/* certnew.cer error page (advanced-info layout): the numeric disposition
 * (CR_DISP_*: 2 denied, 5 under submission; -1 never set, for a request
 * that could not be read, whose LastStatus is then also the Result). */
char *lab_page_advanced(const struct lab_texts *t, long disp_code,
			const char *disposition, const char *last_status);

/* Disposition message and LastStatus line of a stored request, and the
 * disposition of a CSR the CA cannot use (unreadable, or its signature
 * does not verify), into out (cut to len). */
void lab_disposition(const struct lab_texts *t, const struct lab_request *r,
		     char *out, size_t len);
void lab_last_status(const struct lab_texts *t, const struct lab_request *r,
		     char *out, size_t len);
void lab_csr_disposition(const struct lab_texts *t, int bad_signature,
			 char *out, size_t len);

/* ---- files the lab writes (lab_files.c) ------------------------------- */
int lab_write_ini_files(const struct lab_ctx *c, char *err, size_t errlen);
void lab_remove_ini(const struct lab_ctx *c);

/* ---- MHD glue (lab_http.c) -------------------------------------------- */
struct lab_server;
/* Start both listeners on 127.0.0.1 (ports 0 = ephemeral; fills
 * c->ca_port / c->ms_port).  NULL with err on failure. */
struct lab_server *lab_server_start(struct lab_ctx *c, char *err,
				    size_t errlen);
void lab_server_stop(struct lab_server *s);

/* ---- the administrator's client (lab_admin.c) ------------------------ */
/* Port key ("ca_port", "ms_port") of the lab serving from dir, from its
 * lab.ini; -1 when there is none. */
int lab_ini_port(const char *dir, const char *key);
/* The running lab's --validity in seconds (lab.ini "validity_seconds"),
 * so that `approve` issues what the lab would; 0 when none is set. */
long long lab_ini_validity(const char *dir);
/* One request to the running lab's management server with the
 * administrator certificate (form: a POST body or NULL): 0 with *status
 * and *body (malloc'd, caller frees), 1 when no lab serves from dir (no
 * lab.ini, or nothing listens on its port), -1 with err. */
int lab_admin_request(const char *dir, const char *method, const char *path,
		      const char *form, unsigned *status, char **body,
		      char *err, size_t errlen);

/* ---- commands (lab_cli.c) --------------------------------------------- */
/* approve|deny|revoke|list; prints results; returns the exit code. */
int lab_cli_main(int argc, char **argv);

#endif
