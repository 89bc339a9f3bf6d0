/*
 * scr_common.c - validators several stage screens share: required values,
 * host names (FQDN), URLs.  Messages are lowercase, name the value, say
 * what is wrong and how to fix it.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "stages/request.h"
#include "stage_screen.h"

enum diag_severity val_required(struct uform *fm, int idx, const char *v,
				char *msg, size_t n, void *ud)
{
	(void)ud;
	if (!*v) {
		snprintf(msg, n, "%s is required", fm->defs[idx].label);
		return SEV_FAIL;
	}
	return SEV_PASS;
}

bool val_fqdn_ok(const char *v, char *msg, size_t n)
{
	size_t len = strlen(v), lab = 0;
	int labels = 1;

	if (len == 0) {
		snprintf(msg, n, "the name is empty: type this computer's fully "
			 "qualified DNS name, e.g. 'web01.example.com'");
		return false;
	}
	if (len > 253) {
		snprintf(msg, n, "'%.40s...' is longer than 253 characters", v);
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '.') {
			if (lab == 0) {
				snprintf(msg, n, "'%s' has an empty label (two dots, or a "
					 "dot at the start)", v);
				return false;
			}
			if (v[i - 1] == '-') {
				snprintf(msg, n, "'%s': a label may not end with '-'", v);
				return false;
			}
			labels++;
			lab = 0;
			continue;
		}
		if (!isalnum(c) && c != '-') {
			snprintf(msg, n, "'%s' contains '%c': a DNS name has only "
				 "letters, digits, '-' and '.'", v, c);
			return false;
		}
		if (lab == 0 && c == '-') {
			snprintf(msg, n, "'%s': a label may not start with '-'", v);
			return false;
		}
		if (++lab > 63) {
			snprintf(msg, n, "'%s': a label is longer than 63 characters", v);
			return false;
		}
	}
	if (lab == 0) {
		snprintf(msg, n, "'%s' ends with a dot: leave it out", v);
		return false;
	}
	(void)labels;
	return true;
}

enum diag_severity val_fqdn(struct uform *fm, int idx, const char *v,
			    char *msg, size_t n, void *ud)
{
	(void)fm;
	(void)idx;
	(void)ud;
	if (!val_fqdn_ok(v, msg, n))
		return SEV_FAIL;
	/* the backend's rule too (e.g. an IP address is not a name) */
	if (request_fqdn_check(v, msg, n) < 0 && strchr(v, '.'))
		return SEV_FAIL;
	msg[0] = 0;
	if (!strchr(v, '.')) {
		snprintf(msg, n, "'%s' is a short name: Operations Manager expects "
			 "the FQDN as it appears in DNS", v);
		return SEV_WARN;
	}
	return SEV_PASS;
}

enum diag_severity val_url(struct uform *fm, int idx, const char *v,
			   char *msg, size_t n, void *ud)
{
	(void)ud;
	if (!*v) {
		snprintf(msg, n, "%s is required, e.g. https://ca.example.com/certsrv/",
			 fm->defs[idx].label);
		return SEV_FAIL;
	}
	if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) {
		snprintf(msg, n, "'%s' is not an http(s) URL: start it with "
			 "https://", v);
		return SEV_FAIL;
	}
	if (strchr(v, ' ')) {
		snprintf(msg, n, "'%s' contains a space", v);
		return SEV_FAIL;
	}
	if (strncmp(v, "http://", 7) == 0) {
		snprintf(msg, n, "plain http sends your password unencrypted: use "
			 "https");
		return SEV_WARN;
	}
	return SEV_PASS;
}
