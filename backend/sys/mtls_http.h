/*
 * mtls_http.h - the HTTP/1.1 text mtls.c sends and reads over its TLS
 * connection: one request with "Connection: close", and the answer parsed
 * as it arrives.
 *
 * Owner: backend/sys/mtls_http.c.  Ownership: mtls_request_text's *out is
 * malloc'd (caller frees); on MTLS_OK with need_more 0, mtls_parse_answer
 * leaves r->body malloc'd (mtls_response_release frees it).
 */
#ifndef OPSMGR_MTLS_HTTP_H
#define OPSMGR_MTLS_HTTP_H

#include <stddef.h>
#include "sys/mtls.h"

/* "METHOD path HTTP/1.1" with Host, User-Agent, Accept and, with
 * form_body, its urlencoded headers and the body.  Length, or -1. */
int mtls_request_text(const struct mtls_opts *o, const char *method,
		      const char *path, const char *form_body, char **out);

/*
 * Parse buf[0..len) (NUL terminated) as the answer so far; eof says the
 * connection ended.  MTLS_OK with *need_more set: read on; MTLS_OK
 * without: r has status and body; otherwise err says what is wrong.
 */
enum mtls_err mtls_parse_answer(char *buf, size_t len, int eof,
				struct mtls_response *r, char *err,
				size_t errlen, int *need_more);

#endif
