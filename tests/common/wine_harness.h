/*
 * wine_harness.h - test helper: Windows' own tools under Wine, in a fresh
 * WINEPREFIX inside the build directory ($OPSMGR_BUILD_DIR/wine-XXXXXX),
 * made once per test program (~10 s, ~700 MB) and removed by
 * wine_prefix_destroy (wineserver -k, then rm -rf).  Every wine process
 * runs with WINEDEBUG=-all, WINEDLLOVERRIDES="mscoree,mshtml=" (no Mono or
 * Gecko installer dialogs), no DISPLAY, stdin from /dev/null, in its own
 * process group, with a time limit (the group and the wineserver are
 * killed when it runs out).  Also builds the stand-in MOMAgent.msi with
 * wixl from tests/data/wine/momagent.wxs.
 *
 * Exit codes: a Windows process's exit code reaches Linux as an exit
 * status, i.e. only its low 8 bits (msiexec's 1603 arrives as 67, 3010 as
 * 194).  A test that needs the full %ERRORLEVEL% writes it to a file.
 *
 * Ownership: struct wine_prefix owns its strings (wine_prefix_destroy
 * frees them).  Every char * returned is malloc'd; the caller frees it.
 */
#ifndef OPSMGR_WINE_HARNESS_H
#define OPSMGR_WINE_HARNESS_H

#include <stddef.h>

struct wine_prefix {
	char *dir;        /* the WINEPREFIX (absolute) */
	char *work;       /* <dir>/drive_c/opsmgr-test: the test's files
			   * (C:\opsmgr-test), removed with the prefix */
	char *out_path;   /* where the running program's output goes */
};

/* The registry key the stand-in MOMAgent.msi records its properties in. */
#define WINE_MSI_RECORD_KEY "HKLM\\SOFTWARE\\opsmgr-enroll-test\\MOMAgent"

/*
 * Make a new prefix "<build>/wine-<pid>-XXXXXX" and start its wineserver
 * (persistent until wine_prefix_destroy).  Prefixes an earlier test
 * program left behind (killed before its teardown: its pid is gone) are
 * removed first.  0 / -1 (message on stderr; the half-made directory is
 * removed).
 */
int wine_prefix_create(struct wine_prefix *w);

/* Stop the prefix's wineserver and its processes, remove the directory,
 * free the strings.  Safe on a zeroed or already destroyed struct. */
void wine_prefix_destroy(struct wine_prefix *w);

/*
 * Run "wine <args...>" (args NULL-terminated, e.g. {"reg", "query", key,
 * NULL}) in the prefix, in directory cwd (NULL: the prefix).  Returns the
 * exit status (low 8 bits of the Windows exit code), or -1 when it could
 * not run or ran longer than timeout_s.  *out (optional) receives
 * stdout+stderr.
 */
int wine_run(struct wine_prefix *w, const char *const args[], const char *cwd,
	     int timeout_s, char **out);

/*
 * "wine cmd /c <name> <args...>" in the script's own directory (args
 * NULL-terminated, may be NULL).  The name alone, not the path: cmd /c
 * strips the quotes of a path with & ( ) ^ in it and splits the line
 * there; a test that wants another working directory writes a launcher
 * script holding the quoted path.  Same return as wine_run.
 */
int wine_cmd_script(struct wine_prefix *w, const char *script_path,
		    const char *const args[], int timeout_s, char **out);

/* "Z:\dir\file" for an absolute Unix path (Wine's Z: drive is /). */
char *wine_win_path(const char *unix_path);

/*
 * The data of one registry value as `reg query KEY /v NAME` prints it
 * (REG_SZ as is, REG_BINARY as upper-case hex without separators, REG_DWORD
 * as 0x...), type (optional, e.g. "REG_SZ") copied into type[typelen].
 * NULL when the key or the value does not exist.
 */
char *wine_reg_value(struct wine_prefix *w, const char *key, const char *name,
		     char *type, size_t typelen);

/* 1 when `reg query KEY` finds the key, 0 when not, -1 when reg failed to
 * run. */
int wine_reg_key_exists(struct wine_prefix *w, const char *key);

/* Set one value (reg add KEY /v NAME /t TYPE /d DATA /f; REG_BINARY data
 * as hex digits).  0, or -1 with reg's output in *out (optional, the
 * caller frees). */
int wine_reg_add(struct wine_prefix *w, const char *key, const char *name,
		 const char *type, const char *data, char **out);

/* Delete a whole key (reg delete /f).  0 / -1 (also when it was absent). */
int wine_reg_delete_key(struct wine_prefix *w, const char *key);

/*
 * Build the stand-in MOMAgent.msi (tests/data/wine/momagent.wxs) with
 * wixl into out_msi.  0 / -1 (wixl's output on stderr).
 */
int wine_build_momagent_msi(const char *out_msi);

#endif
