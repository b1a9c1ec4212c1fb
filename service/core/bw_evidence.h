/*
 * bw_evidence.h - update evidence: the dates Kaspersky products leave when
 * their signatures (bases) or code are updated, parsed into Unix seconds
 * (portable core).
 *
 * Pure: no I/O, no clock (the caller passes `now`), no globals, no
 * allocation. Every parser is bounded by the length it is given (input need
 * not be NUL-terminated), never crashes on malformed, truncated or huge
 * input, and never guesses a date: a value that is not exactly in the
 * expected form, or names a day that does not exist, is rejected with an
 * error code and a short reason.
 *
 * Time zones. All results are int64 Unix seconds, UTC. Conversion uses the
 * proleptic Gregorian calendar computed here (bw_days_from_civil in bw_time.h),
 * never timegm/mktime, whose results depend on the C library and the local
 * zone. The interpretation of each source:
 *   - Bases index UpdateDate="DDMMYYYY HHMM" and <Update Date="...">: the
 *     files carry no zone; banwatch treats them as UTC (the product writes
 *     its bases dates in UTC, as the Network Agent statistics state
 *     explicitly). This is banwatch's documented interpretation.
 *   - kdb.stt "<n>;YYYYMMDDHHMM": treated as UTC, likewise.
 *   - LastSuccessfulUpdate: a DWORD of Unix seconds (UTC by definition) in
 *     some releases, a REG_QWORD FILETIME (100 ns since 1601-01-01 UTC) in
 *     the 21.x consumer products; Data\UpdateState\LastUpdate is a
 *     FILETIME too. Both forms are read (bw_evidence_registry_time).
 *   - Data\Statistics\InstalledUpdateDate "DDMMYYYY HHMM": UTC, as the
 *     bases index it mirrors.
 *   - Network Agent Protection_BasesDate "dd-MM-yyyy HH-mm-ss": UTC.
 *
 * Accepted range: 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z. Dates
 * before or after it are BW_ERANGE; malformed text is BW_EPARSE.
 *
 * The US ban's cutoff (Commerce/BIS Final Determination): updates had to
 * stop from 2024-09-29 00:00 EDT = 2024-09-29T04:00:00Z. Evidence stamped
 * at or after that second is update activity after the cutoff.
 */
#ifndef BW_EVIDENCE_H
#define BW_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bw_error.h"

/* 2024-09-29T04:00:00Z (= 2024-09-29 00:00 EDT). */
#define BW_EVIDENCE_CUTOFF INT64_C(1727582400)

/* First and last accepted second: 1970-01-01T00:00:00Z and
 * 9999-12-31T23:59:59Z. */
#define BW_EVIDENCE_MIN_TIME INT64_C(0)
#define BW_EVIDENCE_MAX_TIME INT64_C(253402300799)

/* Larger files are refused (BW_ERANGE) before any byte is read: a bases
 * index or kdb.stt is a few hundred kilobytes at most. */
#define BW_EVIDENCE_MAX_INPUT ((size_t)16 * 1024 * 1024)

/* The outcome of one evidence parser.
 *
 *   err        BW_OK when `when` (or `never`) holds a valid result; else
 *              BW_EPARSE (malformed or truncated), BW_ERANGE (date outside
 *              1970..9999, input too large), BW_EENCODING (unsupported text
 *              encoding), BW_ENOTFOUND (well-formed input without any date),
 *              BW_EINVAL (bad arguments). The parser also returns it.
 *   when       the newest valid date, Unix seconds UTC; 0 unless err is
 *              BW_OK and never is false.
 *   never      the source states that no update ever happened (only
 *              LastSuccessfulUpdate can say so). Not an error: err is BW_OK.
 *   found      how many valid dates the input held.
 *   malformed  how many date candidates were rejected (bad form, impossible
 *              day, out of range). With err == BW_OK they were ignored.
 *   truncated  the input ended inside a construct (comment, tag, quoted
 *              value, odd trailing byte of UTF-16).
 *   reason     short ASCII text: why err is not BW_OK, or a note about
 *              ignored malformed dates or truncation; "" when nothing to
 *              say. Never contains bytes copied from the input. */
typedef struct bw_evidence_time {
    int64_t when;
    bool never;
    bool truncated;
    bw_err err;
    unsigned found;
    unsigned malformed;
    char reason[96];
} bw_evidence_time;

/* ---- parsers ------------------------------------------------------------ */

