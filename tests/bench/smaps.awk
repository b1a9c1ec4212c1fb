# smaps.awk - sums a Wine process's private dirty pages (/proc/PID/smaps) by
# where they lie: the exe's image (0x140000000..0x150000000, where MinGW
# links it), other PE images and Wine's own mappings, Unix libraries, and the
# low anonymous memory below 4 GB (heaps and thread stacks).
# Prints "heaps_kb=H image_kb=I dlls_kb=D unix_kb=U".
/^[0-9a-f]+-[0-9a-f]+ / {
    split($1, r, "-")
    hex = r[1]; n = length(hex)
    # the region's class, from its start address (hex digits, no leading 0x)
    if ($6 ~ /\.so/) cls = "unix"
    else if (n < 9) cls = "heaps"
    else if (n == 9 && substr(hex, 1, 2) == "14") cls = "image"
    else cls = "dlls"
    next
}
/^Private_Dirty:/ { kb[cls] += $2 }
END { printf "heaps_kb=%d image_kb=%d dlls_kb=%d unix_kb=%d\n", kb["heaps"], kb["image"], kb["dlls"], kb["unix"] }
