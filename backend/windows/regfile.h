/*
 * regfile.h - the Windows registry file (.reg) stage 6 writes for a Windows
 * target: what MOMCertImport would set under
 *   HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Microsoft Operations Manager\3.0\
 *   Machine Settings
 * namely ChannelCertificateSerialNumber (REG_BINARY: the serial's DER
 * content bytes in reverse order) and ChannelCertificateHash (REG_SZ: the
 * SHA-1 thumbprint, upper hex).
 *
 * Format:
 *  - "Windows Registry Editor Version 5.00" header, CRLF line ends, plain
 *    ASCII (regedit imports ASCII/UTF-8 .reg files as well as the UTF-16LE
 *    it exports; every character we write is ASCII).
 *  - hex bytes lower case and comma separated, as regedit exports them.
 *  - the hex: value stays on one line whatever its length: regedit wraps
 *    long values with ",\" + CRLF + two blanks when it exports, but it
 *    imports an unwrapped line just as well, and one line is easier to diff
 *    and to compare with the serial the tool prints.
 *
 * Ownership: regfile_format() returns a malloc'd NUL-terminated string; the
 * caller frees it.
 */
#ifndef OPSMGR_REGFILE_H
#define OPSMGR_REGFILE_H

#include <stddef.h>

/* The Operations Manager key under HKEY_LOCAL_MACHINE (also where
 * install.cmd finds an installed agent: windows/installcmd.h). */
#define REGFILE_OM_SUBKEY                                                    \
	"SOFTWARE\\Microsoft\\Microsoft Operations Manager\\3.0"
#define REGFILE_KEY                                                          \
	"HKEY_LOCAL_MACHINE\\" REGFILE_OM_SUBKEY "\\Machine Settings"

/*
 * Build the .reg text.  reversed_hex: the serial bytes already in registry
 * (reversed) order as hex, upper or lower case, no separators, an even
 * number of digits, at least one byte.  thumbprint: 40 hex digits (written
 * upper case).  Returns NULL with err filled when an input is invalid.
 * *len (optional) receives the length.
 */
char *regfile_format(const char *reversed_hex, const char *thumbprint,
		     size_t *len, char *err, size_t errlen);

/* "56,3c,af" from "563CAF": malloc'd; NULL on bad hex (odd length, empty,
 * non-hex digit). */
char *regfile_hex_list(const char *hex);

#endif
