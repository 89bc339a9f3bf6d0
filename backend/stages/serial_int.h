/*
 * serial_int.h - what the files of stage 6 (serial.c, the stage;
 * serial_install.c, the switch to the new pair; serial_check.c, its
 * checks) share; other callers use serial.h.
 *
 * Ownership: the X509 returned is the caller's (X509_free).
 */
#ifndef OPSMGR_SERIAL_INT_H
#define OPSMGR_SERIAL_INT_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "stages/serial.h"

struct agentconf;

#define FIELD_CONFIG "agent.config"

/* The refusal MOMCertImport gives when no agent is installed. */
void serial_not_configured(struct diag_list *dl, const char *path);
/* The first certificate in a PEM/DER file, or NULL with err. */
X509 *serial_load_first_cert(const char *path, char *err, size_t errlen);

/*
 * serial_install.c: install cert and key for the agent whose configuration
 * a was read from config_path, and record res's serial_hex,
 * serial_reversed and thumbprint in it; the configuration's atomic rewrite
 * is the switch from the pair in use to the new one (new names beside the
 * old pair when it holds another certificate), the old pair is removed
 * after it.  Sets res->cert_path and res->key_path (owned by res).
 * 0 / -1 with a diagnostic (the pair in use then stays in use).
 */
int serial_install(const char *config_path, struct agentconf *a, X509 *cert,
		   EVP_PKEY *key, struct serial_result *res,
		   struct diag_list *dl);

#endif
