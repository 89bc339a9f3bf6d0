/* ui.c - fixture. */
#include "ui.h"
int ui_run(void) { return flow_next(); }
