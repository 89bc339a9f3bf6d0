/*
 * diag_expect.c - the diagnostic a test expects (diag_expect.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "diag_expect.h"

const struct diag *test_expect_diag(const struct diag_list *dl,
				    enum diag_check check,
				    enum diag_severity sev)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->items[i].check == check && dl->items[i].sev == sev)
			return &dl->items[i];
	diag_print_text(stderr, dl, SEV_PASS);
	fail_msg("no %s diagnostic of severity %s", diag_check_id(check),
		 diag_severity_name(sev));
	return NULL;
}
