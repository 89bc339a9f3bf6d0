/*
 * serial_int.h - what the two files of stage 6 (serial.c, the stage;
 * serial_check.c, its checks) share; other callers use serial.h.
 *
 * Ownership: the X509 returned is the caller's (X509_free).
 */
#ifndef OPSMGR_SERIAL_INT_H
#define OPSMGR_SERIAL_INT_H

#include <stddef.h>

#include <openssl/x509.h>

#include "stages/serial.h"

#define FIELD_CONFIG "agent.config"

/* The refusal MOMCertImport gives when no agent is installed. */
void serial_not_configured(struct diag_list *dl, const char *path);
/* The first certificate in a PEM/DER file, or NULL with err. */
X509 *serial_load_first_cert(const char *path, char *err, size_t errlen);

#endif