/* Bases index XML (e.g. u0607g.xml under the bases folder). Reads every
 * UpdateDate="DDMMYYYY HHMM" attribute of any element, and the Date
 * attribute of <Update> elements in the same form: if any <Update> element
 * with a Date has a CompID beginning with "KDBEFI", only those elements'
 * Dates count; otherwise every <Update> element's Date does. The newest
 * valid date wins; the others and the malformed ones are counted.
 *
 * This is an attribute scanner, not an XML parser: it honours single and
 * double quotes, skips comments, CDATA sections, processing instructions,
 * DOCTYPE and end tags, and survives broken markup. Element and attribute
 * names compare ASCII case-insensitively; a namespace prefix on the element
 * name is ignored. Surrounding white space in a value is ignored.
 *
 * Encoding: UTF-8 with or without BOM (and other ASCII-compatible bytes),
 * UTF-16LE with BOM (or starting with "<" without one), whose ASCII-range
 * content is scanned. UTF-16BE and UTF-32 are BW_EENCODING. */
bw_err bw_evidence_parse_index(const void *data, size_t len, bw_evidence_time *out);

/* kdb.stt of the server products: lines "<n>;YYYYMMDDHHMM" (LF, CRLF or
 * CR; spaces and tabs around the fields tolerated; blank lines skipped; a
 * UTF-8 BOM or UTF-16LE with BOM accepted). The newest valid line wins;
 * malformed lines are counted. */
bw_err bw_evidence_parse_kdb_stt(const void *data, size_t len, bw_evidence_time *out);

/* Registry value types (winnt.h REG_*), as the collectors record them. */
#define BW_REG_SZ        1u
#define BW_REG_EXPAND_SZ 2u
#define BW_REG_BINARY    3u
#define BW_REG_DWORD     4u
#define BW_REG_QWORD     11u

/* 100 ns ticks from 1601-01-01 (FILETIME's epoch) to 1970-01-01. */
#define BW_FILETIME_UNIX_EPOCH UINT64_C(116444736000000000)

/* FILETIME (100 ns since 1601-01-01T00:00:00Z) -> Unix seconds, rounded
 * towards the past. BW_ERANGE outside 1970..9999. */
bw_err bw_evidence_filetime_to_unix(uint64_t ft, int64_t *out);

/* A registry time of an update (<prod>\Data\LastSuccessfulUpdate,
 * <prod>\Data\UpdateState\LastUpdate), whatever the release stored:
 *   - REG_DWORD: Unix seconds; 0 and 0xFFFFFFFF mean "never updated" (0 is
 *     what a product writes before its first update);
 *   - REG_QWORD, or REG_BINARY of exactly 8 bytes (little-endian, the
 *     caller passes them as `value`): a FILETIME; 0 and all ones mean
 *     "never updated";
 *   - REG_SZ / REG_EXPAND_SZ (text, len bytes, stops at a NUL): decimal
 *     Unix seconds, or "DDMMYYYY HHMM" (surrounding white space ignored).
 * "Never" is no error: never = true, err = BW_OK. Another type is
 * BW_EINVAL with the reason naming it; a time outside 1970..9999 is
 * BW_ERANGE. */
bw_err bw_evidence_registry_time(uint32_t reg_type, uint64_t value, const char *text, size_t len,
                                 bw_evidence_time *out);

/* <prod>\Data\Statistics\InstalledUpdateDate, already in UTF-8:
 * "DDMMYYYY HHMM" (the date of the installed bases, UTC), surrounding white
 * space ignored; reads at most len bytes and stops at a NUL. */
bw_err bw_evidence_parse_ddmmyyyy(const char *s, size_t len, bw_evidence_time *out);

/* Network Agent ...\Statistics\AVState Protection_BasesDate, already in
 * UTF-8: "dd-MM-yyyy HH-mm-ss", UTC. Reads at most len bytes and stops at a
 * NUL (registry strings usually end in one); surrounding white space is
 * ignored. */
bw_err bw_evidence_parse_bases_date(const char *s, size_t len, bw_evidence_time *out);

/* ---- judgement ---------------------------------------------------------- */

/* True if evidence at time t is update activity after the cutoff, that is
 * t >= cutoff: the ban required updates to stop *from* the cutoff second,
 * so an update stamped exactly at it already counts. Normally called with
 * BW_EVIDENCE_CUTOFF. */
bool bw_evidence_after_cutoff(int64_t t, int64_t cutoff);

/* Age of the newest signature date `when` at `now`, in whole days, rounded
 * towards the past (floor): 0 for the same day, negative exactly when
 * `when` lies after `now`. *future (optional) is then true: future-dated
 * evidence is suspicious (a wrong clock or a forged file), never "fresh".
 * BW_ERANGE if either time lies outside the accepted range. */
bw_err bw_evidence_age_days(int64_t when, int64_t now, int64_t *days, bool *future);

#endif
