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
