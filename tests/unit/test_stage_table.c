/*
 * test_stage_table.c - the stage table (backend/core/stage_table.[ch]) is
 * consistent (entry points, unique ids, order of what a stage uses and
 * invalidates, configuration keys the loader knows, help pages), and the
 * flow, the help screen and the stage rail read it.  Messages name a stage
 * only through stage_ref(): no product source spells "stage 1" or a stage's
 * name in a string of its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/config.h"
#include "core/ctx.h"
#include "core/diag.h"
#include "core/state.h"
#include "core/config_load.h"
#include "core/stage_table.h"
#include "flow.h"
#include "lab_harness.h"
#include "layout.h"
#include "run_capture.h"
#include "stages/stages.h"
#include "unit_util.h"
#include "help.h"

static void test_rows_complete(void **st)
{
	(void)st;
	assert_int_equal(STAGE_FIRST, 1);
	assert_int_equal(STAGE_LAST, 7);
	assert_int_equal(STAGE_COUNT, STAGE_LAST + 1);
	assert_int_equal(STAGE_TRUST, STAGE_FIRST);
	assert_int_equal(STAGE_APPROVAL, STAGE_LAST);
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		assert_non_null(stage_entry((enum stage)s));
		assert_true(strlen(stage_title((enum stage)s)) > 0);
		assert_true(strlen(stage_rail_name((enum stage)s)) > 0);
		const char *h = stage_help((enum stage)s);
		assert_non_null(h);
		assert_int_equal(strncmp(h, "What this step does\n", 20), 0);
		assert_non_null(stage_input_keys((enum stage)s)[0]);
	}
	/* outside the stages: no entry, the "general" answers */
	assert_null(stage_entry(STAGE_NONE));
	assert_null(stage_entry(STAGE_COUNT));
	assert_null(stage_entry((enum stage)-1));
	assert_string_equal(stage_id(STAGE_COUNT), "general");
	assert_string_equal(stage_title((enum stage)99), "General");
	assert_null(stage_help(STAGE_NONE));
	assert_null(stage_input_keys(STAGE_NONE)[0]);
	assert_int_equal(stage_uses_mask(STAGE_NONE), 0);
	assert_int_equal(stage_invalidates_mask((enum stage)99), 0);
}

static void test_ids_unique(void **st)
{
	(void)st;
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		const char *id = stage_id((enum stage)s);
		assert_true(*id != '\0');
		for (const char *p = id; *p; p++)
			assert_true(islower((unsigned char)*p));
		assert_int_equal(stage_by_id(id), s);
		for (int t = s + 1; t <= STAGE_LAST; t++) {
			assert_string_not_equal(id, stage_id((enum stage)t));
			assert_string_not_equal(stage_title((enum stage)s),
						stage_title((enum stage)t));
		}
	}
	assert_int_equal(stage_by_id("general"), STAGE_NONE);
	assert_int_equal(stage_by_id("nonsense"), STAGE_NONE);
	assert_int_equal(stage_by_id(NULL), STAGE_NONE);
}

/* A stage uses only earlier stages and invalidates only later ones. */
static void test_order_of_dependencies(void **st)
{
	(void)st;
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		unsigned earlier = ((1u << s) - 1u) & ~1u;  /* 1..s-1 */
		unsigned later = ((1u << STAGE_COUNT) - 1u) & ~((1u << (s + 1)) - 1u);
		assert_int_equal(stage_uses_mask((enum stage)s) & ~earlier, 0);
		assert_int_equal(stage_invalidates_mask((enum stage)s) & ~later, 0);
	}
	/* a new root changes the chain check, the Windows bundle's root.cer
	 * and the server's handshake */
	assert_int_equal(stage_invalidates_mask(STAGE_TRUST),
			 (1u << STAGE_VERIFY) | (1u << STAGE_SERIAL) |
				 (1u << STAGE_APPROVAL));
	/* a new PFX is imported again, the approval checked again */
	assert_int_equal(stage_invalidates_mask(STAGE_EXPORT),
			 (1u << STAGE_SERIAL) | (1u << STAGE_APPROVAL));
	assert_int_equal(stage_invalidates_mask(STAGE_REQUEST),
			 (1u << STAGE_VERIFY) | (1u << STAGE_EXPORT) |
			 (1u << STAGE_SERIAL) | (1u << STAGE_APPROVAL));
	assert_int_equal(stage_invalidates_mask(STAGE_AGENT),
			 (1u << STAGE_SERIAL) | (1u << STAGE_APPROVAL));
	assert_int_equal(stage_invalidates_mask(STAGE_SERIAL),
			 1u << STAGE_APPROVAL);
	assert_int_equal(stage_invalidates_mask(STAGE_VERIFY), 0);
	/* a stage whose outputs another uses is redone before it: the user of
	 * stage 2's certificate is made stale when stage 2 is redone */
	for (int t = STAGE_FIRST; t <= STAGE_LAST; t++)
		if (stage_uses_mask((enum stage)t) & (1u << STAGE_REQUEST))
			assert_true(stage_invalidates_mask(STAGE_REQUEST) &
				    (1u << t));
}

