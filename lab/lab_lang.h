/*
 * lab_lang.h - the words of the lab CA's pages in each language it speaks
 * (--language en|de|fr|zh), as a localized Windows AD CS and IIS show
 * them.  What stays the same in every language lives elsewhere: the HTML
 * structure and element IDs (lab_pages.c) and the HRESULT codes with
 * their symbolic names (LAB_HRESULTS below), so a client that decides on
 * those copes with any language and one that reads English words does
 * not.
 *
 * Everything here is static: nothing to free.
 */
#ifndef OPSMGR_LAB_LANG_H
#define OPSMGR_LAB_LANG_H

#include <stddef.h>

enum lab_lang { LAB_LANG_EN, LAB_LANG_DE, LAB_LANG_FR, LAB_LANG_ZH,
		LAB_LANG_COUNT };

/* The codes --language takes, for messages. */
#define LAB_LANG_NAMES "en, de, fr, zh"

/* The results the lab's pages report, each with its HRESULT. */
enum lab_hr {
	LAB_HR_OK,                 /* 0x0 */
	LAB_HR_UNSUPPORTED_TEMPLATE, /* CERTSRV_E_UNSUPPORTED_CERT_TYPE */
	LAB_HR_NO_TEMPLATE,        /* CERTSRV_E_NO_CERT_TYPE */
	LAB_HR_ADMIN_DENIED,       /* CERTSRV_E_ADMIN_DENIED_REQUEST */
	LAB_HR_PROPERTY_EMPTY,     /* CERTSRV_E_PROPERTY_EMPTY: no such ID */
	LAB_HR_BAD_PARAMETER,      /* ERROR_INVALID_PARAMETER */
	LAB_HR_ASN1_BADTAG,        /* CRYPT_E_ASN1_BADTAG: unreadable CSR */
	LAB_HR_BAD_SIGNATURE,      /* TRUST_E_CERT_SIGNATURE */
	LAB_HR_COUNT
};

/* The language-independent part of a result: "0x80094800" and what
 * Windows prints after it, "(-2146875392 CERTSRV_E_UNSUPPORTED_CERT_TYPE)". */
struct lab_hresult {
	const char *hex;
	const char *detail;
};
extern const struct lab_hresult LAB_HRESULTS[LAB_HR_COUNT];

struct lab_texts {
	const char *code;            /* "de" */
	/* every page */
	const char *html_title, *adcs, *home;
	/* home page */
	const char *welcome, *home_info, *select_task, *task_request,
		*task_pending, *task_download;
	/* certcarc.asp */
	const char *carc_title, *carc_trust, *carc_install, *carc_prompt,
		*carc_current, *der, *b64;
	/* certrqxt.asp */
	const char *rqxt_title, *rqxt_template;
	/* issued */
	const char *issued_title, *issued_info, *der_encoded, *b64_encoded,
		*or_word, *download_cert, *download_chain;
	/* pending: newreq and chkpnd wording, "Your Request Id is N." */
	const char *pending_title, *pending_new, *pending_chk, *reqid_pre,
		*reqid_post, *return_later, *note, *note_text;
	/* denied / error answer to a submission */
	const char *denied_title, *error_title, *denied_info, *contact_admin,
		*dispmsg_pre, *dispmsg_post;
	/* advanced-info page of certnew.cer */
	const char *contact_admin2, *lbl_mode, *mode_fetch, *lbl_dispcode,
		*never_set, *unknown, *lbl_disp, *lbl_result, *lbl_laststatus,
		*lbl_sugcause, *no_suggestions;
	/* dispositions */
	const char *disp_pending, *disp_issued, *disp_revoked,
		*disp_denied_by, *disp_parse, *disp_verify;
	/* per result: the short reason (disposition) and the LastStatus
	 * prose; the code follows either */
	const char *reason[LAB_HR_COUNT];
	const char *status[LAB_HR_COUNT];
	/* IIS's own error pages */
	const char *server_error, *unauth_title, *unauth_text,
		*notfound_title, *notfound_text;
};

/* The texts of a language (any value: out of range gives English). */
const struct lab_texts *lab_texts_of(enum lab_lang l);
/* "en", "de", "fr", "zh" (case-insensitive) -> 0 and *out; -1 else. */
int lab_lang_parse(const char *name, enum lab_lang *out);

/* "<LastStatus prose> 0x... (...)" of hr into out (cut to len). */
void lab_hr_status(const struct lab_texts *t, enum lab_hr hr, char *out,
		   size_t len);

#endif
