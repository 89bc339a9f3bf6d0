/*
 * serial_int.h - what the files of stage 6 (serial.c, the stage;
 * serial_check.c, its checks; serial_bundle.c, the Windows bundle) share;
 * other callers use serial.h.
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

/* What the Windows bundle is made from (borrowed). */
struct serial_bundle_in {
	const struct state *st;     /* root_path, chain_path, pfx_path */
	struct serial_result *res;  /* serial, thumbprint in; bundle_* out */
	const char *dir;            /* [agent] bundle_dir or the state dir */
	const char *fqdn;
	bool server_role;
	const char *mgmt_group, *server;   /* the agent configuration's */
	int port;
	const char *old_serial;     /* renewal: the replaced serial; NULL */
	const char *push_command;   /* [agent] push_command; NULL: none */
	int timeout_s;              /* [agent] command_timeout */
};

/*
 * Write the bundle for leaf (windows/bundle.h) and run push_command.
 * Fills res->bundle_dir, bundle_zip, bundle_files, bundle_todo.  Every
 * outcome is a diagnostic under DIAG_SERIAL_BUNDLE / DIAG_SERIAL_PUSH.
 * ST_OK / ST_FAIL / ST_CANCELLED (the push was cancelled).
 */
enum status serial_bundle_run(const struct serial_bundle_in *bi, X509 *leaf,
			      const struct hooks *h, struct diag_list *dl);

#endif
