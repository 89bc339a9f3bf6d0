/*
 * hresult.c - the HRESULT table of hresult.h and its look-ups: every code
 * an AD CS web-enrollment page can show for a request, a retrieval or a
 * denial, with our cause and fix at the field concerned.
 *
 * Codes and names as Windows defines them (winerror.h), from Microsoft:
 *  - "CERTSRV Error Codes",
 *    https://learn.microsoft.com/en-us/previous-versions/aa911510(v=msdn.10)
 *    (0x80094001..0x80094004);
 *  - "COM Error Codes (Security and Setup)",
 *    https://learn.microsoft.com/en-us/windows/win32/com/com-error-codes-4
 *    (CERTSRV_E_*, CRYPT_E_*, NTE_*, TRUST_E_*);
 *  - "Certification Authority can't use a certificate template",
 *    https://learn.microsoft.com/en-us/troubleshoot/windows-server/certificates-and-public-key-infrastructure-pki/ca-cant-use-certificate-template
 *    (the web page's 'Denied by Policy Module 0x80094800' and
 *    "0x80094800 (-2146875392 CERTSRV_E_UNSUPPORTED_CERT_TYPE)");
 *  - "COM Error Codes (Generic)" / "System Error Codes" for E_ACCESSDENIED
 *    0x80070005 (WIN32 5 ERROR_ACCESS_DENIED), E_INVALIDARG 0x80070057,
 *    ERROR_INVALID_DATA 0x8007000D, RPC_S_SERVER_UNAVAILABLE 0x800706BA,
 *    https://learn.microsoft.com/en-us/windows/win32/com/com-error-codes-1
 * The web pages print a code as "0x80094800" followed by its decimal value
 * and name, e.g. "0x8009310b (ASN: 267 CRYPT_E_ASN1_BADTAG)".
 */
#include "adcs/hresult.h"
#include "core/text.h"

#include <string.h>

#define TPL_FIX "set ca.template to a template this CA issues, by its " \
	"name (not its display name), e.g. 'OpsMgr'; the CA administrator " \
	"publishes templates in the CA console (Certificate Templates > New " \
	"> Certificate Template to Issue)"
#define SUBJECT_FROM_AD "the template builds the certificate's subject from " \
	"Active Directory and the account that sent the request has no "
#define SUPPLY_FIX "use a template whose subject is supplied in the request " \
	"(the Operations Manager template: Subject Name > 'Supply in the " \
	"request'), or ask the CA administrator to change the template"
#define CSR_FIX "start over to make a new key and request (move the state " \
	"directory aside), or give the CA administrator this message"
#define ADMIN_FIX "tell the CA administrator (the message names the CA's " \
	"problem), then run this stage again"

