/*
 * fake_common.c - the helpers the fake API tables share (see
 * fake_common.h).
 */
#include "fake_common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bw_str.h"

#define HANDLE_MAGIC 0x46414b45u

void *fc_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    assert_non_null(p);
    return p;
}

uint16_t *fc_wdup(const char *s, size_t *len)
{
    uint16_t *w = NULL;
    assert_int_equal(bw_utf8_to_utf16(s, &w, len), BW_OK);
    return w;
}

size_t fc_wlen(const uint16_t *s)
{
    size_t n = 0;
    while (s && s[n])
        n++;
    return n;
}

uint16_t fc_fold(uint16_t c)
{
    if (c >= 0xD800 && c <= 0xDFFF)
        return c;
    uint32_t f = bw_casefold(c);
    return f <= 0xFFFF ? (uint16_t)f : c;
}

bool fc_name_eq(const uint16_t *a, size_t na, const uint16_t *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (fc_fold(a[i]) != fc_fold(b[i]))
            return false;
    return true;
}

/* ---- handles ---------------------------------------------------------------- */

void *fc_handle_open(fc_handles *hs, size_t size, int kind)
{
    assert_true(size >= sizeof(fc_handle));
    fc_handle *h = fc_xcalloc(1, size);
    h->magic = HANDLE_MAGIC;
    h->kind = kind;
    h->next = hs->head;
    hs->head = h;
    hs->n++;
    return h;
}

void *fc_handle_live(const fc_handles *hs, const void *p, int kind)
{
    for (fc_handle *h = hs->head; h; h = h->next)
        if (h == p && h->kind == kind && h->magic == HANDLE_MAGIC)
            return h;
    return NULL;
}

bool fc_handle_close(fc_handles *hs, const void *p, int kind)
{
    for (fc_handle **pp = &hs->head; *pp; pp = &(*pp)->next) {
        fc_handle *h = *pp;
        if (h == p && h->kind == kind) {
            *pp = h->next;
            h->magic = 0;
            free(h);
            hs->n--;
            return true;
        }
    }
    return false;
}

void fc_handles_free(fc_handles *hs, void (*release)(void *handle))
{
    while (hs->head) {
        fc_handle *h = hs->head;
        hs->head = h->next;
        if (release)
            release(h);
        free(h);
    }
    hs->n = 0;
}
