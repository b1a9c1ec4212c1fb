/*
 * fake_common.h - what the fake API tables (fake_api.c, fake_scm.c) share:
 * allocation that fails the test instead of returning NULL, UTF-16 names
 * compared as Windows compares them, and the accounting of the handles a
 * fake hands out.
 */
#ifndef FAKE_COMMON_H
#define FAKE_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* calloc that fails the test when out of memory (n or size 0: one byte). */
void *fc_xcalloc(size_t n, size_t size);

/* s (UTF-8) as UTF-16 with a NUL; *len (optional) receives its length in
 * units. Fails the test when s is not valid UTF-8. */
uint16_t *fc_wdup(const char *s, size_t *len);

/* Units before the NUL; 0 for NULL. */
size_t fc_wlen(const uint16_t *s);

/* Names compared case-insensitively, as the registry and the SCM do
 * (simple case folding of each UTF-16 unit; surrogates as they are). */
bool fc_name_eq(const uint16_t *a, size_t na, const uint16_t *b, size_t nb);

/* One unit folded as fc_name_eq folds it. */
uint16_t fc_fold(uint16_t c);

/* ---- handles ---------------------------------------------------------------- */

/* The first member of each fake's own handle structure. */
typedef struct fc_handle {
    unsigned magic; /* set while the handle is open */
    int kind;       /* the fake's own kinds (key, SCM, service, file, ...) */
    struct fc_handle *next;
} fc_handle;

/* The handles a fake has open. */
typedef struct fc_handles {
    fc_handle *head;
    size_t n;
} fc_handles;

/* A new open handle of `size` bytes (a structure starting with an
 * fc_handle), zeroed but for its fc_handle. */
void *fc_handle_open(fc_handles *hs, size_t size, int kind);

/* The open handle p of this kind, or NULL (closed, foreign, another kind). */
void *fc_handle_live(const fc_handles *hs, const void *p, int kind);

/* Closes and frees the open handle p of this kind; false if there is none. */
bool fc_handle_close(fc_handles *hs, const void *p, int kind);

/* Frees every handle still open; release (optional) first frees what a
 * handle holds. Leaves *hs empty. */
void fc_handles_free(fc_handles *hs, void (*release)(void *handle));

#endif
