/*
 * curl_dl.h - libcurl, loaded when it is first needed instead of at process
 * start (systemd's dlopen-for-optional-libraries pattern).
 *
 * Linking libcurl makes every start of opsmgr-enroll load it and the ~33
 * shared objects it depends on (Kerberos, LDAP, SASL, SSH, RTMP, GnuTLS,
 * ...), about 5 ms of CPU, even for commands that never touch the network
 * (`check --offline`, `--version`).  This file owns loading libcurl.so.4
 * with dlopen() on the first call of curl_dl() and resolving the few
 * functions http.c calls into one table.  Only sys/http*.c use the table; code
 * still compiles against <curl/curl.h> for its types and constants.
 *
 * The load happens once per process (pthread_once), whichever thread asks
 * first; a failure is remembered and reported the same way each time.  The
 * library is never unloaded.  curl_global_init() is NOT called here: http.c
 * does that (once, under its own lock) before creating any handle.
 *
 * Ownership: the table and the library belong to this file for the whole
 * life of the process; callers keep the pointer, never free it.
 */
#ifndef OPSMGR_CURL_DL_H
#define OPSMGR_CURL_DL_H

#include <stddef.h>

#include <curl/curl.h>

/* The soname loaded: Debian's libcurl4 (OpenSSL flavour). */
#define CURL_DL_SONAME "libcurl.so.4"

struct curl_fns {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	void (*easy_reset)(CURL *c);
	void (*easy_cleanup)(CURL *c);
	const char *(*easy_strerror)(CURLcode rc);
	curl_version_info_data *(*version_info)(CURLversion v);
};

/*
 * The oldest libcurl opsmgr-enroll accepts: 7.85.0 brought
 * CURLOPT_PROTOCOLS_STR and CURLOPT_REDIR_PROTOCOLS_STR, which restrict
 * requests to https (an older one would refuse them, or silently not
 * apply an older restriction option).
 */
#define CURL_DL_MIN_VERSION 0x075500
#define CURL_DL_MIN_VERSION_TEXT "7.85.0"

/*
 * 0 when the libcurl of version num (curl_version_info()'s version_num,
 * 0xXXYYZZ) and text ("7.88.1") is recent enough, else -1 with err naming
 * the version found, the one needed and why.
 */
int curl_dl_check_version(unsigned int num, const char *text, char *err,
			  size_t errlen);

/*
 * The function table, loading the library on the first call (thread-safe).
 * NULL when libcurl.so.4 or one of the functions cannot be found, or it is
 * older than CURL_DL_MIN_VERSION; then err
 * says which file or symbol, what the dynamic loader said (dlerror()) and
 * the fix ("apt-get install libcurl4").
 */
const struct curl_fns *curl_dl(char *err, size_t errlen);

/*
 * The work behind curl_dl(), for one given file name and without the
 * once-only guard (tests use it to see the diagnostics): dlopen(soname),
 * resolve every function into *out, refuse a version older than
 * CURL_DL_MIN_VERSION (curl_dl_check_version).  0, or -1 with err set as
 * above (the handle is closed again then).  On success the library stays loaded.
 */
int curl_dl_load(const char *soname, struct curl_fns *out, char *err,
		 size_t errlen);

#endif
