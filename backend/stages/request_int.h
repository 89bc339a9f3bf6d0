/*
 * request_int.h - what the files of stage 2 share among themselves
 * (request.c, request_fields.c); not for other stages or screens.
 */
#ifndef OPSMGR_REQUEST_INT_H
#define OPSMGR_REQUEST_INT_H

#include "stages/request.h"

/* key.bits, or its default when unset. */
int key_bits(const struct config *cfg);

#endif