static void test_roles_and_exit_codes(void **st)
{
	(void)st;
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		assert_true(stage_applies_to_role((enum stage)s, ROLE_AGENT));
		assert_int_equal(stage_applies_to_role((enum stage)s, ROLE_SERVER),
				 s != STAGE_AGENT);
		assert_int_equal(stage_exit_code((enum stage)s), 10 + s);
		assert_int_equal(flow_exit_code((enum stage)s, ST_FAIL), 10 + s);
	}
	assert_false(stage_applies_to_role(STAGE_NONE, ROLE_AGENT));
	assert_false(stage_applies_to_role(STAGE_TRUST, -1));
	assert_false(stage_applies_to_role(STAGE_TRUST, 40));
	assert_int_equal(stage_exit_code(STAGE_TRUST), 11);
	assert_int_equal(stage_exit_code(STAGE_APPROVAL), 17);
}

/* Does the loader know "section.key"?  Load a file setting it and look
 * for its "unknown section/key" warning. */
static bool loader_knows(const char *dir, const char *section_key)
{
	char section[64], key[64], path[600], text[200];
	const char *dot = strchr(section_key, '.');
	assert_non_null(dot);
	snprintf(section, sizeof(section), "%.*s", (int)(dot - section_key),
		 section_key);
	snprintf(key, sizeof(key), "%s", dot + 1);
	snprintf(path, sizeof(path), "%s/one.ini", dir);
	snprintf(text, sizeof(text), "[%s]\n%s = 1\n", section, key);
	assert_int_equal(test_write_file(path, text), 0);
	struct config c;
	struct diag_list dl;
	config_init(&c);
	diag_list_init(&dl);
	config_load_file(&c, path, true, &dl);
	bool known = true;
	for (size_t i = 0; i < dl.n; i++)
		if (strstr(dl.items[i].message, "unknown key") ||
		    strstr(dl.items[i].message, "unknown section"))
			known = false;
	diag_list_release(&dl);
	config_release(&c);
	return known;
}

