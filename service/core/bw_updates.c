/* bw_updates.c - judging update evidence per product (portable core). */
#include "bw_updates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_evidence.h"
#include "bw_time.h"

const char *bw_evidence_kind_name(bw_evidence_kind k)
{
    switch (k) {
    case BW_EVIDENCE_BASES_INDEX: return "bases-index";
    case BW_EVIDENCE_KDB_STT: return "kdb.stt";
    case BW_EVIDENCE_LAST_UPDATE: return "last-successful-update";
    case BW_EVIDENCE_BASES_DATE: return "protection-bases-date";
    case BW_EVIDENCE_FILE_MTIME: return "file-mtime";
    case BW_EVIDENCE_INSTALL_DATE: return "install-date";
    case BW_EVIDENCE_UPDATE_STATE: return "update-state";
    case BW_EVIDENCE_INSTALLED_UPDATE: return "installed-update-date";
    case BW_EVIDENCE_BASES_INFO: return "bases-info-date";
    }
    return "unknown";
}

static bool same_product(const char *a, const char *b)
{
    return (!a && !b) || (a && b && bw_ieq(a, b));
}

/* The status of `product`, created if new (NULL on allocation failure). */
static bw_update_status *status_for(bw_updates *u, const char *product)
{
    for (size_t i = 0; i < u->n; i++)
        if (same_product(u->items[i].product, product))
            return &u->items[i];
    if (bw_grow(&u->items, &u->cap, u->n, sizeof *u->items) != BW_OK)
        return NULL;
    bw_update_status *st = &u->items[u->n];
    memset(st, 0, sizeof *st);
    if (product) {
        st->product = bw_strdup(product);
        if (!st->product)
            return NULL;
    }
    u->n++;
    return st;
}

static bw_err add_bad(bw_updates *u, const bw_evidence_entry *ev, const bw_evidence_time *t)
{
    if (bw_grow(&u->bad, &u->cap_bad, u->n_bad, sizeof *u->bad) != BW_OK)
        return BW_ENOMEM;
    bw_unreadable_evidence *b = &u->bad[u->n_bad];
    memset(b, 0, sizeof *b);
    b->kind = ev->kind;
    b->product = bw_strdup(ev->product);
    b->source = bw_strdup(ev->source ? ev->source : "");
    b->reason =
        bw_strfmt("%s: %s", bw_errname(t->err), t->reason[0] ? t->reason : bw_strerror(t->err));
    u->n_bad++;
    if ((ev->product && !b->product) || !b->source || !b->reason)
        return BW_ENOMEM;
    return BW_OK;
}

/* Interprets one evidence entry. */
static void interpret(const bw_evidence_entry *ev, bw_evidence_time *t)
{
    memset(t, 0, sizeof *t);
    switch (ev->kind) {
    case BW_EVIDENCE_BASES_INDEX:
        bw_evidence_parse_index(ev->raw, ev->raw ? ev->raw_len : 0, t);
        break;
    case BW_EVIDENCE_KDB_STT:
        bw_evidence_parse_kdb_stt(ev->raw, ev->raw ? ev->raw_len : 0, t);
        break;
    case BW_EVIDENCE_LAST_UPDATE:
    case BW_EVIDENCE_UPDATE_STATE:
    case BW_EVIDENCE_INSTALLED_UPDATE:
    case BW_EVIDENCE_BASES_INFO:
        /* Releases differ in the type they store: the parser takes each. */
        bw_evidence_registry_time(ev->reg_type ? ev->reg_type : BW_REG_DWORD, ev->number, ev->raw,
                                  ev->raw ? ev->raw_len : 0, t);
        break;
    case BW_EVIDENCE_BASES_DATE:
        bw_evidence_parse_bases_date(ev->raw ? ev->raw : "", ev->raw ? ev->raw_len : 0, t);
        break;
    case BW_EVIDENCE_FILE_MTIME:
        if (ev->mtime < BW_EVIDENCE_MIN_TIME || ev->mtime > BW_EVIDENCE_MAX_TIME) {
            t->err = BW_ERANGE;
            strcpy(t->reason, "file time outside 1970..9999");
        } else {
            t->when = ev->mtime;
            t->found = 1;
        }
        break;
    case BW_EVIDENCE_INSTALL_DATE: {
        const char *d = ev->raw ? ev->raw : "";
        bool digits = strlen(d) == 8;
        for (size_t i = 0; digits && i < 8; i++)
            digits = d[i] >= '0' && d[i] <= '9';
        const char *why = "expected YYYYMMDD";
        if (digits) {
            int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
            int m = (d[4] - '0') * 10 + (d[5] - '0'), day = (d[6] - '0') * 10 + (d[7] - '0');
            t->err = bw_civil_to_unix(y, m, day, 0, 0, 0, &t->when, &why);
        } else {
            t->err = BW_EPARSE;
        }
        if (t->err)
            snprintf(t->reason, sizeof t->reason, "InstallDate: %s", why);
        else
            t->found = 1;
        break;
    }
    default: t->err = BW_EINVAL; strcpy(t->reason, "unknown evidence kind");
    }
}

