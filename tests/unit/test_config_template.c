/*
 * test_config_template.c - the system configuration file written from the
 * key table (core/config_template.h, `opsmgr-enroll config-template`, the
 * Debian package's conffile): every key of the table exactly once, under
 * its own section, commented out, nothing else; the file loads without a
 * word and changes no value; and every default it prints, uncommented,
 * is accepted by the loader and is the table's default.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/config_load.h"
#include "core/config_schema.h"
#include "core/config_template.h"
#include "core/diag.h"
#include "lab_harness.h"
#include "run_capture.h"

/* How often ";key =" appears inside [section] of text. */
static int count_key(const char *text, const char *section, const char *key)
{
	char head[64], line[96];
	int n = 0;

	snprintf(head, sizeof(head), "\n[%s]\n", section);
	snprintf(line, sizeof(line), "\n;%s =", key);
	const char *p = strstr(text, head), *end;
	if (!p)
		return 0;
	p += strlen(head) - 1;
	end = strstr(p, "\n[");
	if (!end)
		end = p + strlen(p);
	for (const char *q = p; (q = strstr(q, line)) && q < end; q++)
		n++;
	return n;
}

static void test_every_key_once_in_its_section(void **state)
{
	char *text = config_template_text();
	size_t key_lines = 0;
	(void)state;

	assert_non_null(text);
	for (size_t i = 0; i < config_key_count(); i++) {
		const struct config_key *k = config_key_at(i);
		if (count_key(text, k->section, k->key) != 1)
			fail_msg("'%s' is not once under [%s]:\n%s", k->name,
				 k->section, text);
	}
	/* no other setting: each line is a comment, a section or ";key" */
	for (char *l = text; *l; l = strchr(l, '\n') + 1) {
		assert_non_null(strchr(l, '\n'));
		if (*l == ';')
			key_lines++;
		else if (*l != '#' && *l != '[' && *l != '\n')
			fail_msg("an uncommented line: %.*s",
				 (int)(strchr(l, '\n') - l), l);
	}
	assert_int_equal(key_lines, config_key_count());
	free(text);
}

/* Load text from a temporary file into a fresh config; its status. */
static int load(const char *text, struct config *c, struct diag_list *dl)
{
	char *dir = test_mkdtemp("conftmpl-"), path[PATH_MAX];
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/opsmgr-enroll.ini", dir);
	assert_int_equal(test_write_file(path, text), 0);
	config_init(c);
	diag_list_init(dl);
	int rc = config_load_file(c, path, true, dl);
	test_rm_rf(dir);
	free(dir);
	return rc;
}

/* Every key of a and b has the same text. */
static void same_values(const struct config *a, const struct config *b)
{
	char va[512], vb[512];
	for (size_t i = 0; i < config_key_count(); i++) {
		const struct config_key *k = config_key_at(i);
		config_key_get_text(a, k, va, sizeof(va));
		config_key_get_text(b, k, vb, sizeof(vb));
		if (strcmp(va, vb) != 0)
			fail_msg("%s: '%s', the default is '%s'", k->name, va, vb);
	}
}

static void test_loads_without_a_word_and_changes_nothing(void **state)
{
	char *text = config_template_text();
	struct config c, def;
	struct diag_list dl;
	(void)state;

	assert_int_equal(load(text, &c, &dl), 0);
	if (dl.n)
		fail_msg("loading it said: %s", dl.items[0].message);
	config_init(&def);
	same_values(&c, &def);
	assert_true(c.explicit_keys == 0);
	diag_list_release(&dl);
	config_release(&c);
	config_release(&def);
	free(text);
}

/* ";key = value" lines uncommented (the ones without a value stay). */
static char *uncomment_defaults(const char *text, size_t *n)
{
	char *out = malloc(strlen(text) + 1), *o = out;
	*n = 0;
	for (const char *l = text; *l; ) {
		const char *e = strchr(l, '\n') + 1;
		if (*l == ';' && e[-2] != '=') {
			l++;
			(*n)++;
		}
		memcpy(o, l, (size_t)(e - l));
		o += e - l;
		l = e;
	}
	*o = '\0';
	return out;
}

static void test_printed_defaults_are_the_tables(void **state)
{
	char *text = config_template_text(), *set;
	struct config c, def;
	struct diag_list dl;
	size_t n;
	(void)state;

	set = uncomment_defaults(text, &n);
	assert_true(n >= 10);   /* every enum, number and yes/no key */
	assert_int_equal(load(set, &c, &dl), 0);
	if (dl.n)
		fail_msg("loading the defaults said: %s", dl.items[0].message);
	config_init(&def);
	same_values(&c, &def);
	/* and they were really read: one explicit key per uncommented line */
	assert_int_equal(__builtin_popcountll(c.explicit_keys), n);
	diag_list_release(&dl);
	config_release(&c);
	config_release(&def);
	free(set);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key_once_in_its_section),
		cmocka_unit_test(test_loads_without_a_word_and_changes_nothing),
		cmocka_unit_test(test_printed_defaults_are_the_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
