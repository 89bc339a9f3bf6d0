/*
 * test_answers_write.c - the answers file for the next computer
 * (backend/core/answers_write.c) and its command line (wizard/cli.c
 * save-answers): every key of the schema written and read back by the real
 * loader (config_load_file) unchanged, values that need quotes, values no
 * INI line holds refused by name, no password ever (typed or in files),
 * password files and per-computer values as commented placeholders, the
 * trusted root pinned from a state, defaults left out, the header, 0600
 * files that are never replaced unless told, numbered names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/answers_write.h"
#include "core/config_load.h"
#include "core/config_schema.h"
#include "core/ctx.h"
#include "core/stage_table.h"
#include "lab_harness.h"
#include "run_capture.h"

#define PIN_HEX "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"

struct fx {
	char *dir;
	char path[600];
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	if (!fx || !(fx->dir = test_mkdtemp("answers-")))
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/answers.ini", fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	test_rm_rf(fx->dir);
	free(fx->dir);
	free(fx);
	return 0;
}

/* ---- helpers ------------------------------------------------------------ */

static bool is_password_file(const struct config_key *k)
{
	return strcmp(k->key, "password_file") == 0;
}

/* Every line of want is in text; fails naming the first missing one. */
static void has_all(const char *text, const char *const *want)
{
	for (; *want; want++)
		if (!strstr(text, *want))
			fail_msg("no '%s' in:\n%s", *want, text);
}
#define HAS(text, ...) has_all((text), (const char *const[]){ __VA_ARGS__, NULL })

/* Write c (st may be NULL), load it back into out with the real loader. */
static void write_and_load(struct fx *fx, const struct config *c,
			   const struct state *st, struct config *out)
{
	char err[1024];
	struct diag_list dl;
	unlink(fx->path);
	if (answers_write(fx->path, c, st, false, err, sizeof(err)) != 0)
		fail_msg("answers_write: %s", err);
	config_init(out);
	diag_list_init(&dl);
	if (config_load_file(out, fx->path, true, &dl) != 0) {
		char *text = test_read_file(fx->path);
		diag_print_text(stderr, &dl, SEV_INFO);
		fail_msg("the loader refused what was written:\n%s", text);
	}
	diag_list_release(&dl);
}

/* Every key of loaded as in orig; the password files and the FQDN are
 * never set by an answers file. */
static void assert_same(const struct config *orig, const struct config *loaded,
			const char *what)
{
	char a[4096], b[4096];
	for (size_t i = 0; i < config_key_count(); i++) {
		const struct config_key *k = config_key_at(i);
		config_key_get_text(orig, k, a, sizeof(a));
		config_key_get_text(loaded, k, b, sizeof(b));
		if (is_password_file(k) || strcmp(k->name, "computer.fqdn") == 0)
			a[0] = '\0';
		if (strcmp(a, b) != 0)
			fail_msg("%s: %s was '%s', read back as '%s'", what,
				 k->name, a, b);
	}
}

/* Values an INI line must quote or that trip iniparser, and values the
 * stricter rules accept. */
static const char *const TRICKY[] = {
	"/opt/a;b/file", "/opt/#x/file", " /lead/space", "/trail/space ",
	"\"/starts/with/quote\"", "'/starts/with/single'", "/it's/here",
	"/say \"hi\" there", "C:\\dir\\", "/a = b/c", "/\xc3\xbcn\xc3\xaf" "c\xc3\xb6" "de",
	"/x ;y", "\"\"", "''", "[section]", "/semi; and 'single'",
	"/hash# and \"double\"", "=start", "/x\\y", "\"", "'", NULL
};
static const char *const PLAIN[] = {
	"https://ca.example.com/certsrv/", "https://ca.example.com:8443/a;b/",
	"http://files.example.com/root.cer", "OpsMgr", "Ops Mgr", "LAB",
	"ms01.example.com", "/usr/bin/true --flag \"a b\"",
	"/usr/bin/install --name 'x;y' --dir /opt/#1", "OpsMgr agent; #1",
	PIN_HEX, "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:"
	"00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff", "/srv/agent/agent.ini",
	NULL
};

