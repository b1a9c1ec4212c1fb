/*
 * bw_time.h - time primitives (portable core, pure): UTC formatting and
 * the proleptic Gregorian calendar, computed here and never through
 * timegm/mktime, whose results depend on the C library and the local zone.
 * All times are int64 Unix seconds, UTC.
 */
#ifndef BW_TIME_H
#define BW_TIME_H

#include <stdint.h>

/* Formats Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" into buf (21 bytes).
 * Times before year 0 or after 9999 are clamped to the first or last
 * second of that range. */
void bw_format_utc(int64_t t, char buf[21]);

/* Formats the calendar day of Unix seconds as "YYYY-MM-DD" (11 bytes),
 * clamped like bw_format_utc. */
void bw_format_date(int64_t t, char buf[11]);

/* The civil date of a day number (days since 1970-01-01, negative
 * before). */
void bw_civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day);

#endif
