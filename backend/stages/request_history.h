/*
 * request_history.h - the archive of replaced requests, read back: every
 * folder <state_dir>/archive/<UTC yyyymmddThhmmssZ>-req<ID|none>/ that
 * stage 2 made (request_archive.c) with its manifest, newest first.  What
 * `opsmgr-enroll history` lists.
 *
 * The manifest is "name=value" lines (REQUEST_MANIFEST_* below name them),
 * one value per line, newlines in values written as spaces.
 *
 * Ownership: struct request_history owns its entries and their strings;
 * request_history_release frees them.
 */
#ifndef OPSMGR_REQUEST_HISTORY_H
#define OPSMGR_REQUEST_HISTORY_H

#include <stddef.h>

#define REQUEST_ARCHIVE_DIR "archive"
#define REQUEST_MANIFEST_FILE "manifest"
#define REQUEST_ARCHIVED_PFX "export.pfx"   /* a renewal's copy of the PFX */
#define REQUEST_MANIFEST_HEADER "opsmgr-enroll archive 1"

/* One archived request (any string may be NULL: not in its manifest). */
struct request_archive_entry {
	char *dir;            /* the folder's path */
	char *archived;       /* "2026-12-03T12:15:00Z" (UTC) */
	long request_id;      /* 0: none (never given an ID) */
	char *ca_url, *template_name, *phase, *disposition;
	char *fqdn, *subject;
	char *submitted;      /* when it was sent (UTC), or NULL */
	char *key;            /* "archived" or "kept" (in use afterwards) */
	char *files;          /* the files in the folder, space separated */
	char *reason;         /* why it was archived */
	char *identity;       /* "<id>|<CA URL>|<sent at>|<CSR SHA-256>":
				 one request (request_archive.c) */
};

struct request_history {
	struct request_archive_entry *items;
	size_t n;
};

/*
 * Read <state_dir>/archive into h, newest first (folders whose manifest
 * is missing or unreadable are skipped; temp folders of an interrupted
 * archive are not listed).  No archive: h is empty, 0.  -1 with err when
 * the folder cannot be read or memory runs out.
 */
int request_history_load(const char *state_dir, struct request_history *h,
			 char *err, size_t errlen);
void request_history_release(struct request_history *h);

#endif
