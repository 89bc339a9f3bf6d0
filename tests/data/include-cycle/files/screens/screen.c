/* screen.c - fixture: calls back into the router's helpers. */
#include "kit.h"
#include "screen.h"
int screen_run(void) { return kit_getkey(); }