static const struct hresult_info TABLE[] = {
	/* ---- the template (ca.template) ---------------------------------- */
	{ 0x80094800UL, "CERTSRV_E_UNSUPPORTED_CERT_TYPE", NULL,
	  CERTSRV_UNKNOWN_TEMPLATE, CERTSRV_UNKNOWN_TEMPLATE, "ca.template",
	  "this CA does not issue that certificate template: it is not "
	  "published on this CA, the name given is its display name, or the "
	  "CA cannot read the template in Active Directory", TPL_FIX },
	{ 0x80094801UL, "CERTSRV_E_NO_CERT_TYPE", NULL,
	  CERTSRV_UNKNOWN_TEMPLATE, CERTSRV_UNKNOWN_TEMPLATE, "ca.template",
	  "the request named no certificate template", TPL_FIX },
	{ 0x80094802UL, "CERTSRV_E_TEMPLATE_CONFLICT", NULL,
	  CERTSRV_UNKNOWN_TEMPLATE, CERTSRV_UNKNOWN_TEMPLATE, "ca.template",
	  "the request names conflicting certificate templates", TPL_FIX },
	{ 0x80094813UL, "CERTSRV_E_UNKNOWN_CERT_TYPE", NULL,
	  CERTSRV_UNKNOWN_TEMPLATE, CERTSRV_UNKNOWN_TEMPLATE, "ca.template",
	  "the CA cannot find the certificate template in Active Directory",
	  TPL_FIX },
	/* ---- the subject: the computer's name (computer.fqdn) ------------ */
	{ 0x80094001UL, "CERTSRV_E_BAD_REQUESTSUBJECT", NULL, CERTSRV_DENIED,
	  CERTSRV_DENIED, "computer.fqdn",
	  "the CA refused the request's subject name as invalid or too long",
	  "set computer.fqdn to the computer's full DNS name (letters, digits, "
	  "hyphens and dots, at most 64 characters), then run again" },
	{ 0x8009480FUL, "CERTSRV_E_SUBJECT_DNS_REQUIRED", NULL, CERTSRV_DENIED,
	  CERTSRV_DENIED, "computer.fqdn",
	  SUBJECT_FROM_AD "DNS name (a user account, not the computer's, sent "
	  "it)", SUPPLY_FIX "; computer.fqdn is the name the request carries" },
	{ 0x80094803UL, "CERTSRV_E_SUBJECT_ALT_NAME_REQUIRED", NULL,
	  CERTSRV_DENIED, CERTSRV_DENIED, "computer.fqdn",
	  "the template requires a subject alternative name the request does "
	  "not carry", "check computer.fqdn (the request's DNS name); if it "
	  "is right, " SUPPLY_FIX },
	{ 0x8009480DUL, "CERTSRV_E_SUBJECT_UPN_REQUIRED", NULL, CERTSRV_DENIED,
	  CERTSRV_DENIED, "ca.template",
	  SUBJECT_FROM_AD "user principal name", SUPPLY_FIX },
	{ 0x8009480EUL, "CERTSRV_E_SUBJECT_DIRECTORY_GUID_REQUIRED", NULL,
	  CERTSRV_DENIED, CERTSRV_DENIED, "ca.template",
	  SUBJECT_FROM_AD "directory GUID", SUPPLY_FIX },
	{ 0x80094812UL, "CERTSRV_E_SUBJECT_EMAIL_REQUIRED", NULL,
	  CERTSRV_DENIED, CERTSRV_DENIED, "ca.template",
	  SUBJECT_FROM_AD "e-mail address", SUPPLY_FIX },
	{ 0x80094806UL, "CERTSRV_E_BAD_RENEWAL_SUBJECT", NULL, CERTSRV_DENIED,
	  CERTSRV_DENIED, "computer.fqdn",
	  "the request is for a subject other than the account sending it",
	  "check computer.fqdn, or send the request as an account allowed to "
	  "enroll for other subjects (ca.user)" },
	/* ---- the key (key.bits) ------------------------------------------ */
	{ 0x80094811UL, "CERTSRV_E_KEY_LENGTH", NULL, CERTSRV_DENIED,
	  CERTSRV_DENIED, "key.bits",
	  "the key is shorter than the template's minimum key size",
	  "raise key.bits to the template's minimum (2048 or 4096), then run "
	  "again: a new key and request are made" },
	{ 0x80094016UL, "CERTSRV_E_WEAK_SIGNATURE_OR_KEY", NULL,
	  CERTSRV_DENIED, CERTSRV_DENIED, "key.bits",
	  "the CA refuses the request's key or signature as too weak",
	  "raise key.bits (2048 or more), then run again" },
	/* ---- who asks (ca.user) ------------------------------------------ */
	{ 0x80094012UL, "CERTSRV_E_TEMPLATE_DENIED", NULL, CERTSRV_DENIED,
	  CERTSRV_DENIED, "ca.user",
	  "the account that sent the request (ca.user) may not enroll for "
	  "this template",
	  "ask the CA administrator to give that account, or a group it is "
	  "in, Read and Enroll on the template (Security tab), or use an "
	  "account that has them" },
	{ 0x80094011UL, "CERTSRV_E_ENROLL_DENIED", NULL, CERTSRV_DENIED,
	  CERTSRV_DENIED, "ca.user",
	  "the CA's permissions do not let the account (ca.user) request "
	  "certificates",
	  "ask the CA administrator to allow 'Request Certificates' for that "
	  "account (CA properties > Security), or use another account" },
	{ 0x80070005UL, "E_ACCESSDENIED", "ERROR_ACCESS_DENIED",
	  CERTSRV_CA_ERROR, CERTSRV_CA_ERROR, "ca.user",
	  "access denied: the account (ca.user) may not use this CA, or the "
	  "web enrollment server cannot pass the account on to a CA on "
	  "another computer",
	  "check ca.user and ca.auth; the account needs Read and Request "
	  "Certificates on the CA; with the CA on another server the web "
	  "enrollment server must be trusted for delegation to it" },
	/* ---- a CA manager ------------------------------------------------ */
	{ 0x80094014UL, "CERTSRV_E_ADMIN_DENIED_REQUEST", NULL, CERTSRV_DENIED,
	  CERTSRV_DENIED, NULL,
	  "a CA manager or administrator denied the request",
	  "ask the CA administrator why; once that is settled, run this stage "
	  "again to send a new request" },
	/* ---- looked up by the CA: the request ID, or an AD property ------ */
	{ 0x80092004UL, "CRYPT_E_NOT_FOUND", NULL, CERTSRV_DENIED,
	  CERTSRV_NO_SUCH_REQUEST, "ca.template",
	  "the CA could not find what it looked up: when fetching, the "
	  "request; when submitting, usually a detail the template takes "
	  "from Active Directory for the requesting account", SUPPLY_FIX },
	{ 0x80094004UL, "CERTSRV_E_PROPERTY_EMPTY", NULL,
	  CERTSRV_NO_SUCH_REQUEST, CERTSRV_NO_SUCH_REQUEST, "ca.url",
	  "the CA has no request with that ID (deleted, the CA database "
	  "restored, or a different CA)",
	  "check that ca.url names the CA the request went to; run again to "
	  "send the same request anew" },
	{ 0x80094002UL, "CERTSRV_E_NO_REQUEST", NULL, CERTSRV_NO_SUCH_REQUEST,
	  CERTSRV_NO_SUCH_REQUEST, "ca.url",
	  "the CA has no such request",
	  "check that ca.url names the CA the request went to; run again to "
	  "send the same request anew" },
	{ 0x80094003UL, "CERTSRV_E_BAD_REQUESTSTATUS", NULL, CERTSRV_CA_ERROR,
	  CERTSRV_CA_ERROR, NULL,
	  "the request's current state (issued, denied or revoked) does not "
	  "allow this", ADMIN_FIX },
	/* ---- the request could not be read (a new CSR) ------------------- */
	{ 0x8009310BUL, "CRYPT_E_ASN1_BADTAG", NULL, CERTSRV_BAD_REQUEST,
	  CERTSRV_BAD_REQUEST, NULL,
	  "the CA could not read the request: its encoding is damaged",
	  CSR_FIX },
	{ 0x80093102UL, "CRYPT_E_ASN1_EOD", NULL, CERTSRV_BAD_REQUEST,
	  CERTSRV_BAD_REQUEST, NULL,
	  "the request ends early: it was cut short on the way", CSR_FIX },
	{ 0x80093103UL, "CRYPT_E_ASN1_CORRUPT", NULL, CERTSRV_BAD_REQUEST,
	  CERTSRV_BAD_REQUEST, NULL,
	  "the CA could not read the request: its data is corrupt", CSR_FIX },
	{ 0x80093100UL, "CRYPT_E_ASN1_ERROR", NULL, CERTSRV_BAD_REQUEST,
	  CERTSRV_BAD_REQUEST, NULL,
	  "the CA could not decode the request", CSR_FIX },
	{ 0x8007000DUL, "ERROR_INVALID_DATA", NULL, CERTSRV_BAD_REQUEST,
	  CERTSRV_BAD_REQUEST, NULL,
	  "the CA found the request's data invalid", CSR_FIX },
	{ 0x80090006UL, "NTE_BAD_SIGNATURE", NULL, CERTSRV_BAD_REQUEST,
	  CERTSRV_BAD_REQUEST, NULL,
	  "the request's signature does not verify", CSR_FIX },
	{ 0x80096004UL, "TRUST_E_CERT_SIGNATURE", NULL, CERTSRV_BAD_REQUEST,
	  CERTSRV_BAD_REQUEST, NULL,
	  "the request's signature does not verify with its own key", CSR_FIX },
	/* ---- the CA or its web server ------------------------------------ */
	{ 0x800706BAUL, "RPC_S_SERVER_UNAVAILABLE", NULL, CERTSRV_CA_ERROR,
	  CERTSRV_CA_ERROR, "ca.url",
	  "the web enrollment server cannot reach the CA service (stopped, "
	  "busy, or the network between them is down)",
	  "ask the CA administrator to check that Active Directory "
	  "Certificate Services (certsvc) runs and the web enrollment server "
	  "reaches it, then run again" },
	{ 0x80094006UL, "CERTSRV_E_SERVER_SUSPENDED", NULL, CERTSRV_CA_ERROR,
	  CERTSRV_CA_ERROR, "ca.url",
	  "the CA is suspended for a database restore",
	  "run again once the CA administrator has finished the restore" },
	{ 0x80070057UL, "E_INVALIDARG", "ERROR_INVALID_PARAMETER",
	  CERTSRV_CA_ERROR, CERTSRV_NO_SUCH_REQUEST, "ca.url",
	  "the CA found a parameter invalid (a request ID or a form field)",
	  "check that ca.url is the CA's web enrollment address "
	  "(https://HOST/certsrv/); run again to send the request anew" },
};

