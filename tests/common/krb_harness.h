/*
 * krb_harness.h - a real server in front of the lab for a test: a
 * throwaway MIT Kerberos realm (krb5kdc on a loopback port) and Apache
 * (mod_auth_gssapi for Negotiate, mod_auth_basic, mod_proxy to the lab's
 * /certsrv/) on another loopback port.  Every file is in
 * $OPSMGR_BUILD_DIR/krb-XXXXXX; nothing in /etc is read or written (the
 * environment points Kerberos at the realm's files).  Needs the Debian
 * packages krb5-kdc, krb5-admin-server, krb5-user, apache2 and
 * libapache2-mod-auth-gssapi (scripts/deps.sh).
 *
 * Ownership: krb_realm_stop() and apache_stop() stop the daemons, remove
 * their files and free the structs' strings; both may be called on a
 * zeroed or half-started struct.  Passwords never reach an argv: kinit,
 * kadmin.local, kdb5_util and htpasswd read them on stdin.
 */
#ifndef OPSMGR_KRB_HARNESS_H
#define OPSMGR_KRB_HARNESS_H

#include <sys/types.h>

#include "lab_harness.h"

#define KRB_REALM "OPSMGR.TEST"
/* A second realm of the same KDC, with no trust to KRB_REALM: a ticket
 * of it cannot reach HTTP/localhost@KRB_REALM. */
#define KRB_OTHER_REALM "OTHER.TEST"
#define KRB_USER "alice"          /* alice@KRB_REALM */
#define KRB_OTHER_USER "bob"      /* bob@KRB_OTHER_REALM */

struct krb_realm {
	char *dir;            /* absolute: <build>/krb-XXXXXX */
	int kdc_port;         /* TCP and UDP, 127.0.0.1 */
	pid_t kdc_pid;
	char *krb5_conf;      /* KRB5_CONFIG while started */
	char *kdc_conf;       /* KRB5_KDC_PROFILE */
	char *ccache;         /* KRB5CCNAME: "FILE:<dir>/ccache" */
	char *keytab;         /* HTTP/localhost@KRB_REALM */
	char password[40];    /* alice's and bob's (random) */
};

/*
 * Create both realms (databases, alice, bob, HTTP/localhost and its
 * keytab) and start krb5kdc -n on a free loopback port; then set
 * KRB5_CONFIG, KRB5_KDC_PROFILE and KRB5CCNAME (no ticket yet) in this
 * process's environment.  0, or -1 with the reason on stderr.
 */
int krb_realm_start(struct krb_realm *k);
/* Stop the KDC, remove the directory, unset the variables. */
void krb_realm_stop(struct krb_realm *k);
/* kinit principal ("alice@OPSMGR.TEST") with k->password on stdin: 0/-1. */
int krb_kinit(const struct krb_realm *k, const char *principal);
/* The same for a ticket of the given lifetime (kinit -l, e.g. "2s"). */
int krb_kinit_for(const struct krb_realm *k, const char *principal,
		  const char *lifetime);
/* kdestroy: the cache is gone (no ticket).  0/-1. */
int krb_kdestroy(const struct krb_realm *k);

struct apache {
	pid_t pid;
	char *dir;            /* <realm dir>/apache */
	int port;             /* 127.0.0.1, https with the lab's server
				 certificate (DNS:localhost, the lab root) */
	char *negotiate_url;  /* https://localhost:PORT/certsrv/ */
	char *basic_url;      /* https://localhost:PORT/basic/certsrv/ */
	char *basic_user;     /* Apache's own htpasswd user */
	char *basic_password_file;
	char basic_password[40];
};

/*
 * Start /usr/sbin/apache2 -DFOREGROUND with its own configuration: the
 * Negotiate location (GssapiCredStore keytab, Basic against Kerberos
 * offered after Negotiate) and the Basic location (htpasswd; its pages
 * chunked by mod_substitute), both proxying to l's /certsrv/ with the
 * lab's own credentials added.  As root the workers run as www-data and
 * the files they read are made readable to its group.  0 / -1.
 */
int apache_start(struct apache *a, const struct krb_realm *k,
		 const struct lab *l);
void apache_stop(struct apache *a);

#endif
