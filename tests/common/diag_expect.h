/*
 * diag_expect.h - test helper: the diagnostic of a check at a severity,
 * or a failed test that prints the whole list first (what the stage said
 * instead).  Used by the stage 1 tests.
 *
 * Ownership: the diagnostic returned belongs to dl.
 */
#ifndef OPSMGR_TEST_DIAG_EXPECT_H
#define OPSMGR_TEST_DIAG_EXPECT_H

#include "core/diag.h"

const struct diag *test_expect_diag(const struct diag_list *dl,
				    enum diag_check check,
				    enum diag_severity sev);

#endif
