/*
 * bundle.h - the Windows bundle (issue 16): everything the Windows half of
 * an enrollment needs, as a folder and as one zip beside it:
 *
 *   <dir>/<fqdn>-opsmgr/          mode 0700
 *       root.cer                  the trusted root, DER
 *       intermediate-1.cer ...    each CA certificate between the leaf and
 *                                 the root, DER, in chain order (none when
 *                                 the root issued the leaf)
 *       <fqdn>.pfx                the stage-4 PFX, 0600
 *       serial.reg                regfile_format() (regfile.h)
 *       install.cmd               the caller's text (installcmd_text())
 *       collect.cmd               collectcmd_text() (collectcmd.h): the
 *                                 evidence for check --evidence, later
 *       README.txt                bundle_readme_text(), CRLF ASCII
 *   <dir>/<fqdn>-opsmgr.zip       mode 0600 (libzip), the same files under
 *                                 the folder name "<fqdn>-opsmgr/"
 *
 * Every file except the PFX is 0644 inside the 0700 folder; the PFX and
 * the zip (which holds it) are 0600.  Nothing secret is written: the PFX
 * password is typed at certutil's prompt on Windows.
 *
 * Written as a whole (bundle_write): the new folder is built beside the old
 * one as ".<fqdn>-opsmgr.new-XXXXXX", every file fsync'd, then swapped in
 * (renameat2 RENAME_EXCHANGE, or rename aside + rename in where the file
 * system lacks it) and the old one removed; the zip is made in memory,
 * written to ".<fqdn>-opsmgr.new-zip-XXXXXX" (0600, fsync'd) before the
 * swap and renamed over the old zip right after it.  A kill leaves the old
 * folder or the new one, the old zip or the new one (between the two
 * renames: the new folder beside the old zip); leftovers of a killed run
 * (".<name>.new-*", ".<name>.old-*") are removed by the next write.
 *
 * Typical use (backend/stages/serial_bundle.c does this from the state):
 *     struct bundle_in in = { .dir = "/var/lib/x", .fqdn = "a.example",
 *             .root = { der, der_len, "AB12..." }, .pfx = ..., ...,
 *             .install_cmd = text_from_installcmd_text };
 *     struct bundle_out out;
 *     if (bundle_write(&in, &out, &field, err, sizeof(err)) != 0) ...
 *     ... out.folder, out.zip, out.files[i].path ...
 *     bundle_out_release(&out);
 *
 * Ownership: struct bundle_in only borrows.  struct bundle_out owns its
 * strings (bundle_out_release).  bundle_readme_text() and the name helpers
 * return malloc'd strings the caller frees.
 */
#ifndef OPSMGR_BUNDLE_H
#define OPSMGR_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

#include "windows/collectcmd.h"
#include "windows/installcmd.h"   /* the names install.cmd reads */

#define BUNDLE_SUFFIX "-opsmgr"          /* <fqdn>-opsmgr/, <fqdn>-opsmgr.zip */
#define BUNDLE_ROOT_NAME INSTALLCMD_ROOT_NAME
#define BUNDLE_REG_NAME INSTALLCMD_REG_NAME
#define BUNDLE_INSTALL_NAME "install.cmd"
#define BUNDLE_README_NAME "README.txt"
#define BUNDLE_COLLECT_NAME COLLECTCMD_NAME
#define BUNDLE_INTERMEDIATE_FMT "intermediate-%zu.cer"   /* 1, 2, ... */
#define BUNDLE_MAX_INTERMEDIATES 8
/* root, intermediates, pfx, serial.reg, install.cmd, collect.cmd,
 * README.txt */
#define BUNDLE_MAX_FILES (BUNDLE_MAX_INTERMEDIATES + 6)

/* One CA certificate for the bundle. */
struct bundle_cert {
	const unsigned char *der;   /* DER bytes */
	size_t len;
	const char *thumbprint;     /* SHA-1, hex (README.txt shows it) */
	const char *subject;        /* "CN=Lab Root" (README.txt), may be NULL */
};

struct bundle_in {
	const char *dir;            /* where the folder and the zip go */
	const char *fqdn;           /* the computer (names the files) */
	bool server_role;           /* the management server's own bundle */
	struct bundle_cert root;
	const struct bundle_cert *intermediates;   /* leaf side first */
	size_t n_intermediates;                    /* <= BUNDLE_MAX_INTERMEDIATES */
	const unsigned char *pfx;   /* the PFX file's bytes */
	size_t pfx_len;
	const char *serial_hex;     /* as certutil prints it, upper hex */
	const char *serial_reversed;/* registry byte order, hex */
	const char *thumbprint;     /* the leaf's SHA-1, 40 hex */
	const char *mgmt_group;     /* agent role: README.txt; may be NULL */
	const char *server;         /* agent role: README.txt; may be NULL */
	int port;
	const char *install_cmd;    /* install.cmd text (CRLF ASCII) */
};

struct bundle_file {
	char *name;                 /* "root.cer" */
	char *path;                 /* "<dir>/<fqdn>-opsmgr/root.cer" */
	unsigned mode;              /* 0600 / 0644 */
};

struct bundle_out {
	char *folder;               /* "<dir>/<fqdn>-opsmgr" */
	char *zip;                  /* "<dir>/<fqdn>-opsmgr.zip" */
	struct bundle_file files[BUNDLE_MAX_FILES];
	size_t n_files;
};

void bundle_out_init(struct bundle_out *o);
void bundle_out_release(struct bundle_out *o);

/*
 * Write the folder and the zip (see above).  0, or -1 with err ("cannot
 * write ...") and *field (may be NULL) the "section.key" it concerns:
 * "computer.fqdn" for a name that cannot be a file name, "agent.bundle_dir"
 * for I/O, NULL for a bad input of the caller's.  On failure the old
 * bundle (if any) is left as it was and out holds nothing.
 */
int bundle_write(const struct bundle_in *in, struct bundle_out *out,
		 const char **field, char *err, size_t errlen);

/* The names inside the bundle, for the caller's install.cmd:
 * "<fqdn>.pfx" and "intermediate-<i+1>.cer" (malloc'd). */
char *bundle_pfx_name(const char *fqdn);
char *bundle_intermediate_name(size_t i);
/* "<dir>/<fqdn>-opsmgr" and "<dir>/<fqdn>-opsmgr.zip" (malloc'd). */
char *bundle_folder_path(const char *dir, const char *fqdn);
char *bundle_zip_path(const char *dir, const char *fqdn);

/* 0 when fqdn can name the files (letters, digits, '-', '.', not
 * starting with '.' or '-'), else -1 with err. */
int bundle_check_name(const char *fqdn, char *err, size_t errlen);

/* The one thing the operator does, one line without an end:
 * "copy <zip> to <fqdn>, extract, right-click install.cmd > Run as
 * administrator" (malloc'd). */
char *bundle_todo_text(const char *zip, const char *fqdn);

/* README.txt (CRLF, ASCII; a non-ASCII byte of a subject shown as ?),
 * malloc'd; NULL when out of memory. */
char *bundle_readme_text(const struct bundle_in *in);

/*
 * The zip of the named files, in memory: every entry as "<folder>/<name>"
 * after a "<folder>/" directory entry, unix modes kept.  0 with *buf
 * (malloc'd, caller frees) and *len, or -1 with err.  (bundle_zip.c)
 */
struct bundle_blob {
	const char *name;
	const void *data;
	size_t len;
	unsigned mode;
};
int bundle_zip_build(const char *folder, const struct bundle_blob *files,
		     size_t n, unsigned char **buf, size_t *len, char *err,
		     size_t errlen);

#endif
