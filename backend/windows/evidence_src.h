/*
 * evidence_src.h - the evidence as collect.cmd leaves it (layout:
 * windows/evidence_layout.h): a folder, or its zip with the same files at
 * the root or under one top folder ('/' or '\' as the separator).  Reads
 * one file at a time, capped (EVIDENCE_SRC_CAP), and lists the
 * certificate files.
 *
 * Owner: backend/windows/evidence_src.c.  evidence_open fills a
 * caller-owned struct evidence_src; evidence_close frees what it holds.
 * Buffers and name lists returned are malloc'd; the caller frees them
 * (evidence_names_free for a list).
 */
#ifndef OPSMGR_EVIDENCE_SRC_H
#define OPSMGR_EVIDENCE_SRC_H

#include <stddef.h>
#include <zip.h>

#define EVIDENCE_SRC_CAP (16u << 20)

struct evidence_src {
	char *path;    /* as given */
	char *dir;     /* a folder, or NULL */
	zip_t *zip;    /* a zip, or NULL */
};

/* A folder or a zip file.  0, or -1 with err. */
int evidence_open(struct evidence_src *s, const char *path, char *err,
		  size_t errlen);
void evidence_close(struct evidence_src *s);

/* The file `name` (a base name, or "certs/my-0.cer").  0 with *buf and *len;
 * 1 when it is not there; -1 with err (too big, unreadable, bad zip). */
int evidence_read(const struct evidence_src *s, const char *name,
		  unsigned char **buf, size_t *len, char *err, size_t errlen);

/* The certificate files (EVIDENCE_CERTS_DIR/EVIDENCE_CERT_PREFIX*
 * EVIDENCE_CERT_SUFFIX) as names evidence_read takes, sorted; NULL-ended
 * (an empty list when there are none); NULL when out of memory. */
char **evidence_cert_names(const struct evidence_src *s);
void evidence_names_free(char **names);

#endif