/* Judges one piece of evidence into its product's status. */
static bw_err take(bw_updates *out, const bw_evidence_entry *ev)
{
    bw_update_status *st = status_for(out, ev->product);
    if (!st)
        return BW_ENOMEM;
    st->n_evidence++;
    bw_evidence_time t;
    interpret(ev, &t);
    if (t.err != BW_OK)
        return add_bad(out, ev, &t);
    if (t.never) {
        st->never = !st->has_date;
        return BW_OK;
    }
    if (ev->kind != BW_EVIDENCE_INSTALL_DATE &&
        (!st->has_signature || t.when > st->newest_signature)) {
        st->has_signature = true;
        st->newest_signature = t.when;
    }
    if (!st->has_date || t.when > st->newest) {
        char *src = bw_strdup(ev->source ? ev->source : "");
        if (!src)
            return BW_ENOMEM;
        free(st->newest_source);
        st->newest_source = src;
        st->newest = t.when;
        st->newest_kind = ev->kind;
        st->has_date = true;
        st->never = false;
    }
    return BW_OK;
}

void bw_updates_free(bw_updates *u)
{
    for (size_t i = 0; i < u->n; i++) {
        free(u->items[i].product);
        free(u->items[i].newest_source);
    }
    free(u->items);
    for (size_t i = 0; i < u->n_bad; i++) {
        free(u->bad[i].product);
        free(u->bad[i].source);
        free(u->bad[i].reason);
    }
    free(u->bad);
    memset(u, 0, sizeof *u);
}

static int cmp_status(const void *pa, const void *pb)
{
    const bw_update_status *a = pa, *b = pb;
    if (!a->product || !b->product)
        return (a->product == NULL) - (b->product == NULL);
    return strcmp(a->product, b->product);
}

bw_err bw_evaluate_updates(const bw_snapshot *snap, const bw_policy *pol,
                           const bw_findings *findings, int64_t now, bw_updates *out)
{
    memset(out, 0, sizeof *out);
    bw_err e = BW_OK;
    for (size_t i = 0; i < snap->n_evidence && !e; i++)
        e = take(out, &snap->evidence[i]);
    /* install dates of the vendor's products */
    for (size_t i = 0; findings && i < findings->n && !e; i++) {
        const bw_finding *f = &findings->items[i];
        if (f->kind != BW_KIND_PRODUCT)
            continue;
        for (size_t j = 0; j < snap->n_products && !e; j++) {
            const bw_product_entry *p = &snap->products[j];
            if (!p->install_date || !p->source || !f->source || strcmp(p->source, f->source))
                continue;
            char *src = bw_strfmt("%s\\InstallDate", p->source);
            if (!src) {
                e = BW_ENOMEM;
                break;
            }
            bw_evidence_entry ev = {.kind = BW_EVIDENCE_INSTALL_DATE,
                                    .product = f->name,
                                    .source = src,
                                    .raw = p->install_date,
                                    .raw_len = strlen(p->install_date)};
            e = take(out, &ev);
            free(src);
        }
    }
    for (size_t i = 0; i < out->n && !e; i++) {
        bw_update_status *st = &out->items[i];
        st->cutoff = bw_policy_cutoff_for(pol, st->product);
        if (!st->has_date)
            continue;
        st->after_cutoff = bw_evidence_after_cutoff(st->newest, st->cutoff);
        int64_t basis = st->has_signature ? st->newest_signature : st->newest;
        if (bw_evidence_age_days(basis, now, &st->age_days, &st->future) == BW_OK)
            st->stale =
                st->has_signature && !st->future && st->age_days > (int64_t)pol->stale_after_days;
    }
    if (e) {
        bw_updates_free(out);
        return e;
    }
    if (out->n > 1)
        qsort(out->items, out->n, sizeof *out->items, cmp_status);
    return BW_OK;
}