/* One string key set to v, written and read back; false when k's rule
 * does not take v. */
static bool round_trip_text(struct fx *fx, const struct config_key *k,
			    const char *v)
{
	struct config c, loaded;
	config_init(&c);
	if (config_key_set_text(&c, k, v, NULL) != 0) {
		config_release(&c);
		return false;
	}
	write_and_load(fx, &c, NULL, &loaded);
	assert_same(&c, &loaded, v);
	config_release(&loaded);
	config_release(&c);
	return true;
}

/* ---- the round trip over every key ------------------------------------- */

static void test_round_trip_every_key(void **state)
{
	struct fx *fx = *state;
	struct config all, loaded;
	char def[64];
	config_init(&all);
	for (size_t i = 0; i < config_key_count(); i++) {
		const struct config_key *k = config_key_at(i);
		int taken = 0, tricky = 0;
		if (is_password_file(k) || strcmp(k->name, "computer.fqdn") == 0)
			continue;
		if (k->type == CT_STR) {
			for (int j = 0; TRICKY[j]; j++)
				tricky += round_trip_text(fx, k, TRICKY[j]);
			for (int j = 0; PLAIN[j]; j++)
				taken += round_trip_text(fx, k, PLAIN[j]);
			/* paths take any text: every tricky value was tried */
			if (!k->pin && (k->text_rule == rule_path || !k->text_rule))
				assert_int_equal(tricky, 21);
			assert_true(taken + tricky > 0);
			for (int j = 0; PLAIN[j]; j++)
				if (config_key_set_text(&all, k, PLAIN[j], NULL) == 0)
					break;
			continue;
		}
		/* every other value of a number, a yes/no, an enumeration */
		config_key_get_text(&all, k, def, sizeof(def));
		const char *const nums[] = { "1", "443", "3072", "4096", "7200",
					     "86400", "yes", "no", NULL };
		const char *const *vals = k->type == CT_ENUM ? k->names : nums;
		for (int j = 0; vals[j]; j++) {
			struct config c;
			config_init(&c);
			if (strcmp(vals[j], def) != 0 &&
			    config_key_set_text(&c, k, vals[j], NULL) == 0) {
				write_and_load(fx, &c, NULL, &loaded);
				assert_same(&c, &loaded, vals[j]);
				config_release(&loaded);
				config_key_set_text(&all, k, vals[j], NULL);
				taken++;
			}
			config_release(&c);
		}
		assert_true(taken > 0);
	}
	/* all of them at once */
	write_and_load(fx, &all, NULL, &loaded);
	assert_same(&all, &loaded, "every key");
	config_release(&loaded);
	config_release(&all);
}

/* A value set by an explicit file is written even when it is the
 * default; nothing else that is the default is. */
static void test_defaults_left_out_explicit_kept(void **state)
{
	struct fx *fx = *state;
	struct config c, loaded;
	config_init(&c);
	char *text = answers_text(&c, NULL, 0, NULL, 0);
	assert_non_null(text);
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n"))
		if (l[0] != ';' && l[0] != '[')
			fail_msg("a default was written: '%s'", l);
	free(text);

	c.explicit_keys |= CONFIG_KEY_BIT(config_key_find("key.bits"));
	write_and_load(fx, &c, NULL, &loaded);
	text = test_read_file(fx->path);
	assert_non_null(strstr(text, "\n[key]\nbits = 2048\n"));
	assert_null(strstr(text, "port = "));
	assert_true(loaded.explicit_keys &
		    CONFIG_KEY_BIT(config_key_find("key.bits")));
	free(text);
	config_release(&loaded);
	config_release(&c);
}

/* Values that need quotes come out quoted, with the quote they do not
 * hold; what no INI line can hold is refused, naming the key. */
