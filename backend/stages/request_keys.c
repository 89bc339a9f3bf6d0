/*
 * request_keys.c - stage 2's key and certificate request on disk: made
 * (key 0600, CSR) and recorded in the state before anything is sent, or -
 * once a request is sent - loaded back and never replaced.
 */
#include "stages/request_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "core/log.h"
#include "core/stage_table.h"
#include "pki/csr.h"
#include "pki/keygen.h"
#include "pki/x509util.h"
#include "core/fsutil.h"

/* The request's CN vs the FQDN in use: warn when they differ. */
void req_check_cn(struct run *r, const char *why)
{
	char *cn = csr_subject_cn(r->req);
	if (cn && strcasecmp(cn, r->fqdn) != 0)
		diag_set_fix(diag_add(r->dl, DIAG_REQ_FQDN, SEV_WARN,
				      "computer.fqdn", NULL,
				      "the request %s names '%s', but computer.fqdn is now '%s'",
				      why, cn, r->fqdn),
			     "to get a certificate for the new name, start over "
			     "(move the state aside); %s checks the name",
			     stage_ref(STAGE_VERIFY));
	free(cn);
}

/* Load the key and CSR a sent request belongs to; never replace them. */
enum status req_load_bound(struct run *r)
{
	char err[REQ_ERRLEN];
	long id = r->st->request_id;
	r->key = x509_load_key_file(r->key_path, err, sizeof(err));
	if (!r->key) {
		diag_add(r->dl, DIAG_REQ_KEYGEN, SEV_FAIL, NULL,
			 "restore the key file from a backup: a new key would not "
			 "match what the CA issues for this request; to start over "
			 "instead, move the state directory aside",
			 "the private key of the request already sent to the CA%s "
			 "cannot be read ('%s'): %s",
			 id > 0 ? "" : " (no ID yet)", r->key_path, err);
		return ST_FAIL;
	}
	r->req = csr_load_file(r->csr_path, err, sizeof(err));
	if (!r->req) {
		diag_add(r->dl, DIAG_REQ_CSR, SEV_FAIL, NULL,
			 "restore the request file from a backup, or start over "
			 "(move the state directory aside)",
			 "the certificate request already sent to the CA cannot be "
			 "read: %s", err);
		return ST_FAIL;
	}
	if (!csr_matches_key(r->req, r->key)) {
		diag_add(r->dl, DIAG_REQ_CSR, SEV_FAIL, NULL,
			 "restore the matching key and request files, or start over",
			 "'%s' does not belong to the key in '%s'", r->csr_path,
			 r->key_path);
		return ST_FAIL;
	}
	r->csr_pem = csr_to_pem(r->req);
	if (!r->csr_pem) {
		diag_add(r->dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory encoding the request");
		return ST_FAIL;
	}
	return ST_OK;
}

/* Move an unusable leftover file aside (never delete a key). */
static void move_aside(struct run *r, const char *path, const char *why)
{
	char np[4096];
	snprintf(np, sizeof(np), "%s.replaced-%ld", path, (long)time(NULL));
	if (rename(path, np) == 0)
		diag_add(r->dl, DIAG_REQ_KEYGEN, SEV_INFO, NULL, NULL,
			 "moved '%s' aside to '%s' (%s)", path, np, why);
}

/* Key and CSR for a request nothing has been sent with yet. */
enum status req_make_key_csr(struct run *r)
{
	char err[REQ_ERRLEN];
	int bits = key_bits(r->cfg);