#define NTABLE (sizeof(TABLE) / sizeof(TABLE[0]))

size_t hresult_count(void)
{
	return NTABLE;
}

const struct hresult_info *hresult_at(size_t i)
{
	return i < NTABLE ? &TABLE[i] : NULL;
}

const struct hresult_info *hresult_find(unsigned long code)
{
	for (size_t i = 0; i < NTABLE; i++)
		if (TABLE[i].code == code)
			return &TABLE[i];
	return NULL;
}

static int same_word(const char *w, const char *name, size_t n)
{
	return w && strlen(w) == n && memcmp(w, name, n) == 0;
}

const struct hresult_info *hresult_find_symbol(const char *name, size_t n)
{
	for (size_t i = 0; i < NTABLE; i++)
		if (same_word(TABLE[i].symbol, name, n) ||
		    same_word(TABLE[i].alias, name, n))
			return &TABLE[i];
	return NULL;
}

static int is_word_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* "0x" + exactly 8 hex digits at p (not inside a longer word or number):
 * the value, or -1.  *used gets the bytes it spans. */
static long long hex_code(const char *p, const char *start, const char *end,
			  size_t *used)
{
	if (end - p < 10 || p[0] != '0' || (p[1] != 'x' && p[1] != 'X'))
		return -1;
	if (p > start && is_word_char((unsigned char)p[-1]))
		return -1;
	unsigned long v = 0;
	for (int i = 0; i < 8; i++) {
		int h = text_hex_digit((unsigned char)p[2 + i]);
		if (h < 0)
			return -1;
		v = v << 4 | (unsigned long)h;
	}
	if (end - p > 10 && is_word_char((unsigned char)p[10]))
		return -1;
	*used = 10;
	return (long long)v;
}

