/*
 * cmdline.c - how a configured command string becomes an argv (cmdline.h):
 * blanks separate words, '...' and "..." quote, no expansion of any kind.
 */
#include "core/cmdline.h"
#include "core/errbuf.h"

#include <stdlib.h>
#include <string.h>

void strv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

static int push_word(char ***argv, size_t *n, size_t *cap, const char *w,
		     size_t wl)
{
	if (*n + 2 > *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		char **na = realloc(*argv, ncap * sizeof(*na));
		if (!na)
			return -1;
		*argv = na;
		*cap = ncap;
	}
	char *s = strndup(w, wl);
	if (!s)
		return -1;
	(*argv)[(*n)++] = s;
	(*argv)[*n] = NULL;
	return 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A '...' part from the quote at i: copied to word; returns the index of
 * the closing quote, len when there is none. */
static size_t single_quoted(const char *s, size_t len, size_t i, char *word,
			    size_t *wl)
{
	for (i++; i < len && s[i] != '\''; i++)
		word[(*wl)++] = s[i];
	return i;
}

/* A "..." part: \" \\ \$ \` escape, backslash-newline joins lines. */
static size_t double_quoted(const char *s, size_t len, size_t i, char *word,
			    size_t *wl)
{
	for (i++; i < len && s[i] != '"'; i++) {
		char d = s[i];
		if (d == '\\' && i + 1 < len && strchr("\"\\$`", s[i + 1])) {
			word[(*wl)++] = s[++i];
			continue;
		}
		if (d == '\\' && i + 1 < len && s[i + 1] == '\n') {
			i++; /* line continuation */
			continue;
		}
		word[(*wl)++] = d;
	}
	return i;
}

int cmdline_split(const char *cmdline, char ***argv_out, char *err,
		    size_t errlen)
{
	if (!argv_out)
		return -1;
	*argv_out = NULL;
	if (!cmdline)
		cmdline = "";
	size_t len = strlen(cmdline);
	char *word = malloc(len + 1);
	char **argv = NULL;
	size_t n = 0, cap = 0, wl = 0;
	int in_word = 0;
	if (!word)
		goto oom;
	for (size_t i = 0; i < len; i++) {
		char c = cmdline[i];
		if (is_blank(c)) {
			if (in_word) {
				if (push_word(&argv, &n, &cap, word, wl) != 0)
					goto oom;
				in_word = 0;
				wl = 0;
			}
			continue;
		}
		in_word = 1;
		if (c == '\'' || c == '"') {
			size_t open_at = i;
			i = c == '\'' ? single_quoted(cmdline, len, i, word, &wl)
				      : double_quoted(cmdline, len, i, word, &wl);
			if (i >= len) {
				errbuf_printf(err, errlen,
					"unterminated %s quote at position %zu: add the closing %c",
					c == '"' ? "double" : "single",
					open_at + 1, c);
				goto fail;
			}
		} else if (c == '\\') {
			if (i + 1 >= len) {
				errbuf_printf(err, errlen,
					"lone backslash at the end of the command (position %zu): remove it or write '\\\\'",
					i + 1);
				goto fail;
			}
			i++;
			if (cmdline[i] == '\n') {
				/* line continuation: joins, adds nothing */
				if (wl == 0)
					in_word = 0;
				continue;
			}
			word[wl++] = cmdline[i];
		} else {
			word[wl++] = c;
		}
	}
	if (in_word && push_word(&argv, &n, &cap, word, wl) != 0)
		goto oom;
	free(word);
	if (n == 0) {
		errbuf_printf(err, errlen, "the command is empty: give a program and its arguments");
		strv_free(argv);
		return -1;
	}
	*argv_out = argv;
	return 0;
oom:
	errbuf_printf(err, errlen, "cannot split the command: out of memory");
fail:
	free(word);
	strv_free(argv);
	return -1;
}