	/* Never read or move a key through a link planted at its path: the
	 * request would be made for someone else's key. */
	struct stat ks;
	if (lstat(r->key_path, &ks) == 0 && !S_ISREG(ks.st_mode)) {
		diag_add(r->dl, DIAG_REQ_KEYGEN, SEV_FAIL, NULL,
			 "remove it; the wizard writes the key there itself",
			 "refusing the key path '%s': it is %s, not a regular file",
			 r->key_path,
			 S_ISLNK(ks.st_mode) ? "a symbolic link" : "a special file");
		return ST_FAIL;
	}
	if (fs_exists(r->key_path)) {
		EVP_PKEY *k = x509_load_key_file(r->key_path, err, sizeof(err));
		if (k && keygen_rsa_bits(k) == bits) {
			r->key = k;
			if (r->st->req_phase == REQ_NONE)
				diag_add(r->dl, DIAG_REQ_KEYGEN, SEV_INFO, NULL, NULL,
					 "reusing the %d-bit key already in '%s'",
					 bits, r->key_path);
		} else {
			char why[128];
			if (k)
				snprintf(why, sizeof(why),
					 "a %d-bit key, but key.bits is %d",
					 keygen_rsa_bits(k), bits);
			else
				snprintf(why, sizeof(why), "not a usable key");
			EVP_PKEY_free(k);
			move_aside(r, r->key_path, why);
		}
	}
	if (!r->key) {
		int was_cancelled = 0;
		if (hooks_cancelled(r->h))
			return req_cancelled(r, "before generating the key");
		r->key = keygen_rsa(bits, r->h, &was_cancelled, err, sizeof(err));
		if (!r->key) {
			if (was_cancelled)
				return req_cancelled(r, "while generating the key");
			diag_add(r->dl, DIAG_REQ_KEYGEN, SEV_FAIL, "key.bits",
				 "try again; if it persists, try key.bits = 2048",
				 "%s", err);
			return ST_FAIL;
		}
		if (keygen_write_key(r->key, r->key_path, err, sizeof(err)) < 0) {
			diag_add(r->dl, DIAG_REQ_KEYGEN, SEV_FAIL, NULL,
				 "make sure the state directory is writable",
				 "cannot write the private key: %s", err);
			return ST_FAIL;
		}
		diag_add(r->dl, DIAG_REQ_KEYGEN, SEV_PASS, NULL, NULL,
			 "generated a %d-bit RSA key in '%s' (mode 0600)", bits,
			 r->key_path);
		log_msg("request: generated a %d-bit key in %s", bits, r->key_path);
	}

	/* The CSR: reuse a matching one for the same name. */
	if (fs_exists(r->csr_path)) {
		X509_REQ *q = csr_load_file(r->csr_path, err, sizeof(err));
		char *cn = q ? csr_subject_cn(q) : NULL;
		if (q && cn && csr_matches_key(q, r->key) &&
		    strcasecmp(cn, r->fqdn) == 0)
			r->req = q;
		else
			X509_REQ_free(q);
		free(cn);
	}
	if (!r->req) {
		r->req = csr_build(r->key, r->fqdn, err, sizeof(err));
		if (!r->req) {
			diag_add(r->dl, DIAG_REQ_CSR, SEV_FAIL, "computer.fqdn", NULL,
				 "%s", err);
			return ST_FAIL;
		}
		r->csr_pem = csr_to_pem(r->req);
		if (!r->csr_pem ||
		    fs_write_atomic(r->csr_path, r->csr_pem, strlen(r->csr_pem),
				    0644, err, sizeof(err)) < 0) {
			diag_add(r->dl, DIAG_REQ_CSR, SEV_FAIL, NULL,
				 "make sure the state directory is writable",
				 "cannot write the certificate request: %s",
				 r->csr_pem ? err : "out of memory");
			return ST_FAIL;
		}
		diag_add(r->dl, DIAG_REQ_CSR, SEV_PASS, NULL, NULL,
			 "certificate request for CN=%s (SAN %s, server and client "
			 "authentication, SHA-256) in '%s'",
			 r->fqdn, r->fqdn, r->csr_path);
	} else {
		r->csr_pem = csr_to_pem(r->req);
		if (!r->csr_pem) {
			diag_add(r->dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
				 "out of memory encoding the request");
			return ST_FAIL;
		}
	}
	state_set_str(&r->st->key_path, r->key_path);
	state_set_str(&r->st->csr_path, r->csr_path);
	if (r->st->req_phase == REQ_NONE)
		req_set_phase(r, REQ_KEY_WRITTEN);
	if (req_record_inputs(r) < 0 ||
	    req_checkpoint(r, "using the new key") < 0)
		return ST_FAIL;
	return ST_OK;
}
