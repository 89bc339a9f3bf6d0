/*
 * evidence_reg.h - reading a .reg file as `reg export` / regedit write it
 * (the evidence's machine-settings and management-group exports): UTF-16LE
 * with a byte-order mark (or ASCII/UTF-8), CRLF, a "Windows Registry Editor
 * Version 5.00" (or "REGEDIT4") header, [KEY] lines, then "name"=value
 * lines: "string", dword:XXXXXXXX, hex:.. and hex(N):.. byte lists whose
 * lines end with "\" when continued (two blanks start the next line), @ for
 * the default value.  [-KEY] and "name"=- (deletions) are skipped.
 *
 * Owner: backend/windows/evidence_reg.c.  reg_parse fills a caller-owned
 * struct reg_file; reg_file_release frees what it holds.
 */
#ifndef OPSMGR_EVIDENCE_REG_H
#define OPSMGR_EVIDENCE_REG_H

#include <stddef.h>
#include <stdint.h>

enum reg_kind { REGV_SZ, REGV_DWORD, REGV_HEX };

struct reg_value {
	char *key;             /* full key path as written, without brackets */
	char *name;            /* value name; "" for @ */
	enum reg_kind kind;
	int hex_type;          /* hex(N): N; hex: 3 (REG_BINARY) */
	char *str;             /* REGV_SZ: the string (escapes undone) */
	uint32_t dword;        /* REGV_DWORD */
	unsigned char *data;   /* REGV_HEX: the bytes */
	size_t len;
};

struct reg_file {
	struct reg_value *v;
	size_t n, cap;
};

void reg_file_init(struct reg_file *f);
void reg_file_release(struct reg_file *f);

/*
 * Parse the bytes of a .reg file.  Returns 0, or -1 with "line N: what"
 * in err (the values before that line stay in f).
 */
int reg_parse(const unsigned char *buf, size_t len, struct reg_file *f,
	      char *err, size_t errlen);

/* The value name under key (both compared case-insensitively), or NULL. */
const struct reg_value *reg_find(const struct reg_file *f, const char *key,
				 const char *name);

#endif
