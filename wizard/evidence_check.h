/*
 * evidence_check.h - `opsmgr-enroll check --evidence DIR|ZIP`: diagnoses a
 * Windows computer from the evidence collect.cmd wrote there
 * (windows/evidence_layout.h), elsewhere, with every check that applies:
 *   evidence_file              each file missing or malformed (one FAIL per
 *                              file, naming it and the line)
 *   serial/registry_serial     ChannelCertificateSerialNumber present (21022)
 *   serial/cert_in_store       the reversed registry serial (any length, a
 *                              leading 00 ignored) is a certificate in My;
 *                              else why: not reversed, truncated, deleted
 *                              (20066)
 *   serial/cert_hash           ChannelCertificateHash is its thumbprint
 *   serial/private_key         certutil shows its private key (20068)
 *   serial/key_provider        SChannel provider, KeySpec 1 AT_KEYEXCHANGE;
 *                              a CNG key or KeySpec 0/2 FAIL (20069)
 *   verify/...                 the verify checklist (pki/certrules.h) on its
 *                              .cer file against the computer's FQDN
 *   trust/root_store           its issuer (through the CA store) is in the
 *                              computer's Root store (20072)
 *   agent/config, agent/tcp    the management group, server and port
 *                              configured, and the TCP test's result
 *   agent/service              HealthService running, not disabled
 *   approval/event             each Operations Manager event found (its id,
 *                              count, last time, meaning, cause; the cause
 *                              confirmed, or the causes ruled out, by the
 *                              evidence checks core/events.h names for its
 *                              causes; fix from core/events.h)
 * The diagnostics are the same as `check`'s, so text and JSON render them
 * the same way (diag_print_text, diag_write_json).
 *
 * Owner: wizard/evidence_check.c (files, registry, key, service, agent),
 * evidence_check_cert.c (certificate), evidence_check_events.c (events).
 * Ownership: dl is the caller's.
 */
#ifndef OPSMGR_EVIDENCE_CHECK_H
#define OPSMGR_EVIDENCE_CHECK_H

#include "core/diag.h"

/*
 * Run every check on the evidence at path (a folder or a zip).  fqdn, when
 * not NULL, replaces the computer's FQDN found in the evidence.  Returns
 * 0 when nothing failed, 1 when a check failed, -1 when path is neither a
 * folder nor a zip (one evidence_file FAIL in dl says so).
 */
int evidence_check(const char *path, const char *fqdn, struct diag_list *dl);

#endif
