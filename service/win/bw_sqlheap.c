/*
 * bw_sqlheap.c - SQLite's memory in a heap of its own (Win32 layer).
 * See bw_sqlheap.h for why.
 */
#include "bw_sqlheap.h"

#include <sqlite3.h>

/* SQLite's allocator is one per process, so is its heap. */
static const bw_api *heap_api;
static HANDLE heap;

static void *mem_malloc(int n)
{
    return n > 0 ? heap_api->HeapAlloc(heap, 0, (SIZE_T)n) : NULL;
}

static void mem_free(void *p)
{
    if (p)
        heap_api->HeapFree(heap, 0, p);
}

static void *mem_realloc(void *p, int n)
{
    if (n <= 0)
        return NULL;
    return p ? heap_api->HeapReAlloc(heap, 0, p, (SIZE_T)n) : mem_malloc(n);
}

static int mem_size(void *p)
{
    if (!p)
        return 0;
    SIZE_T n = heap_api->HeapSize(heap, 0, p);
    return n == (SIZE_T)-1 || n > 0x7fffffff ? 0 : (int)n;
}

static int mem_roundup(int n)
{
    return (n + 7) & ~7;
}

static int mem_init(void *ctx)
{
    (void)ctx;
    if (!heap)
        heap = heap_api->HeapCreate(0, 0, 0);
    return heap ? SQLITE_OK : SQLITE_NOMEM;
}

static void mem_shutdown(void *ctx)
{
    (void)ctx; /* the heap stays for the life of the process */
}

bw_err bw_win_sqlite_heap(const bw_api *api)
{
    static const sqlite3_mem_methods methods = {
        mem_malloc, mem_free, mem_realloc, mem_size, mem_roundup, mem_init, mem_shutdown, NULL,
    };
    if (heap_api)
        return BW_OK;
    heap_api = api;
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) != SQLITE_OK) {
        heap_api = NULL;
        return BW_EBUSY;
    }
    return BW_OK;
}