static void test_input_keys_known(void **st)
{
	(void)st;
	char *dir = test_mkdtemp("stagetable");
	/* the probe tells a known key from an unknown one */
	assert_true(loader_knows(dir, "ca.template"));
	assert_false(loader_knows(dir, "ca.templates"));
	assert_false(loader_knows(dir, "stage.trust"));
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++)
	for (int col = 0; col < 2; col++) {
		const char *const *keys = col ? stage_access_keys((enum stage)s)
					      : stage_input_keys((enum stage)s);
		const char *const *other = col ? stage_input_keys((enum stage)s)
					       : stage_access_keys((enum stage)s);
		for (size_t i = 0; keys[i]; i++) {
			const char *k = keys[i];
			assert_non_null(strchr(k, '.'));
			assert_ptr_equal(strchr(k, '.'), strrchr(k, '.'));
			for (const char *p = k; *p; p++)
				assert_true(islower((unsigned char)*p) ||
					    isdigit((unsigned char)*p) ||
					    *p == '_' || *p == '.');
			for (size_t j = i + 1; keys[j]; j++)
				assert_string_not_equal(k, keys[j]);
			/* a key is an input or an access key, not both */
			for (size_t j = 0; other[j]; j++)
				assert_string_not_equal(k, other[j]);
			if (!loader_knows(dir, k))
				fail_msg("stage %d reads '%s', a key the loader does not know",
					 s, k);
			assert_true(stage_reads_key((enum stage)s, k));
		}
	}
	/* spot checks against the stages' code */
	static const struct {
		enum stage s;
		const char *key;
		bool reads;
	} SPOT[] = {
		{ STAGE_REQUEST, "ca.template", true },
		{ STAGE_TRUST, "ca.template", false },
		{ STAGE_AGENT, "wizard.role", true },
		{ STAGE_APPROVAL, "approval.timeout", true },
		{ STAGE_VERIFY, "export.pfx", false },
		{ STAGE_NONE, "ca.url", false },
		{ STAGE_REQUEST, "ca.password_file", true },
	};
	for (size_t i = 0; i < sizeof(SPOT) / sizeof(SPOT[0]); i++)
		assert_int_equal(stage_reads_key(SPOT[i].s, SPOT[i].key),
				 SPOT[i].reads);
	/* credentials and timeouts reach a server; they shape nothing */
	static const char *const ACCESS_ONLY[] = {
		"ca.password_file", "ca.user", "ca.auth", "ca.timeout",
		"export.password_file", "approval.timeout", "trust.accept",
	};
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++)
		for (size_t i = 0; i < sizeof(ACCESS_ONLY) / sizeof(*ACCESS_ONLY); i++)
			for (const char *const *k = stage_input_keys((enum stage)s); *k; k++)
				assert_string_not_equal(*k, ACCESS_ONLY[i]);
	test_rm_rf(dir);
	free(dir);
}

/* The help screen's titles and pages come from the table. */
static void test_help_reads_table(void **st)
{
	(void)st;
	char t[80], want[80];
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		help_title(s, t, sizeof(t));
		snprintf(want, sizeof(want), "Help: %d %s", s,
			 stage_title((enum stage)s));
		assert_string_equal(t, want);
		assert_ptr_equal(help_text(s), stage_help((enum stage)s));
	}
	help_title(SCREEN_WELCOME, t, sizeof(t));
	assert_string_equal(t, "Help: welcome");
	help_title(SCREEN_SUMMARY, t, sizeof(t));
	assert_string_equal(t, "Help: summary");
	help_title(-3, t, sizeof(t));
	assert_string_equal(t, "Help: welcome");
	assert_ptr_equal(help_text(SCREEN_WELCOME), stage_help_welcome);
	assert_ptr_equal(help_text(SCREEN_SUMMARY), stage_help_summary);
	assert_ptr_equal(help_text(SCREEN_EVIDENCE), stage_help_evidence);
	assert_ptr_equal(help_text(SCREEN_SUMMARY + 5), stage_help_welcome);
	help_title(1, t, sizeof(t));
	assert_string_equal(t, "Help: 1 Trust root");
}

/* Every rail name fits the narrowest rail ("N name" after the mark). */
static void test_rail_names_fit(void **st)
{
	(void)st;
	struct layout l;
	layout_compute(&l, UI_MIN_COLS, UI_MIN_LINES);
	assert_false(l.too_small);
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		char line[64];
		snprintf(line, sizeof(line), "%d %s", s,
			 stage_rail_name((enum stage)s));
		assert_true((int)strlen(line) <= l.rail.w - 6);
	}
}

