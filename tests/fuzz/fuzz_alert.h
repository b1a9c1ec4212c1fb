/*
 * fuzz_alert.h - checking an alert as every sink would render it (test code
 * only): the JSON-lines record must be one line of strict JSON carrying
 * the event and each field's value back (invalid bytes as U+FFFD), the
 * recorded fields one JSON object with the fields in order, and the
 * insertion strings one per field.
 */
#ifndef FUZZ_ALERT_H
#define FUZZ_ALERT_H

#include <stdint.h>

#include "bw_alert.h"

void fz_check_alert(const bw_alert *a, int64_t now);
/* Checks each alert, then frees the list. */
void fz_check_alerts(bw_alerts *al, int64_t now);

#endif
