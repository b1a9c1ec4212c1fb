/*
 * nothing.c - a program that does nothing (a benchmark tool): the start-up
 * time of a MinGW console program under the same Windows or Wine, against
 * which tests/bench/run.sh measures banwatch's own start-up. With an
 * argument it sleeps that many milliseconds first: an idle process whose
 * memory is the baseline of any process under the same Wine.
 */
#include <windows.h>

#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc > 1)
        Sleep((DWORD)strtoul(argv[1], NULL, 10));
    return 0;
}
