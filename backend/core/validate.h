/*
 * validate.h - one rule per kind of value, written once and called by the
 * configuration loader, the screens' fields and the stages alike, so that
 * all three say the same thing about the same value.
 *
 * Each rule fills a struct verdict: a named severity (SEV_PASS, SEV_WARN or
 * SEV_FAIL), a message that names the value in quotes and says what is
 * wrong, and a fix.  Callers add their own context in front (the loader
 * prefixes the file and line) but never reword the message.
 *
 * The rules (product.md section 2 and 4, opsmgr-facts.md):
 *   host names   letters, digits and '-' in labels of 1..63 characters,
 *                no label starting or ending with '-', at most 253
 *                characters, the last label not all digits;
 *     computer   the name in the certificate: fully qualified, no
 *                trailing dot, not an IP address;
 *     server     the management server: an FQDN, a host name or an IP
 *                address; a single label other than "localhost" warns;
 *   management group  1..RULE_MGMT_GROUP_MAX characters, none of
 *                RULE_MGMT_GROUP_FORBIDDEN, no control character, no
 *                leading or trailing space;
 *   template     not empty, no control character; spaces warn (that is
 *                the display name, not the template name);
 *   friendly name  the PFX's, at most RULE_FRIENDLY_NAME_MAX characters
 *                (empty: stage 4 uses the computer's name);
 *   port         1..65535;
 *   key size     below 1024 refused, below 2048 warns, above
 *                RULE_KEY_BITS_MAX refused;
 *   URL          http:// or https://, a host, no white space, no user
 *                name or password, a port 1..65535 when given;
 *     plain http refused unless allowed ([ca] allow_insecure_http),
 *                then a warning;
 *     CA URL     also: must be set;
 *   pin          a SHA-256 fingerprint: 64 hex digits, colons allowed;
 *   command      an argv string cmdline_split accepts (cmdline.h);
 *   path         '~' is not expanded (a warning).
 *
 * Owner: backend/core/validate.c.  No allocation.
 */
#ifndef OPSMGR_VALIDATE_H
#define OPSMGR_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"

#define RULE_MGMT_GROUP_MAX 50   /* AddManagementGroup: 1..50 characters */
#define RULE_MGMT_GROUP_FORBIDDEN "()^~:;.!?\",'`@#%\\/*+=$|&[]<>{}"
#define RULE_HOST_MAX 253
#define RULE_FRIENDLY_NAME_MAX 64
#define RULE_KEY_BITS_MIN 1024   /* the floor Operations Manager accepts */
#define RULE_KEY_BITS_GOOD 2048  /* below: a warning */
#define RULE_KEY_BITS_MAX 16384  /* the largest key this tool makes */
#define RULE_PORT_MIN 1
#define RULE_PORT_MAX 65535
#define RULE_PIN_HEX 64

struct verdict {
	enum diag_severity sev;  /* SEV_PASS, SEV_WARN or SEV_FAIL */
	char msg[512];           /* "" on a pass */
	char fix[256];           /* "" when there is nothing to say */
};

enum diag_severity rule_computer_fqdn(const char *name, struct verdict *v);
enum diag_severity rule_server(const char *name, struct verdict *v);
enum diag_severity rule_mgmt_group(const char *name, struct verdict *v);
enum diag_severity rule_template(const char *name, struct verdict *v);
enum diag_severity rule_friendly_name(const char *name, struct verdict *v);
enum diag_severity rule_port(long port, struct verdict *v);
enum diag_severity rule_key_bits(long bits, struct verdict *v);
enum diag_severity rule_url(const char *url, struct verdict *v);
enum diag_severity rule_plain_http(const char *url, bool allow_http,
				   struct verdict *v);
enum diag_severity rule_ca_url(const char *url, bool allow_http,
			       struct verdict *v);
/* hex (may be NULL) receives the 64 upper-case digits on a pass. */
enum diag_severity rule_pin(const char *pin, char hex[RULE_PIN_HEX + 1],
			    struct verdict *v);
enum diag_severity rule_command(const char *cmd, struct verdict *v);
enum diag_severity rule_path(const char *path, struct verdict *v);

/* Fill v (printf-style message) and return sev; verdict_pass clears it. */
enum diag_severity verdict_set(struct verdict *v, enum diag_severity sev,
			       const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
enum diag_severity verdict_pass(struct verdict *v);

/* Add v as a diagnostic at field (nothing on a pass); the diagnostic or
 * NULL. */
struct diag *rule_diag(struct diag_list *dl, enum diag_check check,
		       const char *field, const struct verdict *v);

#endif
