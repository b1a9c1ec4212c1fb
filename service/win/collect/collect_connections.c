/*
 * collect_connections.c - the TCP connection collector: the IPv4 and IPv6
 * connection tables with the image path of each owning process, for the
 * live KSN connection rule (Win32 layer). It only reads and copies; which
 * connections matter is decided by evaluation (docs/detection.md).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_collect.h"
#include "../bw_winreg.h"

/* Address families (ws2def.h), spelled out so that this file needs no
 * Winsock header. */
#define BW_AF_INET  2u
#define BW_AF_INET6 23u

/* The table can grow between the size query and the read: a few retries,
 * each with room to spare, then a gap. */
#define MAX_TABLE_RETRIES 8
#define MAX_TABLE_BYTES   (64u * 1024u * 1024u)
#define MAX_IMAGE_UNITS   32768u

/* What is known about one process, looked up once per pid. */
typedef struct proc_info {
    DWORD pid;
    char *image; /* or NULL */
    char *note;  /* why image is NULL */
} proc_info;

typedef struct proc_cache {
    proc_info *items;
    size_t n, cap;
} proc_cache;

static void cache_free(proc_cache *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->items[i].image);
        free(c->items[i].note);
    }
    free(c->items);
    memset(c, 0, sizeof *c);
}

#define TABLE_NOT_READY_TRIES   8
#define TABLE_NOT_READY_WAIT_MS 250

/* Reads one table (TCP_TABLE_OWNER_PID_CONNECTIONS: every connection but
 * the listeners) into a malloc'd *out of *size bytes. A failure other than
 * BW_ENOMEM fills *st. */
static bw_err read_table(const bw_api *api, ULONG af, void **out, DWORD *size, bw_win_status *st)
{
    DWORD cap = 16 * 1024;
    unsigned not_ready = 0;
    *out = NULL;
    for (int attempt = 0; attempt < MAX_TABLE_RETRIES; attempt++) {
        void *buf = malloc(cap);
        if (!buf)
            return BW_ENOMEM;
        DWORD want = cap;
        DWORD rc =
            api->GetExtendedTcpTable(buf, &want, FALSE, af, TCP_TABLE_OWNER_PID_CONNECTIONS, 0);
        if (rc == NO_ERROR) {
            *out = buf;
            *size = cap; /* what was allocated bounds every read */
            return BW_OK;
        }
        free(buf);
        /* The network store not answering yet (at boot; under Wine before
         * its nsi service runs): wait a little and ask again. */
        if ((rc == ERROR_FILE_NOT_FOUND || rc == ERROR_NOT_READY) &&
            not_ready++ < TABLE_NOT_READY_TRIES) {
            api->Sleep(TABLE_NOT_READY_WAIT_MS);
            attempt--;
            continue;
        }
        if (rc != ERROR_INSUFFICIENT_BUFFER)
            return bw_win_status_set(st, rc);
        /* never trust a returned size: it must grow, and stay sane */
        if (want <= cap)
            want = cap * 2;
        if (want > MAX_TABLE_BYTES) {
            st->code = ERROR_INSUFFICIENT_BUFFER;
            snprintf(st->reason, sizeof st->reason, "table larger than %u bytes",
                     MAX_TABLE_BYTES);
            return BW_ESYS;
        }
        cap = want + want / 4 + 1024; /* room for rows added meanwhile */
    }
    st->code = ERROR_INSUFFICIENT_BUFFER;
    snprintf(st->reason, sizeof st->reason, "table kept growing (%d attempts)",
             MAX_TABLE_RETRIES);
    return BW_ESYS;
}

/* A port as stored in the tables: network byte order in the low 16 bits. */
static uint16_t port_of(DWORD p)
{
    return (uint16_t)(((p & 0xFFu) << 8) | ((p >> 8) & 0xFFu));
}

