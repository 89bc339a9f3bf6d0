/*
 * krb_ticket.c - the Kerberos credential cache read for Negotiate's
 * diagnostics (krb_ticket.h): libkrb5.so.3 loaded once per process
 * (pthread_once), the default cache's principal and ticket-granting
 * ticket, the realm krb5.conf gives the CA's host, and the one sentence
 * that explains a refused Negotiate ("no Kerberos ticket: run kinit
 * USER@REALM", an expired ticket, a ticket of another realm).
 */
#include "sys/krb_ticket.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <krb5.h>

#include "core/errbuf.h"

_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
	       "function pointers must be the size of void *");

/* The functions used, resolved from libkrb5.so.3. */
struct krb_fns {
	krb5_error_code (*init_context)(krb5_context *);
	void (*free_context)(krb5_context);
	krb5_error_code (*cc_default)(krb5_context, krb5_ccache *);
	krb5_error_code (*cc_close)(krb5_context, krb5_ccache);
	const char *(*cc_get_name)(krb5_context, krb5_ccache);
	const char *(*cc_get_type)(krb5_context, krb5_ccache);
	krb5_error_code (*cc_get_principal)(krb5_context, krb5_ccache,
					    krb5_principal *);
	krb5_error_code (*cc_start_seq_get)(krb5_context, krb5_ccache,
					    krb5_cc_cursor *);
	krb5_error_code (*cc_next_cred)(krb5_context, krb5_ccache,
					krb5_cc_cursor *, krb5_creds *);
	krb5_error_code (*cc_end_seq_get)(krb5_context, krb5_ccache,
					  krb5_cc_cursor *);
	void (*free_cred_contents)(krb5_context, krb5_creds *);
	krb5_error_code (*unparse_name)(krb5_context, krb5_const_principal,
					char **);
	void (*free_unparsed_name)(krb5_context, char *);
	void (*free_principal)(krb5_context, krb5_principal);
	krb5_boolean (*is_config_principal)(krb5_context,
					    krb5_const_principal);
	krb5_error_code (*get_host_realm)(krb5_context, const char *, char ***);
	krb5_error_code (*free_host_realm)(krb5_context, char *const *);
	krb5_error_code (*get_default_realm)(krb5_context, char **);
	void (*free_default_realm)(krb5_context, char *);
	const char *(*get_error_message)(krb5_context, krb5_error_code);
	void (*free_error_message)(krb5_context, const char *);
};

#define SYM(name) { "krb5_" #name, offsetof(struct krb_fns, name) }
static const struct {
	const char *name;
	size_t off;
} k_syms[] = {
	SYM(init_context), SYM(free_context), SYM(cc_default), SYM(cc_close),
	SYM(cc_get_name), SYM(cc_get_type), SYM(cc_get_principal),
	SYM(cc_start_seq_get), SYM(cc_next_cred), SYM(cc_end_seq_get),
	SYM(free_cred_contents), SYM(unparse_name), SYM(free_unparsed_name),
	SYM(free_principal), SYM(is_config_principal), SYM(get_host_realm),
	SYM(free_host_realm), SYM(get_default_realm), SYM(free_default_realm),
	SYM(get_error_message), SYM(free_error_message),
};

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static struct krb_fns g_fns;
static int g_ok;
static char g_err[512];

static void load_once(void)
{
	struct krb_fns t;
	const char *why;

	dlerror();
	void *h = dlopen(KRB_DL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		why = dlerror();
		snprintf(g_err, sizeof(g_err),
			 "cannot load the Kerberos library '%s' (%s); install "
			 "it with 'apt-get install libkrb5-3'",
			 KRB_DL_SONAME, why ? why : "no reason given");
		return;
	}
	for (size_t i = 0; i < sizeof(k_syms) / sizeof(k_syms[0]); i++) {
		void *p = dlsym(h, k_syms[i].name);
		if (!p) {
			snprintf(g_err, sizeof(g_err),
				 "the library '%s' has no function '%s': it is "
				 "not MIT Kerberos 1.x; install 'libkrb5-3'",
				 KRB_DL_SONAME, k_syms[i].name);
			dlclose(h);
			return;
		}
		memcpy((char *)&t + k_syms[i].off, &p, sizeof(p));
	}
	g_fns = t;
	g_ok = 1;
}