/* stage_ref: "stage N (title with a lower-case initial)", static. */
static void test_stage_ref(void **st)
{
	(void)st;
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		char want[80];
		snprintf(want, sizeof(want), "stage %d (%s)", s,
			 stage_title((enum stage)s));
		char *name = strchr(want, '(') + 1;
		*name = (char)tolower((unsigned char)*name);
		assert_string_equal(stage_ref((enum stage)s), want);
		assert_ptr_equal(stage_ref((enum stage)s),
				 stage_ref((enum stage)s));
		/* the title is sentence case: only its initial changes */
		assert_int_equal(strncmp(name + 1, stage_title((enum stage)s) + 1,
					 strlen(stage_title((enum stage)s)) - 1),
				 0);
	}
	assert_string_equal(stage_ref(STAGE_TRUST), "stage 1 (trust root)");
	assert_string_equal(stage_ref(STAGE_AGENT), "stage 5 (install agent)");
	assert_string_equal(stage_ref(STAGE_LAST), "stage 7 (await approval)");
	assert_string_equal(stage_ref(STAGE_NONE), "general");
	assert_string_equal(stage_ref(STAGE_COUNT), "general");
	assert_string_equal(stage_ref((enum stage)-1), "general");
}

/* A message that names a stage says what stage_ref says. */
static void test_messages_use_stage_ref(void **st)
{
	(void)st;
	struct config cfg;
	struct state s;
	struct ctx c;
	struct diag_list dl;
	config_init(&cfg);
	cfg.role = ROLE_SERVER;
	state_init(&s);
	ctx_init(&c, &cfg, &s, "/nonexistent");
	diag_list_init(&dl);
	assert_int_equal(stage_entry(STAGE_AGENT)(&c, NULL, &dl), ST_OK);
	assert_int_equal(dl.n, 1);
	assert_int_equal(strncmp(dl.items[0].message, stage_ref(STAGE_AGENT),
				 strlen(stage_ref(STAGE_AGENT))), 0);
	diag_list_release(&dl);
	assert_int_equal(stage_entry(STAGE_EXPORT)(&c, NULL, &dl), ST_FAIL);
	assert_non_null(dl.items[0].fix);
	assert_string_equal(dl.items[0].fix,
			    "run stage 2 (request) until the certificate is issued");
	assert_non_null(strstr(dl.items[0].message, "from stage 2"));
	diag_list_release(&dl);
	ctx_release(&c);
	state_release(&s);
	config_release(&cfg);
}

/* ---- the rule, guarded: no product source names a stage itself --------- */

/* The table's own files: the rows and the help pages (static text). */
static bool exempt(const char *rel)
{
	return strncmp(rel, "backend/core/stage_table.", 25) == 0 ||
	       strcmp(rel, "backend/core/stage_help.c") == 0;
}

struct scan {
	regex_t re;
	char found[4096];
	size_t nfound;
	size_t files;
};

/* What the literal scanner carries from one line to the next. */
struct lit_state {
	bool in_comment;     /* inside a block comment */
	bool after_literal;  /* the last token was a string literal */
};

/*
 * The contents of the string literals on a line, outside comments, each
 * followed by a blank; literals C joins (only blanks and comments between)
 * are joined here too.  True when the line's first literal continues the
 * previous line's last one ("run stage "\n "1 (trust root)").
 */
static bool literals(const char *line, struct lit_state *ls, char *out,
		     size_t n)
{
	size_t o = 0;
	bool continues = false;
	for (const char *p = line; *p; p++) {
		if (ls->in_comment) {
			if (p[0] == '*' && p[1] == '/') {
				ls->in_comment = false;
				p++;
			}
		} else if (p[0] == '/' && p[1] == '*') {
			ls->in_comment = true;
			p++;
		} else if (p[0] == '/' && p[1] == '/') {
			break;
		} else if (isspace((unsigned char)*p)) {
			continue;
		} else if (*p == '"') {
			if (ls->after_literal && o > 0)
				o--;              /* the blank after the last one */
			else if (ls->after_literal)
				continues = true;
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				if (o + 1 < n)
					out[o++] = *p;
			}
			if (o + 1 < n)
				out[o++] = ' ';
			ls->after_literal = true;
			if (!*p)
				break;
		} else {
			ls->after_literal = false;
			if (*p != '\'')
				continue;
			for (p++; *p && *p != '\''; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				break;
		}
	}
	out[o] = '\0';
	return continues;
}

