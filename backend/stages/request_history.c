/*
 * request_history.c - reads the archive of replaced requests back
 * (request_history.h): the folders under <state_dir>/archive and their
 * manifests, newest first.
 */
#include "stages/request_history.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errbuf.h"
#include "core/fsutil.h"

#define MANIFEST_CAP (64u * 1024u)

static void entry_release(struct request_archive_entry *e)
{
	free(e->dir);
	free(e->archived);
	free(e->ca_url);
	free(e->template_name);
	free(e->phase);
	free(e->disposition);
	free(e->fqdn);
	free(e->subject);
	free(e->submitted);
	free(e->key);
	free(e->files);
	free(e->reason);
	free(e->identity);
	memset(e, 0, sizeof(*e));
}

void request_history_release(struct request_history *h)
{
	for (size_t i = 0; i < h->n; i++)
		entry_release(&h->items[i]);
	free(h->items);
	h->items = NULL;
	h->n = 0;
}

/* The string member a manifest line names, or NULL. */
static char **member(struct request_archive_entry *e, const char *name)
{
	static const struct {
		const char *name;
		size_t off;
	} FIELDS[] = {
#define F(n, m) { n, offsetof(struct request_archive_entry, m) }
		F("archived", archived), F("ca_url", ca_url),
		F("template", template_name), F("phase", phase),
		F("disposition", disposition), F("fqdn", fqdn),
		F("subject", subject), F("submitted", submitted),
		F("key", key), F("files", files), F("reason", reason),
		F("identity", identity),
#undef F
	};
	for (size_t i = 0; i < sizeof(FIELDS) / sizeof(FIELDS[0]); i++)
		if (strcmp(FIELDS[i].name, name) == 0)
			return (char **)((char *)e + FIELDS[i].off);
	return NULL;
}

/* Parse a manifest image into e; -1 when it is not one. */
static int parse_manifest(char *text, struct request_archive_entry *e)
{
	char *save = NULL;
	char *line = strtok_r(text, "\n", &save);
	if (!line || strcmp(line, REQUEST_MANIFEST_HEADER) != 0)
		return -1;
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		if (strcmp(line, "request_id") == 0) {
			e->request_id = strtol(eq + 1, NULL, 10);
			continue;
		}
		char **m = member(e, line);
		if (m && !*m && !(*m = strdup(eq + 1)))
			return -1;
	}
	return 0;
}

/* Read the manifest of folder `name` under root into e: 0 / -1. */
static int read_entry(const char *root, const char *name,
		      struct request_archive_entry *e)
{
	char err[FS_ERRLEN];
	unsigned char *buf = NULL;
	size_t len = 0;
	memset(e, 0, sizeof(*e));
	e->dir = fs_join(root, name);
	char *mf = e->dir ? fs_join(e->dir, REQUEST_MANIFEST_FILE) : NULL;
	int r = mf && fs_read_file(mf, MANIFEST_CAP, &buf, &len, err,
				   sizeof(err)) == 0
			? parse_manifest((char *)buf, e) : -1;
	free(buf);
	free(mf);
	if (r < 0)
		entry_release(e);
	return r;
}

/* Newest first: by the time archived, then by folder name. */
static int newest_first(const void *a, const void *b)
{
	const struct request_archive_entry *x = a, *y = b;
	int c = strcmp(y->archived ? y->archived : "",
		       x->archived ? x->archived : "");
	return c ? c : strcmp(y->dir, x->dir);
}

int request_history_load(const char *state_dir, struct request_history *h,
			 char *err, size_t errlen)
{
	memset(h, 0, sizeof(*h));
	char *root = fs_join(state_dir, REQUEST_ARCHIVE_DIR);
	DIR *d = root ? opendir(root) : NULL;
	if (!d) {
		int e = errno;
		free(root);
		if (e == ENOENT)
			return 0;
		errbuf_printf(err, errlen, "cannot read the archive in '%s': %s",
			      state_dir, strerror(e));
		return -1;
	}
	size_t cap = 0;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;   /* ., .., a temp folder of a killed run */
		if (h->n == cap) {
			size_t nc = cap ? 2 * cap : 8;
			void *p = realloc(h->items, nc * sizeof(*h->items));
			if (!p) {
				errbuf_printf(err, errlen, "out of memory");
				rc = -1;
				break;
			}
			h->items = p;
			cap = nc;
		}
		if (read_entry(root, de->d_name, &h->items[h->n]) == 0)
			h->n++;
	}
	closedir(d);
	free(root);
	if (rc < 0)
		request_history_release(h);
	else if (h->n > 1)
		qsort(h->items, h->n, sizeof(*h->items), newest_first);
	return rc;
}
