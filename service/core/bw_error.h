/*
 * bw_error.h - the one error enum of banwatch (portable core).
 *
 * Every fallible function returns a bw_err and hands results through out
 * parameters. The raw OS or library code, when there is one, travels
 * beside it (see the collectors' gap records) so the log can name it.
 */
#ifndef BW_ERROR_H
#define BW_ERROR_H

typedef enum bw_err {
    BW_OK = 0,
    BW_ENOMEM,    /* allocation failed */
    BW_EINVAL,    /* bad argument or bad data (wrong type, bad value) */
    BW_ENOTFOUND, /* key, value, file or item does not exist */
    BW_EACCES,    /* access denied */
    BW_EIO,       /* read or write failed */
    BW_EPARSE,    /* malformed text (policy, date, evidence file) */
    BW_EENCODING, /* invalid UTF-8 or UTF-16 */
    BW_ERANGE,    /* value out of range or too large */
    BW_EBUSY,     /* resource in use, try again */
    BW_ESYS       /* another OS error; the raw code is kept beside it */
} bw_err;

/* Short, stable English text for an error ("access denied"). Never NULL. */
const char *bw_strerror(bw_err err);

/* Stable lower-case identifier for an error ("access-denied"), for JSON. */
const char *bw_errname(bw_err err);

#endif
