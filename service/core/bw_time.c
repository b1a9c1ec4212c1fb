/* bw_time.c - UTC formatting and the civil calendar (portable core). */
#include "bw_time.h"

#include <stdio.h>

void bw_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    /* Howard Hinnant's algorithm (days_from_civil's inverse). */
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

void bw_format_utc(int64_t t, char buf[21])
{
    int64_t days = t / 86400, rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t y;
    unsigned m, d;
    bw_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        snprintf(buf, 21, "%s", y < 0 ? "0000-01-01T00:00:00Z" : "9999-12-31T23:59:59Z");
        return;
    }
    /* The "% 100" bounds are no-ops that let the compiler see the fields fit. */
    snprintf(buf, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)y % 10000u, m % 100u, d % 100u,
             (unsigned)(rem / 3600) % 100u, (unsigned)(rem % 3600 / 60) % 100u,
             (unsigned)(rem % 60) % 100u);
}

void bw_format_date(int64_t t, char buf[11])
{
    char full[21];
    bw_format_utc(t, full);
    snprintf(buf, 11, "%.10s", full);
}

bool bw_leap_year(int64_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned bw_days_in_month(int64_t year, unsigned month)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && bw_leap_year(year))
        return 29;
    return days[month - 1];
}

/* The "days from civil" algorithm of the proleptic Gregorian calendar
 * (eras of 400 years = 146097 days, years starting on 1 March). */
int64_t bw_days_from_civil(int64_t year, unsigned month, unsigned day)
{
    int64_t y = year - (month <= 2 ? 1 : 0);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);             /* 0..399 */
    unsigned mp = month > 2 ? month - 3 : month + 9;      /* March = 0 */
    unsigned doy = (153 * mp + 2) / 5 + day - 1;          /* 0..365 */
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* 0..146096 */
    return era * 146097 + (int64_t)doe - 719468;
}

bw_err bw_civil_to_unix(int64_t year, int month, int day, int hour, int minute, int second,
                        int64_t *out, const char **reason)
{
    const char *why = "";
    bw_err err = BW_OK;
    if (month < 1 || month > 12) {
        why = "month not 01-12";
        err = BW_EPARSE;
    } else if (day < 1 || (unsigned)day > bw_days_in_month(year, (unsigned)month)) {
        why = "no such day in that month";
        err = BW_EPARSE;
    } else if (hour < 0 || hour > 23) {
        why = "hour not 00-23";
        err = BW_EPARSE;
    } else if (minute < 0 || minute > 59) {
        why = "minute not 00-59";
        err = BW_EPARSE;
    } else if (second < 0 || second > 59) {
        why = "second not 00-59";
        err = BW_EPARSE;
    } else if (year < 1970) {
        why = "year before 1970";
        err = BW_ERANGE;
    } else if (year > 9999) {
        why = "year after 9999";
        err = BW_ERANGE;
    }
    if (reason)
        *reason = why;
    if (err != BW_OK)
        return err;
    if (out)
        *out = bw_days_from_civil(year, (unsigned)month, (unsigned)day) * 86400 + hour * 3600 +
               minute * 60 + second;
    return BW_OK;
}