static void scan_file(struct scan *sc, const char *path, const char *rel)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[4096], text[4096], run[8192] = "";
	struct lit_state ls = { false, false };
	bool run_found = false;   /* the run is reported already */
	int ln = 0;
	sc->files++;
	while (fgets(line, sizeof(line), f)) {
		ln++;
		size_t rl = strlen(run);
		if (literals(line, &ls, text, sizeof(text)) && rl) {
			run[rl - 1] = '\0';    /* join: drop the blank */
		} else {
			run[0] = '\0';
			run_found = false;
		}
		rl = strlen(run);
		snprintf(run + rl, sizeof(run) - rl, "%s", text);
		if (run_found || regexec(&sc->re, run, 0, NULL, 0) != 0)
			continue;
		run_found = true;
		size_t left = sizeof(sc->found) - strlen(sc->found);
		snprintf(sc->found + strlen(sc->found), left, "%s:%d: %s", rel,
			 ln, line);
		sc->nfound++;
	}
	fclose(f);
}

/* Scan the sources under root/rel; false when that folder cannot be read
 * (a renamed folder must not pass unscanned). */
static bool scan_dir(struct scan *sc, const char *root, const char *rel)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	DIR *d = opendir(path);
	if (!d)
		return false;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char sub[1024], full[4200];
		struct stat sb;
		snprintf(sub, sizeof(sub), "%s/%s", rel, e->d_name);
		snprintf(full, sizeof(full), "%s/%s", root, sub);
		if (stat(full, &sb) != 0)
			continue;
		size_t len = strlen(sub);
		if (S_ISDIR(sb.st_mode))
			assert_true(scan_dir(sc, root, sub));
		else if (len > 2 && sub[len - 2] == '.' &&
			 (sub[len - 1] == 'c' || sub[len - 1] == 'h') &&
			 !exempt(sub))
			scan_file(sc, full, sub);
	}
	closedir(d);
	return true;
}

/* The pattern of a stage spelled by hand: "stage 3", "stages 2-6", or a
 * stage's prose name in brackets or quotes ("(install agent)") or as "the
 * verify stage".  The names come from the table. */
static void build_pattern(char *re, size_t n)
{
	char names[512] = "";
	for (int s = STAGE_FIRST; s <= STAGE_LAST; s++) {
		const char *r = strchr(stage_ref((enum stage)s), '(') + 1;
		size_t l = strlen(names);
		snprintf(names + l, sizeof(names) - l, "%s%.*s",
			 s > STAGE_FIRST ? "|" : "", (int)(strlen(r) - 1), r);
	}
	snprintf(re, n,
		 "[Ss]tages? [0-9]|[('](%s)[)']|the (%s) stage", names, names);
}

static void test_sources_name_no_stage(void **st)
{
	(void)st;
	char *root = test_source_path(".");
	assert_non_null(root);
	static const char *const dirs[] = { "backend", "wizard", "screens",
					    "app", "lab" };
	struct scan sc;
	memset(&sc, 0, sizeof(sc));
	char re[2048];
	build_pattern(re, sizeof(re));
	assert_int_equal(regcomp(&sc.re, re, REG_EXTENDED | REG_NOSUB), 0);
	/* the pattern finds what it is for, and not what is allowed */
	assert_int_equal(regexec(&sc.re, "run stage 1 (trust root) again ",
				 0, NULL, 0), 0);
	assert_int_equal(regexec(&sc.re, "run stages 2-6 again ", 0, NULL, 0),
			 0);
	assert_int_equal(regexec(&sc.re, "run stage 5 'install agent' ", 0,
				 NULL, 0), 0);
	assert_int_equal(regexec(&sc.re, "the verify stage checks ", 0, NULL,
				 0), 0);
	assert_int_equal(regexec(&sc.re, "run %s again ", 0, NULL, 0),
			 REG_NOMATCH);
	assert_int_equal(regexec(&sc.re, "stage %d done ", 0, NULL, 0),
			 REG_NOMATCH);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!scan_dir(&sc, root, dirs[i]))
			fail_msg("cannot read the source folder '%s'", dirs[i]);
	regfree(&sc.re);
	free(root);
	assert_true(sc.files > 100);
	if (sc.nfound)
		fail_msg("stage numbers or names spelled outside the stage "
			 "table (use stage_ref() or STAGE_*):\n%s", sc.found);
}