static const struct krb_fns *krb_dl(char *err, size_t errlen)
{
	pthread_once(&g_once, load_once);
	if (!g_ok) {
		errbuf_printf(err, errlen, "%s", g_err);
		return NULL;
	}
	return &g_fns;
}

/* Kerberos's message for code into out. */
static void krb_words(const struct krb_fns *f, krb5_context kc,
		      krb5_error_code code, char *out, size_t outlen)
{
	const char *m = f->get_error_message(kc, code);
	snprintf(out, outlen, "%s", m ? m : "unknown Kerberos error");
	if (m)
		f->free_error_message(kc, m);
}

/* The realm krb5.conf gives host: [domain_realm], else default_realm. */
static void host_realm(const struct krb_fns *f, krb5_context kc,
		       const char *host, char *out, size_t outlen)
{
	char **realms = NULL, *def = NULL;
	out[0] = '\0';
	if (host && *host && f->get_host_realm(kc, host, &realms) == 0 &&
	    realms) {
		/* "" is the referral realm: no mapping, the KDC would say */
		if (realms[0] && realms[0][0])
			snprintf(out, outlen, "%s", realms[0]);
		f->free_host_realm(kc, realms);
	}
	if (!out[0] && f->get_default_realm(kc, &def) == 0 && def) {
		snprintf(out, outlen, "%s", def);
		f->free_default_realm(kc, def);
	}
}

/* The cache's ticket-granting ticket for the principal's realm. */
static void find_tgt(const struct krb_fns *f, krb5_context kc,
		     krb5_ccache cc, struct krb_ticket *t)
{
	char want[600];
	krb5_cc_cursor cur;
	krb5_creds cr;

	snprintf(want, sizeof(want), "krbtgt/%s@%s", t->realm, t->realm);
	if (f->cc_start_seq_get(kc, cc, &cur) != 0)
		return;
	while (f->cc_next_cred(kc, cc, &cur, &cr) == 0) {
		char *name = NULL;
		if (!f->is_config_principal(kc, cr.server) &&
		    f->unparse_name(kc, cr.server, &name) == 0 && name) {
			if (strcmp(name, want) == 0) {
				/* krb5_timestamp is unsigned on the wire (y2038) */
				time_t end = (time_t)(uint32_t)cr.times.endtime;
				if (!t->has_tgt || end > t->expires)
					t->expires = end;
				t->has_tgt = true;
			}
			f->free_unparsed_name(kc, name);
		}
		f->free_cred_contents(kc, &cr);
	}
	f->cc_end_seq_get(kc, cc, &cur);
	t->expired = t->has_tgt && t->expires <= time(NULL);
}

/* The default cache: its name, owner and TGT into t. */
static void read_cache(const struct krb_fns *f, krb5_context kc,
		       struct krb_ticket *t)
{
	krb5_ccache cc = NULL;
	krb5_principal p = NULL;
	krb5_error_code rc = f->cc_default(kc, &cc);
	if (rc != 0) {
		krb_words(f, kc, rc, t->why, sizeof(t->why));
		return;
	}
	snprintf(t->ccache, sizeof(t->ccache), "%s:%s", f->cc_get_type(kc, cc),
		 f->cc_get_name(kc, cc));
	rc = f->cc_get_principal(kc, cc, &p);
	if (rc != 0) {
		krb_words(f, kc, rc, t->why, sizeof(t->why));
	} else {
		char *name = NULL;
		if (f->unparse_name(kc, p, &name) == 0 && name) {
			snprintf(t->principal, sizeof(t->principal), "%s", name);
			f->free_unparsed_name(kc, name);
		}
		snprintf(t->realm, sizeof(t->realm), "%.*s",
			 (int)p->realm.length, p->realm.data);
		t->has_principal = true;
		f->free_principal(kc, p);
		find_tgt(f, kc, cc, t);
	}
	f->cc_close(kc, cc);
}

