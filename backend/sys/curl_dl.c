/*
 * curl_dl.c - libcurl loaded on first use (curl_dl.h): dlopen() of
 * libcurl.so.4 once per process (pthread_once), the functions http.c calls
 * resolved into one table, the oldest version accepted, and a diagnostic
 * naming the file or function that is missing or the version found, what the dynamic loader said, and the package to
 * install.  The library is never unloaded.
 */
#include "sys/curl_dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/errbuf.h"

/* dlsym() hands out functions as void *; POSIX guarantees they fit. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
	       "function pointers must be the size of void *");

#define FIX "install it with 'apt-get install libcurl4'"

static const struct {
	const char *name;
	size_t off;
} k_syms[] = {
	{"curl_global_init", offsetof(struct curl_fns, global_init)},
	{"curl_global_cleanup", offsetof(struct curl_fns, global_cleanup)},
	{"curl_easy_init", offsetof(struct curl_fns, easy_init)},
	{"curl_easy_setopt", offsetof(struct curl_fns, easy_setopt)},
	{"curl_easy_perform", offsetof(struct curl_fns, easy_perform)},
	{"curl_easy_getinfo", offsetof(struct curl_fns, easy_getinfo)},
	{"curl_easy_reset", offsetof(struct curl_fns, easy_reset)},
	{"curl_easy_cleanup", offsetof(struct curl_fns, easy_cleanup)},
	{"curl_easy_strerror", offsetof(struct curl_fns, easy_strerror)},
	{"curl_version_info", offsetof(struct curl_fns, version_info)},
};

int curl_dl_check_version(unsigned int num, const char *text, char *err,
			  size_t errlen)
{
	if (num >= CURL_DL_MIN_VERSION)
		return 0;
	errbuf_printf(err, errlen,
		      "the libcurl found is version %s, older than "
		      CURL_DL_MIN_VERSION_TEXT ", which opsmgr-enroll needs "
		      "(CURLOPT_PROTOCOLS_STR and CURLOPT_REDIR_PROTOCOLS_STR "
		      "keep requests and redirects on https); install libcurl4 "
		      CURL_DL_MIN_VERSION_TEXT " or newer (Debian 12 has 7.88.1)",
		      text && *text ? text : "(unknown)");
	return -1;
}

int curl_dl_load(const char *soname, struct curl_fns *out, char *err,
		 size_t errlen)
{
	struct curl_fns t;
	const char *why;

	memset(&t, 0, sizeof(t));
	dlerror();
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		why = dlerror();
		errbuf_printf(err, errlen,
			      "cannot load the libcurl library '%s', which "
			      "opsmgr-enroll needs for network access (%s); "
			      FIX,
			      soname, why ? why : "no reason given");
		return -1;
	}
	for (size_t i = 0; i < sizeof(k_syms) / sizeof(k_syms[0]); i++) {
		dlerror();
		void *p = dlsym(h, k_syms[i].name);
		why = dlerror();
		if (!p || why) {
			errbuf_printf(err, errlen,
				      "the library '%s' has no function '%s' (%s): "
				      "it is not libcurl 7.x/8.x or is damaged; "
				      FIX,
				      soname, k_syms[i].name,
				      why ? why : "resolved to NULL");
			dlclose(h);
			return -1;
		}
		memcpy((char *)&t + k_syms[i].off, &p, sizeof(p));
	}
	const curl_version_info_data *vi = t.version_info(CURLVERSION_NOW);
	if (!vi || curl_dl_check_version(vi->version_num, vi->version, err,
					 errlen) != 0) {
		if (!vi)
			errbuf_printf(err, errlen,
				      "the library '%s' does not say its version; " FIX,
				      soname);
		dlclose(h);
		return -1;
	}
	*out = t;
	return 0;
}

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static struct curl_fns g_fns;
static int g_ok;
static char g_err[512];

static void load_once(void)
{
	g_ok = curl_dl_load(CURL_DL_SONAME, &g_fns, g_err, sizeof(g_err)) == 0;
}

const struct curl_fns *curl_dl(char *err, size_t errlen)
{
	pthread_once(&g_once, load_once);
	if (!g_ok) {
		errbuf_printf(err, errlen, "%s", g_err);
		return NULL;
	}
	return &g_fns;
}
