/*
 * config_template.c - the commented system configuration file
 * (config_template.h): a header naming the layers, then one block per
 * section of CONFIG_SECTIONS with one commented line per key of the key
 * table, preceded by what the key accepts.
 */
#include "core/config_template.h"

#include <stdio.h>
#include <string.h>

#include "core/config_schema.h"
#include "core/strbuf.h"

static const char HEADER[] =
	"# opsmgr-enroll.ini - the system-wide configuration of opsmgr-enroll.\n"
	"#\n"
	"# Read first, then $XDG_CONFIG_HOME/opsmgr-enroll/opsmgr-enroll.ini,\n"
	"# --config FILE and --answers FILE, each later file overriding key by\n"
	"# key.  Every key is listed commented out with its default (empty: no\n"
	"# default); remove the ';' to set one.  Passwords never go here: the\n"
	"# *password_file keys name a file whose first line is the password.\n"
	"# Generated from the key table (opsmgr-enroll config-template); see\n"
	"# opsmgr-enroll(1).\n";

/* A string key's kind of value, by its rule (config_schema.c). */
static const char *string_kind(const struct config_key *k)
{
	if (k->pin)
		return "SHA-256 fingerprint, 64 hex digits";
	if (k->text_rule == rule_path)
		return "a path";
	if (k->text_rule == rule_url)
		return "a URL";
	if (k->text_rule == rule_command)
		return "a command, split into argv and run without a shell";
	if (k->text_rule == rule_computer_fqdn || k->text_rule == rule_server)
		return "a host name";
	return "text";
}

/* What k accepts, one line: "one of: ca, file, url", "1-86400 seconds",
 * "yes or no", "text". */
static void put_accepts(struct strbuf *b, const struct config_key *k)
{
	char names[256];

	switch (k->type) {
	case CT_ENUM:
		config_join(names, sizeof(names), k->names, "", "", ", ");
		strbuf_printf(b, "# %s: one of %s\n", k->name, names);
		break;
	case CT_INT:
		strbuf_printf(b, "# %s: a number, %d-%d%s\n", k->name, k->min,
			      k->max, k->unit ? k->unit : "");
		break;
	case CT_BOOL:
		strbuf_printf(b, "# %s: yes or no\n", k->name);
		break;
	default:
		strbuf_printf(b, "# %s: %s\n", k->name, string_kind(k));
		break;
	}
}

/* "; key = default" ("; key =" without one). */
static void put_key(struct strbuf *b, const struct config_key *k)
{
	char def[64] = "";

	if (k->type == CT_ENUM)
		snprintf(def, sizeof(def), "%s", k->names[k->def]);
	else if (k->type == CT_INT)
		snprintf(def, sizeof(def), "%d", k->def);
	else if (k->type == CT_BOOL)
		snprintf(def, sizeof(def), "%s", k->def ? "yes" : "no");
	strbuf_printf(b, ";%s =%s%s\n", k->key, *def ? " " : "", def);
}

char *config_template_text(void)
{
	struct strbuf b = STRBUF_INIT;

	strbuf_puts(&b, HEADER);
	for (size_t s = 0; CONFIG_SECTIONS[s]; s++) {
		strbuf_printf(&b, "\n[%s]\n", CONFIG_SECTIONS[s]);
		for (size_t i = 0; i < config_key_count(); i++) {
			const struct config_key *k = config_key_at(i);
			if (strcmp(k->section, CONFIG_SECTIONS[s]) != 0)
				continue;
			put_accepts(&b, k);
			put_key(&b, k);
		}
	}
	return strbuf_take(&b);
}
