/* bw_api.c - the real Win32 functions behind the API table (Win32 layer). */
#include "bw_api.h"

const bw_api bw_api_system = {
    .RegOpenKeyExW = RegOpenKeyExW,
    .RegCloseKey = RegCloseKey,
    .RegEnumKeyExW = RegEnumKeyExW,
    .RegQueryValueExW = RegQueryValueExW,
    .RegEnumValueW = RegEnumValueW,
    .RegQueryInfoKeyW = RegQueryInfoKeyW,
    .OpenSCManagerW = OpenSCManagerW,
    .EnumServicesStatusExW = EnumServicesStatusExW,
    .CloseServiceHandle = CloseServiceHandle,
    .GetComputerNameExW = GetComputerNameExW,
    .GetSystemTimeAsFileTime = GetSystemTimeAsFileTime,
    .CreateFileW = CreateFileW,
    .ReadFile = ReadFile,
    .GetFileSizeEx = GetFileSizeEx,
    .CloseHandle = CloseHandle,
    .GetStdHandle = GetStdHandle,
    .GetFileType = GetFileType,
    .WriteConsoleW = WriteConsoleW,
    .WriteFile = WriteFile,
};
