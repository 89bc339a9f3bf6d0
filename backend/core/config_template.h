/*
 * config_template.h - the system configuration file as shipped
 * (/etc/opsmgr-enroll/opsmgr-enroll.ini, the Debian package's conffile):
 * every key of the configuration key table (config_schema.h) under its
 * section, commented out, with its type, limits or names and its default,
 * so the file cannot miss a key or drift from the table.
 *
 * Owner: backend/core/config_template.c.  Ownership: the caller frees the
 * returned text with free().
 */
#ifndef OPSMGR_CONFIG_TEMPLATE_H
#define OPSMGR_CONFIG_TEMPLATE_H

/* The file's text, every key line commented ("; key = default"); NULL
 * when memory ran out. */
char *config_template_text(void);

#endif