static void test_quoting_and_refusals(void **state)
{
	(void)state;
	char out[2048], why[256];
	assert_int_equal(answers_ini_value("plain", out, sizeof(out), why,
					   sizeof(why)), 0);
	assert_string_equal(out, "plain");
	assert_int_equal(answers_ini_value("a;b", out, sizeof(out), why,
					   sizeof(why)), 0);
	assert_string_equal(out, "\"a;b\"");
	assert_int_equal(answers_ini_value("say \"hi\" #1", out, sizeof(out),
					   why, sizeof(why)), 0);
	assert_string_equal(out, "'say \"hi\" #1'");
	assert_int_equal(answers_ini_value("a \"b\" c", out, sizeof(out), why,
					   sizeof(why)), 0);
	assert_string_equal(out, "a \"b\" c");       /* no quotes needed */
	assert_int_equal(answers_ini_value("it's; \"x\"", out, sizeof(out),
					   why, sizeof(why)), -1);
	assert_non_null(strstr(why, "both ' and \""));
	assert_int_equal(answers_ini_value("tab\there", out, sizeof(out), why,
					   sizeof(why)), -1);
	assert_non_null(strstr(why, "0x09"));
	assert_int_equal(answers_ini_value("bad \xff", out, sizeof(out), why,
					   sizeof(why)), -1);
	char longv[1100];
	memset(longv, 'x', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	assert_int_equal(answers_ini_value(longv, out, sizeof(out), why,
					   sizeof(why)), -1);
	assert_non_null(strstr(why, "longer"));

	struct config c;
	char err[512];
	config_init(&c);
	assert_int_equal(config_key_set_text(&c, config_key_find("ca.user"),
					     "o'neil; \"x\"", NULL), 0);
	assert_null(answers_text(&c, NULL, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "'ca.user'"));
	config_release(&c);
}

/* ---- never a password -------------------------------------------------- */

static void test_no_password_ever(void **state)
{
	struct fx *fx = *state;
	static const char CA_PW[] = "Ca-Secret-7193";
	static const char PFX_PW[] = "Pfx-Secret-5528";
	char ca_file[700], pfx_file[700], line[800];
	struct config c, loaded;
	struct state st;
	struct ctx ctx;
	snprintf(ca_file, sizeof(ca_file), "%s/ca-password", fx->dir);
	snprintf(pfx_file, sizeof(pfx_file), "%s/pfx-password", fx->dir);
	assert_int_equal(test_write_file(ca_file, "Ca-Secret-7193\n"), 0);
	assert_int_equal(test_write_file(pfx_file, "Pfx-Secret-5528\n"), 0);
	config_init(&c);
	state_init(&st);
	c.explicit_keys = ~0ull;     /* as if every key came from a file */
	config_set_str(&c.ca_url, "https://ca.example.com/certsrv/");
	config_set_str(&c.ca_user, "enroller");
	config_set_str(&c.ca_password_file, ca_file);
	config_set_str(&c.export_password_file, pfx_file);
	ctx_init(&ctx, &c, &st, fx->dir);
	assert_int_equal(ctx_load_secrets(&ctx, NULL), 0);
	assert_int_equal(ctx_set_typed_password(&ctx, CTX_CA_PASSWORD, CA_PW), 0);

	write_and_load(fx, &c, &st, &loaded);
	char *text = test_read_file(fx->path);
	assert_non_null(text);
	assert_null(strstr(text, CA_PW));
	assert_null(strstr(text, PFX_PW));
	assert_null(strstr(text, "Secret"));
	/* each password file: a placeholder to fill in, commented out */
	snprintf(line, sizeof(line), "\n; password_file = %s  ; first line: "
		 "the password\n", ca_file);
	assert_non_null(strstr(text, line));
	snprintf(line, sizeof(line), "\n; password_file = %s  ; first line: "
		 "the password\n", pfx_file);
	assert_non_null(strstr(text, line));
	assert_null(strstr(text, "\npassword_file"));
	assert_null(loaded.ca_password_file);
	assert_null(loaded.export_password_file);
	assert_string_equal(loaded.ca_user, "enroller");
	struct stat sb;
	assert_int_equal(stat(fx->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	free(text);

	/* no file named: the placeholder path, [ca]'s only for a password */
	config_set_str(&c.ca_password_file, NULL);
	config_set_str(&c.export_password_file, NULL);
	text = answers_text(&c, NULL, 0, NULL, 0);
	char *ca = strstr(text, "\n[ca]\n"), *key = strstr(text, "\n[key]\n");
	char *exp = strstr(text, "\n[export]\n"), *agent = strstr(text, "\n[agent]\n");
	assert_true(ca && key && exp && agent && ca < key && exp < agent);
	*key = *agent = '\0';
	assert_non_null(strstr(ca, "\n; password_file = /path/to/file  ; first line: the password\n"));
	assert_non_null(strstr(exp, "\n; password_file = /path/to/file  ; first line: the password\n"));
	free(text);
	c.ca_auth = AUTH_NEGOTIATE;
	text = answers_text(&c, NULL, 0, NULL, 0);
	ca = strstr(text, "[ca]");
	key = strstr(text, "[key]");
	assert_true(ca && key && ca < key);
	*key = '\0';
	assert_null(strstr(ca, "password_file"));
	free(text);

	ctx_release(&ctx);
	config_release(&loaded);
	state_release(&st);
	config_release(&c);
}

/* ---- per computer -------------------------------------------------------- */

static void test_per_computer_commented(void **state)
{
	struct fx *fx = *state;
	struct config c, loaded;
	struct state st;
	config_init(&c);
	state_init(&st);
	config_set_str(&c.fqdn, "agent01.lab.test");
	config_set_str(&c.export_pfx, "/out/AGENT01.pfx");
	config_set_str(&c.agent_config, "/etc/agent01.lab.test/agent.ini");
	config_set_str(&c.agent_reg_file, "/out/agent012/x.reg");  /* not it */
	config_set_str(&c.export_friendly_name, "OpsMgr agent");
	write_and_load(fx, &c, NULL, &loaded);
	char *text = test_read_file(fx->path);
	HAS(text, "\n[computer]\n; fqdn = agent01.lab.test  ; differs per computer",
	    "\n; pfx = /out/AGENT01.pfx  ; differs per computer: it names this one\n",
	    "\n; config = /etc/agent01.lab.test/agent.ini  ; differs per computer",
	    "\nreg_file = /out/agent012/x.reg\n",
	    "\nfriendly_name = OpsMgr agent\n");
	assert_null(loaded.fqdn);
	assert_null(loaded.export_pfx);
	assert_null(loaded.agent_config);
	assert_string_equal(loaded.agent_reg_file, "/out/agent012/x.reg");
	free(text);
	config_release(&loaded);

	/* the FQDN the state recorded when the answers have none; a header
	 * that says where the answers come from */
	config_set_str(&c.fqdn, NULL);
	state_set_str(&st.fqdn, "agent01.lab.test");
	text = answers_text(&c, &st, 86400 + 3600, NULL, 0);
	HAS(text, "; fqdn = agent01.lab.test  ;", "; pfx = /out/AGENT01.pfx  ;",
	    "written by opsmgr-enroll " OPSMGR_VERSION " on 1970-01-02 01:00 UTC\n",
	    "; from the enrollment of agent01.lab.test\n");
	/* sections in the schema's order */
	const char *last = text;
	for (int i = 0; CONFIG_SECTIONS[i]; i++) {
		char h[64];
		snprintf(h, sizeof(h), "[%s]", CONFIG_SECTIONS[i]);
		const char *p = strstr(text, h);
		if (!p)
			continue;
		assert_true(p > last);
		last = p;
	}
	free(text);
	/* a recorded name that is no host name names nothing */
	state_set_str(&st.fqdn, "../x\\");
	text = answers_text(&c, &st, 0, NULL, 0);
	assert_null(strstr(text, "../x"));
	free(text);
	/* no FQDN anywhere: a placeholder */
	state_set_str(&st.fqdn, NULL);
	text = answers_text(&c, &st, 0, NULL, 0);
	assert_non_null(strstr(text, "\n; fqdn = host.example.com  ;"));
	assert_non_null(strstr(text, "\npfx = /out/AGENT01.pfx\n"));
	free(text);
	state_release(&st);
	config_release(&c);
}

/* The root stage 1 trusted pins the next computer's trust; a configured
 * pin wins; an unfinished stage 1 pins nothing. */
static void test_pin_from_state(void **state)
{
	struct fx *fx = *state;
	struct config c, loaded;
	struct state st;
	config_init(&c);
	state_init(&st);
	state_set_str(&st.root_sha256, PIN_HEX);
	st.stage[STAGE_TRUST] = STAGE_ST_DONE;
	write_and_load(fx, &c, &st, &loaded);
	assert_non_null(loaded.trust_sha256);
	assert_string_equal(loaded.trust_sha256, PIN_HEX);
	char *text = test_read_file(fx->path);
	assert_non_null(strstr(text, "; the root stage 1 (trust root) trusted"));
	free(text);
	config_release(&loaded);

	static const char OTHER[] = "FFEEDDCCBBAA99887766554433221100FFEEDDCCBBAA99887766554433221100";
	assert_int_equal(config_key_set_text(&c, config_key_find("trust.sha256"),
					     OTHER, NULL), 0);
	write_and_load(fx, &c, &st, &loaded);
	assert_string_equal(loaded.trust_sha256, OTHER);
	config_release(&loaded);

	/* a damaged record is no pin */
	config_set_str(&c.trust_sha256, NULL);
	state_set_str(&st.root_sha256, "not-a-fingerprint");
	write_and_load(fx, &c, &st, &loaded);
	assert_null(loaded.trust_sha256);
	config_release(&loaded);

	state_set_str(&st.root_sha256, PIN_HEX);
	st.stage[STAGE_TRUST] = STAGE_ST_FAILED;
	write_and_load(fx, &c, &st, &loaded);
	assert_null(loaded.trust_sha256);
	config_release(&loaded);
	state_release(&st);
	config_release(&c);
}

/* A state records no CA account: the next run is asked for one. */
static void test_ca_user_placeholder(void **state)
{
	(void)state;
	struct config c;
	config_init(&c);
	config_set_str(&c.ca_url, "https://ca.example.com/certsrv/");
	char *text = answers_text(&c, NULL, 0, NULL, 0);
	assert_non_null(strstr(text, "\n; user = ca-user  ; the CA account"));
	free(text);
	config_set_str(&c.ca_user, "enroller");
	text = answers_text(&c, NULL, 0, NULL, 0);
	assert_non_null(strstr(text, "\nuser = enroller\n"));
	assert_null(strstr(text, "ca-user"));
	free(text);
	config_release(&c);
}

/* ---- files ------------------------------------------------------------- */

static void test_never_replaced_unless_told(void **state)
{
	struct fx *fx = *state;
	struct config c;
	char err[1024];
	config_init(&c);
	config_set_str(&c.ca_template, "OpsMgr");
	assert_int_equal(test_write_file(fx->path, "mine\n"), 0);
	assert_int_equal(answers_write(fx->path, &c, NULL, false, err,
				       sizeof(err)), -1);
	assert_non_null(strstr(err, "already exists"));
	char *text = test_read_file(fx->path);
	assert_string_equal(text, "mine\n");
	free(text);
	assert_int_equal(answers_write(fx->path, &c, NULL, true, err,
				       sizeof(err)), 0);
	text = test_read_file(fx->path);
	assert_non_null(strstr(text, "template = OpsMgr"));
	free(text);
	struct stat sb;
	assert_int_equal(stat(fx->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	config_release(&c);
}

static void test_numbered_names(void **state)
{
	struct fx *fx = *state;
	struct config c;
	char saved[700], want[700], err[1024];
	config_init(&c);
	config_set_str(&c.fqdn, "agent01.lab.test");
	config_set_str(&c.ca_template, "OpsMgr");
	assert_int_equal(answers_save_in(fx->dir, &c, NULL, saved, sizeof(saved),
					 err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/answers-agent01.lab.test.ini", fx->dir);
	assert_string_equal(saved, want);
	/* the same answers again: left as they are */
	assert_int_equal(answers_save_in(fx->dir, &c, NULL, saved, sizeof(saved),
					 err, sizeof(err)), 1);
	assert_string_equal(saved, want);
	/* other answers: the next free number, the first file kept */
	config_set_str(&c.ca_template, "OpsMgr2");
	assert_int_equal(answers_save_in(fx->dir, &c, NULL, saved, sizeof(saved),
					 err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/answers-agent01.lab.test-2.ini", fx->dir);
	assert_string_equal(saved, want);
	snprintf(want, sizeof(want), "%s/answers-agent01.lab.test.ini", fx->dir);
	char *text = test_read_file(want);
	assert_non_null(strstr(text, "template = OpsMgr\n"));
	free(text);
	/* no FQDN known: answers.ini */
	config_set_str(&c.fqdn, NULL);
	assert_int_equal(answers_save_in(fx->dir, &c, NULL, saved, sizeof(saved),
					 err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/answers.ini", fx->dir);
	assert_string_equal(saved, want);
	struct stat sb;
	assert_int_equal(stat(want, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	config_release(&c);
}

/* ---- the command line ------------------------------------------------- */

/* cli_parse over a NULL-terminated argument list after the program. */
static int parse_args(struct cli *c, char *err, const char *const *args)
{
	char *argv[16] = { "opsmgr-enroll" };
	int argc = 1;
	while (args[argc - 1] && argc < 15) {
		argv[argc] = (char *)args[argc - 1];
		argc++;
	}
	return cli_parse(argc, argv, c, err, 256);
}

#define PARSE(c, err, ...) \
	parse_args((c), (err), (const char *const[]){ __VA_ARGS__, NULL })

static void test_cli_save_answers(void **state)
{
	(void)state;
	struct cli c;
	char err[256];
	assert_int_equal(PARSE(&c, err, "save-answers", "next.ini",
			       "--state-dir", "/tmp/s", "--overwrite"), 0);
	assert_int_equal(c.cmd, CLI_SAVE_ANSWERS);
	assert_string_equal(c.save_path, "next.ini");
	assert_string_equal(c.flow.state_dir, "/tmp/s");
	assert_true(c.overwrite);
	/* options before FILE too */
	assert_int_equal(PARSE(&c, err, "save-answers", "--answers", "a.ini",
			       "--config", "c.ini", "next.ini"), 0);
	assert_string_equal(c.save_path, "next.ini");
	assert_string_equal(c.flow.answers_path, "a.ini");
	assert_string_equal(c.flow.config_path, "c.ini");
	assert_false(c.overwrite);
	/* FILE is needed, once */
	assert_int_equal(PARSE(&c, err, "save-answers"), -1);
	assert_non_null(strstr(err, "FILE"));
	assert_int_equal(PARSE(&c, err, "save-answers", "a.ini", "b.ini"), -1);
	assert_non_null(strstr(err, "'b.ini'"));
	/* the wizard's options are not its own, nor is --overwrite the
	 * wizard's */
	assert_int_equal(PARSE(&c, err, "save-answers", "a.ini",
			       "--non-interactive"), -1);
	assert_int_equal(PARSE(&c, err, "--overwrite"), -1);
	/* the usage names it */
	char buf[8192] = "";
	FILE *m = fmemopen(buf, sizeof(buf), "w");
	cli_usage(m);
	fclose(m);
	assert_non_null(strstr(buf, "opsmgr-enroll save-answers FILE"));
	assert_non_null(strstr(buf, "--overwrite"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip_every_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults_left_out_explicit_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quoting_and_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_password_ever, setup, teardown),
		cmocka_unit_test_setup_teardown(test_per_computer_commented, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_from_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ca_user_placeholder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_replaced_unless_told, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbered_names, setup, teardown),
		cmocka_unit_test(test_cli_save_answers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
