/*
 * bw_time.h - time primitives (portable core, pure): UTC formatting and
 * the proleptic Gregorian calendar, computed here and never through
 * timegm/mktime, whose results depend on the C library and the local zone.
 * All times are int64 Unix seconds, UTC.
 */
#ifndef BW_TIME_H
#define BW_TIME_H

#include <stdbool.h>
#include <stdint.h>

#include "bw_error.h"

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
/* Gregorian leap year. */
bool bw_leap_year(int64_t year);

/* Days in a month (1..12) of a year; 0 for a month outside 1..12. */
unsigned bw_days_in_month(int64_t year, unsigned month);

/* Days from 1970-01-01 to year-month-day in the proleptic Gregorian
 * calendar (negative before 1970). No validation: the caller passes a
 * valid date with month 1..12, day 1..31 and |year| below 2^40. */
int64_t bw_days_from_civil(int64_t year, unsigned month, unsigned day);

/* The strict validator and converter every date parser uses. Checks month 1..12,
 * day within the month (leap years included), hour 0..23, minute 0..59,
 * second 0..59 (BW_EPARSE otherwise), then the year 1970..9999 (BW_ERANGE
 * otherwise), and stores the Unix time (UTC) in *out. *reason (optional)
 * receives a static text on failure and "" on success. */
bw_err bw_civil_to_unix(int64_t year, int month, int day, int hour, int minute, int second,
                        int64_t *out, const char **reason);

#endif