int krb_ticket_inspect(const char *host, struct krb_ticket *t, char *err,
		       size_t errlen)
{
	const struct krb_fns *f = krb_dl(err, errlen);
	krb5_context kc = NULL;

	memset(t, 0, sizeof(*t));
	if (!f)
		return -1;
	krb5_error_code rc = f->init_context(&kc);
	if (rc != 0) {
		char w[400];
		krb_words(f, NULL, rc, w, sizeof(w));
		errbuf_printf(err, errlen,
			      "Kerberos cannot start (%s); check krb5.conf "
			      "(KRB5_CONFIG names another file)", w);
		return -1;
	}
	read_cache(f, kc, t);
	host_realm(f, kc, host, t->host_realm, sizeof(t->host_realm));
	f->free_context(kc);
	return 0;
}

/* The user part of ca.user ("alice", "alice@REALM", "DOMAIN\alice"). */
static void user_part(const char *user, char *out, size_t outlen)
{
	const char *u = user && *user ? user : "USER";
	const char *bs = strrchr(u, '\\');
	if (bs && bs[1])
		u = bs + 1;
	size_t n = strcspn(u, "@");
	snprintf(out, outlen, "%.*s", (int)(n ? n : 4), n ? u : "USER");
}

enum krb_verdict krb_explain(const char *host, const char *user, char *msg,
			     size_t msglen, char *fix, size_t fixlen)
{
	struct krb_ticket t;
	char err[512], who[128], kinit[512], when[64];
	if (krb_ticket_inspect(host, &t, err, sizeof(err)) != 0) {
		errbuf_printf(msg, msglen, "cannot look at the Kerberos ticket: %s",
			      err);
		errbuf_printf(fix, fixlen, "run 'klist' to see the ticket; "
			      "'kinit USER@REALM' gets one");
		return KRB_UNKNOWN;
	}
	user_part(user, who, sizeof(who));
	const char *realm = t.host_realm[0] ? t.host_realm : "REALM";
	snprintf(kinit, sizeof(kinit), "kinit %s@%s", who, realm);
	if (!t.has_principal || !t.has_tgt) {
		errbuf_printf(msg, msglen,
			      "no Kerberos ticket: run %s (cache %s: %s)", kinit,
			      t.ccache[0] ? t.ccache : "(none)",
			      t.why[0] ? t.why
				       : "it holds no ticket-granting ticket");
		errbuf_printf(fix, fixlen,
			      "run '%s' as the user that runs opsmgr-enroll "
			      "(KRB5CCNAME names the cache), then run again",
			      kinit);
		return KRB_NO_TICKET;
	}
	struct tm tm;
	gmtime_r(&t.expires, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (t.expired) {
		snprintf(kinit, sizeof(kinit), "kinit %s", t.principal);
		errbuf_printf(msg, msglen,
			      "the Kerberos ticket of '%s' expired at %s: run %s",
			      t.principal, when, kinit);
		errbuf_printf(fix, fixlen, "run '%s', then run again", kinit);
		return KRB_EXPIRED;
	}
	if (t.host_realm[0] && strcmp(t.realm, t.host_realm) != 0) {
		errbuf_printf(msg, msglen,
			      "the Kerberos ticket in %s is for '%s' of realm "
			      "'%s', but the CA's host '%s' is in realm '%s': "
			      "run %s",
			      t.ccache, t.principal, t.realm, host ? host : "",
			      t.host_realm, kinit);
		errbuf_printf(fix, fixlen,
			      "run '%s' (a ticket of realm '%s' reaches realm "
			      "'%s' only through a trust between them)",
			      kinit, t.realm, t.host_realm);
		return KRB_WRONG_REALM;
	}
	errbuf_printf(msg, msglen,
		      "the CA refused the Kerberos ticket of '%s' (cache %s, "
		      "valid until %s)",
		      t.principal, t.ccache, when);
	errbuf_printf(fix, fixlen,
		      "ask the CA administrator whether '%s' may enroll and "
		      "whether the web server has the service principal "
		      "HTTP/%s in its keytab; 'kvno HTTP/%s' tests it",
		      t.principal, host ? host : "HOST", host ? host : "HOST");
	return KRB_TICKET_OK;
}
