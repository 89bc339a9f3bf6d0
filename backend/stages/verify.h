/*
 * verify.h - stage 3, verify (product.md s.2.3 and s.4 "check report"):
 * the certificate checklist Operations Manager depends on, usable on any
 * certificate/key/PFX (the `check` command) and by stage_verify_run()
 * (stages.h) on the files stage 2 produced.
 *
 * Every run appends exactly one diagnostic per check, in this order, with
 * stage "verify" and these IDs (PASS, WARN, FAIL or SKIP):
 *   parse          the certificate (and key/PFX) can be read; else FAIL
 *                  naming the formats tried, and every other check SKIPs
 *   key_match      private key present and matching the certificate (20068)
 *   subject_name   CN == FQDN (case-insensitive) PASS; == its first label
 *                  only WARN; otherwise FAIL
 *   san            no SAN: PASS; SAN without the FQDN: FAIL; FQDN present
 *                  but not first: WARN
 *   eku            Server and Client Authentication both present (20050)
 *   key_usage      absent: PASS; present without digitalSignature or
 *                  keyEncipherment: FAIL
 *   key_type       non-RSA FAIL (20069); RSA < 1024 FAIL, < 2048 WARN
 *   validity       outside notBefore..notAfter FAIL
 *   expiry         expires within 30 days WARN
 *   chain          builds to a root in the trust store (hash directory,
 *                  plus ca_file); no chain FAIL (20072)
 *   signature_hash MD5/SHA-1 on the certificate or an intermediate WARN
 *   revocation     fetch the leaf's CRL distribution points: revoked FAIL,
 *                  unreachable/stale/unverifiable WARN, no CDP or
 *                  skip_revocation SKIP
 * Messages name the certificate and the values found; fixes say what to
 * do; events come from diag.h's table.
 *
 * The stage keeps its checklist in the diagnostics list only (no
 * ctx->out[STAGE_VERIFY]): screens filter dl by stage STAGE_VERIFY.
 * stage_verify_run reads st->cert_path, st->key_path, st->chain_path,
 * ctx_fqdn() and ctx_trust_store(); FAIL -> ST_FAIL; WARN without
 * ctx->confirm_warnings -> ST_NEED_CONFIRM; else ST_OK.
 *
 * Owner: backend/stages/verify.c (inputs, order, the stage); the rules it
 * runs are pki/certrules.h, chain and revocation stages/verify_chain.h.
 * Ownership: everything in struct verify_input is borrowed.
 */
#ifndef OPSMGR_VERIFY_H
#define OPSMGR_VERIFY_H

#include <stdbool.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/diag.h"
#include "core/hooks.h"
#include "core/secret.h"
#include "stages/verify_input.h"
#include "core/status.h"

/*
 * Run the checklist on files.  Returns ST_FAIL when a check failed,
 * ST_NEED_CONFIRM when the worst is a warning, ST_CANCELLED when hooks
 * said so (the checks done so far stay in dl), else ST_OK.
 */
enum status verify_certificate(const struct verify_input *in,
			       const struct hooks *h, struct diag_list *dl);

/*
 * The same on certificates already in memory (e.g. a re-read PFX): leaf,
 * its key (NULL: key_match fails), and extra untrusted certificates
 * (NULL allowed).  File fields of `in` are ignored.  Nothing is freed.
 */
enum status verify_x509(X509 *leaf, EVP_PKEY *key, STACK_OF(X509) *extra,
			const struct verify_input *in, const struct hooks *h,
			struct diag_list *dl);

#endif