/* "192.0.2.10" from an address in network byte order. */
static char *ipv4_text(DWORD addr)
{
    const unsigned char *b = (const unsigned char *)&addr;
    return bw_strfmt("%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

/* RFC 5952 text: lower-case hex, the longest run of two or more zero
 * groups (the first of equal runs) written as "::". */
static char *ipv6_text(const UCHAR a[16])
{
    unsigned g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    int best = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        if (g[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && !g[j])
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    char text[48];
    size_t n = 0;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            n += (size_t)snprintf(text + n, sizeof text - n, "::");
            i += best_len - 1;
            continue;
        }
        if (i && i != best + best_len)
            text[n++] = ':';
        n += (size_t)snprintf(text + n, sizeof text - n, "%x", g[i]);
    }
    text[n] = '\0';
    return bw_strdup(text);
}

/* Sets a note (no gap) or records a gap at "process <pid>" for a failure
 * to open or name process pid. Access denied (protected processes, System)
 * and a process that has exited are expected: notes only. */
static bw_err process_failure(bw_snapshot *snap, proc_info *p, DWORD code, const char *what)
{
    bw_win_status st = {0};
    bw_win_status_set(&st, code);
    bool expected = code == ERROR_ACCESS_DENIED || code == ERROR_INVALID_PARAMETER;
    if (code == ERROR_INVALID_PARAMETER)
        p->note = bw_strfmt("process exited (%lu)", (unsigned long)code);
    else
        p->note = bw_strfmt("%s: %s", what, st.reason);
    if (!p->note)
        return BW_ENOMEM;
    if (expected)
        return BW_OK;
    char where[32];
    snprintf(where, sizeof where, "process %lu", (unsigned long)p->pid);
    return bw_snapshot_add_gap(snap, where, "%s", p->note);
}

/* Fills p->image (or p->note) for p->pid. */
static bw_err name_process(const bw_api *api, bw_snapshot *snap, proc_info *p)
{
    if (p->pid == 0) {
        p->note = bw_strdup("system idle process");
        return p->note ? BW_OK : BW_ENOMEM;
    }
    HANDLE h = api->OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, p->pid);
    if (!h)
        return process_failure(snap, p, GetLastError(), "open");
    bw_err e = BW_OK;
    DWORD cap = MAX_PATH;
    for (;;) {
        uint16_t *buf = calloc((size_t)cap + 1, sizeof *buf);
        if (!buf) {
            e = BW_ENOMEM;
            break;
        }
        DWORD len = cap;
        if (api->QueryFullProcessImageNameW(h, 0, (LPWSTR)buf, &len)) {
            if (len > cap) /* never trust a returned length */
                len = cap;
            e = bw_utf16_to_utf8(buf, len, &p->image);
            free(buf);
            if (e == BW_EENCODING) {
                p->image = NULL;
                p->note = bw_strdup("image path: invalid UTF-16");
                char where[32];
                snprintf(where, sizeof where, "process %lu", (unsigned long)p->pid);
                e = p->note ? bw_snapshot_add_gap(snap, where, "%s", p->note) : BW_ENOMEM;
            }
            break;
        }
        DWORD code = GetLastError();
        free(buf);
        if (code == ERROR_INSUFFICIENT_BUFFER && cap < MAX_IMAGE_UNITS) {
            cap = cap * 2 > MAX_IMAGE_UNITS ? MAX_IMAGE_UNITS : cap * 2;
            continue;
        }
        e = process_failure(snap, p, code, "image path");
        break;
    }
    api->CloseHandle(h);
    return e;
}

/* The cached entry of pid, named on first use. */
static bw_err lookup(const bw_api *api, bw_snapshot *snap, proc_cache *c, DWORD pid,
                     const proc_info **out)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->items[i].pid == pid) {
            *out = &c->items[i];
            return BW_OK;
        }
    if (bw_grow(&c->items, &c->cap, c->n, sizeof *c->items) != BW_OK)
        return BW_ENOMEM;
    proc_info *p = &c->items[c->n++];
    memset(p, 0, sizeof *p);
    p->pid = pid;
    *out = p;
    return name_process(api, snap, p);
}

