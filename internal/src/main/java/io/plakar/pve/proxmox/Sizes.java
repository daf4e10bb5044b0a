package io.plakar.pve.proxmox;

/** Human byte counts for log lines and reports ({@code 12.3 MiB}). */
public final class Sizes {
    private Sizes() {
    }

    public static String human(long n) {
        return human(n, 1);
    }

    /** With {@code decimals} digits after the point (reports show two: 28.84 KiB). */
    public static String human(long n, int decimals) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%." + decimals + "f %s", v, units[u]);
    }
}
