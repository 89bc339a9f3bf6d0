/* flow.c - fixture: wizard/ calling up into screens/ (not allowed). */
#include "flow.h"
#include "ui.h"
int flow_next(void) { return ui_run(); }