/* An upper-case word with an underscore at p (a symbolic name): its
 * length, else 0. */
static size_t symbol_word(const char *p, const char *start, const char *end)
{
	if (p > start && is_word_char((unsigned char)p[-1]))
		return 0;
	size_t n = 0;
	int underscore = 0;
	while (p + n < end && n < 64 &&
	       ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9') ||
		p[n] == '_')) {
		underscore |= p[n] == '_';
		n++;
	}
	if (p + n < end && is_word_char((unsigned char)p[n]))
		return 0;
	return underscore && n >= 3 ? n : 0;
}

const struct hresult_info *hresult_scan(const char *text, size_t len,
					unsigned long *failure)
{
	const char *end = text ? text + len : NULL;
	if (failure)
		*failure = 0;
	for (const char *p = text; p && p < end;) {
		size_t used = 0;
		long long v = hex_code(p, text, end, &used);
		if (v >= 0) {
			if (failure && !*failure && (v & 0x80000000LL))
				*failure = (unsigned long)v;
			const struct hresult_info *e = hresult_find((unsigned long)v);
			if (e)
				return e;
			p += used;
			continue;
		}
		size_t n = (*p >= 'A' && *p <= 'Z') ? symbol_word(p, text, end) : 0;
		if (n) {
			const struct hresult_info *e = hresult_find_symbol(p, n);
			if (e) {
				if (failure && !*failure)
					*failure = e->code;
				return e;
			}
			p += n;
			continue;
		}
		p++;
	}
	return NULL;
}
