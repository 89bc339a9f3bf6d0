/* ui.h - fixture: a screen that uses the flow. */
#include "flow.h"
int ui_run(void);