/* The walk finds a stage spelled in a source file, reads .c and .h files
 * only, skips the table's own files, and refuses a missing folder. */
static void test_scan_finds_planted(void **st)
{
	(void)st;
	char *root = test_mkdtemp("stagescan");
	char path[600], re[2048];
	static const struct {
		const char *rel, *text;
	} FILES[] = {
		{ "backend", NULL },
		{ "backend/core", NULL },
		{ "backend/core/stage_table.h", "x(\"stage 1\");\n" },
		{ "backend/core/stage_help.c", "x(\"the verify stage\");\n" },
		{ "backend/core/other.c", "f();\ng(\"run stage 2 again\");\n" },
		{ "backend/core/split.c", "g(\"run \"\n  \"stage \"\n  \"3 \"\n  \"again\");\n" },
		{ "backend/core/clean.h", "h(\"run %s again\"); /* stage 3 */\n" },
		{ "backend/core/notes.txt", "\"stage 4\"\n" },
	};
	for (size_t i = 0; i < sizeof(FILES) / sizeof(FILES[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, FILES[i].rel);
		if (FILES[i].text)
			assert_int_equal(test_write_file(path, FILES[i].text), 0);
		else
			assert_int_equal(mkdir(path, 0700), 0);
	}
	struct scan sc;
	memset(&sc, 0, sizeof(sc));
	build_pattern(re, sizeof(re));
	assert_int_equal(regcomp(&sc.re, re, REG_EXTENDED | REG_NOSUB), 0);
	assert_true(scan_dir(&sc, root, "backend"));
	assert_false(scan_dir(&sc, root, "screens"));
	regfree(&sc.re);
	assert_int_equal(sc.files, 3);
	assert_int_equal(sc.nfound, 2);
	assert_non_null(strstr(sc.found, "backend/core/other.c:2: "));
	assert_non_null(strstr(sc.found, "backend/core/split.c:3: "));
	test_rm_rf(root);
	free(root);
}

/* The scanner reads literals only, across lines and comments, and joins
 * the literals C joins. */
static void test_literal_scanner(void **st)
{
	(void)st;
	char out[256];
	struct lit_state c = { false, false };
	assert_false(literals("x = \"run stage 1\"; /* stage 2 */ y(\"a\\\"b\");\n",
			      &c, out, sizeof(out)));
	assert_string_equal(out, "run stage 1 a\"b ");
	assert_false(c.in_comment);
	literals("f(); /* stage 3 \"in a comment\"\n", &c, out, sizeof(out));
	assert_string_equal(out, "");
	assert_true(c.in_comment);
	literals(" * \"still\" */ g('\"', \"here\"); // \"not\"\n", &c, out,
		 sizeof(out));
	assert_string_equal(out, "here ");
	assert_false(c.in_comment);
	/* adjacent literals, on one line and over two */
	literals("f(\"run stage \" /* x */ \"1 (trust root)\", '\"');\n", &c,
		 out, sizeof(out));
	assert_string_equal(out, "run stage 1 (trust root) ");
	assert_false(c.after_literal);
	assert_false(literals("fix(\"run stage \"\n", &c, out, sizeof(out)));
	assert_true(c.after_literal);
	assert_true(literals("    \"2 again\");\n", &c, out, sizeof(out)));
	assert_string_equal(out, "2 again ");
	assert_false(literals("#include \"a.h\"\n", &c, out, sizeof(out)));
	assert_false(literals("#include \"b.h\"\n", &c, out, sizeof(out)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_complete),
		cmocka_unit_test(test_ids_unique),
		cmocka_unit_test(test_order_of_dependencies),
		cmocka_unit_test(test_roles_and_exit_codes),
		cmocka_unit_test(test_input_keys_known),
		cmocka_unit_test(test_help_reads_table),
		cmocka_unit_test(test_rail_names_fit),
		cmocka_unit_test(test_stage_ref),
		cmocka_unit_test(test_messages_use_stage_ref),
		cmocka_unit_test(test_literal_scanner),
		cmocka_unit_test(test_scan_finds_planted),
		cmocka_unit_test(test_sources_name_no_stage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
