#!/usr/bin/env python3
"""pe-version.py FILE.exe - prints the version resource (VERSIONINFO) of a
PE file, one "name=value" a line:

    FileVersion#=0.1.0.0        the fixed part (VS_FIXEDFILEINFO), as numbers
    ProductVersion#=0.1.0.0
    CompanyName=banwatch        each string of each StringFileInfo table
    ...

Reads the file itself: PE headers, the section table, the resource
directory (type RT_VERSION, its first name and language), then the
VS_VERSIONINFO tree. Exits 1 when the file has no version resource."""
import struct
import sys

RT_VERSION = 16


def fail(msg):
    print(f"pe-version.py: {msg}", file=sys.stderr)
    sys.exit(1)


def resource_data(pe):
    if pe[:2] != b"MZ":
        fail("not a PE file (no MZ)")
    (lfanew,) = struct.unpack_from("<I", pe, 0x3C)
    if pe[lfanew:lfanew + 4] != b"PE\0\0":
        fail("not a PE file (no PE signature)")
    coff = lfanew + 4
    nsections, = struct.unpack_from("<H", pe, coff + 2)
    optsize, = struct.unpack_from("<H", pe, coff + 16)
    opt = coff + 20
    magic, = struct.unpack_from("<H", pe, opt)
    ddir = opt + (112 if magic == 0x20B else 96)
    rsrc_rva, rsrc_size = struct.unpack_from("<II", pe, ddir + 2 * 8)
    if not rsrc_rva:
        fail("no resource directory")
    sections = []
    for i in range(nsections):
        s = opt + optsize + 40 * i
        vsize, va, rawsize, rawptr = struct.unpack_from("<IIII", pe, s + 8)
        sections.append((va, max(vsize, rawsize), rawptr))

    def off(rva):
        for va, size, raw in sections:
            if va <= rva < va + size:
                return raw + rva - va
        fail(f"RVA {rva:#x} is in no section")

    base = off(rsrc_rva)

    def entries(d):
        named, ids = struct.unpack_from("<HH", pe, base + d + 12)
        for i in range(named + ids):
            name, target = struct.unpack_from("<II", pe, base + d + 16 + 8 * i)
            yield name, target

    for name, target in entries(0):
        if name == RT_VERSION and target & 0x80000000:
            level2 = target & 0x7FFFFFFF
            for _, t2 in entries(level2):
                for _, t3 in entries(t2 & 0x7FFFFFFF):
                    rva, size = struct.unpack_from("<II", pe, base + (t3 & 0x7FFFFFFF))
                    start = off(rva)
                    return pe[start:start + size]
    fail("no version resource (RT_VERSION)")


def align4(n):
    return (n + 3) & ~3


def node(buf, pos):
    """One VS_VERSIONINFO-style node at pos: (key, value bytes, value type,
    children, end)."""
    length, vlen, vtype = struct.unpack_from("<HHH", buf, pos)
    end = pos + length
    k = pos + 6
    kend = k
    while buf[kend:kend + 2] != b"\0\0":
        kend += 2
    key = buf[k:kend].decode("utf-16-le")
    v = align4(kend + 2)
    vbytes = vlen * 2 if vtype == 1 else vlen  # text: length in WCHARs
    value = buf[v:v + vbytes]
    children = []
    c = align4(v + vbytes)
    while c < end:
        child = node(buf, c)
        children.append(child)
        c = align4(child[4])
    return key, value, vtype, children, end


def main():
    if len(sys.argv) != 2:
        print("usage: pe-version.py FILE.exe", file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        pe = f.read()
    data = resource_data(pe)
    key, value, _, children, _ = node(data, 0)
    if key != "VS_VERSION_INFO":
        fail(f"the version resource starts with {key!r}")
    sig, _, fms, fls, pms, pls = struct.unpack_from("<IIIIII", value, 0)
    if sig != 0xFEEF04BD:
        fail("no VS_FIXEDFILEINFO")
    print(f"FileVersion#={fms >> 16}.{fms & 0xFFFF}.{fls >> 16}.{fls & 0xFFFF}")
    print(f"ProductVersion#={pms >> 16}.{pms & 0xFFFF}.{pls >> 16}.{pls & 0xFFFF}")
    for ckey, _, _, tables, _ in children:
        if ckey != "StringFileInfo":
            continue
        for _, _, _, strings, _ in tables:
            for skey, sval, _, _, _ in strings:
                print(f"{skey}={sval.decode('utf-16-le').rstrip(chr(0))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
