/*
 * hresult.h - the HRESULTs an AD CS web-enrollment page can show when it
 * refuses or fails a request (certfnsh.asp) or a retrieval (certnew.cer):
 * one table, each code with its symbolic name, what it means for the
 * enrollment (enum certsrv_kind), our plain-language cause, the fix and the
 * configuration field ("section.key") where the operator makes it.
 * Codes and names are Windows' own (winerror.h); they appear untranslated
 * on pages in every language, which is why the classifier may decide on
 * them.  The table is static: nothing here allocates or frees.
 */
#ifndef OPSMGR_HRESULT_H
#define OPSMGR_HRESULT_H

#include <stddef.h>

#include "adcs/certsrv_kind.h"

struct hresult_info {
	unsigned long code;          /* e.g. 0x80094800 */
	const char *symbol;          /* "CERTSRV_E_UNSUPPORTED_CERT_TYPE" */
	const char *alias;           /* another name pages print, or NULL
					(the WIN32 name of a 0x8007xxxx code) */
	enum certsrv_kind kind;      /* its meaning on a submission's answer */
	enum certsrv_kind on_retrieve; /* its meaning when fetching request N
					  (differs only for lookup codes) */
	const char *field;           /* where the fix is made, NULL = none */
	const char *cause;           /* plain language, lowercase, no period */
	const char *fix;             /* what to do, lowercase */
};

/* The entry for code, or NULL. */
const struct hresult_info *hresult_find(unsigned long code);

/* The entry whose symbol or alias is exactly name[0..n), or NULL. */
const struct hresult_info *hresult_find_symbol(const char *name, size_t n);

/*
 * The first known HRESULT named in text[0..len) (bounded; NULs are ordinary
 * bytes): a "0x" + 8 hex digits code in the table, or a symbolic name of
 * the table (CERTSRV_E_..., CRYPT_E_..., E_ACCESSDENIED, ...) as a whole
 * word.  *failure (may be NULL) gets the first failure code written as hex
 * (high bit set) even when the table does not know it, else 0.
 * Returns NULL when the text names no known code.
 */
const struct hresult_info *hresult_scan(const char *text, size_t len,
					unsigned long *failure);

/* The table itself (tests walk it): entry i of hresult_count(). */
size_t hresult_count(void);
const struct hresult_info *hresult_at(size_t i);

#endif
