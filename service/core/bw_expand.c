/* bw_expand.c - expanding a vendor key's own %Name% variables (portable
 * core, pure). */
#include "bw_expand.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_str.h"

typedef struct ctx {
    const bw_kv *env;
    size_t n_env;
    const char *stack[BW_EXPAND_MAX_DEPTH + 1]; /* the names being expanded */
    size_t depth;
    bw_buf out;
    char *why;
    size_t whylen;
} ctx;

static bw_err fail(ctx *c, bw_err e, const char *what)
{
    if (c->whylen)
        snprintf(c->why, c->whylen, "%s", what);
    return e;
}

/* The value named [name, name+n), or NULL. */
static const bw_kv *lookup(const ctx *c, const char *name, size_t n)
{
    char *k = bw_strndup(name, n);
    const bw_kv *hit = NULL;
    for (size_t i = 0; k && i < c->n_env && !hit; i++)
        if (c->env[i].name && c->env[i].value && bw_ieq(c->env[i].name, k))
            hit = &c->env[i];
    free(k);
    return hit;
}

static bw_err cycle(ctx *c, const char *name)
{
    bw_buf b = {0};
    bw_buf_puts(&b, "variable cycle: ");
    for (size_t i = 0; i < c->depth; i++)
        bw_buf_printf(&b, "%%%s%% -> ", c->stack[i]);
    bw_buf_printf(&b, "%%%s%%", name);
    bw_err e = fail(c, BW_EPARSE, b.failed ? "variable cycle" : b.data);
    bw_buf_free(&b);
    return e;
}

static bw_err expand(ctx *c, const char *text)
{
    const char *p = text;
    while (*p) {
        const char *pct = strchr(p, '%');
        if (!pct) {
            bw_buf_puts(&c->out, p);
            break;
        }
        bw_buf_append(&c->out, p, (size_t)(pct - p));
        const char *close = strchr(pct + 1, '%');
        const bw_kv *v =
            close && close > pct + 1 ? lookup(c, pct + 1, (size_t)(close - pct - 1)) : NULL;
        if (!v) { /* not one of the key's names: kept for Windows */
            size_t keep = close ? (size_t)(close - pct) : strlen(pct);
            bw_buf_append(&c->out, pct, keep);
            p = pct + keep;
            continue;
        }
        for (size_t i = 0; i < c->depth; i++)
            if (bw_ieq(c->stack[i], v->name))
                return cycle(c, v->name);
        if (c->depth >= BW_EXPAND_MAX_DEPTH) {
            char msg[96];
            snprintf(msg, sizeof msg, "variables nested deeper than %d levels",
                     BW_EXPAND_MAX_DEPTH);
            return fail(c, BW_ERANGE, msg);
        }
        c->stack[c->depth++] = v->name;
        bw_err e = expand(c, v->value);
        c->depth--;
        if (e)
            return e;
        if (c->out.len > BW_EXPAND_MAX_LEN)
            return fail(c, BW_ERANGE, "expanded value too long");
        p = close + 1;
    }
    if (c->out.failed)
        return fail(c, BW_ENOMEM, "out of memory");
    if (c->out.len > BW_EXPAND_MAX_LEN)
        return fail(c, BW_ERANGE, "expanded value too long");
    return BW_OK;
}

bw_err bw_expand_vendor_vars(const bw_kv *env, size_t n_env, const char *raw, char **out,
                             char *why, size_t whylen)
{
    ctx c = {.env = env, .n_env = n_env, .why = why, .whylen = whylen};
    *out = NULL;
    if (whylen)
        why[0] = '\0';
    if (!raw)
        return fail(&c, BW_EINVAL, "no value");
    bw_err e = expand(&c, raw);
    if (e == BW_OK && !c.out.data)
        bw_buf_puts(&c.out, "");
    if (e == BW_OK && c.out.failed)
        e = fail(&c, BW_ENOMEM, "out of memory");
    if (e) {
        bw_buf_free(&c.out);
        return e;
    }
    *out = bw_buf_take(&c.out);
    return *out ? BW_OK : BW_ENOMEM;
}
