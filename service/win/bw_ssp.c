/*
 * bw_ssp.c - the stack protector's guard and failure handlers (Win32
 * layer), in place of libssp's.
 *
 * GCC's -fstack-protector-strong (and _FORTIFY_SOURCE's checked copies)
 * need __stack_chk_guard, __stack_chk_fail and __chk_fail. libssp provides
 * them, but its guard comes from CryptAcquireContext and CryptGenRandom:
 * the RSA provider, crypt32, user32 and gdi32 loaded into every banwatch
 * process before main, most of its start-up time. Defined here, the linker
 * takes these instead of libssp's (which then brings in only the checked
 * copies), and the guard comes from RtlGenRandom (advapi32's
 * SystemFunction036), which needs no other DLL. This runs before main, as
 * C runtime plumbing, so it calls the OS directly rather than through the
 * API table. tests/check-pe.sh checks that the guard is there.
 */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>

/* advapi32's RtlGenRandom; ntsecapi.h names it only under that macro. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* The canary every protected function stores and checks. A fixed non-zero
 * value until the constructor below replaces it. */
void *__stack_chk_guard = (void *)(uintptr_t)0x2f8a5c1e7b3d9046ull;

void __stack_chk_fail(void);
void __chk_fail(void);

/* Runs before main and before any protected function is on the stack (the
 * C runtime's start-up is built without the protector), so changing the
 * guard here cannot trip a check. Not protected itself. */
__attribute__((constructor(101), no_stack_protector)) static void guard_setup(void)
{
    void *g = NULL;
    if (SystemFunction036(&g, sizeof g) && g)
        __stack_chk_guard = g;
    else /* no randomness: at least not the same in every process */
        __stack_chk_guard = (void *)((uintptr_t)__stack_chk_guard ^ GetTickCount64() ^
                                     ((uintptr_t)GetCurrentProcessId() << 32));
}

static _Noreturn void fail(const char *what)
{
    fputs(what, stderr);
    fflush(stderr);
    abort();
}

void __stack_chk_fail(void)
{
    fail("*** stack smashing detected ***: terminated\n");
}

void __chk_fail(void)
{
    fail("*** buffer overflow detected ***: terminated\n");
}