/* Appends one row; the address texts are owned by the call. */
static bw_err add_row(bw_snapshot *snap, const proc_info *p, bool ipv6, char *local,
                      DWORD local_port, char *remote, DWORD remote_port, DWORD state)
{
    bw_connection_entry *c;
    bw_err e = BW_ENOMEM;
    if (!local || !remote || bw_snapshot_add_connection(snap, &c) != BW_OK) {
        free(local);
        free(remote);
        return BW_ENOMEM;
    }
    c->pid = p->pid;
    c->ipv6 = ipv6;
    c->local_addr = local;
    c->remote_addr = remote;
    c->local_port = port_of(local_port);
    c->remote_port = port_of(remote_port);
    c->state = state;
    c->image = bw_strdup(p->image);
    c->image_note = bw_strdup(p->note);
    if ((!p->image || c->image) && (!p->note || c->image_note))
        e = BW_OK;
    return e;
}

/* Reads the table of one family into the snapshot. */
static bw_err collect_family(const bw_api *api, bw_snapshot *snap, proc_cache *cache, bool ipv6)
{
    const char *where = ipv6 ? "TCP table (IPv6)" : "TCP table (IPv4)";
    bw_win_status st = {0};
    void *buf = NULL;
    DWORD size = 0;
    bw_err e = read_table(api, ipv6 ? BW_AF_INET6 : BW_AF_INET, &buf, &size, &st);
    if (e == BW_ENOMEM)
        return e;
    if (e != BW_OK) {
        /* No IPv6 stack: nothing to read, not a gap. */
        if (ipv6 && st.code == ERROR_NOT_SUPPORTED)
            return BW_OK;
        return bw_win_gap(snap, where, &st);
    }
    size_t row = ipv6 ? sizeof(MIB_TCP6ROW_OWNER_PID) : sizeof(MIB_TCPROW_OWNER_PID);
    size_t head =
        ipv6 ? offsetof(MIB_TCP6TABLE_OWNER_PID, table) : offsetof(MIB_TCPTABLE_OWNER_PID, table);
    DWORD n = *(const DWORD *)buf;
    size_t fit = size >= head ? (size - head) / row : 0;
    if (n > fit) {
        e = bw_snapshot_add_gap(snap, where, "%lu rows claimed, %lu fit in the buffer",
                                (unsigned long)n, (unsigned long)fit);
        n = (DWORD)fit;
    }
    for (DWORD i = 0; i < n && e == BW_OK; i++) {
        const proc_info *p = NULL;
        if (ipv6) {
            const MIB_TCP6ROW_OWNER_PID *r = &((const MIB_TCP6TABLE_OWNER_PID *)buf)->table[i];
            e = lookup(api, snap, cache, r->dwOwningPid, &p);
            if (e == BW_OK)
                e = add_row(snap, p, true, ipv6_text(r->ucLocalAddr), r->dwLocalPort,
                            ipv6_text(r->ucRemoteAddr), r->dwRemotePort, r->dwState);
        } else {
            const MIB_TCPROW_OWNER_PID *r = &((const MIB_TCPTABLE_OWNER_PID *)buf)->table[i];
            e = lookup(api, snap, cache, r->dwOwningPid, &p);
            if (e == BW_OK)
                e = add_row(snap, p, false, ipv4_text(r->dwLocalAddr), r->dwLocalPort,
                            ipv4_text(r->dwRemoteAddr), r->dwRemotePort, r->dwState);
        }
    }
    free(buf);
    return e;
}

bw_err bw_win_collect_connections(const bw_api *api, bw_snapshot *snap)
{
    proc_cache cache = {0};
    bw_err e = collect_family(api, snap, &cache, false);
    if (e == BW_OK)
        e = collect_family(api, snap, &cache, true);
    cache_free(&cache);
    return e;
}
